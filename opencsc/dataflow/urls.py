from django.urls import path

from opencsc.dataflow import views

app_name = "dataflow"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("retry/", views.retry, name="retry"),
]
