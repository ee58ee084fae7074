from django.urls import path

from opencsc.attachments import views

app_name = "attachments"
urlpatterns = [
    path("children/<int:child_id>/files/", views.child_files, name="child_files"),
    path("children/<int:child_id>/files/add/", views.child_upload, name="child_upload"),
    path(
        "children/<int:child_id>/files/conference-invitation/",
        views.conference_invitation,
        name="conference_invitation",
    ),
    path("documents/<int:document_id>/files/add/", views.document_upload, name="document_upload"),
    path("files/<int:attachment_id>/download/", views.download, name="download"),
    path("files/<int:attachment_id>/remove/", views.remove, name="remove"),
]
