"""Case file audits: a child's file graded by domain on Ofsted's four-point scale, moderated by a second person,
with actions for the worker; and audit programmes, a random sample of each team's files to audit.

The domains and the scale are explained in opencsc/quality/services.py and ADR 0014.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Grade(models.TextChoices):
    """Ofsted's four-point scale (ILACS judgements), best first."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


GOOD_OR_BETTER = (Grade.OUTSTANDING, Grade.GOOD)


class AuditDomain(models.TextChoices):
    """What an auditor grades, in the order the audit form asks (services.py says where each comes from)."""

    VOICE_OF_CHILD = "voice_of_child", "The child's voice and lived experience"
    ASSESSMENT = "assessment", "Assessment of need and risk"
    PLANNING = "planning", "Planning and review"
    MANAGEMENT_OVERSIGHT = "management_oversight", "Management oversight and supervision"
    RECORDING = "recording", "Recording: the file tells the child's story"
    OUTCOMES = "outcomes", "Impact: the difference made for the child"


class FileAudit(models.Model):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="file_audits")
    # The child's team on the day of the audit: the figures by team do not move when a child changes team.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    audited_on = models.DateField(db_index=True)
    grade = models.CharField(max_length=25, choices=Grade.choices)
    summary = models.TextField()
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moderated_on = models.DateField(null=True, blank=True)
    moderated_grade = models.CharField(max_length=25, choices=Grade.choices, blank=True)
    moderation_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-audited_on", "-id"]
        indexes = [models.Index(fields=["team", "audited_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(moderated_by__isnull=True) | ~Q(moderated_by=F("auditor")),
                name="file_audit_moderated_by_another",
            ),
            models.CheckConstraint(
                condition=Q(moderated_by__isnull=True, moderated_grade="")
                | Q(moderated_by__isnull=False, moderated_on__isnull=False) & ~Q(moderated_grade=""),
                name="file_audit_moderation_complete",
            ),
        ]

    @property
    def is_moderated(self) -> bool:
        return self.moderated_by_id is not None

    @property
    def final_grade(self) -> str:
        """The grade the figures count: the moderator's where the audit is moderated, else the auditor's."""
        return self.moderated_grade or self.grade

    def get_final_grade_display(self) -> str:
        return Grade(self.final_grade).label

    @property
    def grade_changed(self) -> bool:
        return self.is_moderated and self.moderated_grade != self.grade


class FileAuditDomainGrade(models.Model):
    audit = models.ForeignKey(FileAudit, on_delete=models.CASCADE, related_name="domain_grades")
    domain = models.CharField(max_length=30, choices=AuditDomain.choices)
    grade = models.CharField(max_length=25, choices=Grade.choices)
    findings = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["audit", "domain"], name="one_grade_per_audit_domain")]


class FileAuditAction(models.Model):
    """Something the audit asks the worker to do by a date, and the worker's answer."""

    audit = models.ForeignKey(FileAudit, on_delete=models.CASCADE, related_name="actions")
    action = models.TextField()
    due_on = models.DateField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_on = models.DateField()
    response = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    @property
    def is_answered(self) -> bool:
        return self.answered_on is not None


class AuditProgramme(models.Model):
    """A round of audits: a random sample of each chosen team's children with open statutory work."""

    title = models.CharField(max_length=120)
    per_team = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_on = models.DateField()

    class Meta:
        ordering = ["-created_on", "-id"]


class ProgrammeChild(models.Model):
    """One child drawn for a programme; done once an audit of the child is recorded on or after the draw."""

    programme = models.ForeignKey(AuditProgramme, on_delete=models.CASCADE, related_name="entries")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    audit = models.ForeignKey(FileAudit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["team__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "child"], name="one_entry_per_programme_child")
        ]
