from django.urls import path

from opencsc.frontdoor import demand_views

app_name = "demand"
urlpatterns = [
    path("", demand_views.demand_page, name="page"),
    path("forecast/", demand_views.demand_forecast_page, name="forecast"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        demand_views.demand_alert_acknowledge,
        name="acknowledge",
    ),
]
