from django.urls import path

from opencsc.frontdoor import partner_views

app_name = "partner"
urlpatterns = [
    path("", partner_views.refer, name="refer"),
    path("done/<str:reference>/", partner_views.done, name="done"),
]
