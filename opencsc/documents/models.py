"""Practice documents: the assessments, plans and records that social workers write and managers authorise.

Templates are data (ADR 0011): a DocumentTemplate is one version of a document type's sections and questions. A
published version never changes; a change is a new version. A document records the template version it was written
in, keeps every save as a DocumentVersion, and is tied to the statutory record it completes by one nullable
one-to-one field per kind of record (one document per record). What each type completes, how it is started, which
statutory fields it fills and what it carries forward is in kinds.py, the registry of document types.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from opencsc.core.models import TimestampedModel


class DocumentType(models.TextChoices):
    CHILD_AND_FAMILY_ASSESSMENT = "child_and_family_assessment", "Child and family assessment"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    SECTION_47_ENQUIRY = "section_47_enquiry", "Section 47 enquiry"
    INITIAL_CONFERENCE = "initial_conference", "Initial child protection conference"
    REVIEW_CONFERENCE = "review_conference", "Review child protection conference"
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Child protection plan"
    CORE_GROUP_MEETING = "core_group_meeting", "Core group meeting"
    CHILD_IN_NEED_PLAN = "child_in_need_plan", "Child in need plan"
    CHILD_IN_NEED_REVIEW = "child_in_need_review", "Child in need review"
    CARE_PLAN = "care_plan", "Care plan"
    PLACEMENT_PLAN = "placement_plan", "Placement plan"
    PATHWAY_PLAN = "pathway_plan", "Pathway plan"


class QuestionKind(models.TextChoices):
    TEXT = "text", "Text (several paragraphs)"
    SHORT_TEXT = "short_text", "Short text"
    YES_NO = "yes_no", "Yes or no"
    DATE = "date", "Date"
    FACTORS = "factors", "Assessment factors (DfE codes)"
    OUTCOME = "outcome", "Assessment outcome"
    CATEGORY = "category", "Category of abuse"
    SECTION_47_OUTCOME = "section_47_outcome", "Outcome of a section 47 enquiry"
    PEOPLE = "people", "People by agency (repeatable: agency, name, role)"
    ATTENDANCE = "attendance", "Attendance by agency (repeatable: agency, name, role, attendance)"
    ACTIONS = "actions", "Actions (repeatable: what, who, by when)"
    PROGRESS = "progress", "Progress against each action (repeatable: the action, its progress)"


class StatutoryField(models.TextChoices):
    """The fields of the statutory record a question fills. The kind of answer each needs, and the service that
    fills it, are in kinds.py."""

    CHILD_SEEN_ON = "assessment.child_seen_on", "Assessment: date the child was seen"
    FACTORS = "assessment.factors", "Assessment: factors identified"
    OUTCOME = "assessment.outcome", "Assessment: outcome"
    SECTION_47_AGREED = (
        "strategy_discussion.section_47_agreed",
        "Strategy discussion: section 47 enquiry agreed",
    )
    SECTION_47_OUTCOME = "section_47.outcome", "Section 47 enquiry: outcome"
    PLAN_DECIDED = "conference.plan_decided", "Conference: a plan made or continued"
    CATEGORY = "conference.category", "Conference: category of abuse"
    CHAIR = "conference.chair", "Conference: chair"


class DocumentTemplate(TimestampedModel):
    document_type = models.CharField(max_length=40, choices=DocumentType.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True, help_text="Shown at the top of the document and its PDF")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revision = models.PositiveIntegerField(
        default=0,
        help_text="Counts the changes made to a draft; a change from a page older than the last is refused",
    )

    class Meta:
        ordering = ["document_type", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["document_type", "version"], name="one_template_per_type_version")
        ]

    def __str__(self) -> str:
        return f"{self.title}, version {self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def questions(self) -> list["TemplateQuestion"]:
        return list(
            TemplateQuestion.objects.filter(section__template=self)
            .select_related("section")
            .order_by("section__position", "position")
        )


def _refuse_if_published(template: DocumentTemplate) -> None:
    if template.published_at is not None:
        raise ValidationError(
            f"{template} is published and never changes: make a new version to change it", code="published"
        )


class TemplateSection(models.Model):
    template = models.ForeignKey(DocumentTemplate, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    help_text = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="one_section_per_key")]

    def save(self, *args, **kwargs):
        _refuse_if_published(self.template)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_published(self.template)
        return super().delete(*args, **kwargs)


class TemplateQuestion(models.Model):
    """One question. `key` names the answer in every version of the template, so answers carry across versions."""

    section = models.ForeignKey(TemplateSection, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=300)
    help_text = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices, default=QuestionKind.TEXT)
    required = models.BooleanField(default=False)
    statutory_field = models.CharField(max_length=40, choices=StatutoryField.choices, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs):
        _refuse_if_published(self.section.template)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_published(self.section.template)
        return super().delete(*args, **kwargs)


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for authorisation"
    RETURNED = "returned", "Returned to the worker"
    AUTHORISED = "authorised", "Authorised"


class PracticeDocument(TimestampedModel):
    document_type = models.CharField(max_length=40, choices=DocumentType.choices)
    template = models.ForeignKey(DocumentTemplate, on_delete=models.PROTECT, related_name="documents")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="documents")
    # The statutory record the document completes: one of these, as its type says (kinds.py).
    assessment = models.OneToOneField(
        "casework.Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="document"
    )
    strategy_discussion = models.OneToOneField(
        "casework.StrategyDiscussion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document",
    )
    section_47 = models.OneToOneField(
        "casework.Section47Enquiry", null=True, blank=True, on_delete=models.PROTECT, related_name="document"
    )
    conference = models.OneToOneField(
        "casework.ChildProtectionConference",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document",
    )
    protection_plan = models.OneToOneField(
        "casework.ChildProtectionPlan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document",
    )
    core_group = models.OneToOneField(
        "casework.CoreGroupMeeting", null=True, blank=True, on_delete=models.PROTECT, related_name="document"
    )
    cin_plan = models.OneToOneField(
        "casework.ChildInNeedPlan", null=True, blank=True, on_delete=models.PROTECT, related_name="document"
    )
    cin_review = models.OneToOneField(
        "casework.ChildInNeedReview", null=True, blank=True, on_delete=models.PROTECT, related_name="document"
    )
    # A looked-after child's care plan completes the episode that began the period of care, the placement plan
    # the episode that began the placement (the same episode when the child came into care there).
    care_period = models.OneToOneField(
        "looked_after.Episode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_plan_document",
    )
    placement = models.OneToOneField(
        "looked_after.Episode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placement_plan_document",
    )
    pathway_plan = models.OneToOneField(
        "looked_after.PathwayPlanReview",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document",
    )
    status = models.CharField(max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    answers = models.JSONField(default=dict, blank=True, help_text="Answers keyed by the question's key")
    version = models.PositiveIntegerField(default=1)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    authorised_on = models.DateField(null=True, blank=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="authorised") | Q(authorised_on__isnull=False),
                name="authorised_document_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} for {self.child}"

    @property
    def is_locked(self) -> bool:
        return self.status == DocumentStatus.AUTHORISED

    @property
    def is_editable(self) -> bool:
        return self.status in (DocumentStatus.DRAFT, DocumentStatus.RETURNED)


class DocumentVersion(models.Model):
    """The document as it stood after each save, submission, return and authorisation: nothing is lost."""

    document = models.ForeignKey(PracticeDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    answers = models.JSONField()
    status = models.CharField(max_length=20, choices=DocumentStatus.choices)
    event = models.CharField(max_length=100)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)
    autosaves = models.PositiveIntegerField(
        default=0,
        help_text="How many autosaves of one sitting this version gathers (0: a save the writer made)",
    )
    first_saved_at = models.DateTimeField(
        null=True, blank=True, help_text="When the first of those autosaves was"
    )

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="one_document_version")]


class ReviewDecision(models.TextChoices):
    RETURNED = "returned", "Returned with comments"
    AUTHORISED = "authorised", "Authorised"


class DocumentReview(models.Model):
    """A manager's decision on a submitted document, with their comments (management oversight)."""

    document = models.ForeignKey(PracticeDocument, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    comment = models.TextField(blank=True)
    document_version = models.PositiveIntegerField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
