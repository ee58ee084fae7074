"""The administrator's template pages, under /document-templates/ (template_views.py)."""

from django.urls import path

from opencsc.documents import template_views as views

app_name = "doc_templates"
urlpatterns = [
    path("", views.versions, name="versions"),
    path("new/<slug:document_type>/", views.new_version, name="new_version"),
    path("<int:template_id>/", views.version, name="version"),
    path("<int:template_id>/preview/", views.preview, name="preview"),
    path("<int:template_id>/publish/", views.publish, name="publish"),
    path("<int:template_id>/sections/new/", views.section_new, name="section_new"),
    path("sections/<int:section_id>/", views.section_edit, name="section_edit"),
    path("sections/<int:section_id>/move/", views.section_move, name="section_move"),
    path("sections/<int:section_id>/remove/", views.section_remove, name="section_remove"),
    path("sections/<int:section_id>/questions/new/", views.question_new, name="question_new"),
    path("questions/<int:question_id>/", views.question_edit, name="question_edit"),
    path("questions/<int:question_id>/move/", views.question_move, name="question_move"),
    path("questions/<int:question_id>/remove/", views.question_remove, name="question_remove"),
]
