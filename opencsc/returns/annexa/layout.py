"""Ofsted ILACS Annex A: the lists, their column headers and the way values are written in them.

Headers follow Ofsted's Annex A template as returns.md §4 records it (the column order of liia-tools'
`la-agg.yml`, less its aggregation-only `LA` column). Value formats (returns.md §4):
- dates dd/mm/yyyy (written as date cells shown dd/mm/yyyy; read from date cells or dd/mm/yyyy text);
- gender `a) Male`, ethnicity `a) WBRI` ... `t) NOBT`, yes/no `a) Yes` / `b) No` / `c) Unknown`;
- sources `a) 1A: Individual` ... `u) 10: Unknown` with `p1) 5D: LA services`; category of abuse `a) Neglect` ...;
  case status `a) Looked after child` ...; eligibility, in touch and placement location as returns.md gives them;
- need and closure codes `N1 - Abuse or neglect`, `RC8 - ...`; legal status `C2: FCO`.
Where returns.md gives only one example of a lettered list (placement type `f) U6: ...`, reason ceased
`a) E11: ...`, provider `b) PR1: ...`), the letters follow the DfE code order that makes the example true;
the rest of those labels are inferred. The importer reads the code inside a label, never the letter or the
wording, so a legacy system's own wording of the same code is read the same.
"""

import datetime as dt
import re
from dataclasses import dataclass

from opencsc.core.codes import Ethnicity, PrimaryNeed, ReasonForClosure
from opencsc.looked_after.codes import (
    Accommodation,
    Activity,
    CategoryOfNeed,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonPlacedForAdoptionCeased,
)

CHILD_ID = "Child Unique ID"
AGE = "Age of Child (Years)"
COMMON = [CHILD_ID, "Gender", "Ethnicity", "Date of Birth", AGE]
DISABILITY = "Does the Child have a Disability"
TEAM, WORKER = "Allocated Team", "Allocated Worker"


@dataclass(frozen=True)
class AnnexList:
    number: int
    title: str
    columns: tuple[str, ...]
    months: int  # the look-back Ofsted asks for

    @property
    def sheet(self) -> str:
        return f"List {self.number} - {self.title}"


