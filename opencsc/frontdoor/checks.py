"""Start-up checks for the front door's settings."""

from django.conf import settings
from django.core.checks import Warning


def front_door_phone_set(app_configs, **kwargs) -> list[Warning]:
    """A refused partner is told to phone the front door: in production that needs the real number."""
    if not settings.PRODUCTION or settings.FRONT_DOOR_PHONE:
        return []
    return [
        Warning(
            "OPENCSC_FRONT_DOOR_PHONE is not set: partners refused by the online form's limits, and referrers told "
            "a decision, are told to phone the front door team without a number.",
            id="frontdoor.W001",
        )
    ]
