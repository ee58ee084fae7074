from django.urls import path

from opencsc.insight import views

app_name = "insight"
urlpatterns = [
    path("sufficiency/", views.sufficiency, name="sufficiency"),
    path("forecast/", views.forecast_page, name="forecast"),
]
