from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "opencsc.legal"
    label = "legal"
