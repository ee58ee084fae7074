"""Published comparators: loading the DfE's files, the neighbours' average, range and rank, region and England,
and the refusal of a file OpenCSC cannot read (nothing stored). Fixtures: tests/insight/published_fixtures
(hand-made, in the published layout; the figures are invented so each number here is worked out by hand)."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.insight.comparators import LoadRefused, PublishedSet, comparators_load
from opencsc.insight.models import ComparatorLoad, PublishedFigure, StatisticalNeighbour

FIXTURES = Path(__file__).parent / "published_fixtures"


def _file(name: str) -> tuple[str, bytes]:
    return name, (FIXTURES / name).read_bytes()


def _counts() -> tuple[int, int, int, int]:
    return (
        ComparatorLoad.objects.count(),
        PublishedFigure.objects.count(),
        StatisticalNeighbour.objects.count(),
        AuditEvent.objects.filter(verb="comparators.load").count(),
    )


@pytest.fixture
def analyst(make_user):
    return make_user(Role.PERFORMANCE_ANALYST)


@pytest.fixture
def loaded(analyst):
    return comparators_load(
        actor=analyst,
        files=[
            _file("c1_referrals_fixture.csv"),
            _file("c2_assessments_fixture.csv"),
            _file("neighbours_fixture.csv"),
        ],
        year=2025,
    )


def test_a_load_stores_each_area_of_the_year_asked_and_the_neighbours_and_is_audited(loaded, analyst):
    # C1: England, 2 regions, us, 10 neighbours and one more authority, 2 measures each; 2024's row not read
    assert PublishedFigure.objects.filter(data_set="C1").count() == (1 + 2 + 1 + 10 + 1) * 2
    assert not PublishedFigure.objects.filter(year=2024).exists()
    assert (
        PublishedFigure.objects.get(measure="rereferral_rate_12m", level="la", area_code="909").value is None
    )  # published as c
    assert StatisticalNeighbour.objects.filter(la_code="825").count() == 10
    assert list(
        StatisticalNeighbour.objects.filter(la_code="825").values_list("neighbour_code", flat=True)[:3]
    ) == ["901", "902", "903"]
    event = AuditEvent.objects.get(verb="comparators.load")
    assert event.actor == analyst and event.payload["year"] == 2025
    assert [item["data_set"] for item in event.payload["files"]] == ["C1", "C2", "neighbours"]


def test_average_range_rank_region_and_england_worked_out_by_hand(loaded):
    comparison = PublishedSet().comparison("rereferral_rate_12m", 2025, from_records=30.0)
    # neighbours 18, 20, 22, 24, 26, 28, 30, 19, (suppressed), 21: nine averaged; 911 is not a neighbour
    assert [area.code for area in comparison.neighbours] == [f"9{n:02}" for n in range(1, 11)]
    assert len(comparison.valued) == 9
    assert comparison.average == Decimal("23.1")  # 208 / 9 = 23.11
    assert (comparison.lowest, comparison.highest) == (Decimal("18.0"), Decimal("30.0"))
    # lower is better: 18, 19, 20 and 21 are better than our published 21.5 (not the 30.0 from records)
    assert comparison.us.value == Decimal("21.5") and comparison.ranked_on == "published"
    assert (comparison.rank, comparison.ranked_count) == (5, 10)
    assert (comparison.region.name, comparison.region.value) == ("South East", Decimal("22.9"))
    assert comparison.england.value == Decimal("22.6")
    assert comparison.period == "year to 31 March 2025"
    assert "C1 Referrals and re-referrals" in comparison.source and "reporting year 2025" in comparison.source
    assert [area.value for area in comparison.ranked()][:5] == [
        Decimal("18.0"),
        Decimal("19.0"),
        Decimal("20.0"),
        Decimal("21.0"),
        Decimal("21.5"),
    ]
    assert 'fill="#f47738"' in comparison.chart  # our bar highlighted
    assert "ranked 5 of 10" in comparison.chart


def test_no_further_action_from_the_same_file(loaded):
    comparison = PublishedSet().comparison("referral_nfa_rate", 2025)
    # neighbours 4, 5, 6, 7, 8, 9, 10, 3, (suppressed), 2: 54 / 9 = 6.0; lower is better: 4, 3 and 2 beat our 5.0
    assert (comparison.average, comparison.lowest, comparison.highest) == (
        Decimal("6.0"),
        Decimal("2.0"),
        Decimal("10.0"),
    )
    assert (comparison.rank, comparison.ranked_count) == (4, 10)
    assert comparison.from_records is None


def test_a_rate_worked_out_from_published_bands_and_higher_is_better(loaded):
    comparison = PublishedSet().comparison("assessments_within_45wd_rate", 2025)
    # England: 555,820 of 648,830 within 45 working days (the published 2025 bands) = 85.7%
    assert comparison.england.value == Decimal("85.7")
    assert comparison.region.value == Decimal("81.0")  # 810 of 1,000
    assert comparison.us.value == Decimal("85.0")  # 170 of 200
    # neighbour 1: 90 of 100; neighbour 2 suppressed; the other eight not in the file
    assert [area.value for area in comparison.neighbours][:2] == [Decimal("90.0"), None]
    assert comparison.average == Decimal("90.0") and len(comparison.valued) == 1
    assert (comparison.rank, comparison.ranked_count) == (2, 2)  # higher is better: 90 beats 85


def test_without_our_published_figure_the_figure_from_records_is_ranked(loaded):
    PublishedFigure.objects.filter(area_code="825").delete()
    comparison = PublishedSet().comparison("rereferral_rate_12m", 2025, from_records=17.96)
    assert comparison.ranked_on == "records" and comparison.our_value == Decimal("18.0")
    assert comparison.rank == 1  # ties share the better rank: 18.0 with neighbour 1
    assert comparison.region is None  # the file places us in no region


def test_a_second_load_of_the_same_year_replaces_the_figures(loaded, analyst):
    figures = PublishedFigure.objects.count()
    comparators_load(actor=analyst, files=[_file("c1_referrals_fixture.csv")], year=2025)
    assert PublishedFigure.objects.count() == figures
    assert ComparatorLoad.objects.count() == 2
    assert StatisticalNeighbour.objects.count() == 20  # untouched by a load without a neighbours list


def _refused(analyst, files, year, *expected):
    before = _counts()
    with pytest.raises(LoadRefused) as refusal:
        comparators_load(actor=analyst, files=files, year=year)
    message = str(refusal.value)
    for text in expected:
        assert text in message, message
    assert _counts() == before
    return message


def test_a_malformed_file_is_refused_naming_the_file_and_column_and_nothing_is_stored(analyst, db):
    _refused(
        analyst,
        [_file("neighbours_fixture.csv"), _file("c1_malformed_fixture.csv")],
        2025,
        "c1_malformed_fixture.csv",
        "rereferral_percent",
        "holds no measure OpenCSC compares",
    )


def test_a_file_of_the_wrong_year_is_refused_and_nothing_of_the_load_is_stored(analyst, db):
    _refused(
        analyst,
        [_file("c2_assessments_fixture.csv"), _file("c1_referrals_fixture.csv")],
        2024,
        "c2_assessments_fixture.csv: holds 2025 in its time_period column, not 2024",
    )
    _refused(
        analyst,
        [_file("c1_referrals_fixture.csv")],
        2023,
        "c1_referrals_fixture.csv: holds 2024 to 2025 in its time_period column, not 2023",
    )


def test_a_file_that_is_not_a_published_data_file_is_refused(analyst, db):
    _refused(analyst, [("notes.csv", b"name,age\nA,3\n")], 2025, "notes.csv", "time_period")
    _refused(analyst, [("empty.csv", b"")], 2025, "empty.csv: is empty")
    _refused(analyst, [("book.xlsx", b"not a workbook")], 2025, "book.xlsx: cannot be opened")


def test_a_neighbours_list_without_this_authority_is_refused(analyst, db):
    content = (FIXTURES / "neighbours_fixture.csv").read_text().replace("825,", "826,", 1).encode()
    _refused(analyst, [("neighbours.csv", content)], 2025, "neighbours.csv: has no row for this authority")


def test_two_files_of_one_data_set_in_one_load_are_refused(analyst, db):
    _refused(
        analyst,
        [
            _file("c1_referrals_fixture.csv"),
            ("again.csv", (FIXTURES / "c1_referrals_fixture.csv").read_bytes()),
        ],
        2025,
        "again.csv: is a second C1 file",
    )


def test_the_command_loads_and_refuses_like_the_page(analyst, capsys):
    call_command(
        "comparators",
        "load",
        str(FIXTURES / "c1_referrals_fixture.csv"),
        str(FIXTURES / "neighbours_fixture.csv"),
        "--year",
        "2025",
        "--as",
        analyst.username,
    )
    assert "C1" in capsys.readouterr().out
    load = ComparatorLoad.objects.get()
    assert load.loaded_by == analyst and "command line" in load.loaded_from
    before = _counts()
    with pytest.raises(CommandError, match="not 2022"):
        call_command("comparators", "load", str(FIXTURES / "c1_referrals_fixture.csv"), "--year", "2022")
    assert _counts() == before
