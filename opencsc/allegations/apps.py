from django.apps import AppConfig


class AllegationsConfig(AppConfig):
    name = "opencsc.allegations"
    label = "allegations"
    verbose_name = "Allegations against people who work with children"
