"""Named demo logins with one known password and a known two-factor secret, for `opencsc demo`."""

from django.db import transaction
from django.utils import timezone

from opencsc.accounts.models import Team, TeamKind, User
from opencsc.synthetic.context import GENERATED_EMAIL_DOMAIN
from opencsc.synthetic.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount


@transaction.atomic
def ensure_demo_users() -> list[tuple[DemoAccount, User]]:
    """Create the demo logins, or reset the ones the generator made, so the printed password and code work."""
    return [(account, _ensure(account)) for account in DEMO_ACCOUNTS]


def _ensure(account: DemoAccount) -> User:
    user = User.objects.filter(username=account.username).first() or User(
        username=account.username,
        first_name=account.first_name,
        last_name=account.last_name,
        email=f"{account.username}@{GENERATED_EMAIL_DOMAIN}",
    )
    user.role = account.role
    user.is_active = True
    user.team = user.team or _team_for(account.team_kind)
    user.set_password(DEMO_PASSWORD)
    user.password_change_required = False  # the printed demo password keeps working
    user.totp_secret = account.totp_secret
    user.totp_confirmed_at = user.totp_confirmed_at or timezone.now()
    user.save()
    return user


def _team_for(kind: str) -> Team:
    team = Team.objects.filter(kind=kind).order_by("pk").first()
    if team is None:
        team = Team.objects.create(name=f"{TeamKind(kind).label} (demo)", kind=kind)
    return team
