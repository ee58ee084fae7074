"""The SSDA903 CSV tables: their names, files and exact headers (the DfE validator identifies a CSV by the set
of its headers, not its name), and the dd/mm/yyyy dates they carry."""

import contextlib
import datetime as dt
import re

HEADERS: dict[str, list[str]] = {
    "Header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "Episodes": [
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ],
    "Reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "UASC": ["CHILD", "SEX", "DOB", "DUC"],
    "OC2": [
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ],
    "OC3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
    "AD1": ["CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"],
    "PlacedAdoption": ["CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"],
    "PrevPerm": ["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"],
    "Missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "SWEpisodes": ["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"],
    "DoLo": ["CHILD", "DOB", "DOLO_START", "DOLO_END"],
}

FILE_NAMES: dict[str, str] = {
    "Header": "header.csv",
    "Episodes": "episodes.csv",
    "Reviews": "reviews.csv",
    "UASC": "uasc.csv",
    "OC2": "oc2.csv",
    "OC3": "oc3.csv",
    "AD1": "ad1.csv",
    "PlacedAdoption": "placed_for_adoption.csv",
    "PrevPerm": "previous_permanence.csv",
    "Missing": "missing.csv",
    "SWEpisodes": "sw_episodes.csv",
    "DoLo": "dolo.csv",
}

# Social worker episodes joined the return in 2023-24; deprivation of liberty orders join it in 2026-27.
FIRST_SW_EPISODES_YEAR = 2024
FIRST_DOLO_YEAR = 2027


def tables_for(year: int) -> list[str]:
    """The tables of the return for collection year `year`, in the order they are written."""
    names = [name for name in HEADERS if name not in {"SWEpisodes", "DoLo"}]
    if year >= FIRST_SW_EPISODES_YEAR:
        names.append("SWEpisodes")
    if year >= FIRST_DOLO_YEAR:
        names.append("DoLo")
    return names


def table_for_header(columns: list[str]) -> str | None:
    wanted = set(columns)
    for name, header in HEADERS.items():
        if set(header) == wanted:
            return name
    return None


def day(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


DAY_SHAPE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def parse_day(text: str) -> dt.date:
    """dd/mm/yyyy, as the return writes dates; ValueError otherwise. The usual shape is read directly (an
    import reads tens of thousands), anything else as `strptime` reads it."""
    text = text.strip()
    if shape := DAY_SHAPE.fullmatch(text):
        with contextlib.suppress(ValueError):
            return dt.date(int(shape[3]), int(shape[2]), int(shape[1]))
    return dt.datetime.strptime(text, "%d/%m/%Y").date()
