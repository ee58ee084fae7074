from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "opencsc.quality"
    label = "quality"
    verbose_name = "Case file audits"
