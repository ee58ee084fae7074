"""The generated looked-after children obey the 903 episode rules and tell the county's story."""

import datetime as dt
import re
from collections import defaultdict
from itertools import pairwise

import pytest
from django.conf import settings
from django.core.management import call_command

from opencsc import geography
from opencsc.accounts.models import Role, TeamKind
from opencsc.casework.models import Allocation, CaseNote, ChronologyEntry, NoteType
from opencsc.core.working_days import authority_calendar
from opencsc.insight import kpis
from opencsc.looked_after.codes import SHORT_BREAK_STATUSES, URN_NOT_REQUIRED
from opencsc.looked_after.iro import iro_on
from opencsc.looked_after.models import (
    AdoptionMilestones,
    CareLeaverContact,
    CareReview,
    Episode,
    HealthAndEducationCheck,
    IroAssignment,
    MissingEpisode,
    PathwayPlanReview,
    PlacementPlanAgreement,
    UnaccompaniedAsylumSeeker,
)
from opencsc.looked_after.selectors import current_placement, placements_from
from opencsc.looked_after.services import PROVIDER_NOT_REQUIRED, URN_PLACEHOLDER_ALLOWED
from opencsc.people.models import Child
from opencsc.synthetic.generator import clear_generated_data
from tests.test_chronology_lines import generated_lines_rebuilt

TODAY = dt.date(2026, 4, 20)  # the 2025-26 reporting year is complete
URN = re.compile(r"^(SC\d{6}|\d{7})$")
LA_TABLES = (
    Episode,
    CareReview,
    MissingEpisode,
    HealthAndEducationCheck,
    AdoptionMilestones,
    CareLeaverContact,
    PathwayPlanReview,
    UnaccompaniedAsylumSeeker,
    IroAssignment,
    PlacementPlanAgreement,
)
PEOPLE_FIELDS = (
    "recorded_by_id",
    "reviewing_officer_id",
    "personal_adviser_id",
    "iro_id",
    "assigned_by_id",
)


def generate(children: int, seed: int = 11) -> None:
    call_command("generate", children=children, seed=seed, today=TODAY, verbosity=0, replace=True)


@pytest.fixture(scope="module")
def authority(django_db_setup, django_db_blocker):
    """One mid-sized authority (about 40 starts a year) shared by the checks below."""
    with django_db_blocker.unblock():
        generate(9000)
        yield
        clear_generated_data()


def snapshot() -> dict:
    tables = {}
    for model in LA_TABLES:
        rows = []
        for row in model.objects.select_related("child").order_by("child__la_child_id", "pk"):
            values = {
                f.attname: getattr(row, f.attname)
                for f in model._meta.concrete_fields
                if f.attname not in ("id", "child_id", *PEOPLE_FIELDS)
            }
            values["child"] = row.child.la_child_id
            rows.append(values)
        tables[model.__name__] = rows
    return tables


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_children_in_care():
    generate(800, seed=5)
    first = snapshot()
    assert first["Episode"], "an 800-child authority has children in care"
    generate(800, seed=5)
    assert snapshot() == first
    generate(800, seed=6)
    assert snapshot() != first
    clear_generated_data()
    assert not any(model.objects.exists() for model in LA_TABLES)


def _episodes_by_child() -> dict[int, list[Episode]]:
    by_child = defaultdict(list)
    for episode in Episode.objects.order_by("child_id", "started_on", "id"):
        by_child[episode.child_id].append(episode)
    return by_child


