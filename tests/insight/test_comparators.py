"""Published comparators: loading the DfE's files, the neighbours' average, range and rank, region and England,
and the refusal of a file OpenCSC cannot read (nothing stored). Fixtures: tests/insight/published_fixtures
(hand-made, in the published layout; the figures are invented so each number here is worked out by hand)."""

import datetime as dt
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


def test_the_dashboard_shows_each_measure_beside_its_neighbours_for_the_latest_year_loaded(
    loaded, analyst, make_user, client_for
):
    from opencsc.insight.dashboard import dashboard_for

    comparators_load(actor=analyst, files=[_file("csww_indicators_fixture.csv")], year=2025)
    board = dashboard_for(on=dt.date(2026, 1, 15), user=make_user(Role.DIRECTOR))
    rows = {row.id: row for row in board.kpis}
    rereferrals = rows["rereferral_rate_12m"].neighbours
    assert (rereferrals.year, rereferrals.rank, rereferrals.average) == (2025, 5, Decimal("23.1"))
    # the figure from our records is the stored trend point at 31 March 2025, the same year
    march = next(
        point for point in rows["rereferral_rate_12m"].trend if point.month_end == dt.date(2025, 3, 31)
    )
    assert rereferrals.from_records == march.value
    # England's published figure replaces the one typed in national.py, with its source
    assert rows["rereferral_rate_12m"].comparator.value == Decimal("22.6")
    assert "C1 Referrals" in rows["rereferral_rate_12m"].comparator.source
    assert rows["cpp_ended_2y_plus_rate"].neighbours is None  # D7 not loaded: national.py's figure stays
    assert rows["cpp_ended_2y_plus_rate"].comparator.value == Decimal("4.4")
    assert rows["referrals"].neighbours is None  # a count is not compared
    turnover = {measure.key: measure for measure in board.workforce.measures}["turnover_rate"].neighbours
    # neighbours 10, 11, 13, 15, 17, 19, 20, 21, 22 (one suppressed): 148 / 9 = 16.4; 10 and 11 beat our 12.0
    assert (turnover.period, turnover.average, turnover.rank, turnover.region) == (
        "30 September 2025",
        Decimal("16.4"),
        3,
        None,
    )
    page = client_for(make_user(Role.DIRECTOR)).get("/insight/dashboard/?on=2026-01-15").content.decode()
    assert 'data-testid="neighbours-rereferral_rate_12m"' in page
    assert "Ranked 5 of 10" in page and "Test neighbour 8" in page and "South East" in page
    assert "C1 Referrals and re-referrals to children&#39;s social care services by local authority" in page


def test_a_published_year_that_has_not_ended_on_the_page_s_day_is_not_shown(loaded):
    from opencsc.insight.comparators import comparison_on

    published = PublishedSet()
    assert comparison_on(published, "rereferral_rate_12m", on=dt.date(2025, 3, 30), our_points={}) is None
    assert (
        comparison_on(published, "rereferral_rate_12m", on=dt.date(2025, 3, 31), our_points={}).year == 2025
    )


def test_the_analyst_loads_files_on_the_page_and_the_kpi_page_shows_the_same_year(
    analyst, client_for, make_user
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(analyst)
    files = [
        SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv")
        for name in ("c1_referrals_fixture.csv", "neighbours_fixture.csv")
    ]
    response = client.post("/insight/comparators/", {"year": "2025", "files": files})
    assert response.status_code == 302
    page = client.get("/insight/comparators/").content.decode()
    assert (
        "Test neighbour 1 (901)" in page
        and "(910)" in page
        and "c1_referrals_fixture.csv (C1, 30 rows)" in page
    )
    kpis = client_for(make_user(Role.DIRECTOR)).get("/insight/kpis/?year=2025").content.decode()
    assert 'id="neighbours-rereferral_rate_12m"' in kpis and "Ranked 5 of 10" in kpis
    assert "No published figures" in client.get("/insight/kpis/?year=2024").content.decode()


def test_a_refused_load_on_the_page_names_the_file_keeps_the_year_and_stores_nothing(analyst, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = _counts()
    upload = SimpleUploadedFile(
        "c1_malformed_fixture.csv",
        (FIXTURES / "c1_malformed_fixture.csv").read_bytes(),
        content_type="text/csv",
    )
    response = client_for(analyst).post("/insight/comparators/", {"year": "2025", "files": [upload]})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was loaded" in page and "c1_malformed_fixture.csv: holds no measure" in page
    assert (
        "rereferral_percent" in page and 'name="year" inputmode="numeric" maxlength="4" value="2025"' in page
    )
    assert _counts() == before
    missing = client_for(analyst).post("/insight/comparators/", {"year": ""})
    assert "Reporting year: Enter the reporting year" in missing.content.decode()
    assert "Published files: Choose at least one published file" in missing.content.decode()
    assert _counts() == before


def test_the_board_pack_page_and_pdf_show_the_neighbour_comparison(loaded, make_user, client_for):
    import io

    from django.urls import reverse
    from pypdf import PdfReader

    client = client_for(make_user(Role.CHIEF_EXECUTIVE))
    page = client.get(reverse("board:pack") + "?on=2026-01-15").content.decode()
    assert 'data-testid="neighbours-rereferral_rate_12m"' in page and "Ranked 5 of 10" in page
    pdf = client.get(reverse("board:pack_pdf") + "?on=2026-01-15").content
    flat = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Against statistical neighbours, the region and England" in flat
    assert "year to 31 March 2025" in flat and "5 of 10" in flat and "23.1%" in flat