LISTS = [
    AnnexList(1, "Contacts", (*COMMON, "Date of Contact", "Contact Source"), 6),
    AnnexList(
        2,
        "Early Help",
        (
            *COMMON,
            "Assessment start date",
            "Assessment completion date",
            "Organisation completing assessment",
        ),
        6,
    ),
    AnnexList(
        3,
        "Referrals",
        (
            *COMMON,
            "Date of referral",
            "Referral Source",
            "Referral NFA?",
            "Number of Referrals in Last 12 Months",
            TEAM,
            WORKER,
        ),
        6,
    ),
    AnnexList(
        4,
        "Assessments",
        (
            *COMMON,
            DISABILITY,
            "Continuous Assessment Start Date",
            "Child Seen During Continuous Assessment",
            "Continuous Assessment Date of Authorisation",
            "Was the child assessed as requiring LA children's social care support?",
            TEAM,
            WORKER,
        ),
        6,
    ),
    AnnexList(
        5,
        "Section 47",
        (
            *COMMON,
            DISABILITY,
            "Strategy discussion initiating Section 47 Enquiry Start Date",
            "Was an Initial Child Protection Conference deemed unnecessary?",
            "Date of Initial Child Protection Conference",
            "Did the Initial Child Protection Conference Result in a Child Protection Plan",
            "Number of Section 47 Enquiries in the last 12 months",
            "Number of ICPCs in the last 12 months",
            TEAM,
            WORKER,
        ),
        6,
    ),
    AnnexList(
        6,
        "Children in Need",
        (
            *COMMON,
            DISABILITY,
            "CIN Start Date",
            "Primary Need Code",
            "Date Child Was Last Seen",
            "CIN Closure Date",
            "Reason for Closure",
            "Case Status",
            TEAM,
            WORKER,
        ),
        6,
    ),
    AnnexList(
        7,
        "Child Protection",
        (
            *COMMON,
            DISABILITY,
            "Child Protection Plan Start Date",
            "Initial Category of Abuse",
            "Latest Category of Abuse",
            "Date of the Last Statutory Visit",
            "Was the Child Seen Alone?",
            "Date of latest review conference",
            "Child Protection Plan End Date",
            "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
            "Number of Previous Child Protection Plans",
            TEAM,
            WORKER,
        ),
        6,
    ),
    AnnexList(
        8,
        "Children in Care",
        (
            *COMMON,
            DISABILITY,
            "UASC within the Last 12 Months (Y/N)",
            "Date Started to be Looked After",
            "Child's Category of Need",
            "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
            "Start date of current legal status",
            "Child's Legal Status",
            "Date of Latest Statutory Review",
            "Date of Last Social Work Visit",
            "What is the permanence plan for this child?",
            "Date of Last IRO Visit / Contact to the Child",
            "Date of Last Health Assessment",
            "Date of Last Dental Check",
            "Number of Placements in the Last 12 months",
            "Date Ceased to be Looked After",
            "Reason Ceased to be Looked After",
            "Start Date of Most Recent Placement",
            "Placement Type",
            "Placement Provider",
            "Placement postcode",
            "URN of Placement",
            "Placement Location",
            "LA of Placement",
            "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
            "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
            "Was the child offered a Return Interview after their last missing episode (Y/N)?",
            "Did the child accept a Return Interview after their last missing episode (Y/N)?",
            TEAM,
            WORKER,
        ),
        6,
    ),
    AnnexList(
        9,
        "Care Leavers",
        (
            *COMMON,
            DISABILITY,
            TEAM,
            WORKER,
            "Eligibility Category",
            "LA in Touch",
            "Type of Accommodation",
            "Suitability of Accommodation",
            "Activity Status",
        ),
        6,
    ),
    AnnexList(
        10,
        "Adoption",
        (
            CHILD_ID,
            "Family identifier",
            *COMMON[1:],
            DISABILITY,
            "Date the Child Entered Care",
            "Date of Decision that Child Should be Placed for Adoption",
            "Date of Placement Order",
            "Date of Matching Child and Prospective Adopters",
            "Date Placed for Adoption",
            "Date of Adoption Order",
            "Date of Decision that Child Should No Longer be Placed for Adoption",
            "Reason Why Child No Longer Placed for Adoption",
            "Date the child was placed for fostering in FFA or concurrent planning placement",
        ),
        12,
    ),
    AnnexList(
        11,
        "Adopters",
        (
            "Individual adopter identifier",
            "Family identifier",
            "Gender",
            "Ethnicity",
            "Disability",
            "Is the (prospective) adopter fostering for adoption?",
            "Date enquiry received",
            "Date Stage 1 started",
            "Date Stage 1 ended",
            "Date Stage 2 started",
            "Date Stage 2 ended",
            "Date application submitted",
            "Date application approved",
            "Date adopter matched with child(ren)",
            "Date child/children placed with adopter(s)",
            "No. of children placed",
            "Date of Adoption Order",
            "Date of leaving adoption process",
            "Reason for leaving adoption process",
        ),
        12,
    ),
]
LIST_BY_NUMBER = {annex_list.number: annex_list for annex_list in LISTS}


def _lettered(pairs) -> dict[str, str]:
    return {code: f"{chr(ord('a') + index)}) {text}" for index, (code, text) in enumerate(pairs)}


GENDER = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
ETHNICITY = _lettered((code, code) for code in Ethnicity.values)
YES, NO, UNKNOWN = "a) Yes", "b) No", "c) Unknown"

_SOURCE_GROUP = {
    "1": "Individual",
    "2": "Schools",
    "3": "Health services",
    "4": "Housing",
    "5": "LA services",
}
_SOURCE_GROUP |= {"6": "Police", "7": "Other legal agency", "8": "Other", "9": "Anonymous", "10": "Unknown"}
_SOURCE_CODES = [
    *("1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B", "5C"),
    *("6", "7", "8", "9", "10"),
]
SOURCE = _lettered(
    (
        code,
        f"{code}: {'Education services' if code == '2B' else _SOURCE_GROUP[code.rstrip('ABCDEF') or code]}",
    )
    for code in _SOURCE_CODES
)
SOURCE["5D"] = "p1) 5D: LA services"