@pytest.mark.django_db
def test_episodes_obey_the_903_rules(authority):
    births = dict(Child.objects.values_list("pk", "date_of_birth"))
    last_day = TODAY - dt.timedelta(days=1)
    by_child = _episodes_by_child()
    assert len(by_child) > 150
    for child, episodes in by_child.items():
        assert episodes[0].reason_new_episode == "S"
        assert sum(1 for e in episodes if e.ended_on is None) <= 1
        for before, after in zip(episodes, episodes[1:], strict=False):
            assert before.ended_on is not None, "only the last episode may be open"
            if before.reason_ceased == "X1":
                # an X1 hand-over: the next episode starts the same day and is not a new period
                assert after.started_on == before.ended_on
                assert after.reason_new_episode in {"L", "P", "T", "B", "U"}
                if after.reason_new_episode == "L":
                    assert after.legal_status != before.legal_status
                    assert after.placement_postcode == before.placement_postcode
                    assert not before.reason_placement_changed
                elif not ({before.placement_type, after.placement_type} & {"T0", "T1", "T2", "T3", "T4"}):
                    assert before.reason_placement_changed, (child, before.started_on)
            else:
                assert after.started_on > before.ended_on, "periods of care do not overlap"
                assert after.reason_new_episode == "S"
        for episode in episodes:
            assert episode.started_on >= births[child], "no episode before birth"
            assert episode.started_on <= last_day and (episode.ended_on or last_day) <= last_day
            assert (episode.ended_on is None) == (episode.reason_ceased == "")
            place = episode.placement_type
            if place not in PROVIDER_NOT_REQUIRED:
                assert episode.placement_provider, episode
            if place == "P1":
                assert episode.placement_provider == "PR0"
            if episode.urn == "XXXXXXX":
                assert place in URN_PLACEHOLDER_ALLOWED
            elif episode.urn:
                assert URN.match(episode.urn), episode.urn
            else:
                assert place in URN_NOT_REQUIRED, (place, episode.urn)
            if place == "K3":
                assert episode.placement_inside_authority, "rule 241: supported accommodation inside the LA"
            if place.startswith("A"):
                assert episode.legal_status in {"E1", "V2", "C2"}
    ended = Episode.objects.exclude(ended_on=None)
    assert not ended.filter(reason_ceased="").exists()
    final_reasons = set(ended.exclude(reason_ceased="X1").values_list("reason_ceased", flat=True))
    assert {"E4A", "E11", "E5", "E17"} <= final_reasons, final_reasons
    assert final_reasons & {"E45", "E46", "E47", "E48"}
    legal = set(Episode.objects.values_list("legal_status", flat=True))
    assert {"V2", "C1", "C2", "E1"} <= legal
    assert legal & SHORT_BREAK_STATUSES
    kinds = set(Episode.objects.values_list("reason_new_episode", flat=True))
    assert {"S", "L", "P", "T"} <= kinds
    places = set(Episode.objects.values_list("placement_type", flat=True))
    assert {"U4", "U6", "K2", "K3"} <= places and places & {"U1", "U3"} and places & {"A5", "A6"}


@pytest.mark.django_db
def test_placements_use_real_postcodes_and_stored_locations(authority):
    for episode in Episode.objects.exclude(placement_type="P1"):
        location = geography.postcode_location(episode.placement_postcode)
        assert location is not None, episode.placement_postcode
        assert episode.placement_inside_authority == geography.is_inside_authority(
            episode.placement_postcode, settings.AUTHORITY_ONS_CODE
        )
        assert episode.placement_la_code == geography.placement_la_code(episode.placement_postcode)
        expected = geography.placement_distance(episode.home_postcode, episode.placement_postcode)
        if episode.home_postcode:
            assert expected is not None, "real home postcodes: every distance can be worked out"
        assert (episode.distance_miles is None and expected is None) or float(
            episode.distance_miles
        ) == expected
    codes = set(Episode.objects.values_list("placement_la_code", flat=True))
    assert {"E06000060", "E06000042", "E10000025", "E10000015"} <= codes
    assert len(codes) > 8, "some children are placed far away"


@pytest.mark.django_db
def test_out_of_county_share_falls_over_the_years(authority):
    early = kpis.cla_placed_outside_la_rate(kpis.ReportingYear(2022))
    late = kpis.cla_placed_outside_la_rate(kpis.ReportingYear(2026))
    assert early.denominator is None or early.value is not None
    assert early.value > 50, early.value
    assert late.value < early.value
    assert late.value < 45, late.value


