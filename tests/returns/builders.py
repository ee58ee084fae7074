"""Return files made by hand for the import tests: a clean 903 set and a clean CIN census of N children, each
child with the same history, so that a test can grow the file without changing its shape."""

from pathlib import Path

from opencsc.returns.ssda903.tables import HEADERS
from tests.returns.conftest import valid_upn

SSDA903_FILES = {
    "Header": "header.csv",
    "Episodes": "episodes.csv",
    "Reviews": "reviews.csv",
    "SWEpisodes": "sw_episodes.csv",
}


def ssda903_set(folder: Path, children: int, *, prefix: str = "F", sw_rows: list[str] | None = None) -> Path:
    """A clean 2025-26 set: each child in care since before the year, two reviews, one social worker."""
    folder.mkdir(parents=True, exist_ok=True)
    tables: dict[str, list[str]] = {"Header": [], "Episodes": [], "Reviews": [], "SWEpisodes": []}
    for n in range(children):
        child, born = f"{prefix}{n:05d}", f"{1 + n % 28:02d}/0{1 + n % 9}/2014"
        upn = valid_upn(f"825{ord(prefix):03d}{n:06d}")
        tables["Header"].append(f"{child},{'MF'[n % 2]},{born},WBRI,{upn},,")
        tables["Episodes"].append(
            f"{child},01/0{1 + n % 9}/2024,S,C2,N1,U4,PR1,,,,HP19 8FF,HP11 2JU,SC484848"
        )
        tables["Reviews"] += [f"{child},{born},15/10/2025,PN1", f"{child},{born},15/01/2026,PN1"]
        tables["SWEpisodes"].append(f"{child},{born},SW{n % 3},01/0{1 + n % 9}/2024,,FCONTA")
    tables["SWEpisodes"] += sw_rows or []
    for table, rows in tables.items():
        (folder / SSDA903_FILES[table]).write_text("\n".join([",".join(HEADERS[table]), *rows]) + "\n")
    return folder


def cin_census(path: Path, children: int, *, prefix: str = "K") -> Path:
    """A 2025-26 CIN census: each child referred, assessed, on a section 47 that led to a conference and a
    protection plan with a review (a plan and its first conference refer to each other)."""
    child = """    <Child>
      <ChildIdentifiers><LAchildID>{id}</LAchildID><UPN>{upn}</UPN>
        <PersonBirthDate>2014-06-01</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity>
        <Disabilities><Disability>LD</Disability></Disabilities></ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-05-06</CINreferralDate><ReferralSource>6</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode><ReferralNFA>false</ReferralNFA>
        <Assessments><AssessmentActualStartDate>2025-05-06</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2025-06-24</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment><AssessmentFactors>3A</AssessmentFactors></FactorsIdentifiedAtAssessment>
        </Assessments>
        <Section47><S47ActualStartDate>2025-05-08</S47ActualStartDate>
          <DateOfInitialCPC>2025-05-28</DateOfInitialCPC><ICPCnotRequired>false</ICPCnotRequired></Section47>
        <ChildProtectionPlans><CPPstartDate>2025-05-28</CPPstartDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
          <Reviews><CPPreviewDate>2025-08-20</CPPreviewDate></Reviews></ChildProtectionPlans>
      </CINdetails>
    </Child>
"""
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<Message>\n  <Header><CollectionDetails><Collection>CIN</Collection>'
        "<Year>2026</Year><ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails></Header>\n  <Children>\n"
        + "".join(
            child.format(id=f"{prefix}{n:05d}", upn=valid_upn(f"825{ord(prefix):03d}{n:06d}"))
            for n in range(children)
        )
        + "  </Children>\n</Message>\n"
    )
    return path


def annexa_workbook(
    path: Path, children: int, *, prefix: str = "A", extra: dict[int, list[dict]] | None = None
) -> Path:
    """An Annex A workbook for 31 March 2026: each child contacted and referred (list 1, 3 and 6), assessed
    (4), on a section 47 with an initial conference (5) and a protection plan with a review (7); every third
    child also looked after (8). `extra` adds rows (column: value) to a list, after its own."""
    import datetime as dt

    import openpyxl

    from opencsc.returns.annexa.export import REFERENCE_KEYWORD
    from opencsc.returns.annexa.importer import CHILD_COLUMNS, READ_COLUMNS

    lists: dict[int, list[dict]] = {number: [] for number in (1, 3, 4, 5, 6, 7, 8)}
    for n in range(children):
        born = dt.date(2014, 1 + n % 9, 1 + n % 28)
        child = {"Child Unique ID": f"{prefix}{n:05d}", "Gender": "a) Male", "Ethnicity": "WBRI"}
        child |= {"Date of Birth": born.strftime("%d/%m/%Y"), "Age of Child (Years)": 11}
        day = dt.date(2025, 10 + n % 3, 1 + n % 27)
        when = day.strftime("%d/%m/%Y")
        later = (day + dt.timedelta(days=10)).strftime("%d/%m/%Y")
        lists[1].append({**child, "Date of Contact": when, "Contact Source": "q) 6: Police"})
        lists[3].append({**child, "Date of referral": when, "Referral Source": "6", "Referral NFA?": "No"})
        lists[6].append({**child, "CIN Start Date": when, "Primary Need Code": "N1"})
        lists[4].append(
            {
                **child,
                "Continuous Assessment Start Date": when,
                "Child Seen During Continuous Assessment": "Yes",
                "Continuous Assessment Date of Authorisation": later,
                "Was the child assessed as requiring LA children's social care support?": "Yes",
            }
        )
        lists[5].append(
            {
                **child,
                "Strategy discussion initiating Section 47 Enquiry Start Date": when,
                "Was an Initial Child Protection Conference deemed unnecessary?": "No",
                "Date of Initial Child Protection Conference": later,
                "Did the Initial Child Protection Conference Result in a Child Protection Plan": "Yes",
            }
        )
        lists[7].append(
            {
                **child,
                "Child Protection Plan Start Date": later,
                "Initial Category of Abuse": "NEG",
                "Latest Category of Abuse": "NEG",
                "Date of latest review conference": "15/03/2026",
            }
        )
        if n % 3 == 0:
            lists[8].append(
                {
                    **child,
                    "Date Started to be Looked After": "01/06/2025",
                    "Child's Category of Need": "N1",
                    "Start date of current legal status": "01/08/2025",
                    "Child's Legal Status": "C2",
                    "Date of Last Health Assessment": "10/06/2025",
                    "Start Date of Most Recent Placement": "01/06/2025",
                    "Placement Type": "U4",
                }
            )
    for number, rows in (extra or {}).items():
        lists.setdefault(number, []).extend(rows)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    workbook.properties.keywords = f"{REFERENCE_KEYWORD}2026-03-31"
    for number, rows in sorted(lists.items()):
        sheet = workbook.create_sheet(f"List {number}")
        header = [*CHILD_COLUMNS, *READ_COLUMNS[number]]
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(column) for column in header])
    workbook.save(path)
    return path
