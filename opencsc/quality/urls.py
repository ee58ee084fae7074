from django.urls import path

from opencsc.quality import views

app_name = "quality"
urlpatterns = [
    path("children/<int:child_id>/audits/", views.child_audits, name="child_audits"),
    path("children/<int:child_id>/audits/new/", views.audit_new, name="audit_new"),
    path("quality/", views.figures, name="figures"),
    path("quality/audits/", views.drill, name="drill"),
    path("quality/audits/<int:audit_id>/", views.audit_detail, name="audit"),
    path("quality/audits/<int:audit_id>/moderate/", views.moderate, name="moderate"),
    path("quality/audits/<int:audit_id>/actions/new/", views.action_new, name="action_new"),
    path("quality/actions/<int:action_id>/answer/", views.action_answer, name="action_answer"),
    path("quality/moderation/", views.moderation_queue, name="moderation_queue"),
    path("quality/programmes/", views.programmes, name="programmes"),
    path("quality/programmes/new/", views.programme_new, name="programme_new"),
    path("quality/programmes/<int:programme_id>/", views.programme_detail, name="programme"),
]
