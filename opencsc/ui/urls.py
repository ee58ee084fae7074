from django.urls import path

from opencsc.ui import views

app_name = "ui"
urlpatterns = [
    path("", views.home, name="home"),
    path("sections/<slug:slug>/", views.section, name="section"),
]
