from django.conf import settings
from django.db import models
from django.db.models import Q

from opencsc.core.codes import Disability, Ethnicity, Sex, UPNUnknownReason
from opencsc.core.models import TimestampedModel


class Child(TimestampedModel):
    la_child_id = models.CharField("LA child ID", max_length=20, unique=True)
    upn = models.CharField("Unique pupil number", max_length=13, blank=True, db_index=True)
    former_upn = models.CharField("Former UPN", max_length=13, blank=True, db_index=True)
    upn_unknown_reason = models.CharField(max_length=3, choices=UPNUnknownReason.choices, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, db_index=True)
    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=100)
    first_name_key = models.CharField(max_length=100, editable=False)
    last_name_key = models.CharField(max_length=100, editable=False)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    expected_date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    date_of_death = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    first_language = models.CharField(max_length=60, blank=True)
    responsible_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_restricted = models.BooleanField(
        default=False, help_text="Only the named people may see a restricted record."
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["last_name", "first_name"]
        # A child needs a date of birth or an expected one wherever staff record them (services check it); a
        # child imported from a return whose date of birth is not a real date is kept without one, flagged on
        # the data-quality worklist (ADR 0011), so the database does not insist.
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["M", "F", "U"]), name="child_sex_code"),
        ]
        indexes = [
            models.Index(fields=["last_name_key", "first_name_key"]),
            # PostgreSQL needs pattern_ops to answer a prefix LIKE from an index (SQLite ignores opclasses).
            models.Index(
                fields=["first_name_key"], opclasses=["varchar_pattern_ops"], name="child_first_prefix"
            ),
            models.Index(
                fields=["last_name_key"], opclasses=["varchar_pattern_ops"], name="child_last_prefix"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None


class ChildDisability(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="disabilities")
    code = models.CharField(max_length=4, choices=Disability.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "code"], name="one_disability_code_per_child")
        ]


class ChildAlias(TimestampedModel):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="aliases")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    first_name_key = models.CharField(max_length=100, editable=False)
    last_name_key = models.CharField(max_length=100, editable=False)
    kind = models.CharField(max_length=40, default="Also known as")

    class Meta:
        indexes = [
            models.Index(
                fields=["first_name_key"], opclasses=["varchar_pattern_ops"], name="alias_first_prefix"
            ),
            models.Index(
                fields=["last_name_key"], opclasses=["varchar_pattern_ops"], name="alias_last_prefix"
            ),
        ]


class ChildAddress(TimestampedModel):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField(max_length=200)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=8)
    postcode_key = models.CharField(max_length=7, editable=False)
    moved_in_on = models.DateField()
    moved_out_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-moved_in_on", "-id"]
        indexes = [
            # The child's id beside the postcode lets a postcode search find its children from the index alone.
            models.Index(
                fields=["postcode_key", "child"],
                opclasses=["varchar_pattern_ops", "int8_ops"],
                name="address_postcode_child",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(moved_out_on__isnull=True) | Q(moved_out_on__gte=models.F("moved_in_on")),
                name="address_moved_out_after_in",
            )
        ]

    @property
    def one_line(self) -> str:
        return ", ".join(part for part in (self.line_1, self.line_2, self.town, self.postcode) if part)


class PersonKind(models.TextChoices):
    FAMILY = "family", "Family member or friend"
    CARER = "carer", "Carer"
    PROFESSIONAL = "professional", "Professional"


class Person(TimestampedModel):
    """Someone in a child's network who is not themselves a child on the system."""

    kind = models.CharField(max_length=20, choices=PersonKind.choices)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class RelationshipType(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_RELATIVE = "other_relative", "Other relative"
    FOSTER_CARER = "foster_carer", "Foster carer"
    KINSHIP_CARER = "kinship_carer", "Kinship carer"
    GP = "gp", "GP"
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    SCHOOL = "school", "School or designated teacher"
    POLICE = "police", "Police"
    OTHER_PROFESSIONAL = "other_professional", "Other professional"


SIBLING_TYPES = {RelationshipType.SIBLING, RelationshipType.HALF_SIBLING}


class Relationship(TimestampedModel):
    """A tie from a child to another child on the system or to a person in their network."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="relationships")
    related_child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.CASCADE, related_name="related_to"
    )
    related_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="relationships"
    )
    kind = models.CharField(max_length=30, choices=RelationshipType.choices)
    has_parental_responsibility = models.BooleanField(default=False)
    lives_with_child = models.BooleanField(default=False)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(related_child__isnull=False, related_person__isnull=True))
                | (Q(related_child__isnull=True, related_person__isnull=False)),
                name="relationship_has_exactly_one_other_party",
            )
        ]

    @property
    def other_party_name(self) -> str:
        return str(self.related_child or self.related_person)


class AlertCategory(models.TextChoices):
    RISK_TO_STAFF = "risk_to_staff", "Risk to staff"
    RISK_TO_CHILD = "risk_to_child", "Risk to the child"
    HEALTH = "health", "Health or medical"
    LEGAL = "legal", "Legal or court order"
    COMMUNICATION = "communication", "Communication needs"
    OTHER = "other", "Other"


class Alert(TimestampedModel):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="alerts")
    category = models.CharField(max_length=30, choices=AlertCategory.choices)
    text = models.CharField(max_length=500)
    raised_on = models.DateField()
    review_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["review_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_on__gte=models.F("raised_on")), name="alert_review_after_raise"
            )
        ]


class ChildAccessGrant(TimestampedModel):
    """Names a person allowed to see a restricted record."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="child_grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "user"], name="one_grant_per_child_user")]
