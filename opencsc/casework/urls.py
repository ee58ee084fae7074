from django.urls import path

from opencsc.casework import allocation_views, views

app_name = "casework"
urlpatterns = [
    path("children/<int:child_id>/notes/new/", views.note_new, name="note_new"),
    path("children/<int:child_id>/notes/autosave/", views.note_autosave_new, name="note_autosave_new"),
    path("notes/mine/", views.my_notes, name="my_notes"),
    path("children/<int:child_id>/allocate/", allocation_views.allocate, name="allocate"),
    path("allocation/unallocated/", allocation_views.unallocated, name="unallocated"),
    path("allocation/teams/<int:team_id>/", allocation_views.team_allocation, name="team_allocation"),
    path("notes/<int:note_id>/", views.note_detail, name="note_detail"),
    path("notes/<int:note_id>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:note_id>/autosave/", views.note_autosave, name="note_autosave"),
    path("notes/<int:note_id>/amend/", views.note_amend, name="note_amend"),
]
