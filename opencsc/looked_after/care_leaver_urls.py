from django.urls import path

from opencsc.looked_after import care_leaver_views as views

app_name = "care_leavers"
urlpatterns = [
    path("children/<int:child_id>/leaving-care/", views.leaving_care, name="leaving_care"),
    path(
        "children/<int:child_id>/leaving-care/contact/",
        views.leaving_care_contact,
        name="leaving_care_contact",
    ),
    path(
        "children/<int:child_id>/leaving-care/pathway-plan/",
        views.pathway_plan_review,
        name="pathway_plan_review",
    ),
    path("looked-after/care-leavers/", views.care_leavers_list, name="care_leavers"),
]
