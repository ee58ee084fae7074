from django.apps import AppConfig


class FrontdoorConfig(AppConfig):
    name = "opencsc.frontdoor"
    label = "frontdoor"

    def ready(self) -> None:
        from django.core import checks

        from opencsc.frontdoor.checks import front_door_phone_set

        checks.register(front_door_phone_set)
