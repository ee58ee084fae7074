"""Letters made from the record: the invitation to a child protection conference, one to each parent and carer.

Working Together to Safeguard Children 2023 (chapter 4, "Initial child protection conference") asks that parents
and carers are invited, helped to take part (an advocate or a supporter with them, an interpreter, their views in
writing) and told in advance what the conference is for and what will be shared; the social worker's report is
shared with them before the meeting (local procedures: 2 to 3 working days ahead, research/domain.md). The letter
says all of that in plain English, from what the record holds:

- which conference: the initial conference while a section 47 enquiry waits for one, else the next review of the
  open child protection plan; its due date from the clock table is offered as the date, the last conference's
  chair as the chair (both can be changed: the worker arranges the meeting);
- who is invited: each person (not a child) on the record with parental responsibility, each mother, father and
  step-parent, and each relative or carer the child lives with (INVITED_KINDS below). Professionals are invited
  by other means;
- the address: the child's current address for those who live with the child; for others the record holds no
  address, and the letter has none (the page says so before it is made).

Each letter is kept on the record as a file ("Letter sent"), with its audit event and a chronology line, so the
record shows who was invited to which meeting, and its download is on the access log like any file. The child is
named by first name only in the body, with no pronoun, and nothing internal (numbers, codes) is printed.
"""

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from markupsafe import escape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from opencsc.accounts.access import can_change_child
from opencsc.attachments import chronology_lines as lines
from opencsc.attachments.models import Attachment, AttachmentCategory
from opencsc.attachments.services import attachment_add_generated
from opencsc.casework.models import ChildProtectionConference, ConferenceKind
from opencsc.casework.protection_selectors import (
    icpc_clock,
    open_protection_plan,
    plan_review_clock,
    section_47_awaiting_conference,
)
from opencsc.casework.selectors import current_allocation
from opencsc.core.dates import long_date, long_date_with_weekday
from opencsc.documents.pdf import a4_pdf
from opencsc.people.models import Relationship, RelationshipType
from opencsc.people.selectors import child_current_address

PARENT_KINDS = {RelationshipType.MOTHER, RelationshipType.FATHER, RelationshipType.STEP_PARENT}
CARER_KINDS = {
    RelationshipType.GRANDPARENT,
    RelationshipType.OTHER_RELATIVE,
    RelationshipType.KINSHIP_CARER,
    RelationshipType.FOSTER_CARER,
}
LATEST_MEETING_DAYS = 366
PLACE_MAX_CHARACTERS = 300
CHAIR_MAX_CHARACTERS = 200


@dataclass(frozen=True)
class ConferenceToArrange:
    kind: str
    due_on: dt.date
    explanation: str
    chair: str

    @property
    def title(self) -> str:
        return ConferenceKind(self.kind).label.lower()


def _time(at: dt.time) -> str:
    hour = at.hour % 12 or 12
    return f"{hour}:{at:%M}{'am' if at.hour < 12 else 'pm'}"


def conference_to_arrange(child) -> ConferenceToArrange | None:
    """The conference the record says is next: an initial one for an enquiry waiting for it, else the review of
    the open plan; None if neither."""
    enquiry = section_47_awaiting_conference(child)
    if enquiry is not None:
        clock = icpc_clock(enquiry)
        return ConferenceToArrange(ConferenceKind.INITIAL, clock.due_on, clock.explanation, "")
    plan = open_protection_plan(child)
    if plan is not None:
        clock = plan_review_clock(plan)
        last = ChildProtectionConference.objects.filter(child=child).exclude(chair="").first()
        return ConferenceToArrange(
            ConferenceKind.REVIEW, clock.due_on, clock.explanation, last.chair if last else ""
        )
    return None


def invitees(child) -> list[Relationship]:
    """The parents and carers on the record who are invited (see the module's rules)."""
    relationships = child.relationships.filter(related_person__isnull=False).select_related("related_person")
    return [
        relationship
        for relationship in relationships.order_by("id")
        if relationship.has_parental_responsibility
        or relationship.kind in PARENT_KINDS
        or (relationship.lives_with_child and relationship.kind in CARER_KINDS)
    ]


@dataclass(frozen=True)
class Meeting:
    kind: str
    on: dt.date
    at: dt.time
    place: str
    chair: str


def _meeting_problems(meeting: Meeting) -> dict[str, str]:
    errors = {}
    if meeting.kind not in ConferenceKind.values:
        errors["kind"] = "Choose which conference this is"
    today = timezone.localdate()
    if meeting.on is None:
        errors["meeting_on"] = "Enter the date of the conference"
    elif meeting.on < today:
        errors["meeting_on"] = "The date of the conference must be today or later"
    elif (meeting.on - today).days > LATEST_MEETING_DAYS:
        errors["meeting_on"] = "The date of the conference must be within a year"
    if meeting.at is None:
        errors["meeting_at"] = "Enter the time of the conference, like 10:00 or 14:30"
    for field, value, limit, what in (
        ("place", meeting.place, PLACE_MAX_CHARACTERS, "where the conference is held, or that it is online"),
        ("chair", meeting.chair, CHAIR_MAX_CHARACTERS, "the name of the conference chair"),
    ):
        if not value.strip():
            errors[field] = f"Enter {what}"
        elif len(value) > limit:
            errors[field] = f"Too long: the most this can hold is {limit} characters"
    return errors


