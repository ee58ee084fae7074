from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    name = "opencsc.synthetic"
    label = "synthetic"
