from django.urls import path

from opencsc.casework import protection_views as views

app_name = "protection"
urlpatterns = [
    path("<int:child_id>/casework/", views.casework, name="casework"),
    path("<int:child_id>/assessments/new/", views.assessment_start, name="assessment_start"),
    path("<int:child_id>/assessment/child-seen/", views.assessment_child_seen, name="assessment_child_seen"),
    path("<int:child_id>/assessment/factors/", views.assessment_factors, name="assessment_factors"),
    path("<int:child_id>/assessment/outcome/", views.assessment_outcome, name="assessment_outcome"),
    path("<int:child_id>/assessment/submit/", views.assessment_submit, name="assessment_submit"),
    path("<int:child_id>/assessment/authorise/", views.assessment_authorise, name="assessment_authorise"),
    path("<int:child_id>/close/", views.case_close, name="case_close"),
    path(
        "<int:child_id>/strategy-discussions/new/",
        views.strategy_discussion_new,
        name="strategy_discussion_new",
    ),
    path("<int:child_id>/section-47/outcome/", views.section_47_outcome, name="section_47_outcome"),
    path(
        "<int:child_id>/conferences/initial/new/", views.initial_conference_new, name="initial_conference_new"
    ),
    path("<int:child_id>/core-groups/new/", views.core_group_new, name="core_group_new"),
    path("<int:child_id>/conferences/review/new/", views.review_conference_new, name="review_conference_new"),
    path("<int:child_id>/protection-plan/end/", views.protection_plan_end, name="protection_plan_end"),
    path("<int:child_id>/child-in-need-plans/new/", views.cin_plan_new, name="cin_plan_new"),
    path("<int:child_id>/child-in-need-plan/reviews/new/", views.cin_review_new, name="cin_review_new"),
    path("<int:child_id>/child-in-need-plan/end/", views.cin_plan_end, name="cin_plan_end"),
]
