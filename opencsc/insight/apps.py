from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "opencsc.insight"
    label = "insight"

    def ready(self) -> None:
        from opencsc.insight.figure_months import connect_signals

        connect_signals()
