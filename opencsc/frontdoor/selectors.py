"""Reads at the front door: the queue, a child's history at decision time, re-referrals."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from opencsc.accounts.models import Role, TeamKind
from opencsc.core.working_days import Calendar, anniversary, authority_calendar, waited_in_words
from opencsc.frontdoor.models import Contact, ContactChild, ContactStatus, Referral

LA_WIDE_FRONT_DOOR_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR}


def can_work_front_door(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.role in LA_WIDE_FRONT_DOOR_ROLES:
        return True
    in_front_door_team = user.team is not None and user.team.kind == TeamKind.FRONT_DOOR
    return user.role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER) and in_front_door_team


OPEN_STATUSES = [ContactStatus.AWAITING_TRIAGE, ContactStatus.AWAITING_DECISION]
QUEUE_PAGE_SIZE = 100
RAG_ORDER = {"red": 0, "amber": 1, "green": 2, "": 3}


def open_contacts() -> QuerySet[Contact]:
    # The open statuses are named, not "not decided", so the (status, decision_due_on) index answers it.
    return Contact.objects.filter(status__in=OPEN_STATUSES)


@dataclass(frozen=True)
class SubjectShown:
    """A child named in a contact as this user may see them: a record they may open, a restricted record
    (no name, date of birth or history), or the details the referrer gave for a child not yet matched."""

    subject: ContactChild
    withheld: bool

    @property
    def child(self):
        return None if self.withheld else self.subject.child

    @property
    def label(self) -> str:
        if self.withheld:
            return "A restricted record"
        return self.subject.child.full_name if self.subject.child else self.subject.given_name


def subjects_shown_to(user, subjects: list[ContactChild]) -> list[SubjectShown]:
    from opencsc.people.selectors import child_ids_user_may_open

    may_open = child_ids_user_may_open(user, [subject.child_id for subject in subjects])
    return [
        SubjectShown(subject, withheld=subject.child_id is not None and subject.child_id not in may_open)
        for subject in subjects
    ]


def log_subjects_named(*, user, shown: list[SubjectShown], path: str) -> None:
    from opencsc.people.selectors import log_children_named

    log_children_named(
        user=user,
        shown_ids=[s.subject.child_id for s in shown if s.child is not None],
        withheld_ids=[s.subject.child_id for s in shown if s.withheld],
        path=path,
    )


@dataclass(frozen=True)
class QueueRow:
    contact: Contact
    waited: str  # "3 hours", "1 working day (20 hours)", "4 working days"
    working_days_late: int  # past the decision date, 0 when not overdue
    is_overdue: bool
    is_due_today: bool
    subjects: list[SubjectShown]


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    overdue: int
    page: int
    pages: int


def front_door_queue(
    *, user, today: dt.date | None = None, page: int = 1, per_page: int = QUEUE_PAGE_SIZE
) -> QueuePage:
    """Open contacts, most urgent first: overdue, then red, amber, green, then by when they arrived. Sorted on
    four columns of every open contact; only the page shown is loaded in full. A child the user may not open
    is shown as a restricted record."""
    today = today or timezone.localdate()
    keys = list(open_contacts().order_by().values_list("id", "decision_due_on", "rag", "received_at"))
    keys.sort(key=lambda key: (not key[1] < today, RAG_ORDER[key[2]], key[3]))
    pages = max(1, -(-len(keys) // per_page))
    page = min(max(page, 1), pages)
    chosen = [key[0] for key in keys[(page - 1) * per_page : page * per_page]]
    contacts = Contact.objects.filter(pk__in=chosen).prefetch_related(
        Prefetch("subjects", queryset=ContactChild.objects.select_related("child"))
    )
    by_id = {contact.pk: contact for contact in contacts}
    shown = subjects_shown_to(user, [subject for contact in contacts for subject in contact.subjects.all()])
    shown_by_contact: dict[int, list[SubjectShown]] = {}
    for subject in shown:
        shown_by_contact.setdefault(subject.subject.contact_id, []).append(subject)
    now, calendar = timezone.now(), authority_calendar()
    rows = [
        QueueRow(
            contact=by_id[pk],
            waited=waited_in_words(by_id[pk].received_at, now, calendar),
            working_days_late=working_days_late(by_id[pk].decision_due_on, today, calendar),
            is_overdue=by_id[pk].decision_due_on < today,
            is_due_today=by_id[pk].decision_due_on == today,
            subjects=shown_by_contact.get(pk, []),
        )
        for pk in chosen
    ]
    overdue = sum(1 for key in keys if key[1] < today)
    return QueuePage(rows=rows, total=len(keys), overdue=overdue, page=page, pages=pages)


def working_days_late(due: dt.date, today: dt.date, calendar: Calendar) -> int:
    """Working days past the decision date (a contact due on Friday is 1 working day late on Monday)."""
    return max(0, calendar.working_days_between(due, today))


def contact_waited(contact: Contact) -> str:
    """How long the contact has waited for its decision, or waited until it was decided."""
    until = contact.decided_at or timezone.now()
    return waited_in_words(contact.received_at, until, authority_calendar())


def front_door_counts(*, today: dt.date | None = None) -> tuple[int, int]:
    """(open contacts, of which past their decision date)."""
    today = today or timezone.localdate()
    open_now = open_contacts()
    return open_now.count(), open_now.filter(decision_due_on__lt=today).count()


def decision_was_late(contact: Contact) -> bool | None:
    """True if decided after its due date, None if not decided yet."""
    if contact.decided_at is None:
        return None
    return timezone.localtime(contact.decided_at).date() > contact.decision_due_on


@dataclass(frozen=True)
class ChildHistory:
    child: object
    earlier_contacts: list[Contact]
    earlier_referrals: list[Referral]
    would_be_rereferral: bool
    last_referral_within_12_months: Referral | None
    early_help: list = ()  # the child's early help episodes (a step-up brings its history to the front door)


def early_help_history(child, *, on: dt.date) -> list:
    from opencsc.earlyhelp.selectors import early_help_episodes_of

    return early_help_episodes_of(child, on=on)


def child_history_at(child, *, on: dt.date, excluding_contact: Contact | None = None) -> ChildHistory:
    """What the decision-maker needs: earlier contacts and referrals, and whether a referral on `on` would be a
    re-referral (an earlier referral dated on or after the same calendar date a year before)."""
    contacts = Contact.objects.filter(subjects__child=child, received_at__date__lte=on).order_by(
        "-received_at"
    )
    if excluding_contact is not None:
        contacts = contacts.exclude(pk=excluding_contact.pk)
    referrals = list(child.referrals.filter(referral_date__lte=on).order_by("-referral_date"))
    window_start = anniversary(on, -1)
    recent = next((r for r in referrals if window_start <= r.referral_date < on), None)
    return ChildHistory(
        child=child,
        earlier_contacts=list(contacts.distinct()[:20]),
        earlier_referrals=referrals,
        would_be_rereferral=recent is not None,
        last_referral_within_12_months=recent,
        early_help=early_help_history(child, on=on),
    )


def is_rereferral(referral: Referral) -> bool:
    window_start = anniversary(referral.referral_date, -1)
    return (
        Referral.objects.filter(child_id=referral.child_id, referral_date__gte=window_start)
        .filter(referral_date__lt=referral.referral_date)
        .exists()
    )


def open_contact_count_by_status() -> dict[str, int]:
    counts = open_contacts().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in counts}


def contact_for_front_door(contact_id: int) -> Contact:
    return (
        Contact.objects.select_related("triaged_by", "decided_by", "recorded_by")
        .prefetch_related(
            Prefetch("subjects", queryset=ContactChild.objects.select_related("child")), "checks"
        )
        .get(pk=contact_id)
    )


def match_candidates(subject: ContactChild, limit: int = 10) -> list:
    """Records that may be the child the referrer described: same surname with the same birth date or first
    name, or the same surname at the same postcode. Searched across the authority: the front door must
    find a child whichever team holds them."""
    from django.db.models import Q

    from opencsc.people.identifiers import name_key, postcode_key
    from opencsc.people.models import Child

    last = name_key(subject.given_last_name)
    if not last:
        return []
    condition = Q(last_name_key=last, first_name_key=name_key(subject.given_first_name))
    if subject.given_date_of_birth:
        condition |= Q(last_name_key=last, date_of_birth=subject.given_date_of_birth)
        condition |= Q(aliases__last_name_key=last, date_of_birth=subject.given_date_of_birth)
    if subject.given_postcode:
        condition |= Q(last_name_key=last, addresses__postcode_key=postcode_key(subject.given_postcode))
    return list(
        Child.objects.filter(condition)
        .filter(is_restricted=False)
        .distinct()
        .order_by("date_of_birth")[:limit]
    )
