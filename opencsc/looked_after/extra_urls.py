from django.urls import path

from opencsc.looked_after import extra_views as views

app_name = "looked_after_extra"
urlpatterns = [
    path("children/<int:child_id>/adoption/", views.adoption_page, name="adoption"),
    path("children/<int:child_id>/adoption/record/", views.adoption_record, name="adoption_record"),
    path("children/<int:child_id>/adoption/cease/", views.adoption_cease, name="adoption_cease"),
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
