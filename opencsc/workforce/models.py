"""Staff records, the funded establishment (posts) and absences: what the workforce rates and the CSWW census are
projected from.

A staff record is one spell of work in one post: a person who leaves and comes back has two. The leaving date
is the last day of employment, and a person counts as in post on a day when they started on or before it and
had not reached their leaving date: someone whose leaving date is 30 September is a leaver of the census year
ending that day and not in post on it, so no one is counted both ways. Only records with a census role
(`org_role`) are children and family social workers, registered with Social Work England; other staff (a
director who is not a social worker, analysts, administrators) may have a record but count in no rate.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from opencsc.core.codes import Ethnicity
from opencsc.core.models import TimestampedModel
from opencsc.workforce.codes import (
    AbsenceReason,
    ContractType,
    GenderCurrent,
    KnowledgeAndSkillsStatus,
    LeaverDestination,
    OrgRole,
    QualificationLevel,
    ReasonLeave,
    StartOrigin,
)

SWE_NUMBER_PATTERN = r"^SW\d{1,10}$"


class StaffRecord(TimestampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_records",
        help_text="The person's OpenCSC account, if they have one (agency workers often do not)",
    )
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="staff_records")
    job_title = models.CharField(max_length=120)
    org_role = models.CharField(
        "Census role",
        max_length=1,
        choices=OrgRole.choices,
        blank=True,
        help_text="Blank: not a social work post",
    )
    contract = models.CharField(max_length=10, choices=ContractType.choices)
    agency_name = models.CharField(max_length=120, blank=True)
    fte = models.DecimalField("Full-time equivalent", max_digits=3, decimal_places=2)
    swe_number = models.CharField("Social Work England registration number", max_length=12, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=1, choices=GenderCurrent.choices, blank=True)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, blank=True)
    qualification_institution = models.CharField(max_length=200, blank=True)
    qualification_level = models.CharField(max_length=1, choices=QualificationLevel.choices, blank=True)
    step_up_graduate = models.BooleanField(default=False)
    frontline_graduate = models.BooleanField(default=False)
    knowledge_and_skills_status = models.CharField(
        max_length=1, choices=KnowledgeAndSkillsStatus.choices, blank=True
    )
    start_date = models.DateField()
    start_origin = models.CharField(max_length=2, choices=StartOrigin.choices, blank=True)
    leaving_date = models.DateField(null=True, blank=True, help_text="The last day of employment")
    leaving_reason = models.CharField(max_length=2, choices=ReasonLeave.choices, blank=True)
    leaver_destination = models.CharField(max_length=1, choices=LeaverDestination.choices, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["last_name", "first_name", "start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(fte__gt=0) & Q(fte__lte=1), name="staff_fte_between_0_and_1"),
            models.CheckConstraint(
                condition=Q(leaving_date__isnull=True) | Q(leaving_date__gte=models.F("start_date")),
                name="staff_leaves_after_starting",
            ),
            models.CheckConstraint(
                condition=Q(leaving_date__isnull=True, leaving_reason="")
                | (Q(leaving_date__isnull=False) & ~Q(leaving_reason="")),
                name="staff_leaving_date_has_a_reason",
            ),
        ]
        indexes = [models.Index(fields=["team", "start_date"]), models.Index(fields=["leaving_date"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_social_worker(self) -> bool:
        return bool(self.org_role)

    @property
    def is_agency(self) -> bool:
        return self.contract == ContractType.AGENCY

    def in_post_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.leaving_date is None or self.leaving_date > day)


class Post(TimestampedModel):
    """A line of the funded establishment: so many full-time equivalent posts of one census role in one team,
    funded from one date (until another, if the funding ends)."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(max_length=120)
    org_role = models.CharField("Census role", max_length=1, choices=OrgRole.choices)
    funded_fte = models.DecimalField("Funded full-time equivalent", max_digits=6, decimal_places=2)
    funded_from = models.DateField()
    funded_until = models.DateField(null=True, blank=True, help_text="The first day no longer funded")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["team__name", "org_role", "funded_from", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(funded_fte__gt=0), name="post_funded_fte_positive"),
            models.CheckConstraint(
                condition=Q(funded_until__isnull=True) | Q(funded_until__gt=models.F("funded_from")),
                name="post_funding_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.team} ({self.funded_fte} FTE)"

    def funded_on(self, day: dt.date) -> bool:
        return self.funded_from <= day and (self.funded_until is None or self.funded_until > day)


class Absence(TimestampedModel):
    """A spell of absence, for the census's working days lost and who was absent on 30 September."""

    staff = models.ForeignKey(StaffRecord, on_delete=models.CASCADE, related_name="absences")
    reason = models.CharField(max_length=3, choices=AbsenceReason.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="The last day of absence; blank while absent")

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="absence_ends_after_it_starts",
            )
        ]
