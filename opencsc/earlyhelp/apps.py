from django.apps import AppConfig


class EarlyHelpConfig(AppConfig):
    name = "opencsc.earlyhelp"
    label = "earlyhelp"
    verbose_name = "Early help"
