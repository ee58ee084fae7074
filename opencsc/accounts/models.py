from django.contrib.auth.models import AbstractUser
from django.db import models

from opencsc.accounts.encryption import EncryptedSecretField
from opencsc.core.models import TimestampedModel


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    DIRECTOR = "director", "Director of children's services"
    PERFORMANCE_ANALYST = "performance_analyst", "Performance analyst"
    ADMINISTRATOR = "administrator", "System administrator"
    AUDITOR = "auditor", "Auditor"
    CHIEF_EXECUTIVE = "chief_executive", "Chief executive"
    IMPROVEMENT_BOARD = "improvement_board", "Improvement board member"
    INDEPENDENT_REVIEWING_OFFICER = "independent_reviewing_officer", "Independent reviewing officer"


class TeamKind(models.TextChoices):
    FRONT_DOOR = "front_door", "Front door (MASH)"
    ASSESSMENT = "assessment", "Assessment"
    CHILD_IN_NEED = "child_in_need", "Child in need and child protection"
    LOOKED_AFTER = "looked_after", "Children looked after"
    CARE_LEAVERS = "care_leavers", "Care leavers"
    DISABLED_CHILDREN = "disabled_children", "Disabled children"
    MANAGEMENT = "management", "Management and support"
    DESIGNATED_OFFICER = "designated_officer", "Designated officer (LADO)"


class Team(TimestampedModel):
    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=30, choices=TeamKind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.SOCIAL_WORKER)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    job_title = models.CharField(max_length=120, blank=True)
    fte = models.DecimalField("Full-time equivalent", max_digits=3, decimal_places=2, default=1)
    totp_secret = EncryptedSecretField(max_length=255, blank=True)  # plain here, encrypted in the database
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    totp_last_used_step = models.BigIntegerField(null=True, blank=True)
    # Set on accounts an administrator creates, so the temporary password is replaced at first sign-in.
    password_change_required = models.BooleanField(default=False)

    class Meta:
        ordering = ["last_name", "first_name"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def has_two_factor(self) -> bool:
        return bool(self.totp_secret and self.totp_confirmed_at)


class LoginAttempt(models.Model):
    """One try at signing in, kept so repeated failures from a name or an address can be throttled."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, db_index=True)
    succeeded = models.BooleanField()
    stage = models.CharField(max_length=20, default="password")
    # Why a single sign-on was refused (SsoRefusal.reason); blank for password and code tries.
    reason = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)


class ExternalIdentity(models.Model):
    """A person's identity at the council's OpenID Connect provider, linked to their OpenCSC account by their first
    single sign-on. The subject is Entra ID's `oid` where the provider sends one (stable across the tenant's
    applications), otherwise the standard `sub`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique_subject"),
            models.UniqueConstraint(fields=["user", "issuer"], name="external_identity_one_per_issuer"),
        ]


class ThrottleKind(models.TextChoices):
    ACCOUNT = "account", "Account"
    ADDRESS = "address", "Address"


class SignInThrottle(models.Model):
    """Recent failed sign-in tries for one account or one address, and when the next try is allowed.

    One row per account or address, locked while a try is claimed, so concurrent tries are counted one by
    one."""

    kind = models.CharField(max_length=10, choices=ThrottleKind.choices)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True)
    next_try_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="sign_in_throttle_unique_key")]


class GrantOutcome(models.TextChoices):
    PENDING = "pending", "Waiting for a director"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RoleGrant(models.Model):
    """An authority-wide role asked for by an administrator, held until a director other than the requester
    and the person themselves approves it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=30, choices=Role.choices)
    # A new account asked for with this role stays inactive until the role is approved.
    activates_account = models.BooleanField(default=False)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=GrantOutcome.choices, default=GrantOutcome.PENDING)
    decided_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["requested_at"]
