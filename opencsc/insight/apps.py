from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "opencsc.insight"
    label = "insight"
