from django.urls import path

from opencsc.returns import views

app_name = "returns"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("annexa/download/", views.annexa_download, name="annexa_download"),
    path("<slug:kind>/", views.worklist, name="kind_worklist"),
    path("<slug:kind>/check/", views.check, name="check"),
    path("<slug:kind>/checks/<int:check_id>/", views.check_status, name="check_status"),
    path("<slug:kind>/download/", views.download, name="download"),
    path("<slug:kind>/import/", views.import_files, name="import"),
    path("<slug:kind>/imports/<int:import_id>/", views.import_status, name="import_status"),
]
