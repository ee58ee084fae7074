from django.urls import path

from opencsc.looked_after import iro_views as views

app_name = "iro"
urlpatterns = [
    path("looked-after/iro/", views.caseload, name="caseload"),
    path(
        "looked-after/reviews/<int:review_id>/recommendations/new/",
        views.recommendation_add,
        name="recommendation_add",
    ),
    path(
        "looked-after/recommendations/<int:recommendation_id>/answer/",
        views.recommendation_answer,
        name="recommendation_answer",
    ),
]
