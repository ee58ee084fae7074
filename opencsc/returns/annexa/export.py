"""Ofsted ILACS Annex A lists 1-11 as an xlsx workbook, projected from the domain model.

The reference date is the day the lists are drawn up for (the inspection's notification date): `--on DATE`,
or 31 March Y for `--year Y`. Lists 1-9 look back 6 months and lists 10-11 12 months (returns.md §4): the
period runs from the day after the same date 6 (or 12) months earlier up to and including the reference date,
so `--year 2026` covers 1 October 2025 to 31 March 2026. A date after the reference date has not happened yet
as far as the lists are concerned and is left blank. "In the last 12 months" counts (referrals, S47s, ICPCs,
placements, missing episodes) run from the same calendar date a year before the reference date, the
design's anniversary convention. Who is in each list:

1  contacts received in the period, one row per child named and matched to a record;
2  early help assessments live at some time in the period: started by the reference date, not completed before
   the period began (the organisation is the one recorded as completing it);
3  referrals dated in the period (no-further-action ones included);
4  assessments live at some time in the period: started by the reference date, not authorised or closed before
   the period began;
5  section 47 enquiries started in the period;
6  children-in-need episodes (referrals other than no further action) open at some time in the period;
7  child protection plans open at some time in the period;
8  children looked after on the reference date or whose period of care ended in the period, one row each for
   their latest period of care; children whose latest episode is a short break (V3/V4) are left out;
9  care leavers aged 16 to 25 on the reference date whose latest care-leaver contact by then records them as
   relevant, former relevant or qualifying;
10 children with an adoption decision by the reference date whose adoption order or reversal, if any, falls
   in the 12-month period;
11 adopters: OpenCSC does not record them, so the sheet has its headers only.
Blank cells are what the records do not hold (the permanence plan, IRO visits and family identifiers are
not recorded in OpenCSC). "Open on" a day follows the KPIs (ADR 0004): a record ends on its end date, so an
allocation, plan or episode ending on the reference date is not open on it. The allocated team and worker are
those of the allocation open on the reference date.
"""

import datetime as dt
import io
from collections import Counter, defaultdict
from pathlib import Path

from django.db.models import Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from opencsc.casework.models import (
    Allocation,
    Assessment,
    AssessmentOutcome,
    CaseNote,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    NoteStatus,
    NoteType,
    Section47Enquiry,
    Section47Outcome,
)
from opencsc.core.spreadsheets import text_cell
from opencsc.core.working_days import add_months
from opencsc.earlyhelp.models import EarlyHelpAssessment
from opencsc.frontdoor.models import ContactChild, Referral
from opencsc.looked_after.codes import PLACEMENT_CHANGING_REASONS, SHORT_BREAK_STATUSES
from opencsc.looked_after.models import (
    AdoptionMilestones,
    CareLeaverContact,
    CareLeaverEligibility,
    CareReview,
    Episode,
    HealthAndEducationCheck,
    HealthCheckKind,
    MissingEpisode,
    UnaccompaniedAsylumSeeker,
)
from opencsc.looked_after.selectors import placements_in_window
from opencsc.people.models import Child, ChildDisability
from opencsc.returns.annexa import layout as L

CHUNK = 900  # ids per IN (...) list: under SQLite's variable limit
LEGAL_STATUS_CHANGING = {"S", "L", "B", "U"}
FOSTERING_FOR_ADOPTION = {"U2", "U5"}
PROTECTIVE_STATUSES = {"L1", "L2"}  # police protection, emergency protection order


def reference_date_for(year: int) -> dt.date:
    return dt.date(year, 3, 31)


