from django.urls import path

from opencsc.workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("staff/<int:record_id>/", views.staff_edit, name="staff_edit"),
    path("staff/<int:record_id>/leaver/", views.staff_leave, name="staff_leave"),
    path("staff/<int:record_id>/absences/", views.staff_absences, name="staff_absences"),
    path("posts/", views.posts, name="posts"),
    path("posts/new/", views.post_new, name="post_new"),
]
