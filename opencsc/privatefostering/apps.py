from django.apps import AppConfig


class PrivateFosteringConfig(AppConfig):
    name = "opencsc.privatefostering"
    label = "privatefostering"
    verbose_name = "Private fostering"