@pytest.mark.django_db
def test_the_cla_kpis_have_values_for_the_latest_year(authority):
    year = kpis.ReportingYear(2026)
    assert kpis.cla_at_year_end(year).value > 50
    for kpi in (
        kpis.cla_3plus_placements_rate,
        kpis.cla_placed_outside_la_rate,
        kpis.cla_placed_20mi_plus_rate,
    ):
        assert kpi(year).value is not None, kpi.__name__
    assert 3 <= kpis.cla_3plus_placements_rate(year).value <= 25


@pytest.mark.django_db
def test_reviews_checks_visits_and_missing_episodes(authority):
    by_child = _episodes_by_child()
    births = dict(Child.objects.values_list("pk", "date_of_birth"))

    def looked_after(child, day):
        return any(e.started_on <= day <= (e.ended_on or day) for e in by_child[child])

    reviews = list(CareReview.objects.all())
    assert reviews
    for review in reviews:
        assert looked_after(review.child_id, review.held_on)
        age = (review.held_on - births[review.child_id]).days / 365.25
        assert (review.participation == "PN0") == (age < 4) or abs(age - 4) < 0.01
        assert review.reviewing_officer_id
    assert HealthAndEducationCheck.objects.filter(kind="initial_health").exists()
    assert HealthAndEducationCheck.objects.filter(kind="sdq", sdq_score__isnull=False).exists()
    missing = list(MissingEpisode.objects.all())
    assert missing
    for row in missing:
        assert row.returned_at >= row.started_at
        if row.interview_offered_at:
            assert row.interview_offered_at >= row.returned_at
    offered = [m for m in missing if m.interview_offered_at]
    assert any(m.interview_done_at for m in missing)
    late = [m for m in offered if (m.interview_offered_at - m.returned_at) > dt.timedelta(hours=72)]
    assert late and len(late) < len(offered) / 2
    visits = CaseNote.objects.filter(note_type=NoteType.VISIT, title="Statutory visit (looked after)")
    assert visits.exists()
    keys = set(ChronologyEntry.objects.values_list("source_key", flat=True))
    for prefix in ("episode-", "episode-ended-", "care-review-", "missing-", "care-check-"):
        assert any(key.startswith(prefix) for key in keys), prefix


@pytest.mark.django_db
def test_care_leavers_adoption_and_uasc(authority):
    contacts = CareLeaverContact.objects.all()
    assert contacts.exists()
    assert contacts.filter(in_touch="YES").exclude(accommodation="").exists()
    for contact in contacts.select_related("personal_adviser__team"):
        assert contact.personal_adviser is not None
    assert contacts.filter(personal_adviser__team__kind=TeamKind.CARE_LEAVERS).exists()
    assert PathwayPlanReview.objects.exists()
    assert AdoptionMilestones.objects.exclude(adoption_order_on=None).exists()
    uasc = UnaccompaniedAsylumSeeker.objects.select_related("child")
    assert uasc.exists()
    assert sum(1 for row in uasc if row.child.sex == "M") >= uasc.count() * 0.8


@pytest.mark.django_db
def test_most_children_in_care_are_allocated(authority):
    open_children = set(Episode.objects.filter(ended_on=None).values_list("child_id", flat=True))
    allocated = set(
        Allocation.objects.filter(ended_on=None, child_id__in=open_children).values_list(
            "child_id", flat=True
        )
    )
    assert len(allocated) >= 0.85 * len(open_children)


def _looked_after_on(episodes: list[Episode], day: dt.date) -> bool:
    return any(e.started_on <= day <= (e.ended_on or day) for e in episodes)


