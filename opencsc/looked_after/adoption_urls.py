from django.urls import path

from opencsc.looked_after import adoption_views as views

app_name = "adoption"
urlpatterns = [
    path("children/<int:child_id>/adoption/", views.adoption_page, name="adoption"),
    path("children/<int:child_id>/adoption/record/", views.adoption_record, name="adoption_record"),
    path("children/<int:child_id>/adoption/cease/", views.adoption_cease, name="adoption_cease"),
]