PRIMARY_NEED = {code: f"{code} - {label}" for code, label in PrimaryNeed.choices}
CLOSURE_REASON = {code: f"{code} - {label}" for code, label in ReasonForClosure.choices}
CATEGORY_OF_ABUSE = _lettered(
    [
        ("NEG", "Neglect"),
        ("PHY", "Physical abuse"),
        ("SAB", "Sexual abuse"),
        ("EMO", "Emotional abuse"),
        ("MUL", "Multiple/not recommended"),
    ]
)
CASE_STATUS = _lettered(
    [
        ("looked_after", "Looked after child"),
        ("cp_plan", "Child Protection plan"),
        ("cin_plan", "Child in need plan"),
        ("assessment", "Open assessment"),
        ("closed", "Closed episode"),
    ]
)
CATEGORY_OF_NEED = {code: f"{code} - {label}" for code, label in CategoryOfNeed.choices}
LEGAL_STATUS = {
    "C1": "C1: ICO",
    "C2": "C2: FCO",
    "D1": "D1: Freeing order",
    "E1": "E1: Placement order",
    "V2": "V2: Single period under S20",
    "V3": "V3: Short breaks, episodes",
    "V4": "V4: Short breaks, agreement",
    "L1": "L1: Police protection",
    "L2": "L2: EPO",
    "L3": "L3: CAO",
    "J1": "J1: Remand",
    "J2": "J2: PACE",
    "J3": "J3: YRO with residence",
}
_FOSTERING_FIRST = ["U1", "U2", "U3", "U4", "U5", "U6"]
PLACEMENT_TYPE = _lettered(
    (code, f"{code}: {PlacementType(code).label}")
    for code in [*_FOSTERING_FIRST, *(c for c in PlacementType.values if c not in _FOSTERING_FIRST)]
)
PLACEMENT_PROVIDER = _lettered(
    [
        ("PR0", "PR0: Parents"),
        ("PR1", "PR1: Own provision"),
        ("PR2", "PR2: Other LA provision"),
        ("PR3", "PR3: Other public provision"),
        ("PR4", "PR4: Private provision"),
        ("PR5", "PR5: Voluntary/third sector provision"),
    ]
)
REASON_CEASED = _lettered(
    (code, f"{code}: {label}") for code, label in ReasonEpisodeCeased.choices if code != "X1"
)
PLACEMENT_LOCATION = {True: "a) In", False: "b) Out"}
ELIGIBILITY = _lettered(
    [
        ("relevant", "Relevant child"),
        ("former_relevant", "Former relevant child"),
        ("qualifying", "Qualifying care leaver"),
    ]
)
IN_TOUCH = _lettered(
    [("YES", "Yes"), ("NO", "No"), ("DIED", "Died"), ("REFU", "Refu"), ("NREQ", "NREQ"), ("RHOM", "Rhom")]
)
ACCOMMODATION = {code: f"{code}: {label}" for code, label in Accommodation.choices}
SUITABILITY = {True: "a) Suitable", False: "b) Unsuitable"}
ACTIVITY = {code: f"{code}: {label}" for code, label in Activity.choices}
ADOPTION_CEASED = {code: f"{code}: {label}" for code, label in ReasonPlacedForAdoptionCeased.choices}


def yes_no(value: bool | None) -> str | None:
    return None if value is None else (YES if value else NO)


# Reading: a label's code is what comes after an optional "x) " letter and before ":" or " - ".
_LETTER = re.compile(r"^[a-z][0-9]?\)\s*", re.IGNORECASE)


def code_in(label: str) -> str:
    text = _LETTER.sub("", label.strip())
    for separator in (":", " - "):
        if separator in text:
            return text.split(separator, 1)[0].strip()
    return text.strip()


def lookup(mapping: dict, label: str):
    """The key of `mapping` that `label` names: by the whole label, by its code, or by its words after the
    letter (for lists whose keys are not codes, like case status or gender)."""
    wanted = label.strip()
    folded = wanted.casefold()
    for key, text in mapping.items():
        if text.casefold() == folded:
            return key
    code = code_in(wanted).casefold()
    for key, text in mapping.items():
        if str(key).casefold() == code or code_in(text).casefold() == code:
            return key
    raise KeyError(label)


def header_key(text) -> str:
    return " ".join(str(text or "").split()).casefold()


HEADER_ALIASES = {header_key("Age"): header_key(AGE)}


def format_day(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""
