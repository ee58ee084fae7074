from django.urls import path

from opencsc.casework import work_views

app_name = "work"
urlpatterns = [
    path("mine/", work_views.mine, name="mine"),
    path("team/", work_views.team, name="team"),
    path("service/", work_views.service, name="service"),
    path("oversight/", work_views.oversight, name="oversight"),
    path("oversight/supervision/", work_views.record_supervision, name="record_supervision"),
]
