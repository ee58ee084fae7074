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
