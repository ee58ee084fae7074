from django.urls import path

from opencsc.api import admin_views

app_name = "api_clients"
urlpatterns = [
    path("", admin_views.client_list, name="list"),
    path("new/", admin_views.client_new, name="new"),
    path("<int:client_id>/", admin_views.client_detail, name="detail"),
    path("<int:client_id>/revoke/", admin_views.client_revoke, name="revoke"),
]
