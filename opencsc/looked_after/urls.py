from django.urls import path

from opencsc.looked_after import iro_views, views

app_name = "looked_after"
urlpatterns = [
    path("<int:child_id>/care/", views.history, name="history"),
    path("<int:child_id>/care/start/", views.start_care, name="start"),
    path("<int:child_id>/care/legal-status/", views.change_legal_status, name="legal_status"),
    path("<int:child_id>/care/move/", views.move_placement, name="move"),
    path("<int:child_id>/care/end/", views.end_care, name="end"),
    path("<int:child_id>/care/reviews/new/", views.review_new, name="review_new"),
    path("<int:child_id>/care/iro/", iro_views.iro_assign, name="iro_assign"),
    path("<int:child_id>/care/placement-plan/", iro_views.placement_plan_agree, name="placement_plan"),
    path("<int:child_id>/care/missing/new/", views.missing_new, name="missing_new"),
    path("<int:child_id>/care/missing/return/", views.missing_update, name="missing_update"),
    path("<int:child_id>/care/checks/new/", views.check_new, name="check_new"),
    path("<int:child_id>/care/uasc/", views.uasc, name="uasc"),
    path("<int:child_id>/care/previous-permanence/", views.previous_permanence, name="previous_permanence"),
]