@transaction.atomic
def conference_invitation_send(
    *,
    actor,
    child,
    kind: str,
    meeting_on: dt.date | None,
    meeting_at: dt.time | None,
    place: str,
    chair: str,
    recipient_ids: list[int],
) -> list[Attachment]:
    """Make one invitation letter for each chosen parent or carer and keep each on the record."""
    if not can_change_child(actor, child):
        raise PermissionDenied("You can read this record but not change it")
    meeting = Meeting(kind, meeting_on, meeting_at, place.strip(), chair.strip())
    errors = _meeting_problems(meeting)
    invited = {relationship.pk: relationship for relationship in invitees(child)}
    chosen = [invited[pk] for pk in dict.fromkeys(recipient_ids) if pk in invited]
    if not chosen or len(chosen) != len(set(recipient_ids)):
        errors["recipients"] = "Choose at least one parent or carer on the record to invite"
    if errors:
        raise ValidationError(errors)
    return [_send_one(actor, child, meeting, relationship) for relationship in chosen]


def _send_one(actor, child, meeting: Meeting, relationship: Relationship) -> Attachment:
    person = relationship.related_person
    what = ConferenceKind(meeting.kind).label.lower()
    on = long_date(meeting.on)
    recipient = f"{person} ({relationship.get_kind_display().lower()})"
    return attachment_add_generated(
        actor=actor,
        child=child,
        category=AttachmentCategory.LETTER_SENT,
        description=f"Invitation to the {what} on {on}, to {recipient}",
        name=f"Conference invitation {person} {meeting.on:%Y-%m-%d}.pdf",
        content=invitation_pdf(actor=actor, child=child, meeting=meeting, relationship=relationship),
        content_type="application/pdf",
        line=partial(lines.conference_invitation_sent, conference=what, held_on=on, recipient=recipient),
        verb="letter.conference_invitation",
        payload={
            "kind": meeting.kind,
            "meeting_on": meeting.on.isoformat(),
            "meeting_at": meeting.at.isoformat(timespec="minutes"),
            "relationship": relationship.pk,
        },
    )


# The letter ------------------------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=12, leading=17)
    return {
        "body": body,
        "right": ParagraphStyle("right", parent=body, alignment=2),
        "h1": ParagraphStyle("h1", parent=base["Heading1"], fontSize=17, leading=22, spaceBefore=10),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=13.5, leading=18, spaceBefore=8),
    }


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(str(escape(text)).replace("\n", "<br/>"), style)


def letter_text(*, actor, child, meeting: Meeting, relationship: Relationship) -> list[tuple[str, str]]:
    """The letter as (style, text) pairs: one place for the wording, printed by invitation_pdf."""
    person = relationship.related_person
    name = child.first_name
    allocation = current_allocation(child)
    worker = allocation.worker if allocation else actor
    team = allocation.team if allocation else actor.team
    address = child_current_address(child) if relationship.lives_with_child else None
    address_lines = (
        [part for part in (address.line_1, address.line_2, address.town, address.postcode) if part]
        if address
        else []
    )
    initial = meeting.kind == ConferenceKind.INITIAL
    purpose = (
        f"We are worried about {name}'s safety, and we want to work with you to keep {name} safe. "
        f"We are holding a meeting called a child protection conference, and we would like you to come."
        if initial
        else f"{name} has a child protection plan. We are holding a meeting called a review child protection "
        f"conference to look at how the plan is going and whether {name} still needs it. We would like you to come."
    )
    deciding = (
        f"At the end of the meeting, the people there decide whether {name} needs a child protection plan, and if "
        "so, what it should be."
        if initial
        else "At the end of the meeting, the people there decide whether the plan should carry on or end, and what "
        "should change."
    )
    return [
        ("right", f"{settings.AUTHORITY_NAME}\nChildren's Services\n{timezone.localdate():%-d %B %Y}"),
        ("body", "\n".join([str(person), *address_lines])),
        ("body", f"Dear {person},"),
        ("h1", f"You are invited to a meeting about {name}"),
        ("body", purpose),
        ("h2", "When and where"),
        ("body", f"{long_date_with_weekday(meeting.on)} at {_time(meeting.at)}\n{meeting.place}"),
        (
            "body",
            f"The meeting will be led by {meeting.chair}, who chairs these meetings and does not work with your family.",
        ),
        ("h2", "What happens at the meeting"),
        (
            "body",
            f"People who know {name} and your family, such as teachers, doctors, health visitors and the police, will "
            "share what they know. We will talk about what is going well and what we are worried about. You can "
            "say what you think, and ask questions.",
        ),
        ("body", deciding),
        ("h2", "Before the meeting"),
        (
            "body",
            f"{worker.display_name}, the social worker, will share their report with you before the meeting, so that "
            "you have time to read it and tell them if anything is wrong.",
        ),
        (
            "body",
            "You can bring someone to support you, such as a friend, a relative or an advocate. If you cannot come, "
            "or would rather not, you can tell us your views in writing or ask the social worker to pass them on.",
        ),
        (
            "body",
            "If you need an interpreter, help to read this letter, or help to get to the meeting, please tell us as "
            "soon as you can.",
        ),
        ("h2", "Questions"),
        (
            "body",
            f"If you have any questions, please contact {worker.display_name}"
            + (f", {team}." if team else ".")
            + f"\n\nYours sincerely,\n\n{worker.display_name}\nSocial worker, {settings.AUTHORITY_NAME}",
        ),
    ]


def invitation_pdf(*, actor, child, meeting: Meeting, relationship: Relationship) -> bytes:
    styles = _styles()
    story = []
    for style, text in letter_text(actor=actor, child=child, meeting=meeting, relationship=relationship):
        story.append(_paragraph(text, styles[style]))
        if style in ("right", "body"):
            story.append(Spacer(1, 2 * mm))
    return a4_pdf(story, title=f"Invitation to a meeting about {child.first_name}")
