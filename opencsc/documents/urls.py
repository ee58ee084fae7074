from django.urls import path

from opencsc.documents import views

app_name = "documents"
urlpatterns = [
    path("children/<int:child_id>/assessment/document/", views.start, name="start"),
    path("children/<int:child_id>/documents/new/", views.write, name="write"),
    path("documents/<int:document_id>/", views.detail, name="detail"),
    path("documents/<int:document_id>/edit/", views.edit, name="edit"),
    path("documents/<int:document_id>/autosave/", views.autosave, name="autosave"),
    path("documents/<int:document_id>/review/", views.review, name="review"),
    path("documents/<int:document_id>/pdf/", views.pdf, name="pdf"),
]
