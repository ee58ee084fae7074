from django.urls import path

from opencsc.oversight import views

app_name = "oversight"
urlpatterns = [
    path("escalations/", views.escalation_list, name="escalations"),
    path("escalations/all/", views.escalation_chain_page, name="chain"),
    path("escalations/<int:escalation_id>/", views.escalation_detail, name="escalation"),
    path(
        "escalations/<int:escalation_id>/acknowledge/", views.escalation_acknowledge_view, name="acknowledge"
    ),
    path("escalations/<int:escalation_id>/close/", views.escalation_close_view, name="close"),
]