@pytest.mark.django_db
def test_every_child_in_care_has_an_iro_who_chairs_their_reviews(authority):
    last_day = TODAY - dt.timedelta(days=1)
    by_child = _episodes_by_child()
    assignments = list(IroAssignment.objects.select_related("iro", "assigned_by", "child"))
    assert assignments
    for row in assignments:
        assert row.iro.role == Role.INDEPENDENT_REVIEWING_OFFICER and row.iro.is_active
        assert row.assigned_by.role == Role.TEAM_MANAGER
        assert row.started_on <= last_day and (row.ended_on is None or row.started_on <= row.ended_on)
        assert _looked_after_on(by_child[row.child_id], row.started_on)
    history = defaultdict(list)
    for row in sorted(assignments, key=lambda row: (row.child_id, row.started_on, row.pk)):
        history[row.child_id].append(row)
    for rows in history.values():
        assert sum(row.ended_on is None for row in rows) <= 1
        assert all(a.ended_on is not None and a.ended_on <= b.started_on for a, b in pairwise(rows))
    assert any(a.ended_on == b.started_on for rows in history.values() for a, b in pairwise(rows))
    in_care = {
        child
        for child, episodes in by_child.items()
        if episodes[-1].ended_on is None and episodes[-1].legal_status not in SHORT_BREAK_STATUSES
    }
    current = {row.child_id for row in assignments if row.ended_on is None}
    assert current <= in_care
    settled = {child for child in in_care if (last_day - by_child[child][0].started_on).days > 30}
    assert len(settled - current) <= 0.05 * len(settled)
    reviews = list(CareReview.objects.select_related("child"))
    chaired_by_iro = [review for review in reviews if iro_on(review.child, review.held_on) is not None]
    assert len(chaired_by_iro) >= 0.95 * len(reviews)
    for review in chaired_by_iro:
        assert review.reviewing_officer == iro_on(review.child, review.held_on)
    for child in Child.objects.filter(is_restricted=True, pk__in=current):
        named = set(child.access_grants.values_list("user_id", flat=True))
        assert {row.iro_id for row in history[child.pk] if row.ended_on is None} <= named


@pytest.mark.django_db
def test_most_placement_plans_are_agreed_within_5_working_days(authority):
    last_day = TODAY - dt.timedelta(days=1)
    calendar = authority_calendar()
    births = dict(Child.objects.values_list("pk", "date_of_birth"))
    agreed = {(row.child_id, row.placement_started_on): row for row in PlacementPlanAgreement.objects.all()}
    agreed_keys = set(agreed)
    when = {"before": 0, "on time": 0, "late": 0, "never": 0}
    overdue, current = 0, 0
    for child, episodes in _episodes_by_child().items():
        if episodes[0].legal_status in SHORT_BREAK_STATUSES:
            continue
        for placement in placements_from(episodes):
            row = agreed.pop((child, placement.started_on), None)
            due = calendar.add_working_days(placement.started_on, 5)
            if row is None:
                when["never"] += due < last_day
                continue
            assert births[child] <= row.agreed_on <= last_day
            assert placement.last.ended_on is None or row.agreed_on <= placement.last.ended_on
            if row.agreed_on < placement.started_on:
                when["before"] += 1
            else:
                when["on time" if row.agreed_on <= due else "late"] += 1
        placement = current_placement(episodes)
        if placement is not None:
            current += 1
            due = calendar.add_working_days(placement.started_on, 5)
            overdue += (child, placement.started_on) not in agreed_keys and due < last_day
    assert not agreed, "every agreement is for one of the child's placements"
    total = sum(when.values())
    assert when["before"] + when["on time"] >= 0.8 * total
    assert when["late"] and when["never"] and when["before"]
    assert 0 < overdue <= 0.1 * current


@pytest.mark.django_db
def test_adoption_lines_read_as_the_services_write_them(authority):
    """Adoption is too rare for the smaller authority of tests/test_chronology_lines.py: checked here."""
    seen, differ = generated_lines_rebuilt({"adoption"})
    assert seen["adoption"] and not differ, differ[:5]
