from django.urls import path

from opencsc.api import views
from opencsc.api.endpoints import ENDPOINTS

app_name = "api"
urlpatterns = [
    path("api/openapi.json", views.openapi_json, name="openapi"),
    *(
        path(endpoint.django_route, views.endpoint_view(endpoint), name=endpoint.name)
        for endpoint in ENDPOINTS
    ),
]
