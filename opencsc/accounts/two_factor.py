"""TOTP second factor (RFC 6238, 30-second steps, one step of clock drift allowed, no code used twice)."""

import io

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.models import User

ISSUER = "OpenCSC"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(
        name=user.username, issuer_name=f"{ISSUER} {settings.AUTHORITY_NAME}"
    )


def provisioning_qr_svg(user: User) -> str:
    image = qrcode.make(provisioning_uri(user), image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # drop the XML declaration: the SVG is embedded in an HTML page


def _matching_step(secret: str, code: str) -> int | None:
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(timezone.now())
    for step in (now_step, now_step - 1, now_step + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


@transaction.atomic
def totp_verify(*, user: User, code: str) -> bool:
    """True if the code is right and has not been used before; marks enrolment confirmed on first use."""
    code = "".join(code.split())
    if not (user.totp_secret and code.isdigit() and len(code) == 6):
        return False
    locked = User.objects.select_for_update().get(pk=user.pk)
    step = _matching_step(locked.totp_secret, code)
    if step is None or (locked.totp_last_used_step is not None and step <= locked.totp_last_used_step):
        return False
    locked.totp_last_used_step = step
    if locked.totp_confirmed_at is None:
        locked.totp_confirmed_at = timezone.now()
    locked.save(update_fields=["totp_last_used_step", "totp_confirmed_at"])
    user.totp_last_used_step, user.totp_confirmed_at = locked.totp_last_used_step, locked.totp_confirmed_at
    return True


def current_code(user: User) -> str:
    """The code an authenticator would show now. For the demo's `opencsc totp` command and tests."""
    return pyotp.TOTP(user.totp_secret).now()