def period(on: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The `months` up to and including `on`: 1 October to 31 March for 6 months before 31 March."""
    return add_months(on, -months) + dt.timedelta(days=1), on


def year_before(on: dt.date) -> dt.date:
    """The first day of "the last 12 months": the same calendar date a year earlier."""
    return add_months(on, -12)


def _chunks(ids):
    ids = sorted(ids)
    for index in range(0, len(ids), CHUNK):
        yield ids[index : index + CHUNK]


def _upto(day: dt.date | None, on: dt.date) -> dt.date | None:
    return day if day is not None and day <= on else None


def _age(born: dt.date | None, on: dt.date) -> int:
    if born is None or born > on:
        return -1
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class _Context:
    """What several lists need about the same children, each fetched once."""

    def __init__(self, on: dt.date):
        self.on = on
        self.children: dict[int, dict] = {}
        self.disabilities: dict[int, set[str]] = defaultdict(set)
        self.allocations: dict[int, tuple[str, str]] = {}

    def load(self, child_ids: set[int]) -> None:
        wanted = child_ids - set(self.children)
        for chunk in _chunks(wanted):
            for row in Child.objects.filter(pk__in=chunk).values(
                "pk", "la_child_id", "sex", "ethnicity", "date_of_birth", "expected_date_of_birth"
            ):
                self.children[row["pk"]] = row
            for child_id, code in ChildDisability.objects.filter(child_id__in=chunk).values_list(
                "child_id", "code"
            ):
                self.disabilities[child_id].add(code)
        if not self.allocations:
            held = (
                Allocation.objects.filter(started_on__lte=self.on)
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=self.on))
                .order_by("started_on", "pk")
                .values_list(
                    "child_id", "team__name", "worker__first_name", "worker__last_name", "worker__username"
                )
            )
            for child_id, team, first, last, username in held:
                self.allocations[child_id] = (team, f"{first} {last}".strip() or username)

    def common(self, child_id: int) -> list:
        child = self.children[child_id]
        born = child["date_of_birth"] or child["expected_date_of_birth"]
        return [
            child["la_child_id"],
            L.GENDER[child["sex"]],
            L.ETHNICITY.get(child["ethnicity"], L.ETHNICITY["NOBT"]),
            born,
            _age(child["date_of_birth"], self.on),
        ]

    def disability(self, child_id: int) -> str | None:
        codes = self.disabilities.get(child_id)
        if not codes:
            return None
        return L.YES if codes - {"NONE"} else L.NO

    def allocated(self, child_id: int) -> list:
        return list(self.allocations.get(child_id, (None, None)))

    def la_id(self, child_id: int) -> str:
        return self.children[child_id]["la_child_id"]


def _sorted(rows: list[list]) -> list[list]:
    return sorted(rows, key=lambda row: (row[0], [str(v) for v in row[1:]]))


def _notes(child_ids: set[int], on: dt.date) -> dict[int, list[tuple]]:
    """Each child's final case notes up to `on`: (date, type, seen, seen alone), newest first."""
    through = CaseNote.children.through
    notes: dict[int, list[tuple]] = defaultdict(list)
    for chunk in _chunks(child_ids):
        rows = through.objects.filter(
            child_id__in=chunk, casenote__event_on__lte=on, casenote__status=NoteStatus.FINAL
        ).values_list(
            "child_id",
            "casenote__event_on",
            "casenote__note_type",
            "casenote__child_seen",
            "casenote__child_seen_alone",
        )
        for child_id, *note in rows:
            notes[child_id].append(tuple(note))
    for child_notes in notes.values():
        child_notes.sort(key=lambda note: note[0], reverse=True)
    return notes


def _latest_note(notes: list[tuple], start: dt.date, end: dt.date, test) -> tuple | None:
    for note in notes:
        if note[0] < start:
            return None
        if note[0] <= end and test(note):
            return note
    return None


def _child_sets_open_on(child_ids: set[int], on: dt.date) -> dict[str, set[int]]:
    def open_on(model, start="started_on", end="ended_on", **extra):
        found = set()
        for chunk in _chunks(child_ids):
            rows = model.objects.filter(child_id__in=chunk, **{f"{start}__lte": on}, **extra)
            rows = rows.filter(Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": on}))
            found.update(rows.values_list("child_id", flat=True))
        return found

    open_assessments = set()
    for chunk in _chunks(child_ids):
        rows = Assessment.objects.filter(child_id__in=chunk, started_on__lte=on)
        rows = rows.filter(Q(authorised_on__isnull=True) | Q(authorised_on__gt=on))
        rows = rows.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        open_assessments.update(rows.values_list("child_id", flat=True))
    looked_after = set()
    for chunk in _chunks(child_ids):
        rows = Episode.objects.filter(child_id__in=chunk, started_on__lte=on).exclude(
            legal_status__in=SHORT_BREAK_STATUSES
        )
        rows = rows.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        looked_after.update(rows.values_list("child_id", flat=True))
    return {
        "looked_after": looked_after,
        "cp_plan": open_on(ChildProtectionPlan),
        "cin_plan": open_on(ChildInNeedPlan),
        "assessment": open_assessments,
    }


def _list_1(ctx: _Context) -> list[list]:
    start, on = period(ctx.on, 6)
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    rows = list(
        ContactChild.objects.filter(
            child__isnull=False, contact__received_at__gte=since, contact__received_at__lt=until
        ).values_list("child_id", "contact__received_at", "contact__source")
    )
    ctx.load({row[0] for row in rows})
    return _sorted(
        [
            [*ctx.common(child_id), timezone.localtime(received, zone).date(), L.SOURCE[source]]
            for child_id, received, source in rows
        ]
    )


def _list_2(ctx: _Context) -> list[list]:
    start, on = period(ctx.on, 6)
    assessments = list(
        EarlyHelpAssessment.objects.filter(started_on__lte=on)
        .exclude(completed_on__lt=start)
        .values_list("child_id", "started_on", "completed_on", "organisation")
    )
    ctx.load({row[0] for row in assessments})
    return _sorted(
        [
            [*ctx.common(child_id), started, _upto(completed, on), organisation]
            for child_id, started, completed, organisation in assessments
        ]
    )


def _count_by_child(queryset, child_ids: set[int]) -> Counter:
    counts: Counter = Counter()
    for chunk in _chunks(child_ids):
        counts.update(queryset.filter(child_id__in=chunk).values_list("child_id", flat=True))
    return counts


def _list_3(ctx: _Context) -> list[list]:
    start, on = period(ctx.on, 6)
    referrals = list(
        Referral.objects.filter(referral_date__gte=start, referral_date__lte=on).values_list(
            "child_id", "referral_date", "source", "is_nfa"
        )
    )
    child_ids = {row[0] for row in referrals}
    ctx.load(child_ids)
    in_year = _count_by_child(
        Referral.objects.filter(referral_date__gte=year_before(on), referral_date__lte=on), child_ids
    )
    return _sorted(
        [
            [
                *ctx.common(child_id),
                day,
                L.SOURCE[source],
                L.yes_no(is_nfa),
                in_year[child_id],
                *ctx.allocated(child_id),
            ]
            for child_id, day, source, is_nfa in referrals
        ]
    )


def _list_4(ctx: _Context) -> list[list]:
    start, on = period(ctx.on, 6)
    assessments = list(
        Assessment.objects.filter(started_on__lte=on)
        .exclude(authorised_on__lt=start)
        .exclude(authorised_on__isnull=True, closed_on__lt=start)
        .values_list("child_id", "started_on", "child_seen_on", "authorised_on", "outcome")
    )
    ctx.load({row[0] for row in assessments})
    rows = []
    for child_id, started, seen, authorised, outcome in assessments:
        authorised = _upto(authorised, on)
        support = None
        if authorised and outcome:
            support = L.yes_no(outcome == AssessmentOutcome.SUPPORT_REQUIRED)
        rows.append(
            [
                *ctx.common(child_id),
                ctx.disability(child_id),
                started,
                L.yes_no(_upto(seen, on) is not None),
                authorised,
                support,
                *ctx.allocated(child_id),
            ]
        )
    return _sorted(rows)


def _icpc_unnecessary(enquiry: dict, icpc: dt.date | None, on: dt.date) -> str | None:
    if icpc is not None:
        return L.NO
    if enquiry["icpc_not_required"]:
        return L.YES
    completed = _upto(enquiry["completed_on"], on)
    no_conference = {Section47Outcome.CONCERNS_SUBSTANTIATED_NO_ICPC, Section47Outcome.NOT_SUBSTANTIATED}
    if completed and enquiry["outcome"] in no_conference:
        return L.YES
    if enquiry["outcome"] == Section47Outcome.CONCERNS_SUBSTANTIATED_ICPC:
        return L.NO
    return None


def _list_5(ctx: _Context) -> list[list]:
    start, on = period(ctx.on, 6)
    enquiries = list(
        Section47Enquiry.objects.filter(started_on__gte=start, started_on__lte=on).values(
            "pk", "child_id", "started_on", "completed_on", "outcome", "icpc_not_required"
        )
    )
    child_ids = {row["child_id"] for row in enquiries}
    ctx.load(child_ids)
    conferences: dict[int, tuple[dt.date, bool]] = {}
    for section_47_id, held_on, plan_decided in (
        ChildProtectionConference.objects.filter(
            kind=ConferenceKind.INITIAL, section_47__in=[e["pk"] for e in enquiries], held_on__lte=on
        )
        .order_by("-held_on", "-pk")
        .values_list("section_47_id", "held_on", "plan_decided")
    ):
        conferences[section_47_id] = (held_on, plan_decided)
    since = year_before(on)
    s47s = _count_by_child(
        Section47Enquiry.objects.filter(started_on__gte=since, started_on__lte=on), child_ids
    )
    icpcs = _count_by_child(
        ChildProtectionConference.objects.filter(
            kind=ConferenceKind.INITIAL, held_on__gte=since, held_on__lte=on
        ),
        child_ids,
    )
    rows = []
    for enquiry in enquiries:
        child_id = enquiry["child_id"]
        icpc, plan_decided = conferences.get(enquiry["pk"], (None, None))
        rows.append(
            [
                *ctx.common(child_id),
                ctx.disability(child_id),
                enquiry["started_on"],
                _icpc_unnecessary(enquiry, icpc, on),
                icpc,
                L.yes_no(plan_decided),
                s47s[child_id],
                icpcs[child_id],
                *ctx.allocated(child_id),
            ]
        )
    return _sorted(rows)


def _list_6(ctx: _Context) -> list[list]:
    start, on = period(ctx.on, 6)
    episodes = list(
        Referral.objects.filter(referral_date__lte=on, is_nfa=False)
        .exclude(closed_on__lt=start)
        .values_list("child_id", "referral_date", "primary_need", "closed_on", "closure_reason")
    )
    child_ids = {row[0] for row in episodes}
    ctx.load(child_ids)
    open_now = _child_sets_open_on(child_ids, on)
    notes = _notes(child_ids, on)
    rows = []
    for child_id, started, need, closed, reason in episodes:
        closed = _upto(closed, on)
        if closed:
            status = L.CASE_STATUS["closed"]
        else:
            status = next(
                (L.CASE_STATUS[kind] for kind, ids in open_now.items() if child_id in ids),
                None,
            )
        seen = _latest_note(notes.get(child_id, []), started, closed or on, lambda note: note[2])
        rows.append(
            [
                *ctx.common(child_id),
                ctx.disability(child_id),
                started,
                L.PRIMARY_NEED.get(need),
                seen[0] if seen else None,
                closed,
                L.CLOSURE_REASON.get(reason) if closed else None,
                status,
                *ctx.allocated(child_id),
            ]
        )
    return _sorted(rows)


def _list_7(ctx: _Context) -> list[list]:
    start, on = period(ctx.on, 6)
    plans = list(
        ChildProtectionPlan.objects.filter(started_on__lte=on)
        .exclude(ended_on__lt=start)
        .values(
            "pk",
            "child_id",
            "started_on",
            "ended_on",
            "initial_category",
            "latest_category",
            "previous_plans",
        )
    )
    child_ids = {plan["child_id"] for plan in plans}
    ctx.load(child_ids)
    notes = _notes(child_ids, on)
    reviews: dict[int, dt.date] = {}
    for plan_id, held_on in (
        ChildProtectionConference.objects.filter(
            kind=ConferenceKind.REVIEW, plan__in=[p["pk"] for p in plans], held_on__lte=on
        )
        .order_by("held_on")
        .values_list("plan_id", "held_on")
    ):
        reviews[plan_id] = held_on
    protected = set()
    for chunk in _chunks(child_ids):
        protected.update(
            Episode.objects.filter(
                child_id__in=chunk, legal_status__in=PROTECTIVE_STATUSES, started_on__lte=on
            )
            .exclude(ended_on__lt=start)
            .values_list("child_id", flat=True)
        )
    rows = []
    for plan in plans:
        child_id = plan["child_id"]
        ended = _upto(plan["ended_on"], on)
        visit = _latest_note(
            notes.get(child_id, []), plan["started_on"], ended or on, lambda note: note[1] == NoteType.VISIT
        )
        rows.append(
            [
                *ctx.common(child_id),
                ctx.disability(child_id),
                plan["started_on"],
                L.CATEGORY_OF_ABUSE[plan["initial_category"]],
                L.CATEGORY_OF_ABUSE[plan["latest_category"]],
                visit[0] if visit else None,
                L.yes_no(visit[3]) if visit else None,
                reviews.get(plan["pk"]),
                ended,
                L.yes_no(child_id in protected),
                plan["previous_plans"],
                *ctx.allocated(child_id),
            ]
        )
    return _sorted(rows)


def _episodes_of(child_ids: set[int], on: dt.date) -> dict[int, list[Episode]]:
    episodes: dict[int, list[Episode]] = defaultdict(list)
    for chunk in _chunks(child_ids):
        for episode in Episode.objects.filter(child_id__in=chunk, started_on__lte=on).order_by(
            "started_on", "pk"
        ):
            if episode.ended_on is not None and episode.ended_on > on:
                episode.ended_on, episode.reason_ceased = None, ""  # not happened yet on the reference date
            episodes[episode.child_id].append(episode)
    return episodes


def period_of_care(episodes: list[Episode]) -> list[Episode]:
    """The episodes of the latest period of care: back from the last episode through those that follow on
    without a gap until one that starts with S."""
    index = len(episodes) - 1
    while (
        index > 0
        and episodes[index].reason_new_episode != "S"
        and episodes[index - 1].ended_on == episodes[index].started_on
    ):
        index -= 1
    return episodes[index:]


def _latest_from(start_of: int, dated: dict[int, list[dt.date]], since: dt.date) -> dt.date | None:
    days = [day for day in dated.get(start_of, []) if day >= since]
    return max(days) if days else None


def _list_8(ctx: _Context) -> list[list]:
    start, on = period(ctx.on, 6)
    since = year_before(on)
    child_ids = set(
        Episode.objects.filter(started_on__lte=on)
        .exclude(ended_on__lt=start)
        .values_list("child_id", flat=True)
    )
    all_episodes = _episodes_of(child_ids, on)
    chosen: dict[int, list[Episode]] = {}
    for child_id, episodes in all_episodes.items():
        current = period_of_care(episodes)
        last = current[-1]
        if last.legal_status in SHORT_BREAK_STATUSES:
            continue
        if last.ended_on is None or last.ended_on >= start:
            chosen[child_id] = current
    ctx.load(set(chosen))
    ids = set(chosen)
    notes = _notes(ids, on)
    reviews, health, dental = defaultdict(list), defaultdict(list), defaultdict(list)
    missing: dict[int, list[MissingEpisode]] = defaultdict(list)
    uasc = {}
    health_kinds = {HealthCheckKind.INITIAL_HEALTH_ASSESSMENT, HealthCheckKind.REVIEW_HEALTH_ASSESSMENT}
    for chunk in _chunks(ids):
        for child_id, held_on in CareReview.objects.filter(child_id__in=chunk, held_on__lte=on).values_list(
            "child_id", "held_on"
        ):
            reviews[child_id].append(held_on)
        for child_id, kind, done_on in HealthAndEducationCheck.objects.filter(
            child_id__in=chunk, done_on__lte=on, kind__in=[*health_kinds, HealthCheckKind.DENTAL]
        ).values_list("child_id", "kind", "done_on"):
            (dental if kind == HealthCheckKind.DENTAL else health)[child_id].append(done_on)
        for episode in MissingEpisode.objects.filter(child_id__in=chunk).order_by("started_at", "pk"):
            if timezone.localtime(episode.started_at).date() <= on:
                missing[episode.child_id].append(episode)
        uasc.update(
            UnaccompaniedAsylumSeeker.objects.filter(child_id__in=chunk).values_list("child_id", "ceased_on")
        )
    rows = []
    for child_id, episodes in chosen.items():
        first, last = episodes[0], episodes[-1]
        earlier = all_episodes[child_id][: -len(episodes)]
        legal_start = next(
            (e.started_on for e in reversed(episodes) if e.reason_new_episode in LEGAL_STATUS_CHANGING),
            first.started_on,
        )
        placement_start = next(
            (e.started_on for e in reversed(episodes) if e.reason_new_episode in PLACEMENT_CHANGING_REASONS),
            first.started_on,
        )
        visit = _latest_note(
            notes.get(child_id, []), first.started_on, on, lambda note: note[1] == NoteType.VISIT
        )
        away = [m for m in missing.get(child_id, []) if timezone.localtime(m.started_at).date() >= since]
        last_missing = next((m for m in reversed(missing.get(child_id, [])) if m.kind == "M"), None)
        accepted = None
        if last_missing and last_missing.interview_done_at:
            accepted = L.YES
        elif last_missing and last_missing.interview_declined:
            accepted = L.NO
        uasc_recent = child_id in uasc and (uasc[child_id] is None or uasc[child_id] >= since)
        rows.append(
            [
                *ctx.common(child_id),
                ctx.disability(child_id),
                L.yes_no(uasc_recent),
                first.started_on,
                L.CATEGORY_OF_NEED.get(last.category_of_need),
                L.yes_no(
                    bool(earlier) and earlier[-1].ended_on is not None and earlier[-1].ended_on >= since
                ),
                legal_start,
                L.LEGAL_STATUS.get(last.legal_status),
                _latest_from(child_id, reviews, first.started_on),
                visit[0] if visit else None,
                None,  # permanence plan: not recorded
                None,  # IRO visit or contact: not recorded
                _latest_from(child_id, health, dt.date.min),
                _latest_from(child_id, dental, dt.date.min),
                placements_in_window(all_episodes[child_id], since, on),
                last.ended_on,
                L.REASON_CEASED.get(last.reason_ceased) if last.ended_on else None,
                placement_start,
                L.PLACEMENT_TYPE.get(last.placement_type),
                L.PLACEMENT_PROVIDER.get(last.placement_provider),
                last.placement_postcode or None,
                last.urn or None,
                L.PLACEMENT_LOCATION.get(last.placement_inside_authority),
                last.placement_la_code or None,
                sum(1 for m in away if m.kind == "M"),
                sum(1 for m in away if m.kind == "A"),
                L.yes_no(last_missing.interview_offered_at is not None) if last_missing else None,
                accepted,
                *ctx.allocated(child_id),
            ]
        )
    return _sorted(rows)


CARE_LEAVER_ELIGIBILITY = {
    CareLeaverEligibility.RELEVANT,
    CareLeaverEligibility.FORMER_RELEVANT,
    CareLeaverEligibility.QUALIFYING,
}


def _list_9(ctx: _Context) -> list[list]:
    on = ctx.on
    oldest_birth = add_months(on, -26 * 12) + dt.timedelta(days=1)
    youngest_birth = add_months(on, -16 * 12)
    latest: dict[int, CareLeaverContact] = {}
    for contact in CareLeaverContact.objects.filter(
        contacted_on__lte=on,
        child__date_of_birth__gte=oldest_birth,
        child__date_of_birth__lte=youngest_birth,
    ).order_by("child_id", "contacted_on", "pk"):
        latest[contact.child_id] = contact
    chosen = {k: c for k, c in latest.items() if c.eligibility in CARE_LEAVER_ELIGIBILITY}
    ctx.load(set(chosen))
    return _sorted(
        [
            [
                *ctx.common(child_id),
                ctx.disability(child_id),
                *ctx.allocated(child_id),
                L.ELIGIBILITY[contact.eligibility],
                L.IN_TOUCH.get(contact.in_touch),
                L.ACCOMMODATION.get(contact.accommodation),
                L.SUITABILITY.get(contact.accommodation_suitable),
                L.ACTIVITY.get(contact.activity),
            ]
            for child_id, contact in chosen.items()
        ]
    )


def _list_10(ctx: _Context) -> list[list]:
    start, on = period(ctx.on, 12)
    plans = list(
        AdoptionMilestones.objects.filter(decided_on__lte=on)
        .exclude(adoption_order_on__lt=start)
        .exclude(ceased_on__lt=start)
    )
    child_ids = {plan.child_id for plan in plans}
    ctx.load(child_ids)
    episodes = _episodes_of(child_ids, on)
    rows = []
    for plan in plans:
        child_episodes = [e for e in episodes.get(plan.child_id, []) if e.started_on <= plan.decided_on]
        entered = period_of_care(child_episodes)[0].started_on if child_episodes else None
        fostering_for_adoption = next(
            (
                e.started_on
                for e in episodes.get(plan.child_id, [])
                if e.placement_type in FOSTERING_FOR_ADOPTION and entered and e.started_on >= entered
            ),
            None,
        )
        ceased = _upto(plan.ceased_on, on)
        common = ctx.common(plan.child_id)
        rows.append(
            [
                common[0],
                None,  # family identifier: adopters are not recorded
                *common[1:],
                ctx.disability(plan.child_id),
                entered,
                plan.decided_on,
                _upto(plan.placement_order_on, on),
                _upto(plan.matched_on, on),
                _upto(plan.placed_on, on),
                _upto(plan.adoption_order_on, on),
                ceased,
                L.ADOPTION_CEASED.get(plan.reason_ceased) if ceased else None,
                fostering_for_adoption,
            ]
        )
    return _sorted(rows)


BUILDERS = {1: _list_1, 2: _list_2, 3: _list_3, 4: _list_4, 5: _list_5, 6: _list_6, 7: _list_7}
BUILDERS |= {8: _list_8, 9: _list_9, 10: _list_10}


def annexa_rows(on: dt.date) -> dict[int, list[list]]:
    """Every list's rows (values in the header order; dates as dates), keyed by list number."""
    ctx = _Context(on)
    return {annex.number: BUILDERS[annex.number](ctx) if annex.number in BUILDERS else [] for annex in LISTS}


LISTS = L.LISTS
REFERENCE_KEYWORD = "annexa-reference-date="


def write_workbook(rows: dict[int, list[list]], on: dt.date, out) -> None:
    workbook = Workbook(write_only=True)
    workbook.properties.title = "Ofsted ILACS Annex A"
    workbook.properties.subject = f"Annex A lists for the reference date {L.format_day(on)}"
    workbook.properties.keywords = f"{REFERENCE_KEYWORD}{on.isoformat()}"
    bold = Font(bold=True)
    for annex in LISTS:
        sheet = workbook.create_sheet(annex.sheet)
        header = []
        for title in annex.columns:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows.get(annex.number, []):
            sheet.append([_cell(sheet, value) for value in row])
    workbook.save(out)


def _cell(sheet, value):
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy"
        return cell
    return text_cell(sheet, value)


def annexa_workbook_bytes(on: dt.date) -> tuple[bytes, dict[int, list[list]]]:
    rows = annexa_rows(on)
    buffer = io.BytesIO()
    write_workbook(rows, on, buffer)
    return buffer.getvalue(), rows


def annexa_children(rows: dict[int, list[list]]) -> frozenset[str]:
    """The LA child IDs in the lists (list 11 is adopters, not children)."""
    return frozenset(row[0] for number, list_rows in rows.items() if number != 11 for row in list_rows)


def export_annexa(year: int, out: Path, *, on: dt.date | None = None, **options) -> frozenset[str]:
    on = on or reference_date_for(year)
    rows = annexa_rows(on)
    write_workbook(rows, on, Path(out))
    return annexa_children(rows)
