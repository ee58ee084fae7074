"""Each child's record for the DfE children's social care API, built from the Standard Safeguarding Dataset's
tables as Data to Insight's data-flow tool builds it (dfe-csc-api-data-flows,
build_dfe_payload_staging/populate_ssd_api_data_staging.sql at commit 41e6f19d, pilot specification 0.8;
docs/dataflow.md lists every field and its SSD column).

Input: the SSD tables as `{table name: [row, ...]}`, each row a mapping of the SSD's column names (dates as
`date`, `datetime` or ISO text, as the SSD export or a CSV extract gives them). Output: `{la_child_id: record}`.

Rules, as the tool applies them:
- The window runs from 1 April of the financial year that holds the day 24 months before today, to tomorrow.
- A child is in the cohort if born on or before the window's end and not yet 26 at its start (or, with no date
  of birth, expected within the window), and has any of: a referral (social care episode) overlapping the window,
  an open referral with no assessment started, a child in need or protection plan overlapping it, a looked-after
  episode on such a referral or a placement overlapping the window, or is a care leaver aged 16 to 25 with a
  contact in the window and an open referral.
- Each referral overlapping the window is one social care episode. Its assessments are those started or
  authorised in the window; plans, section 47 enquiries and placements those overlapping it (a section 47 also
  when its latest conference fell in the window).
- The UPN is `pers_upn`; a table without that column (OpenCSC's SSD export, which writes the UPN as
  `pers_common_child_id`) gives `pers_common_child_id` instead.
- Sex is M or F, else U. Codes are trimmed and cut to the lengths the specification allows; disabilities are the
  distinct codes (at most 12), or ["NONE"]. A referral source is coerced to the CIN code (10, 1A..3F, 5A..5D,
  4, 6..9) or left out; the no-further-action flag reads Y/T/1/TRUE and N/F/0/FALSE.
- Workers are listed only on a referral with a child in need plan in the window: involvements of role CW, by a
  professional with a Social Work England registration number, active on a 31 March within the window.
- Adoption is the latest permanence record with a date in the window; care leavers the latest contact.
- A value that is absent is left out of the record (the SQL's FOR JSON leaves out NULLs); a list with nothing in
  it is an empty list. Every block carries `purge: false`.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Row = Mapping[str, object]
Tables = Mapping[str, Iterable[Row]]

WINDOW_MONTHS_BACK = 24
MAX_DISABILITIES = 12
FORMER_UPN = "Former Unique Pupil Number"
UPN_UNKNOWN_CODES = {f"UN{n}" for n in range(1, 11)}
TRUE_TEXT = {"Y", "T", "1", "TRUE"}
FALSE_TEXT = {"N", "F", "0", "FALSE"}


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date

    def overlaps(self, start: dt.date | None, end: dt.date | None) -> bool:
        return start is not None and start <= self.end and (end is None or end >= self.start)

    def holds(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def census_dates(self) -> list[dt.date]:
        """Every 31 March in the window (the tool's SQL looks only in the first and last years, so a 26-month
        window misses the middle one; OpenCSC takes them all, as its comment intends)."""
        years = range(self.start.year, self.end.year + 1)
        return [dt.date(year, 3, 31) for year in years if self.holds(dt.date(year, 3, 31))]


def cohort_window(today: dt.date) -> Window:
    """1 April of the financial year holding the day 24 months ago, to tomorrow."""
    anchor_year, anchor_month = today.year - 2, today.month
    start_year = anchor_year - (1 if anchor_month < 4 else 0)
    return Window(dt.date(start_year, 4, 1), today + dt.timedelta(days=1))


def day(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip()[:10])


def iso(value) -> str | None:
    found = day(value)
    return found.isoformat() if found else None


def text(value, length: int | None = None) -> str | None:
    if value is None:
        return None
    cleaned = str(value).strip()
    if not cleaned:
        return None
    return cleaned[:length].rstrip() if length else cleaned


def flag(value) -> bool | None:
    if isinstance(value, bool):
        return value
    cleaned = (text(value) or "").upper()
    if cleaned in TRUE_TEXT:
        return True
    if cleaned in FALSE_TEXT:
        return False
    return None


def referral_source(value) -> str | None:
    code = text(value)
    if code is None:
        return None
    if code.startswith("10"):
        return "10"
    first, second = code[0], code[1:2]
    if first in "123" and second in tuple("ABCDEF"):
        return code[:2]
    if first == "5" and second in tuple("ABCD"):
        return code[:2]
    if first in "46789":
        return first
    return None


def compact(record: dict) -> dict:
    """The record without its absent values, as FOR JSON writes it."""
    return {key: value for key, value in record.items() if value is not None}


def canonical(record: Mapping) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class _Index:
    """The SSD tables grouped by the keys the builder joins on, read once."""

    def __init__(self, tables: Tables):
        self.people = list(tables.get("ssd_person", ()))
        self.by = {}
        for table, column in (
            ("ssd_linked_identifiers", "link_person_id"),
            ("ssd_disability", "disa_person_id"),
            ("ssd_address", "addr_person_id"),
            ("ssd_immigration_status", "immi_person_id"),
            ("ssd_sdq_scores", "csdq_person_id"),
            ("ssd_cin_episodes", "cine_person_id"),
            ("ssd_cin_assessments", "cina_referral_id"),
            ("ssd_assessment_factors", "cinf_assessment_id"),
            ("ssd_cin_plans", "cinp_referral_id"),
            ("ssd_cin_plans", "cinp_person_id"),
            ("ssd_s47_enquiry", "s47e_referral_id"),
            ("ssd_initial_cp_conference", "icpc_s47_enquiry_id"),
            ("ssd_cp_plans", "cppl_referral_id"),
            ("ssd_cp_plans", "cppl_person_id"),
            ("ssd_cla_episodes", "clae_person_id"),
            ("ssd_cla_placement", "clap_cla_id"),
            ("ssd_permanence", "perm_person_id"),
            ("ssd_permanence", "perm_cla_id"),
            ("ssd_care_leavers", "clea_person_id"),
            ("ssd_involvements", "invo_referral_id"),
        ):
            grouped = defaultdict(list)
            for row in tables.get(table, ()):
                grouped[str(row.get(column))].append(row)
            self.by[table, column] = grouped
        self.professionals = {
            str(row.get("prof_professional_id")): row for row in tables.get("ssd_professionals", ())
        }

    def rows(self, table: str, key, column: str | None = None) -> list[Row]:
        """The rows of `table` whose join column (the first listed for the table, or `column`) equals key."""
        column = column or next(c for t, c in self.by if t == table)
        return self.by[table, column].get(str(key), [])


def build_payloads(tables: Tables, *, today: dt.date) -> dict[str, dict]:
    """Every child in the cohort, as the API's full record, keyed by la_child_id."""
    window = cohort_window(today)
    index = _Index(tables)
    payloads = {}
    for person in index.people:
        if _eligible(person, window) and _included(person, index, window):
            record = _child_record(person, index, window)
            payloads[record["la_child_id"]] = record
    return payloads


