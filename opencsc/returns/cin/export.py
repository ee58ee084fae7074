"""The CIN census XML for collection year Y, projected from the domain model.

Who is in it: every child with a children-in-need episode (a Referral) open at some time in the census period,
1 April Y-1 to 31 March Y. What each episode carries follows the DfE rules for one year's file
(returns.md §8): assessments authorised in the year or still open at its end; CIN and CP plans open at some time
in the year; section 47 enquiries started in the year or whose initial conference was in it; CP reviews held in
it. A date after 31 March Y is left out (the closure, authorisation or end has not happened yet as far as this
year's census is concerned), and so is what depends on it (the reason for closure, the assessment factors).

Elements follow the xs:sequence order of the CIN census schema; there is no namespace (the DfE validator
looks elements up by bare name).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from opencsc.casework.models import (
    Assessment,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    Section47Enquiry,
)
from opencsc.core.clocks import due_date
from opencsc.core.codes import Disability
from opencsc.core.working_days import authority_calendar
from opencsc.frontdoor.models import Referral
from opencsc.people.models import Child, ChildDisability
from opencsc.returns.registry import census_period

SOFTWARE_CODE = "OpenCSC"
# Censuses up to 2023-24 (Year 2024) carried GenderCurrent (CBDS N00043: 0 not known, 1 male, 2 female) where
# later ones carry Sex (M/F/U); the DfE rules for those years expect it (returns.md §8).
LAST_GENDER_CURRENT_YEAR = 2024
GENDER_CURRENT = {"M": "1", "F": "2", "U": "0"}
DISABILITY_ORDER = {code: index for index, code in enumerate(Disability.values)}


def _day(value: dt.date) -> str:
    return value.isoformat()


def _within(day: dt.date | None, end: dt.date) -> dt.date | None:
    """A date as the census for the year ending `end` sees it: not yet happened if it is after `end`."""
    return day if day is not None and day <= end else None


def _add(parent, tag: str, text: str | None = None):
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


@dataclass
class _Episode:
    referral: Referral
    initial_cpc: dt.date | None = None
    assessments: list = field(default_factory=list)
    cin_plans: list = field(default_factory=list)
    section_47s: list = field(default_factory=list)
    cp_plans: list = field(default_factory=list)


def _episode_for(episodes: list[_Episode], referral_id: int | None, day: dt.date) -> _Episode | None:
    """The exported episode an activity belongs to: its own referral, or the episode open on its date."""
    if referral_id is not None:
        for episode in episodes:
            if episode.referral.pk == referral_id:
                return episode
        return None
    for episode in reversed(episodes):
        referral = episode.referral
        if referral.referral_date <= day and (referral.closed_on is None or day <= referral.closed_on):
            return episode
    return None


def cin_census_tree(year: int, *, serial: str = "001", now: dt.datetime | None = None) -> etree._ElementTree:
    start, end = census_period(year)
    calendar = authority_calendar()
    referrals = Referral.objects.filter(referral_date__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    )
    child_ids = referrals.values("child_id")

    episodes: dict[int, list[_Episode]] = defaultdict(list)
    for referral in referrals.order_by("child_id", "referral_date", "pk"):
        episodes[referral.child_id].append(_Episode(referral))

    disabilities: dict[int, list[str]] = defaultdict(list)
    for child_id, code in ChildDisability.objects.filter(child_id__in=child_ids).values_list(
        "child_id", "code"
    ):
        disabilities[child_id].append(code)

    for assessment in Assessment.objects.filter(child_id__in=child_ids, started_on__lte=end).order_by(
        "started_on", "pk"
    ):
        if assessment.authorised_on is not None and assessment.authorised_on < start:
            continue
        if (
            assessment.authorised_on is None
            and assessment.closed_on is not None
            and assessment.closed_on < start
        ):
            continue
        episode = _episode_for(episodes[assessment.child_id], assessment.referral_id, assessment.started_on)
        if episode:
            episode.assessments.append(assessment)

    for plan in (
        ChildInNeedPlan.objects.filter(child_id__in=child_ids, started_on__lte=end)
        .exclude(ended_on__lt=start)
        .order_by("started_on", "pk")
    ):
        episode = _episode_for(episodes[plan.child_id], plan.referral_id, plan.started_on)
        if episode:
            episode.cin_plans.append(plan)

    initial_conferences = ChildProtectionConference.objects.filter(
        child_id__in=child_ids, kind=ConferenceKind.INITIAL
    ).order_by("held_on", "pk")
    icpc_by_s47: dict[int, dt.date] = {}
    loose_icpcs = []
    for conference in initial_conferences:
        if conference.section_47_id is not None:
            icpc_by_s47.setdefault(conference.section_47_id, conference.held_on)
        elif start <= conference.held_on <= end:
            loose_icpcs.append(conference)
    for conference in loose_icpcs:
        episode = _episode_for(episodes[conference.child_id], None, conference.held_on)
        if episode and episode.initial_cpc is None:
            episode.initial_cpc = conference.held_on

    enquiries = Section47Enquiry.objects.filter(child_id__in=child_ids, started_on__lte=end).select_related(
        "strategy_discussion"
    )
    for enquiry in enquiries.order_by("started_on", "pk"):
        icpc = icpc_by_s47.get(enquiry.pk)
        started_in_year = enquiry.started_on >= start
        icpc_in_year = icpc is not None and start <= icpc <= end
        if not (started_in_year or icpc_in_year):
            continue
        enquiry.census_icpc = icpc if icpc_in_year else None
        episode = _episode_for(episodes[enquiry.child_id], enquiry.referral_id, enquiry.started_on)
        if episode:
            episode.section_47s.append(enquiry)

    plan_rows = ChildProtectionPlan.objects.filter(child_id__in=child_ids, started_on__lte=end).exclude(
        ended_on__lt=start
    )
    plans = list(plan_rows.order_by("started_on", "pk"))
    reviews: dict[int, list[dt.date]] = defaultdict(list)
    for plan_id, held_on in (
        ChildProtectionConference.objects.filter(
            plan__in=plan_rows.values("pk"), kind=ConferenceKind.REVIEW, held_on__gte=start, held_on__lte=end
        )
        .order_by("held_on", "pk")
        .values_list("plan_id", "held_on")
    ):
        if held_on not in reviews[plan_id]:
            reviews[plan_id].append(held_on)
    for plan in plans:
        episode = _episode_for(episodes[plan.child_id], plan.referral_id, plan.started_on)
        if episode:
            episode.cp_plans.append(plan)

    root = etree.Element("Message")
    _header(root, year, end, serial, now or timezone.localtime())
    children_element = _add(root, "Children")
    children = Child.objects.filter(pk__in=child_ids).order_by("la_child_id")
    for child in children.iterator(chunk_size=2000):
        _child(children_element, child, year, disabilities[child.pk], episodes[child.pk], reviews, calendar)
    return etree.ElementTree(root)


def _header(root, year: int, end: dt.date, serial: str, now: dt.datetime) -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("opencsc")
    except PackageNotFoundError:
        release = "0"
    header = _add(root, "Header")
    details = _add(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", str(year))
    _add(details, "ReferenceDate", _day(end))
    source = _add(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", settings.AUTHORITY_LA_CODE)
    _add(source, "SoftwareCode", SOFTWARE_CODE)
    _add(source, "Release", release)
    _add(source, "SerialNo", serial)
    _add(source, "DateTime", now.replace(microsecond=0, tzinfo=None).isoformat())


def _child(parent, child: Child, year: int, codes: list[str], episodes: list[_Episode], reviews, calendar):
    _, end = census_period(year)
    element = _add(parent, "Child")
    identifiers = _add(element, "ChildIdentifiers")
    _add(identifiers, "LAchildID", child.la_child_id)
    if child.upn:
        _add(identifiers, "UPN", child.upn)
    if child.former_upn:
        _add(identifiers, "FormerUPN", child.former_upn)
    if not child.upn and child.upn_unknown_reason:
        _add(identifiers, "UPNunknown", child.upn_unknown_reason)
    born = _within(child.date_of_birth, end)
    if born:
        _add(identifiers, "PersonBirthDate", _day(born))
    else:
        expected = child.expected_date_of_birth or child.date_of_birth
        if expected:
            _add(identifiers, "ExpectedPersonBirthDate", _day(expected))
    sex = child.sex if born else "U"
    if year <= LAST_GENDER_CURRENT_YEAR:
        _add(identifiers, "GenderCurrent", GENDER_CURRENT[sex])
    else:
        _add(identifiers, "Sex", sex)
    died = _within(child.date_of_death, end)
    if died:
        _add(identifiers, "PersonDeathDate", _day(died))

    characteristics = _add(element, "ChildCharacteristics")
    _add(characteristics, "Ethnicity", child.ethnicity)
    disabilities = _add(characteristics, "Disabilities")
    for code in sorted(set(codes), key=lambda c: DISABILITY_ORDER.get(c, 99)) or ["NONE"]:
        _add(disabilities, "Disability", code)

    for episode in episodes:
        _cin_details(element, episode, end, reviews, calendar)


def _cin_details(parent, episode: _Episode, end: dt.date, reviews, calendar) -> None:
    referral = episode.referral
    element = _add(parent, "CINdetails")
    _add(element, "CINreferralDate", _day(referral.referral_date))
    _add(element, "ReferralSource", referral.source)
    if referral.primary_need:
        _add(element, "PrimaryNeedCode", referral.primary_need)
    closed = _within(referral.closed_on, end)
    if closed:
        _add(element, "CINclosureDate", _day(closed))
        if referral.closure_reason:
            _add(element, "ReasonForClosure", referral.closure_reason)
    if episode.initial_cpc:
        _add(element, "DateOfInitialCPC", _day(episode.initial_cpc))

    for assessment in episode.assessments:
        block = _add(element, "Assessments")
        _add(block, "AssessmentActualStartDate", _day(assessment.started_on))
        reviewed = _within(assessment.completed_on, end)
        if reviewed and reviewed >= assessment.started_on:
            _add(block, "AssessmentInternalReviewDate", _day(reviewed))
        authorised = _within(assessment.authorised_on, end)
        if authorised:
            _add(block, "AssessmentAuthorisationDate", _day(authorised))
            if assessment.factors:
                factors = _add(block, "FactorsIdentifiedAtAssessment")
                for code in assessment.factors:
                    _add(factors, "AssessmentFactors", str(code))

    for plan in episode.cin_plans:
        block = _add(element, "CINPlanDates")
        _add(block, "CINPlanStartDate", _day(plan.started_on))
        ended = _within(plan.ended_on, end)
        if ended:
            _add(block, "CINPlanEndDate", _day(ended))

    for enquiry in episode.section_47s:
        block = _add(element, "Section47")
        _add(block, "S47ActualStartDate", _day(enquiry.started_on))
        discussion = enquiry.strategy_discussion
        clock_start = discussion.held_on if discussion else enquiry.started_on
        _add(block, "InitialCPCtarget", _day(due_date("icpc", clock_start, calendar=calendar).due_on))
        if enquiry.census_icpc:
            _add(block, "DateOfInitialCPC", _day(enquiry.census_icpc))
        not_required = (
            enquiry.icpc_not_required
            and enquiry.census_icpc is None
            and (enquiry.completed_on is None or enquiry.completed_on <= end)
        )
        _add(block, "ICPCnotRequired", "1" if not_required else "0")

    _add(element, "ReferralNFA", "true" if referral.is_nfa else "false")

    for plan in episode.cp_plans:
        block = _add(element, "ChildProtectionPlans")
        _add(block, "CPPstartDate", _day(plan.started_on))
        ended = _within(plan.ended_on, end)
        if ended:
            _add(block, "CPPendDate", _day(ended))
        _add(block, "InitialCategoryOfAbuse", plan.initial_category)
        _add(block, "LatestCategoryOfAbuse", plan.latest_category)
        _add(block, "NumberOfPreviousCPP", str(plan.previous_plans))
        if reviews.get(plan.pk):
            block_reviews = _add(block, "Reviews")
            for held_on in reviews[plan.pk]:
                _add(block_reviews, "CPPreviewDate", _day(held_on))


def cin_census_bytes(year: int, **options) -> bytes:
    return etree.tostring(
        cin_census_tree(year, **options), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def cin_census_file(year: int, **options) -> tuple[bytes, frozenset[str]]:
    """The census as XML, and the LA child IDs of the children in it."""
    tree = cin_census_tree(year, **options)
    children = frozenset(element.text for element in tree.iter("LAchildID") if element.text)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True), children


def export_cin(year: int, out: Path, **options) -> frozenset[str]:
    content, children = cin_census_file(year, **options)
    Path(out).write_bytes(content)
    return children
