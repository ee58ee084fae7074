"""Episodes as the SSDA903 sees them: the reasons each step writes, the location worked out from postcodes,
and the bad input that is refused (or flagged) with nothing half-saved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import ChronologyEntry
from opencsc.looked_after import selectors, services
from opencsc.looked_after.models import Episode
from tests.looked_after.conftest import CARLISLE, UNKNOWN, WYCOMBE

D = dt.date


def _codes(child):
    return [
        (
            e.started_on,
            e.reason_new_episode,
            e.legal_status,
            e.ended_on,
            e.reason_ceased,
            e.reason_placement_changed,
        )
        for e in Episode.objects.filter(child=child).order_by("started_on", "id")
    ]


def _snapshot(child):
    return (
        _codes(child),
        AuditEvent.objects.filter(child=child).count(),
        ChronologyEntry.objects.filter(child=child).count(),
    )


def test_starting_care_records_an_s_episode_placed_out_of_county(start_care, child):
    episode = start_care()
    assert episode.reason_new_episode == "S"
    assert episode.home_postcode == "HP19 8FF"  # from the child's current address
    assert episode.placement_postcode == "CA1 1AA"
    assert episode.placement_la_code == "E06000063"  # Cumberland
    assert episode.placement_inside_authority is False
    assert episode.distance_miles == Decimal("229.4")
    assert episode.recorded_by is not None
    assert AuditEvent.objects.filter(child=child, verb="care.started").count() == 1
    assert ChronologyEntry.objects.filter(child=child, summary__contains="Became looked after").exists()


def test_a_placement_inside_the_authority(start_care):
    episode = start_care(placement_postcode="hp112ju")
    assert episode.placement_postcode == WYCOMBE
    assert episode.placement_inside_authority is True
    assert episode.distance_miles == Decimal("13.8")
    assert episode.placement_la_code == "E06000060"


def test_the_whole_episode_sequence_and_its_codes(start_care, move, worker, child):
    start_care(on=D(2025, 6, 2), legal_status="C1")
    services.episode_change_legal_status(
        actor=worker, child=child, changed_on=D(2025, 9, 1), legal_status="C2"
    )
    move(D(2025, 11, 3), reason="CREQB", placement_postcode=WYCOMBE)
    move(D(2026, 1, 5), same_carers=True, reason="PLACE", placement_type="U4", urn="XXXXXXX")
    services.episode_move_placement(
        actor=worker,
        child=child,
        moved_on=D(2026, 2, 2),
        same_carers=False,
        reason_placement_changed="CARPL",
        legal_status="E1",
        placement_type="A6",
        placement_provider="PR1",
        urn="SC654321",
        placement_postcode=WYCOMBE,
    )
    services.episode_move_placement(
        actor=worker,
        child=child,
        moved_on=D(2026, 3, 2),
        same_carers=True,
        reason_placement_changed="PLACE",
        legal_status="C2",
        placement_type="A5",
        placement_provider="PR1",
        urn="SC654321",
        placement_postcode=WYCOMBE,
    )
    services.episode_end_care(actor=worker, child=child, ended_on=D(2026, 4, 20), reason_ceased="E11")
    assert _codes(child) == [
        (D(2025, 6, 2), "S", "C1", D(2025, 9, 1), "X1", ""),
        (D(2025, 9, 1), "L", "C2", D(2025, 11, 3), "X1", "CREQB"),
        (D(2025, 11, 3), "P", "C2", D(2026, 1, 5), "X1", "PLACE"),
        (D(2026, 1, 5), "T", "C2", D(2026, 2, 2), "X1", "CARPL"),
        (D(2026, 2, 2), "B", "E1", D(2026, 3, 2), "X1", "PLACE"),
        (D(2026, 3, 2), "U", "C2", D(2026, 4, 20), "E11", ""),
    ]
    legal_change = Episode.objects.get(child=child, reason_new_episode="L")
    assert legal_change.placement_postcode == CARLISLE and legal_change.distance_miles == Decimal("229.4")
    assert selectors.open_episode(child) is None


def test_starting_care_while_looked_after_is_refused(start_care, child):
    start_care()
    before = _snapshot(child)
    with pytest.raises(ValidationError) as refused:
        start_care(on=D(2026, 4, 1))
    assert "already looked after" in refused.value.message_dict["started_on"][0]
    assert _snapshot(child) == before


def test_a_start_overlapping_an_earlier_period_of_care_is_refused(start_care, worker, child):
    start_care(on=D(2025, 6, 2))
    services.episode_end_care(actor=worker, child=child, ended_on=D(2025, 12, 1), reason_ceased="E4A")
    before = _snapshot(child)
    for overlapping in (D(2025, 10, 1), D(2025, 12, 1), D(2025, 5, 1)):
        with pytest.raises(ValidationError) as refused:
            start_care(on=overlapping)
        message = refused.value.message_dict["started_on"][0]
        assert "overlaps an earlier episode of care (2 June 2025 to 1 December 2025)" in message
    assert _snapshot(child) == before
    assert start_care(on=D(2025, 12, 2)).reason_new_episode == "S"  # the day after is a new period of care


@pytest.mark.parametrize("step", ["move", "legal_status", "end"])
def test_a_step_with_no_open_episode_is_refused(step, worker, child, move):
    before = _snapshot(child)
    with pytest.raises(ValidationError) as refused:
        if step == "move":
            move(D(2026, 5, 1))
        elif step == "legal_status":
            services.episode_change_legal_status(
                actor=worker, child=child, changed_on=D(2026, 5, 1), legal_status="C2"
            )
        else:
            services.episode_end_care(actor=worker, child=child, ended_on=D(2026, 5, 1), reason_ceased="E4A")
    assert "is not looked after" in " ".join(refused.value.messages)
    assert _snapshot(child) == before


def test_dates_in_the_future_or_before_the_open_episode_are_refused(start_care, move, worker, child):
    start_care(on=D(2026, 3, 25))
    before = _snapshot(child)
    with pytest.raises(ValidationError) as future:
        move(D(2026, 5, 12))
    assert future.value.message_dict["moved_on"] == ["The date of the move must be today or in the past"]
    with pytest.raises(ValidationError) as early:
        move(D(2026, 3, 24))
    assert "on or after 25 March 2026" in early.value.message_dict["moved_on"][0]
    with pytest.raises(ValidationError):
        services.episode_end_care(actor=worker, child=child, ended_on=D(2026, 3, 1), reason_ceased="E4A")
    with pytest.raises(ValidationError):
        start_care(on=D(2026, 6, 1))
    assert _snapshot(child) == before


def test_ending_care_needs_a_reason_other_than_x1(start_care, worker, child):
    start_care()
    before = _snapshot(child)
    with pytest.raises(ValidationError) as refused:
        services.episode_end_care(actor=worker, child=child, ended_on=D(2026, 5, 1), reason_ceased="X1")
    assert "X1 is for an episode followed by another" in refused.value.message_dict["reason_ceased"][0]
    assert _snapshot(child) == before


def test_every_episode_needs_a_category_of_need_and_legal_status(start_care, child):
    with pytest.raises(ValidationError) as refused:
        start_care(category_of_need="N9", legal_status="XX")
    assert refused.value.message_dict["category_of_need"] == ["Select the category of need"]
    assert refused.value.message_dict["legal_status"] == ["Select the legal status"]
    assert not Episode.objects.filter(child=child).exists()


def test_an_unknown_postcode_is_accepted_flagged_and_excluded(start_care, child):
    episode = start_care(placement_postcode=UNKNOWN)
    assert episode.placement_postcode == "HP19 9ZZ"
    assert episode.placement_la_code == ""
    assert episode.placement_inside_authority is None
    assert episode.distance_miles is None
    assert selectors.location_note(episode) == "Postcode not found: distance and location unknown"
    history = selectors.care_history(child)
    assert history.distance_figures == []
    assert history.summary.placement.location_known is False


def test_a_malformed_postcode_is_refused_with_nothing_saved(start_care, move, child):
    with pytest.raises(ValidationError) as refused:
        start_care(placement_postcode="not a postcode")
    assert refused.value.message_dict["placement_postcode"] == ["Enter a full UK postcode, like HP19 8FF"]
    assert not Episode.objects.filter(child=child).exists()
    start_care()
    before = _snapshot(child)
    with pytest.raises(ValidationError):
        move(D(2026, 5, 1), placement_postcode="")
    assert _snapshot(child) == before
    assert selectors.open_episode(child).reason_new_episode == "S"


def test_an_unknown_home_postcode_leaves_the_distance_unknown(start_care, child):
    episode = start_care(home_postcode=UNKNOWN)
    assert episode.placement_inside_authority is False
    assert episode.distance_miles is None
    assert selectors.location_note(episode) == "Home postcode not found: distance unknown"


def test_urn_is_required_unless_the_type_does_not_need_one(start_care, child):
    with pytest.raises(ValidationError) as refused:
        start_care(placement_type="K2", urn="")
    assert "URN" in refused.value.message_dict["urn"][0]
    with pytest.raises(ValidationError) as bad_shape:
        start_care(placement_type="K2", urn="12AB")
    assert "SC followed by 6 numbers" in bad_shape.value.message_dict["urn"][0]
    assert not Episode.objects.filter(child=child).exists()
    assert start_care(placement_type="P1", placement_provider="PR0", urn="").urn == ""


def test_a_move_needs_the_reason_for_the_change_unless_temporary(start_care, move, child):
    start_care()
    with pytest.raises(ValidationError) as refused:
        move(D(2026, 5, 1), reason="")
    assert refused.value.message_dict["reason_placement_changed"] == [
        "Select the reason the placement changed"
    ]
    short = move(D(2026, 5, 1), same_carers=False, reason="", placement_type="T4", urn="")
    assert short.reason_new_episode == "P"


def test_the_same_move_twice_on_one_day_is_refused_and_the_open_episode_kept(start_care, move, child):
    start_care()
    move(D(2026, 5, 1))
    before = _snapshot(child)
    with pytest.raises(ValidationError) as refused:
        move(D(2026, 5, 1))
    assert "already starts on 1 May 2026" in refused.value.message_dict["moved_on"][0]
    assert _snapshot(child) == before
    assert selectors.open_episode(child).started_on == D(2026, 5, 1)


def test_someone_who_cannot_change_the_record_is_refused(start_care, make_user, child):
    auditor = make_user(Role.AUDITOR, None)
    with pytest.raises(PermissionDenied):
        services.episode_start_care(
            actor=auditor,
            child=child,
            started_on=D(2026, 5, 1),
            legal_status="C2",
            category_of_need="N1",
            placement_type="U6",
            placement_provider="PR1",
            urn="SC123456",
            placement_postcode=CARLISLE,
        )
    assert not Episode.objects.filter(child=child).exists()


# Placement stability ---------------------------------------------------------------------------------------


def test_stability_counts_the_placement_open_on_1_april_and_each_new_one(start_care, move, worker, child):
    start_care(on=D(2026, 2, 2))  # before the 2026-27 year
    services.episode_change_legal_status(
        actor=worker, child=child, changed_on=D(2026, 4, 10), legal_status="C1"
    )
    move(D(2026, 4, 20), same_carers=False, reason="", placement_type="T4", urn="")  # a short move
    move(D(2026, 4, 25), same_carers=False, reason="", placement_type="U6")  # and the return
    stability = selectors.placement_stability(selectors.child_episodes(child))
    assert stability.year_label == "2026-27"
    assert stability.this_year == 3  # open on 1 April, the short move, the return (the L episode is no move)
    assert stability.last_12_months == 3  # the S episode started in the window, then the two moves


def test_stability_counts_a_placement_starting_on_1_april_once(start_care, move, child):
    start_care(on=D(2026, 1, 5))
    move(D(2026, 4, 1))
    stability = selectors.placement_stability(selectors.child_episodes(child))
    assert stability.this_year == 1


def test_stability_window_edges(start_care, move, worker, child):
    start_care(on=D(2025, 3, 3))
    move(D(2025, 4, 1), placement_postcode=WYCOMBE)  # in 2025-26 only
    move(D(2025, 5, 12), placement_postcode=CARLISLE)  # inside the last 12 months (from 11 May 2025)
    services.episode_end_care(actor=worker, child=child, ended_on=D(2025, 6, 1), reason_ceased="E4A")
    episodes = selectors.child_episodes(child)
    assert selectors.placements_in_window(episodes, D(2025, 4, 1), D(2026, 3, 31)) == 2
    assert selectors.placements_in_window(episodes, D(2024, 4, 1), D(2025, 3, 31)) == 1
    stability = selectors.placement_stability(episodes)
    assert stability.last_12_months == 2  # the placement open on 11 May 2025 and the move on 12 May
    assert stability.this_year == 0
