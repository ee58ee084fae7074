from django.urls import path

from opencsc.earlyhelp import service_views, views

app_name = "earlyhelp"
urlpatterns = [
    path("children/<int:child_id>/early-help/", views.child_page, name="child"),
    path("children/<int:child_id>/early-help/start/", views.episode_open, name="open"),
    path("children/<int:child_id>/early-help/assessment/", views.assessment_start, name="assessment_start"),
    path(
        "children/<int:child_id>/early-help/assessment/complete/",
        views.assessment_complete,
        name="assessment_complete",
    ),
    path("children/<int:child_id>/early-help/review/", views.family_review, name="review"),
    path("children/<int:child_id>/early-help/end/", views.episode_close, name="close"),
    path("children/<int:child_id>/early-help/step-up/", views.step_up, name="step_up"),
    path("children/<int:child_id>/early-help/step-down/", views.step_down, name="step_down"),
    path("early-help/", service_views.service_page, name="service"),
]
