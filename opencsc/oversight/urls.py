from django.urls import path

from opencsc.oversight import digest_views, improvement_views, views

app_name = "oversight"
urlpatterns = [
    path("escalations/", views.escalation_list, name="escalations"),
    path("escalations/all/", views.escalation_chain_page, name="chain"),
    path("escalations/digest/", digest_views.digest_page, name="digest"),
    path("escalations/digest/answer/", digest_views.digest_answer, name="digest_answer"),
    path("escalations/<int:escalation_id>/", views.escalation_detail, name="escalation"),
    path(
        "escalations/<int:escalation_id>/acknowledge/", views.escalation_acknowledge_view, name="acknowledge"
    ),
    path("escalations/<int:escalation_id>/close/", views.escalation_close_view, name="close"),
    path("improvement/", improvement_views.plan_overview, name="plan"),
    path("improvement/board-meeting/", improvement_views.board_meeting, name="board_meeting"),
    path(
        "improvement/recommendations/<int:recommendation_id>/",
        improvement_views.recommendation_detail,
        name="recommendation",
    ),
    path(
        "improvement/recommendations/<int:recommendation_id>/actions/new/",
        improvement_views.action_new,
        name="action_new",
    ),
    path("improvement/actions/<int:action_id>/edit/", improvement_views.action_edit, name="action_edit"),
    path(
        "improvement/actions/<int:action_id>/evidence/new/",
        improvement_views.evidence_new,
        name="evidence_new",
    ),
]
