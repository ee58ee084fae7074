from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "opencsc.oversight"
    label = "oversight"
