from django.urls import path

from opencsc.people import views

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("<int:child_id>/", views.detail, name="detail"),
    path("<int:child_id>/edit/", views.edit, name="edit"),
    path("<int:child_id>/names/new/", views.add_alias, name="add_alias"),
    path("<int:child_id>/addresses/new/", views.move_address, name="move_address"),
    path("<int:child_id>/relationships/new/", views.add_relationship, name="add_relationship"),
    path("<int:child_id>/alerts/new/", views.raise_alert, name="raise_alert"),
    path("<int:child_id>/chronology/", views.chronology, name="chronology"),
    path("<int:child_id>/access-log/", views.access_log, name="access_log"),
    path("<int:child_id>/print/", views.print_summary, name="print"),
    path("<int:child_id>/restrict/", views.restrict, name="restrict"),
]
