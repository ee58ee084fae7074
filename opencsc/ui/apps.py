from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "opencsc.ui"
    label = "ui"
