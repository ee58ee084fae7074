from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "opencsc.api"
    label = "api"
    verbose_name = "Partner and reporting API"