def _eligible(person: Row, window: Window) -> bool:
    born = day(person.get("pers_dob"))
    if born is not None:
        return born <= window.end and _add_years(born, 26) > window.start
    expected = day(person.get("pers_expected_dob"))
    return window.holds(expected)


def _add_years(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February: the anniversary falls on 28 February in a common year (SQL DATEADD)
        return born.replace(year=born.year + years, day=28)


def _referrals_in_window(person_id, index: _Index, window: Window) -> list[Row]:
    return [
        row
        for row in index.rows("ssd_cin_episodes", person_id)
        if window.overlaps(day(row.get("cine_referral_date")), day(row.get("cine_close_date")))
    ]


def _included(person: Row, index: _Index, window: Window) -> bool:
    person_id = person.get("pers_person_id")
    episodes = index.rows("ssd_cin_episodes", person_id)
    if _referrals_in_window(person_id, index, window):
        return True
    for episode in episodes:
        if day(episode.get("cine_close_date")) is None and not any(
            day(a.get("cina_assessment_start_date"))
            for a in index.rows("ssd_cin_assessments", episode.get("cine_referral_id"))
        ):
            return True
    plans = index.rows("ssd_cin_plans", person_id, "cinp_person_id") + index.rows(
        "ssd_cp_plans", person_id, "cppl_person_id"
    )
    if any(_plan_overlaps(plan, window) for plan in plans):
        return True
    for cla in index.rows("ssd_cla_episodes", person_id):
        if any(
            _placement_overlaps(p, window) for p in index.rows("ssd_cla_placement", cla.get("clae_cla_id"))
        ):
            return True
    return _care_leaver_in_window(person, episodes, index, window)


def _plan_overlaps(plan: Row, window: Window) -> bool:
    prefix = "cinp_cin" if "cinp_cin_plan_start_date" in plan else "cppl_cp"
    return window.overlaps(
        day(plan.get(f"{prefix}_plan_start_date")), day(plan.get(f"{prefix}_plan_end_date"))
    )


def _placement_overlaps(placement: Row, window: Window) -> bool:
    return window.overlaps(
        day(placement.get("clap_cla_placement_start_date")), day(placement.get("clap_cla_placement_end_date"))
    )


def _care_leaver_in_window(person: Row, episodes: list[Row], index: _Index, window: Window) -> bool:
    born = day(person.get("pers_dob"))
    if born is None or not (_add_years(born, 16) < window.end and _add_years(born, 26) >= window.start):
        return False
    contacts = index.rows("ssd_care_leavers", person.get("pers_person_id"))
    in_touch = any(
        (contact := day(row.get("clea_care_leaver_latest_contact"))) and window.start <= contact < window.end
        for row in contacts
    )
    open_referral = any(
        day(e.get("cine_close_date")) is None and day(e.get("cine_referral_date")) <= window.end
        for e in episodes
        if day(e.get("cine_referral_date"))
    )
    return in_touch and open_referral


def _child_record(person: Row, index: _Index, window: Window) -> dict:
    person_id = person.get("pers_person_id")
    record = {
        "la_child_id": str(person_id),
        "mis_child_id": text(person.get("pers_legacy_id"), 36),
        "purge": False,
        "child_details": _child_details(person, index, window),
        "health_and_wellbeing": _health_and_wellbeing(person_id, index, window),
        "social_care_episodes": [
            _episode(person, episode, index, window)
            for episode in sorted(
                _referrals_in_window(person_id, index, window),
                key=lambda e: (day(e.get("cine_referral_date")), str(e.get("cine_referral_id"))),
            )
        ],
    }
    return compact(record)


def _child_details(person: Row, index: _Index, window: Window) -> dict:
    person_id = person.get("pers_person_id")
    upn = text(person.get("pers_upn") if "pers_upn" in person else person.get("pers_common_child_id"))
    unknown = text(person.get("pers_upn_unknown"))
    if unknown is None and upn and upn.upper() in UPN_UNKNOWN_CODES:
        unknown = upn.upper()
    sex = text(person.get("pers_sex"))
    uasc = _uasc(person_id, index, window)
    return compact(
        {
            "unique_pupil_number": upn,
            "former_unique_pupil_number": _former_upn(person_id, index),
            "unique_pupil_number_unknown_reason": unknown[:4] if unknown else None,
            "first_name": text(person.get("pers_forename")),
            "surname": text(person.get("pers_surname")),
            "date_of_birth": iso(person.get("pers_dob")),
            "expected_date_of_birth": iso(person.get("pers_expected_dob")),
            "sex": sex if sex in ("M", "F") else "U",
            "ethnicity": text(person.get("pers_ethnicity"), 4),
            "disabilities": _disabilities(person_id, index),
            "postcode": _latest_postcode(person_id, index),
            "uasc_flag": uasc is not None,
            "uasc_end_date": iso(uasc.get("immi_immigration_status_end_date")) if uasc else None,
            "purge": False,
        }
    )


def _former_upn(person_id, index: _Index) -> str | None:
    rows = [
        row
        for row in index.rows("ssd_linked_identifiers", person_id)
        if row.get("link_identifier_type") == FORMER_UPN
    ]
    if not rows:
        return None
    latest = max(rows, key=lambda row: day(row.get("link_valid_from_date")) or dt.date.min)
    value = text(latest.get("link_identifier_value"))
    return value if value and len(value) == 13 else None


def _disabilities(person_id, index: _Index) -> list[str]:
    codes = {
        code.upper()[:4]
        for row in index.rows("ssd_disability", person_id)
        if (code := text(row.get("disa_disability_code")))
    }
    return sorted(codes)[:MAX_DISABILITIES] or ["NONE"]


def _latest_postcode(person_id, index: _Index) -> str | None:
    rows = index.rows("ssd_address", person_id)
    if not rows:
        return None
    latest = max(rows, key=lambda row: day(row.get("addr_address_start_date")) or dt.date.min)
    return text(latest.get("addr_address_postcode"))


def _uasc(person_id, index: _Index, window: Window) -> Row | None:
    for row in index.rows("ssd_immigration_status", person_id):
        ends = day(row.get("immi_immigration_status_end_date"))
        if (text(row.get("immi_immigration_status")) or "").upper() == "U" and (
            ends is None or ends >= window.start
        ):
            return row
    return None


def _health_and_wellbeing(person_id, index: _Index, window: Window) -> dict | None:
    scores = [
        row
        for row in index.rows("ssd_sdq_scores", person_id)
        if row.get("csdq_sdq_score") not in (None, "")
        and window.holds(day(row.get("csdq_sdq_completed_date")))
    ]
    if not scores:
        return None
    scores.sort(key=lambda row: day(row.get("csdq_sdq_completed_date")), reverse=True)
    return {
        "sdq_assessments": [
            compact(
                {
                    "date": iso(row.get("csdq_sdq_completed_date")),
                    "score": _integer(row.get("csdq_sdq_score")),
                }
            )
            for row in scores
        ],
        "purge": False,
    }


def _integer(value) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _episode(person: Row, episode: Row, index: _Index, window: Window) -> dict:
    referral = episode.get("cine_referral_id")
    return compact(
        {
            "social_care_episode_id": str(referral)[:36],
            "referral_date": iso(episode.get("cine_referral_date")),
            "referral_source": referral_source(episode.get("cine_referral_source_code")),
            "closure_date": iso(episode.get("cine_close_date")),
            "closure_reason": text(episode.get("cine_close_reason"), 3),
            "referral_no_further_action_flag": flag(episode.get("cine_referral_nfa")),
            "child_and_family_assessments": _assessments(referral, index, window),
            "child_in_need_plans": _plans(
                referral, index, window, "ssd_cin_plans", "cinp_cin", "child_in_need"
            ),
            "section_47_assessments": _section_47s(referral, index, window),
            "child_protection_plans": _plans(
                referral, index, window, "ssd_cp_plans", "cppl_cp", "child_protection"
            ),
            "child_looked_after_placements": _placements(person, referral, index, window),
            "adoption": _adoption(person, index, window),
            "care_leavers": _care_leavers(person, index),
            "care_worker_details": _workers(referral, index, window),
            "purge": False,
        }
    )


def _assessments(referral, index: _Index, window: Window) -> list[dict]:
    found = []
    for row in index.rows("ssd_cin_assessments", referral):
        started, authorised = (
            day(row.get("cina_assessment_start_date")),
            day(row.get("cina_assessment_auth_date")),
        )
        if window.holds(started) or window.holds(authorised):
            assessment_id = row.get("cina_assessment_id")
            found.append(
                compact(
                    {
                        "child_and_family_assessment_id": str(assessment_id)[:36],
                        "start_date": iso(started),
                        "authorisation_date": iso(authorised),
                        "factors": _factors(assessment_id, index),
                        "purge": False,
                    }
                )
            )
    return found


def _factors(assessment_id, index: _Index) -> list[str]:
    rows = index.rows("ssd_assessment_factors", assessment_id)
    if not rows:
        return []
    raw = rows[0].get("cinf_assessment_factors_json")
    if isinstance(raw, list):
        return [str(code) for code in raw]
    cleaned = (text(raw) or "").strip()
    if cleaned in ("", "null"):
        return []
    return [str(code) for code in json.loads(cleaned)]


def _plans(referral, index: _Index, window: Window, table: str, prefix: str, name: str) -> list[dict]:
    found = []
    for row in index.rows(table, referral):
        starts, ends = day(row.get(f"{prefix}_plan_start_date")), day(row.get(f"{prefix}_plan_end_date"))
        if window.overlaps(starts, ends):
            found.append(
                compact(
                    {
                        f"{name}_plan_id": str(row.get(f"{prefix}_plan_id"))[:36],
                        "start_date": iso(starts),
                        "end_date": iso(ends),
                        "purge": False,
                    }
                )
            )
    return found


def _section_47s(referral, index: _Index, window: Window) -> list[dict]:
    found = []
    for row in index.rows("ssd_s47_enquiry", referral):
        enquiry = row.get("s47e_s47_enquiry_id")
        starts, ends = day(row.get("s47e_s47_start_date")), day(row.get("s47e_s47_end_date"))
        conferences = [day(c.get("icpc_icpc_date")) for c in index.rows("ssd_initial_cp_conference", enquiry)]
        latest_conference = max((d for d in conferences if d), default=None)
        if window.overlaps(starts, ends) or window.holds(latest_conference):
            found.append(
                compact(
                    {
                        "section_47_assessment_id": str(enquiry)[:36],
                        "start_date": iso(starts),
                        "icpc_required_flag": _conference_flag(row.get("s47e_s47_outcome_json")),
                        "icpc_date": iso(latest_conference),
                        "end_date": iso(ends),
                        "purge": False,
                    }
                )
            )
    return found


def _conference_flag(outcome) -> bool | None:
    if isinstance(outcome, str):
        try:
            outcome = json.loads(outcome) if outcome.strip() else {}
        except ValueError:
            return None
    if not isinstance(outcome, Mapping):
        return None
    return flag(outcome.get("CP_CONFERENCE_FLAG"))


def _placements(person: Row, referral, index: _Index, window: Window) -> list[dict]:
    by_placement: dict[str, tuple[Row, list[Row]]] = {}
    for cla in index.rows("ssd_cla_episodes", person.get("pers_person_id")):
        if str(cla.get("clae_referral_id")) != str(referral):
            continue
        for placement in index.rows("ssd_cla_placement", cla.get("clae_cla_id")):
            if _placement_overlaps(placement, window):
                key = str(placement.get("clap_cla_placement_id"))
                by_placement.setdefault(key, (placement, []))[1].append(cla)
    records = [_placement(placement, episodes) for placement, episodes in by_placement.values()]
    return sorted(records, key=lambda r: r.get("start_date", ""), reverse=True)


def _placement(placement: Row, episodes: list[Row]) -> dict:
    starts, ends = (
        day(placement.get("clap_cla_placement_start_date")),
        day(placement.get("clap_cla_placement_end_date")),
    )
    start_reasons = [r for e in episodes if (r := text(e.get("clae_cla_episode_start_reason"), 1))]
    end_reasons = [
        r
        for e in episodes
        if (r := "".join((text(e.get("clae_cla_episode_ceased_reason")) or "")[:3].split()))
    ]
    return compact(
        {
            "child_looked_after_placement_id": str(placement.get("clap_cla_placement_id"))[:36],
            "start_date": iso(starts),
            "start_reason": min(start_reasons, default=None),
            "postcode": text(placement.get("clap_cla_placement_postcode")),
            "placement_type": text(placement.get("clap_cla_placement_type"), 3),
            "end_date": iso(ends) if ends is None or (starts and ends >= starts) else None,
            "end_reason": min(end_reasons, default=None),
            "change_reason": text(placement.get("clap_cla_placement_change_reason")),
            "purge": False,
        }
    )


def _adoption(person: Row, index: _Index, window: Window) -> dict | None:
    person_id = person.get("pers_person_id")
    rows = list(index.rows("ssd_permanence", person_id))
    for cla in index.rows("ssd_cla_episodes", person_id):
        rows += [
            r for r in index.rows("ssd_permanence", cla.get("clae_cla_id"), "perm_cla_id") if r not in rows
        ]
    dated = [
        row
        for row in rows
        if any(
            window.holds(day(row.get(column)))
            for column in ("perm_adm_decision_date", "perm_matched_date", "perm_placed_for_adoption_date")
        )
    ]
    if not dated:
        return None
    latest = max(
        dated,
        key=lambda row: (
            day(row.get("perm_placed_for_adoption_date"))
            or day(row.get("perm_matched_date"))
            or day(row.get("perm_adm_decision_date"))
        ),
    )
    return compact(
        {
            "initial_decision_date": iso(latest.get("perm_adm_decision_date")),
            "matched_date": iso(latest.get("perm_matched_date")),
            "placed_date": iso(latest.get("perm_placed_for_adoption_date")),
            "purge": False,
        }
    )


def _care_leavers(person: Row, index: _Index) -> dict | None:
    rows = [
        row
        for row in index.rows("ssd_care_leavers", person.get("pers_person_id"))
        if day(row.get("clea_care_leaver_latest_contact"))
    ]
    if not rows:
        return None
    latest = max(rows, key=lambda row: day(row.get("clea_care_leaver_latest_contact")))
    return compact(
        {
            "contact_date": iso(latest.get("clea_care_leaver_latest_contact")),
            "activity": text(latest.get("clea_care_leaver_activity"), 2),
            "accommodation": text(latest.get("clea_care_leaver_accommodation"), 1),
            "purge": False,
        }
    )


def _workers(referral, index: _Index, window: Window) -> list[dict]:
    if not any(_plan_overlaps(plan, window) for plan in index.rows("ssd_cin_plans", referral)):
        return []
    census_dates = window.census_dates()
    found = []
    for row in index.rows("ssd_involvements", referral):
        professional = index.professionals.get(str(row.get("invo_professional_id")), {})
        registration = text(professional.get("prof_social_worker_registration_no"), 12)
        starts, ends = day(row.get("invo_involvement_start_date")), day(row.get("invo_involvement_end_date"))
        active_on_census = any(
            starts and starts <= census and (ends is None or ends >= census) for census in census_dates
        )
        if (
            registration
            and (text(row.get("invo_professional_role_id")) or "").upper() == "CW"
            and active_on_census
        ):
            found.append(
                compact({"worker_id": registration, "start_date": iso(starts), "end_date": iso(ends)})
            )
    return sorted(found, key=lambda r: r.get("start_date", ""), reverse=True)
