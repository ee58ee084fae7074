"""Ofsted Annex A: headers and formats, who each list takes at the edges of its period, the round trip through
the importer, and bad input."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import (
    Allocation,
    Assessment,
    CaseNote,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    NoteStatus,
    NoteType,
    Section47Enquiry,
)
from opencsc.earlyhelp.models import EarlyHelpAssessment, EarlyHelpEpisode
from opencsc.frontdoor.models import Contact, ContactChild, Referral
from opencsc.looked_after.models import (
    AdoptionMilestones,
    CareLeaverContact,
    CareReview,
    Episode,
    HealthAndEducationCheck,
    MissingEpisode,
    UnaccompaniedAsylumSeeker,
)
from opencsc.people.models import Child, ChildDisability
from opencsc.returns.annexa import layout
from opencsc.returns.annexa.export import annexa_rows, annexa_workbook_bytes, period
from opencsc.returns.annexa.importer import READ_COLUMNS, import_annexa_files
from tests.returns.conftest import make_child

D = dt.date
ON = D(2026, 3, 31)  # --year 2026: lists 1-9 cover 1 October 2025 to 31 March 2026
BEFORE, FIRST, LAST, AFTER = D(2025, 9, 30), D(2025, 10, 1), D(2026, 3, 31), D(2026, 4, 1)


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def contact(child: Child, received: dt.datetime, source: str = "6") -> Contact:
    row = Contact.objects.create(
        reference=f"T{Contact.objects.count() + 1:05d}",
        received_at=received,
        channel="phone",
        source=source,
        concerns="Worried",
        status="decided",
        decision="assessment",
        decided_at=received,
        decision_due_on=received.date(),
    )
    ContactChild.objects.create(contact=row, child=child)
    return row


def visit(child: Child, author, day: dt.date, *, alone: bool | None = True) -> CaseNote:
    note = CaseNote.objects.create(
        note_type=NoteType.VISIT,
        title="Visit",
        body="Seen at home",
        event_on=day,
        child_seen=True,
        child_seen_alone=alone,
        status=NoteStatus.FINAL,
        finalised_at=at(day, 17),
        author=author,
    )
    note.children.add(child)
    return note


def episode(child, started, *, rne="S", ls="C2", place="U4", ended=None, rec="", **fields) -> Episode:
    return Episode.objects.create(
        child=child,
        started_on=started,
        reason_new_episode=rne,
        legal_status=ls,
        category_of_need="N1",
        placement_type=place,
        placement_provider=fields.pop("provider", "PR1"),
        ended_on=ended,
        reason_ceased=rec,
        **fields,
    )


@pytest.fixture
def authority(db, teams, make_user):
    """Children at every stage, each dated to sit just inside the 2026 lists."""
    worker = make_user(Role.SOCIAL_WORKER, teams["north"], first_name="Sam", last_name="Worker")
    protected = make_child("A0001", sex="M", date_of_birth=D(2014, 4, 1), ethnicity="BAFR")
    ChildDisability.objects.create(child=protected, code="AUT")
    Allocation.objects.create(child=protected, worker=worker, team=teams["north"], started_on=D(2025, 10, 2))
    contact(protected, at(FIRST, 0, 0), source="3A")
    referral = Referral.objects.create(
        child=protected, referral_date=FIRST, source="3A", route="strategy", primary_need="N1"
    )
    Referral.objects.create(
        child=protected,
        referral_date=D(2025, 4, 1),
        source="2A",
        route="assessment",
        is_nfa=True,
        closed_on=D(2025, 4, 1),
    )
    Assessment.objects.create(
        child=protected,
        referral=referral,
        started_on=FIRST,
        child_seen_on=D(2025, 10, 3),
        authorised_on=D(2025, 11, 20),
        outcome="support",
    )
    enquiry = Section47Enquiry.objects.create(
        child=protected,
        referral=referral,
        started_on=D(2025, 10, 2),
        completed_on=D(2025, 10, 20),
        outcome="icpc",
    )
    icpc = ChildProtectionConference.objects.create(
        child=protected,
        kind=ConferenceKind.INITIAL,
        section_47=enquiry,
        held_on=D(2025, 10, 20),
        plan_decided=True,
        category="NEG",
    )
    plan = ChildProtectionPlan.objects.create(
        child=protected,
        referral=referral,
        initial_conference=icpc,
        started_on=D(2025, 10, 20),
        initial_category="NEG",
        latest_category="EMO",
        previous_plans=1,
    )
    ChildProtectionConference.objects.create(
        child=protected, kind=ConferenceKind.REVIEW, plan=plan, held_on=D(2026, 1, 19), plan_decided=True
    )
    visit(protected, worker, D(2026, 3, 20), alone=False)

    looked_after = make_child("A0002", sex="F", date_of_birth=D(2011, 2, 3))
    episode(looked_after, D(2025, 6, 1), ls="V2", place="U6", ended=D(2025, 11, 3), rec="X1")
    episode(
        looked_after,
        D(2025, 11, 3),
        rne="L",
        ls="C2",
        place="U6",
        ended=D(2026, 1, 5),
        rec="X1",
    )
    episode(
        looked_after,
        D(2026, 1, 5),
        rne="P",
        ls="C2",
        place="K2",
        provider="PR4",
        urn="SC123456",
        placement_postcode="HP19 8FF",
        placement_la_code="E06000060",
        placement_inside_authority=True,
    )
    UnaccompaniedAsylumSeeker.objects.create(child=looked_after)
    CareReview.objects.create(child=looked_after, held_on=D(2026, 2, 2), participation="PN1")
    HealthAndEducationCheck.objects.create(child=looked_after, kind="review_health", done_on=D(2025, 12, 1))
    HealthAndEducationCheck.objects.create(child=looked_after, kind="dental", done_on=D(2026, 1, 10))
    MissingEpisode.objects.create(
        child=looked_after,
        kind="M",
        started_at=at(D(2026, 2, 10), 20),
        returned_at=at(D(2026, 2, 11), 8),
        interview_offered_at=at(D(2026, 2, 11), 12),
        interview_declined=True,
    )

    leaver = make_child("A0003", sex="M", date_of_birth=D(2007, 5, 5))
    episode(leaver, D(2022, 1, 1), ls="C2", place="U4", ended=D(2025, 5, 5), rec="E17")
    CareLeaverContact.objects.create(
        child=leaver,
        contacted_on=D(2026, 3, 1),
        eligibility="former_relevant",
        in_touch="YES",
        accommodation="Z",
        accommodation_suitable=True,
        activity="F2",
    )

    adopted = make_child("A0004", sex="F", date_of_birth=D(2023, 8, 8))
    episode(adopted, D(2024, 1, 2), ls="C2", place="U6", ended=D(2024, 9, 1), rec="X1")
    episode(adopted, D(2024, 9, 1), rne="B", ls="E1", place="U5", ended=D(2025, 4, 1), rec="E11")
    AdoptionMilestones.objects.create(
        child=adopted,
        decided_on=D(2024, 6, 1),
        placement_order_on=D(2024, 8, 20),
        matched_on=D(2024, 11, 1),
        placed_on=D(2024, 11, 20),
        adoption_order_on=D(2025, 4, 1),
    )

    unborn = make_child("A0005", sex="U", date_of_birth=None, expected_date_of_birth=D(2026, 5, 1))
    Referral.objects.create(
        child=unborn, referral_date=LAST, source="3B", route="assessment", is_nfa=True, closed_on=LAST
    )
    return {"worker": worker, "protected": protected, "looked_after": looked_after}


def _sheet(rows: dict, number: int) -> list[dict]:
    columns = layout.LIST_BY_NUMBER[number].columns
    return [dict(zip(columns, row, strict=True)) for row in rows[number]]


def _workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_the_period_is_six_months_up_to_the_reference_date():
    assert period(ON, 6) == (FIRST, LAST)
    assert period(D(2025, 8, 31), 6) == (D(2025, 3, 1), D(2025, 8, 31))  # 28 February + 1 day
    assert period(ON, 12) == (D(2025, 4, 1), LAST)


def test_sheets_and_headers_are_ofsteds(authority):
    workbook = _workbook(annexa_workbook_bytes(ON)[0])
    assert workbook.sheetnames == [f"List {n} - {a.title}" for n, a in enumerate(layout.LISTS, start=1)]
    for annex in layout.LISTS:
        header = [cell.value for cell in workbook[annex.sheet][1]]
        assert header == list(annex.columns)
    assert [c.value for c in workbook["List 1 - Contacts"][1]] == [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Date of Contact",
        "Contact Source",
    ]
    assert [c.value for c in workbook["List 10 - Adoption"][1]][:2] == [
        "Child Unique ID",
        "Family identifier",
    ]
    assert workbook.properties.keywords == "annexa-reference-date=2026-03-31"


def test_values_are_in_ofsteds_formats(authority):
    workbook = _workbook(annexa_workbook_bytes(ON)[0])
    row = list(workbook["List 3 - Referrals"][2])
    assert [cell.value for cell in row[:3]] == ["A0001", "a) Male", "o) BAFR"]
    assert row[3].value == dt.datetime(2014, 4, 1) and row[3].number_format == "dd/mm/yyyy"
    assert row[4].value == 11  # 11 on the reference date, 12 the next day
    assert row[5].value == dt.datetime(2025, 10, 1) and row[5].number_format == "dd/mm/yyyy"
    assert [cell.value for cell in row[6:]] == [
        "g) 3A: Health services",
        "b) No",
        2,  # 1 April 2025 and 1 October 2025: the 12 months run from 31 March 2025
        "Assessment North",
        "Sam Worker",
    ]
    unborn = [cell.value for cell in workbook["List 3 - Referrals"][3]]
    assert unborn[:7] == [
        "A0005",
        "c) Not stated/recorded",
        "a) WBRI",
        dt.datetime(2026, 5, 1),
        -1,
        dt.datetime(2026, 3, 31),
        "h) 3B: Health services",
    ]
    assert unborn[7] == "a) Yes"


def test_each_list_carries_the_recorded_values(authority):
    rows = annexa_rows(ON)
    assert _sheet(rows, 4)[0] == {
        **dict(zip(layout.COMMON, ["A0001", "a) Male", "o) BAFR", D(2014, 4, 1), 11], strict=True)),
        layout.DISABILITY: "a) Yes",
        "Continuous Assessment Start Date": FIRST,
        "Child Seen During Continuous Assessment": "a) Yes",
        "Continuous Assessment Date of Authorisation": D(2025, 11, 20),
        "Was the child assessed as requiring LA children's social care support?": "a) Yes",
        layout.TEAM: "Assessment North",
        layout.WORKER: "Sam Worker",
    }
    s47 = _sheet(rows, 5)[0]
    assert s47["Was an Initial Child Protection Conference deemed unnecessary?"] == "b) No"
    assert s47["Date of Initial Child Protection Conference"] == D(2025, 10, 20)
    assert s47["Did the Initial Child Protection Conference Result in a Child Protection Plan"] == "a) Yes"
    assert (
        s47["Number of Section 47 Enquiries in the last 12 months"],
        s47["Number of ICPCs in the last 12 months"],
    ) == (1, 1)
    cin = [r for r in _sheet(rows, 6) if r["Child Unique ID"] == "A0001"]
    assert len(cin) == 1  # the no-further-action referral is not a child-in-need episode
    assert cin[0]["Case Status"] == "b) Child Protection plan"
    assert cin[0]["Date Child Was Last Seen"] == D(2026, 3, 20)
    assert cin[0]["Primary Need Code"] == "N1 - Abuse or neglect"
    cp = _sheet(rows, 7)[0]
    assert (cp["Initial Category of Abuse"], cp["Latest Category of Abuse"]) == (
        "a) Neglect",
        "d) Emotional abuse",
    )
    assert cp["Date of the Last Statutory Visit"] == D(2026, 3, 20)
    assert cp["Was the Child Seen Alone?"] == "b) No"
    assert cp["Date of latest review conference"] == D(2026, 1, 19)
    assert cp["Number of Previous Child Protection Plans"] == 1
    care = _sheet(rows, 8)
    assert [r["Child Unique ID"] for r in care] == ["A0002"]  # the leaver ceased before the period
    care = care[0]
    assert care["Date Started to be Looked After"] == D(2025, 6, 1)
    assert care["Start date of current legal status"] == D(2025, 11, 3)
    assert care["Child's Legal Status"] == "C2: FCO"
    assert care["Start Date of Most Recent Placement"] == D(2026, 1, 5)
    assert care["Placement Type"].endswith("K2: Children's home")
    assert care["Placement Provider"] == "e) PR4: Private provision"
    assert care["Placement Location"] == "a) In"
    assert care["UASC within the Last 12 Months (Y/N)"] == "a) Yes"
    assert care["Number of Placements in the Last 12 months"] == 2
    assert care["Date of Latest Statutory Review"] == D(2026, 2, 2)
    assert (care["Date of Last Health Assessment"], care["Date of Last Dental Check"]) == (
        D(2025, 12, 1),
        D(2026, 1, 10),
    )
    missing = "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months"
    assert care[missing] == 1
    assert (
        care["Was the child offered a Return Interview after their last missing episode (Y/N)?"] == "a) Yes"
    )
    assert care["Did the child accept a Return Interview after their last missing episode (Y/N)?"] == "b) No"
    assert care["Date Ceased to be Looked After"] is None
    leaver = _sheet(rows, 9)[0]
    assert [leaver[c] for c in READ_COLUMNS[9]] == [
        "b) Former relevant child",
        "a) Yes",
        "Z: With former foster carers",
        "a) Suitable",
        "F2: Full-time education other than higher education",
    ]
    adoption = _sheet(rows, 10)[0]
    assert adoption["Date the Child Entered Care"] == D(2024, 1, 2)
    assert adoption["Date of Adoption Order"] == D(2025, 4, 1)  # first day of the 12-month period
    assert adoption["Date the child was placed for fostering in FFA or concurrent planning placement"] == D(
        2024, 9, 1
    )
    assert rows[2] == [] and rows[11] == []


@pytest.mark.parametrize("day, included", [(BEFORE, False), (FIRST, True), (LAST, True), (AFTER, False)])
def test_contacts_and_referrals_at_the_period_edges(db, day, included):
    child = make_child("E0001")
    contact(child, at(day, 0, 0) if day != LAST else at(day, 23, 59))
    Referral.objects.create(child=child, referral_date=day, source="6", route="assessment")
    rows = annexa_rows(ON)
    assert len(rows[1]) == len(rows[3]) == int(included)


@pytest.mark.parametrize("ended, included", [(BEFORE, False), (FIRST, True), (AFTER, True), (None, True)])
def test_plans_episodes_and_care_at_the_period_edges(db, ended, included):
    child = make_child("E0002")
    Referral.objects.create(
        child=child,
        referral_date=D(2025, 1, 6),
        source="6",
        route="assessment",
        closed_on=ended,
        closure_reason="RC7" if ended else "",
    )
    ChildProtectionPlan.objects.create(
        child=child, started_on=D(2025, 1, 6), ended_on=ended, initial_category="NEG", latest_category="NEG"
    )
    Assessment.objects.create(child=child, started_on=D(2025, 1, 6), authorised_on=ended)
    episode(child, D(2025, 1, 6), ended=ended, rec="E4A" if ended else "")
    rows = annexa_rows(ON)
    for number in (4, 6, 7, 8):
        assert len(rows[number]) == int(included), number
    if ended == AFTER:  # not happened yet on the reference date
        assert _sheet(rows, 7)[0]["Child Protection Plan End Date"] is None
        assert _sheet(rows, 8)[0]["Date Ceased to be Looked After"] is None
        assert _sheet(rows, 6)[0]["Reason for Closure"] is None


@pytest.mark.parametrize("started, included", [(BEFORE, False), (FIRST, True), (LAST, True), (AFTER, False)])
def test_section_47_enquiries_started_in_the_period(db, started, included):
    child = make_child("E0003")
    Section47Enquiry.objects.create(child=child, started_on=started)
    assert len(annexa_rows(ON)[5]) == int(included)


@pytest.mark.parametrize(
    "started, completed, included, completion_shown",
    [
        (D(2025, 6, 2), BEFORE, False, None),  # completed the day before the period began
        (D(2025, 6, 2), FIRST, True, FIRST),
        (LAST, None, True, None),
        (
            D(2026, 3, 2),
            AFTER,
            True,
            None,
        ),  # completed after the reference date: not yet, as far as the list goes
        (AFTER, None, False, None),
    ],
)
def test_early_help_assessments_live_in_the_period_fill_list_2(
    db, make_user, started, completed, included, completion_shown
):
    child = make_child("E0010")
    episode = EarlyHelpEpisode.objects.create(
        child=child,
        started_on=started,
        started_by="request",
        lead_name="Sam Teacher",
        lead_organisation_kind="school",
        lead_organisation="Hill Street Primary School",
        lead_phone="01234 567890",
        recorded_by=make_user(Role.SOCIAL_WORKER),
    )
    EarlyHelpAssessment.objects.create(
        episode=episode,
        child=child,
        started_on=started,
        completed_on=completed,
        organisation="Hill Street Primary School",
    )
    rows = annexa_rows(ON)[2]
    assert len(rows) == int(included)
    if included:
        row = dict(zip(layout.LIST_BY_NUMBER[2].columns, rows[0], strict=True))
        assert row["Assessment start date"] == started
        assert row["Assessment completion date"] == completion_shown
        assert row["Organisation completing assessment"] == "Hill Street Primary School"
        assert row["Child Unique ID"] == "E0010"


def test_short_breaks_and_older_care_leavers_are_left_out(db):
    short_break = make_child("E0004")
    episode(short_break, D(2025, 12, 1), ls="V3", place="U6")
    too_old = make_child("E0005", date_of_birth=D(2000, 3, 31))  # 26 on the reference date
    just_25 = make_child("E0006", date_of_birth=D(2000, 4, 1))
    for child in (too_old, just_25):
        CareLeaverContact.objects.create(
            child=child, contacted_on=D(2026, 1, 1), eligibility="former_relevant", in_touch="YES"
        )
    rows = annexa_rows(ON)
    assert rows[8] == []
    assert [r[0] for r in rows[9]] == ["E0006"]


def test_on_draws_the_lists_up_for_another_day(authority, tmp_path):
    out = tmp_path / "annexa.xlsx"
    call_command("export", "annexa", year=2026, out=out, on="2025-10-01")
    workbook = openpyxl.load_workbook(out)
    assert workbook.properties.keywords == "annexa-reference-date=2025-10-01"
    referrals = list(workbook["List 3 - Referrals"].iter_rows(min_row=2, values_only=True))
    assert [r[5] for r in referrals] == [dt.datetime(2025, 10, 1)]  # 2 April to 1 October
    call_command("export", "annexa", year=2026, out=out, on="2025-09-30")
    referrals = list(openpyxl.load_workbook(out)["List 3 - Referrals"].iter_rows(min_row=2, values_only=True))
    assert [r[5] for r in referrals] == [dt.datetime(2025, 4, 1)]  # 1 April to 30 September
    with pytest.raises(CommandError, match="does not apply"):
        call_command("export", "cin", year=2026, out=tmp_path / "cin.xml", on="2025-10-01")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export", "annexa", year=2026, out=out, on="01/10/2025")


# --- import ---------------------------------------------------------------------------------------------


def _read_columns(rows: dict) -> dict:
    """Each list's rows cut down to the child's columns and the columns the import reads."""
    projected = {}
    for number, columns in READ_COLUMNS.items():
        wanted = [
            c
            for c in (*layout.COMMON, layout.DISABILITY, *columns)
            if c in layout.LIST_BY_NUMBER[number].columns
        ]
        projected[number] = sorted(
            (tuple(str(row[c]) for c in wanted) for row in _sheet(rows, number)), key=str
        )
    return projected


def _empty_database() -> None:
    from opencsc.synthetic.generator import clear_generated_data

    clear_generated_data()  # every child and everything about them
    assert not Child.objects.exists() and not Episode.objects.exists()


def _round_trip(tmp_path, on=ON):
    data, first = annexa_workbook_bytes(on)
    path = tmp_path / "annexa.xlsx"
    path.write_bytes(data)
    _empty_database()
    report = import_annexa_files([path])
    assert report.ok, [str(p) for p in report.skipped + report.files_refused]
    second = annexa_rows(on)
    return path, first, second, report


def test_round_trip_through_an_empty_database(authority, tmp_path):
    path, first, second, report = _round_trip(tmp_path)
    assert _read_columns(second) == _read_columns(first)
    assert report.counts["child created"] == 5
    # Allocations come back where the team and worker are held here (this authority's staff stayed).
    for number in (3, 4, 5, 6, 7):
        allocated = [
            [(r[layout.TEAM], r[layout.WORKER]) for r in _sheet(rows, number)] for rows in (first, second)
        ]
        assert allocated[0] == allocated[1], number
    assert Child.objects.get(la_child_id="A0001").responsible_team.name == "Assessment North"
    assert AuditEvent.objects.filter(verb="import.annexa").exists()
    # The period of care was rebuilt as three episodes: started, legal status changed, placement changed.
    looked_after = Child.objects.get(la_child_id="A0002")
    assert list(
        looked_after.care_episodes.values_list("started_on", "reason_new_episode", "reason_ceased")
    ) == [
        (D(2025, 6, 1), "S", "X1"),
        (D(2025, 11, 3), "L", "X1"),
        (D(2026, 1, 5), "P", ""),
    ]
    assert Child.objects.get(la_child_id="A0005").expected_date_of_birth == D(2026, 5, 1)
    again = import_annexa_files([path])
    assert again.ok and again.counts == {}


def test_importing_into_the_authority_it_came_from_changes_nothing(authority, tmp_path):
    path = tmp_path / "annexa.xlsx"
    path.write_bytes(annexa_workbook_bytes(ON)[0])
    children, referrals = Child.objects.count(), Referral.objects.count()
    report = import_annexa_files([path])
    assert report.ok
    assert (Child.objects.count(), Referral.objects.count()) == (children, referrals)
    assert report.counts == {}


def test_a_generated_authority_round_trips(db, tmp_path):
    call_command("generate", children=500, seed=8, today=D(2026, 4, 20), verbosity=0, replace=True)
    path, first, second, _ = _round_trip(tmp_path)
    assert all(first[n] for n in (1, 3, 4, 5, 6, 7, 8, 9, 10)), {n: len(rows) for n, rows in first.items()}
    assert _read_columns(second) == _read_columns(first)


def _legacy_workbook(path, rows_by_sheet: dict[str, list[list]]) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in rows_by_sheet.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)


def test_a_legacy_systems_workbook_is_read_by_code(db, tmp_path):
    path = tmp_path / "legacy.xlsx"
    header = (
        ["Ofsted Annex A: list 3"],
        [],
        [
            "Child Unique ID",
            "Gender",
            "Ethnicity",
            "Date of Birth",
            "Age",
            "Date of referral",
            "Referral Source",
            "Referral NFA?",
            "Number of Referrals in Last 12 Months",
            "Allocated Team",
            "Allocated Worker",
        ],
    )
    _legacy_workbook(
        path,
        {
            "Cover": [["Annex A"]],
            "List 2 - Early Help": [[*layout.LIST_BY_NUMBER[2].columns], ["L1", "b) Female"]],
            "List 3": [
                *header,
                [
                    "L1",
                    "b) Female",
                    "j) AIND",
                    "04/05/2016",
                    9,
                    "02/01/2026",
                    "q) 6: Police",
                    "No",
                    1,
                    "Nowhere Team",
                    "No Body",
                ],
                [
                    "L2",
                    "Male",
                    "WBRI",
                    dt.datetime(2016, 5, 4),
                    9,
                    dt.datetime(2026, 1, 3),
                    "6",
                    "Y",
                    1,
                    "",
                    "",
                ],
                [
                    "L3",
                    "b) Female",
                    "j) AIND",
                    "2016-05-04",
                    9,
                    "02/01/2026",
                    "q) 6: Police",
                    "No",
                    1,
                    "",
                    "",
                ],
                [
                    "L4",
                    "b) Female",
                    "j) AIND",
                    "04/05/2016",
                    9,
                    "02/01/2026",
                    "z) 99: Martians",
                    "No",
                    1,
                    "",
                    "",
                ],
            ],
        },
    )
    report = import_annexa_files([path])
    assert report.files_read == [str(path)] and report.ok
    # A date or a label another system got wrong is flagged with its sheet and row; the child is kept.
    assert [(f.la_child_id, f.sheet, f.line, f.rule) for f in report.flags] == [
        ("L3", "List 3", 6, "IMPORT-DATE"),
        ("L4", "List 3", 7, "IMPORT-CODE"),
    ]
    assert "'Date of Birth' '2016-05-04' is not a date in the form dd/mm/yyyy" in report.flags[0].reason
    assert "'Referral Source' 'z) 99: Martians'" in report.flags[1].reason
    assert str(report.flags[0]).startswith(f"{path}, sheet 'List 3', row 6 (child L3): IMPORT-DATE: 'Date of")
    assert list(
        Referral.objects.order_by("child__la_child_id").values_list("child__la_child_id", "source", "is_nfa")
    ) == [
        ("L1", "6", False),
        ("L2", "6", True),
        ("L3", "6", False),
        ("L4", "99", False),
    ]
    assert Child.objects.get(la_child_id="L3").date_of_birth is None
    # Staff are never made up from a file: an allocation to a team and worker not held is left out, counted.
    assert report.counts["allocation left out: team or worker not held"] == 1
    assert (
        report.counts[
            "list 2 rows not read (an early help episode needs its lead professional, whom Annex A does not name)"
        ]
        == 1
    )
    assert not Allocation.objects.exists()


def test_unreadable_files_are_refused_whole(db, tmp_path):
    not_xlsx = tmp_path / "notes.xlsx"
    not_xlsx.write_text("Child Unique ID,Gender\n")
    no_lists = tmp_path / "no-lists.xlsx"
    _legacy_workbook(no_lists, {"Sheet1": [["Child Unique ID"]]})
    no_header = tmp_path / "no-header.xlsx"
    _legacy_workbook(no_header, {"List 1 - Contacts": [["ID", "Sex"]] * 12})
    missing = tmp_path / "missing.xlsx"
    _legacy_workbook(
        missing,
        {
            "List 7": [
                [
                    "Child Unique ID",
                    "Gender",
                    "Ethnicity",
                    "Date of Birth",
                    "Child Protection Plan Start Date",
                ]
            ]
        },
    )
    short = tmp_path / "short.xlsx"
    _legacy_workbook(short, {"List 2": [], "List 4": [["ID", "Sex"], ["C1", "M"]]})
    report = import_annexa_files([not_xlsx, no_lists, no_header, missing, short])
    reasons = {problem.file: problem.reason for problem in report.files_refused}
    assert reasons[str(not_xlsx)].startswith("not an xlsx workbook")
    assert reasons[str(no_lists)] == "no sheet is named 'List 1' to 'List 11'"
    assert (
        reasons[str(no_header)]
        == "sheet 'List 1 - Contacts': no header row with 'Child Unique ID' in its first 10 rows"
    )
    assert reasons[str(short)] == "sheet 'List 4': no header row with 'Child Unique ID'"
    # A list without a column the import reads is still read, the column flagged.
    assert str(missing) not in reasons and report.files_read == [str(missing)]
    (flag,) = report.flags
    assert (flag.rule, flag.file, flag.sheet, flag.line) == ("IMPORT-COLUMN", str(missing), "List 7", 1)
    assert flag.reason.startswith("no column 'Initial Category of Abuse'")
    assert not Child.objects.exists()


def test_the_import_command_lists_what_it_flagged(db, tmp_path):
    path = tmp_path / "bad-row.xlsx"
    _legacy_workbook(
        path,
        {
            "List 7": [
                ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", *READ_COLUMNS[7]],
                [
                    "P1",
                    "a) Male",
                    "a) WBRI",
                    "01/01/2015",
                    11,
                    "10/01/2026",
                    "a) Neglect",
                    "a) Neglect",
                    None,
                    "09/01/2026",
                    0,
                ],
            ]
        },
    )
    err = io.StringIO()
    call_command("import", "annexa", str(path), stderr=err)
    assert (
        "FLAGGED" in err.getvalue()
        and "sheet 'List 7', row 2 (child P1): IMPORT-DATE-ORDER" in err.getvalue()
    )
    assert "'Child Protection Plan End Date' is before 'Child Protection Plan Start Date'" in err.getvalue()
    assert Child.objects.get(la_child_id="P1").protection_plans.get().ended_on is None


# --- download from the returns page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, allowed",
    [
        (Role.PERFORMANCE_ANALYST, True),
        (Role.HEAD_OF_SERVICE, True),
        (Role.DIRECTOR, True),
        (Role.SOCIAL_WORKER, False),
        (Role.TEAM_MANAGER, False),
        (Role.AUDITOR, False),
        (Role.ADMINISTRATOR, False),
        (Role.CHIEF_EXECUTIVE, False),
    ],
)
def test_only_analysts_and_leaders_download_annex_a(authority, make_user, client_for, role, allowed):
    from opencsc.audit.models import AccessKind, RecordAccess

    user = make_user(role)
    client = client_for(user)
    page = client.get("/returns/annexa/")
    response = client.get("/returns/annexa/download/", {"on": "2026-03-31"})
    exported = RecordAccess.objects.filter(user=user, kind=AccessKind.EXPORT)
    if not allowed:
        assert response.status_code == 403
        assert not exported.exists()
        return
    assert page.status_code == 200 and b"Download Annex A" in page.content
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="annex-a-2026-03-31.xlsx"' in response["Content-Disposition"]
    assert _workbook(response.content)["List 3 - Referrals"]["A2"].value == "A0001"
    # Every child in the workbook is logged as exported, on their own record's access log.
    assert set(exported.values_list("child__la_child_id", flat=True)) == {
        "A0001",
        "A0002",
        "A0003",
        "A0004",
        "A0005",
    }
    event = AuditEvent.objects.get(verb="export.annexa", actor=user)
    assert event.payload["reference_date"] == "2026-03-31" and event.payload["children"] == 5


def test_a_bad_reference_date_is_explained(db, make_user, client_for):
    client = client_for(make_user(Role.PERFORMANCE_ANALYST))
    response = client.get("/returns/annexa/download/", {"on": "31/03/2026"})
    assert response.status_code == 400
    assert b"Enter the reference date as a real date" in response.content
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.get("/returns/annexa/download/", {"on": future})
    assert response.status_code == 400 and b"cannot be in the future" in response.content
    assert not AuditEvent.objects.filter(verb="export.annexa").exists()


@pytest.mark.parametrize("ended, shown", [(LAST, False), (AFTER, True), (None, True)])
def test_the_allocation_open_on_the_reference_date_is_shown(db, teams, make_user, ended, shown):
    worker = make_user(Role.SOCIAL_WORKER, teams["south"], first_name="Ada", last_name="Lovel")
    child = make_child("E0007")
    Referral.objects.create(child=child, referral_date=D(2026, 1, 5), source="6", route="assessment")
    Allocation.objects.create(
        child=child, worker=worker, team=teams["south"], started_on=D(2026, 1, 5), ended_on=ended
    )
    row = _sheet(annexa_rows(ON), 3)[0]
    expected = ("Assessment South", "Ada Lovel") if shown else (None, None)
    assert (row[layout.TEAM], row[layout.WORKER]) == expected


FORMULAS = ['=HYPERLINK("http://example.com/","Open")', "+1+2", "-3+4", "@SUM(A1)"]


@pytest.mark.parametrize("typed", FORMULAS)
def test_text_that_looks_like_a_formula_is_written_as_text(db, teams, make_user, typed):
    """A name or identifier typed into a record is a string in the workbook, never a formula (issue 11.6)."""
    worker = make_user(Role.SOCIAL_WORKER, teams["south"], first_name=typed, last_name="")
    child = make_child(typed[:20])
    Referral.objects.create(child=child, referral_date=D(2026, 1, 5), source="6", route="assessment")
    Allocation.objects.create(child=child, worker=worker, team=teams["south"], started_on=D(2026, 1, 5))
    data, _ = annexa_workbook_bytes(ON)
    sheet = _workbook(data)["List 3 - Referrals"]
    header = [cell.value for cell in sheet[1]]
    row = sheet[2]
    for column, expected in ((layout.CHILD_ID, typed[:20]), (layout.WORKER, typed)):
        cell = row[header.index(column)]
        assert (cell.value, cell.data_type) == (expected, "s"), column
