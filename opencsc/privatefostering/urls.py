from django.urls import path

from opencsc.privatefostering import service_views, views

app_name = "privatefostering"
urlpatterns = [
    path("children/<int:child_id>/private-fostering/", views.child_page, name="child"),
    path("children/<int:child_id>/private-fostering/notification/", views.notify, name="notify"),
    path("children/<int:child_id>/private-fostering/visit/", views.visit, name="visit"),
    path("children/<int:child_id>/private-fostering/decision/", views.decide, name="decide"),
    path("children/<int:child_id>/private-fostering/end/", views.end, name="end"),
    path("private-fostering/", service_views.service_page, name="service"),
]
