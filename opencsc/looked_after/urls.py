from django.urls import path

from opencsc.looked_after import views

app_name = "looked_after"
urlpatterns = [
    path("<int:child_id>/care/", views.history, name="history"),
    path("<int:child_id>/care/start/", views.start_care, name="start"),
    path("<int:child_id>/care/legal-status/", views.change_legal_status, name="legal_status"),
    path("<int:child_id>/care/move/", views.move_placement, name="move"),
    path("<int:child_id>/care/end/", views.end_care, name="end"),
    path("<int:child_id>/care/reviews/new/", views.review_new, name="review_new"),
    path("<int:child_id>/care/missing/new/", views.missing_new, name="missing_new"),
    path("<int:child_id>/care/missing/return/", views.missing_update, name="missing_update"),
    path("<int:child_id>/care/checks/new/", views.check_new, name="check_new"),
    path("<int:child_id>/care/uasc/", views.uasc, name="uasc"),
    path("<int:child_id>/care/previous-permanence/", views.previous_permanence, name="previous_permanence"),
]
