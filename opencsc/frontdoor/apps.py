from django.apps import AppConfig


class FrontdoorConfig(AppConfig):
    name = "opencsc.frontdoor"
    label = "frontdoor"
