"""OpenCSC's records as Standard Safeguarding Dataset tables (`ssd_tables`), and as a folder of CSV files
(`write_ssd`): ADR 0029, docs/ssd.md.

Who is in it: every child OpenCSC holds, with their whole history (the SSD keeps six years; OpenCSC exports what
it has). Restricted children are in it as in the CIN census and the SSDA903: the SSD is the authority's own
extract for its analysts and the DfE data flow, and `opencsc export ssd` logs an export on the record of every
child it writes, as for the returns.

Identifiers. OpenCSC keeps no source system's row identifiers, so each row's identifier is made from what
identifies it in OpenCSC: the child's LA child ID, what the row is and its start date (`LA1234-REF-20250403` is
the referral of 3 April 2025). A second row of the same kind starting the same day takes `-2`, `-3` in the
order it was recorded. They are the same in every export of the same records, and an import of the tables
finds the rows again by the same natural keys, so that a round trip gives the same tables back. Workers are
identified by their username, teams by their name.

What cannot be said in the SSD is left out (the date the child was seen in an assessment: the SSD has a Y/N
flag; a contact's free text), and what the SSD asks but OpenCSC does not hold is blank (the IRO's last contact,
nationality, SEND flag). The queries are a fixed number per table, whatever the number of children.
"""

import csv
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from opencsc.accounts.models import Team, User
from opencsc.casework.models import (
    Allocation,
    Assessment,
    AssessmentOutcome,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    Section47Enquiry,
    Section47Outcome,
)
from opencsc.core.clocks import due_date
from opencsc.core.codes import ReferralSource
from opencsc.core.spreadsheets import csv_text
from opencsc.core.working_days import authority_calendar
from opencsc.frontdoor.models import ContactChild, Decision, Referral
from opencsc.looked_after.models import Episode
from opencsc.people.models import Child, ChildAddress, ChildDisability, Relationship
from opencsc.returns.ssd.tables import (
    ADDRESS_KEYS,
    ALLOCATED_WORKER_ROLE,
    ASSESSMENT_OUTCOME_KEYS,
    CARE_HOME_ADDRESS_TYPE,
    CONTACT_OUTCOME_KEYS,
    HOME_ADDRESS_TYPE,
    ICPC_OUTCOME_KEYS,
    PREVIOUS_PLANS_COLUMN,
    REFERRAL_OUTCOME_KEYS,
    S47_OUTCOME_KEYS,
    TABLES,
    columns,
)
from opencsc.workforce.models import StaffRecord

Row = dict[str, str]
Tables = dict[str, list[Row]]


def day(value) -> str:
    return value.isoformat() if value else ""


def flag(value: bool | None) -> str:
    return "" if value is None else ("Y" if value else "N")


def outcome_json(keys: Iterable[str], flags: set[str]) -> str:
    """A JSON outcome with every key the specification lists, the flags set "Y", the rest ""."""
    outcome: dict[str, object] = {key: ("Y" if key in flags else "") for key in keys}
    if "TOTAL_NO_OF_OUTCOMES" in outcome:
        outcome["TOTAL_NO_OF_OUTCOMES"] = len(flags)
    return json.dumps(outcome, separators=(",", ":"))


class _Ids:
    """Identifiers made from the child, the kind of row and its start date, unique within the export."""

    def __init__(self):
        self.used: set[str] = set()
        self.by_row: dict[tuple[str, int], str] = {}

    def make(self, kind: str, pk: int, la_child_id: str, *parts) -> str:
        base = "-".join(
            [la_child_id, kind, *(p.strftime("%Y%m%d") if hasattr(p, "strftime") else p for p in parts)]
        )
        made, n = base, 1
        while made in self.used:
            n += 1
            made = f"{base}-{n}"
        self.used.add(made)
        self.by_row[(kind, pk)] = made
        return made

    def of(self, kind: str, pk: int | None) -> str:
        return self.by_row.get((kind, pk), "") if pk is not None else ""


class _Names:
    """The children by LA child ID, teams by name and workers by username (a few hundred rows, read once), and which of them the tables
    name, for `ssd_department` and `ssd_professionals`."""

    def __init__(self):
        self.children = dict(Child.objects.values_list("pk", "la_child_id"))
        self.teams = dict(Team.objects.values_list("pk", "name"))
        self.users = dict(User.objects.values_list("pk", "username"))
        self.teams_named: set[int] = set()
        self.users_named: set[int] = set()

    def team(self, pk: int | None) -> str:
        if pk is None:
            return ""
        self.teams_named.add(pk)
        return self.teams[pk]

    def user(self, pk: int | None) -> str:
        if pk is None:
            return ""
        self.users_named.add(pk)
        return self.users[pk]


def ssd_tables() -> Tables:
    """Every table OpenCSC writes, by SSD table name: a list of rows, each a dict by the spec's column names
    (every column present, "" where blank), in the order of the child and the row's start date."""
    ids, names = _Ids(), _Names()
    children = names.children
    tables: Tables = {name: [] for name in TABLES}
    tables["ssd_person"] = _people()
    tables["ssd_family"] = _families(children)
    tables["ssd_disability"] = _disabilities(children)
    tables["ssd_address"] = _addresses(children)
    referrals = _referrals(names, ids)
    tables["ssd_cin_episodes"] = referrals
    tables["ssd_contacts"] = _contacts(children, ids)
    tables["ssd_cin_assessments"], tables["ssd_assessment_factors"] = _assessments(names, ids)
    tables["ssd_cin_plans"] = _cin_plans(children, ids)
    tables["ssd_s47_enquiry"] = _enquiries(children, ids)
    tables["ssd_initial_cp_conference"], tables["ssd_cp_plans"], tables["ssd_cp_reviews"] = _protection(
        children, ids
    )
    tables["ssd_cla_episodes"], tables["ssd_cla_placement"], tables["ssd_legal_status"], homes = _care(
        children, ids
    )
    tables["ssd_address"] += homes
    tables["ssd_involvements"] = _involvements(names, ids)
    tables["ssd_professionals"] = _professionals(names)
    tables["ssd_department"] = _departments(names.teams_named)
    for name, rows in tables.items():
        written = columns(name)
        tables[name] = [{column: row.get(column, "") for column in written} for row in rows]
    return tables


def write_ssd(tables: Tables, out: Path) -> None:
    """One CSV file a table, `<table name>.csv`, its header the spec's column names, in UTF-8. A value that a
    spreadsheet could read as a formula is written with an apostrophe before it (ADR 0009); the importer takes
    it off again."""
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns(name), lineterminator="\n")
            writer.writeheader()
            writer.writerows({column: csv_text(value) for column, value in row.items()} for row in rows)


def export_ssd(out: Path) -> frozenset[str]:
    """Write the SSD tables to the folder `out`; returns the LA child IDs of the children written."""
    tables = ssd_tables()
    write_ssd(tables, out)
    return frozenset(row["pers_person_id"] for row in tables["ssd_person"])


# Tables ---------------------------------------------------------------------------------------------------------


def _people() -> list[Row]:
    return [
        {
            "pers_person_id": child.la_child_id,
            "pers_forename": child.first_name,
            "pers_surname": child.last_name,
            "pers_sex": child.sex,
            "pers_ethnicity": child.ethnicity,
            "pers_dob": day(child.date_of_birth),
            "pers_common_child_id": child.upn,
            "pers_upn_unknown": child.upn_unknown_reason,
            "pers_expected_dob": day(child.expected_date_of_birth),
            "pers_death_date": day(child.date_of_death),
        }
        for child in Child.objects.order_by("la_child_id").only(
            "la_child_id",
            "first_name",
            "last_name",
            "sex",
            "ethnicity",
            "date_of_birth",
            "upn",
            "upn_unknown_reason",
            "expected_date_of_birth",
            "date_of_death",
        )
    ]


def _families(children: dict[int, str]) -> list[Row]:
    """Children joined by a relationship between two children (siblings, half-siblings) form one family; its
    identifier is the first of its children's LA child IDs."""
    parent: dict[int, int] = {}

    def root(pk: int) -> int:
        while parent.get(pk, pk) != pk:
            pk = parent[pk]
        return pk

    for a, b in Relationship.objects.filter(related_child__isnull=False).values_list(
        "child_id", "related_child_id"
    ):
        ra, rb = root(a), root(b)
        if ra != rb:
            first, second = sorted((ra, rb), key=lambda pk: children[pk])
            parent[second] = first
    members: dict[int, list[int]] = defaultdict(list)
    for pk in {pk for edge in parent.items() for pk in edge}:
        members[root(pk)].append(pk)
    rows = []
    for top in sorted(members, key=lambda pk: children[pk]):
        family = f"FAM-{children[top]}"
        for pk in sorted(members[top], key=lambda pk: children[pk]):
            rows.append(
                {
                    "fami_table_id": f"{family}-{children[pk]}",
                    "fami_family_id": family,
                    "fami_person_id": children[pk],
                }
            )
    return rows


def _disabilities(children: dict[int, str]) -> list[Row]:
    rows = []
    for child_id, code in ChildDisability.objects.order_by("child_id", "pk").values_list("child_id", "code"):
        person = children[child_id]
        rows.append(
            {"disa_person_id": person, "disa_table_id": f"{person}-DISA-{code}", "disa_disability_code": code}
        )
    return sorted(rows, key=lambda row: (row["disa_person_id"], row["disa_table_id"]))


def _address_json(line_1: str, line_2: str, town: str) -> str:
    values = dict.fromkeys(ADDRESS_KEYS, "") | {"STREET": line_1, "BUILDING": line_2, "TOWN": town}
    return json.dumps(values, separators=(",", ":"))


def _addresses(children: dict[int, str]) -> list[Row]:
    ids = _Ids()
    rows = []
    for address in ChildAddress.objects.order_by("child_id", "moved_in_on", "pk"):
        person = children[address.child_id]
        rows.append(
            {
                "addr_table_id": ids.make("ADDR", address.pk, person, address.moved_in_on),
                "addr_address_json": _address_json(address.line_1, address.line_2, address.town),
                "addr_person_id": person,
                "addr_address_type": HOME_ADDRESS_TYPE,
                "addr_address_start_date": day(address.moved_in_on),
                "addr_address_end_date": day(address.moved_out_on),
                "addr_address_postcode": address.postcode,
            }
        )
    return rows


def _referrals(names: _Names, ids: _Ids) -> list[Row]:
    children, rows = names.children, []
    for referral in Referral.objects.order_by("child_id", "referral_date", "pk"):
        person = children[referral.child_id]
        outcomes = {"NFA_FLAG"} if referral.is_nfa else set()
        outcomes.add(
            "STRATEGY_DISCUSSION_FLAG"
            if referral.route == Decision.STRATEGY_DISCUSSION
            else "SINGLE_ASSESSMENT_FLAG"
        )
        rows.append(
            {
                "cine_referral_id": ids.make("REF", referral.pk, person, referral.referral_date),
                "cine_person_id": person,
                "cine_referral_date": day(referral.referral_date),
                "cine_cin_primary_need_code": referral.primary_need,
                "cine_referral_source_code": referral.source,
                "cine_referral_source_desc": str(ReferralSource(referral.source).label)
                if referral.source in ReferralSource.values
                else "",
                "cine_referral_outcome_json": outcome_json(REFERRAL_OUTCOME_KEYS, outcomes),
                "cine_referral_nfa": flag(referral.is_nfa),
                "cine_close_reason": referral.closure_reason,
                "cine_close_date": day(referral.closed_on),
                "cine_referral_team": names.team(referral.team_id),
            }
        )
    return rows


def _contacts(children: dict[int, str], ids: _Ids) -> list[Row]:
    """One row per child named in a contact that has been matched to a record; the contact's outcome from its
    decision."""
    rows = []
    subjects = (
        ContactChild.objects.filter(child__isnull=False)
        .select_related("contact")
        .order_by("child_id", "contact__received_at", "pk")
    )
    for subject in subjects:
        contact = subject.contact
        person = children[subject.child_id]
        outcomes = {
            Decision.NO_FURTHER_ACTION: {"NFA_FLAG"},
            Decision.ADVICE: {"ADVICE_FLAG"},
            Decision.EARLY_HELP: {"OTHER_OUTCOMES_EXIST_FLAG"},
            Decision.ASSESSMENT: {"NEW_REFERRAL_FLAG"},
            Decision.STRATEGY_DISCUSSION: {"NEW_REFERRAL_FLAG", "CP_ENQUIRY_FLAG"},
        }.get(contact.decision, set())
        rows.append(
            {
                "cont_contact_id": ids.make("CONT", subject.pk, person, contact.reference),
                "cont_person_id": person,
                "cont_contact_date": day(contact.received_at.date()),
                "cont_contact_source_code": contact.source,
                "cont_contact_source_desc": str(ReferralSource(contact.source).label)
                if contact.source in ReferralSource.values
                else "",
                "cont_contact_outcome_json": outcome_json(CONTACT_OUTCOME_KEYS, outcomes),
            }
        )
    return rows


def _assessments(names: _Names, ids: _Ids) -> tuple[list[Row], list[Row]]:
    children, rows, factors = names.children, [], []
    for assessment in Assessment.objects.order_by("child_id", "started_on", "pk"):
        person = children[assessment.child_id]
        made = ids.make("ASMT", assessment.pk, person, assessment.started_on)
        outcomes = {
            AssessmentOutcome.NO_FURTHER_ACTION: {"NFA_FLAG"},
            AssessmentOutcome.SUPPORT_REQUIRED: {"PROV_OF_SERVICES_FLAG"},
            AssessmentOutcome.EARLY_HELP: {"REFERRAL_TO_OTHER_AGENCY_FLAG"},
        }.get(assessment.outcome, set())
        rows.append(
            {
                "cina_assessment_id": made,
                "cina_person_id": person,
                "cina_referral_id": ids.of("REF", assessment.referral_id),
                "cina_assessment_start_date": day(assessment.started_on),
                "cina_assessment_child_seen": flag(assessment.child_seen_on is not None),
                "cina_assessment_auth_date": day(assessment.authorised_on),
                "cina_assessment_outcome_json": outcome_json(ASSESSMENT_OUTCOME_KEYS, outcomes)
                if assessment.outcome
                else "",
                "cina_assessment_outcome_nfa": flag(assessment.outcome == AssessmentOutcome.NO_FURTHER_ACTION)
                if assessment.outcome
                else "",
                "cina_assessment_worker_id": names.user(assessment.worker_id),
            }
        )
        if assessment.factors:
            factors.append(
                {
                    "cinf_table_id": f"{made}-F",
                    "cinf_assessment_id": made,
                    "cinf_assessment_factors_json": json.dumps([str(code) for code in assessment.factors]),
                }
            )
    return rows, factors


def _cin_plans(children: dict[int, str], ids: _Ids) -> list[Row]:
    return [
        {
            "cinp_cin_plan_id": ids.make("CINP", plan.pk, children[plan.child_id], plan.started_on),
            "cinp_referral_id": ids.of("REF", plan.referral_id),
            "cinp_person_id": children[plan.child_id],
            "cinp_cin_plan_start_date": day(plan.started_on),
            "cinp_cin_plan_end_date": day(plan.ended_on),
        }
        for plan in ChildInNeedPlan.objects.order_by("child_id", "started_on", "pk")
    ]


def _enquiries(children: dict[int, str], ids: _Ids) -> list[Row]:
    rows = []
    for enquiry in Section47Enquiry.objects.order_by("child_id", "started_on", "pk"):
        outcomes = {
            Section47Outcome.CONCERNS_SUBSTANTIATED_ICPC: {"CP_CONFERENCE_FLAG"},
            Section47Outcome.CONCERNS_SUBSTANTIATED_NO_ICPC: {"NFA_CONTINUE_SINGLE_FLAG"},
            Section47Outcome.NOT_SUBSTANTIATED: {"NFA_FLAG"},
        }.get(enquiry.outcome, set())
        rows.append(
            {
                "s47e_s47_enquiry_id": ids.make(
                    "S47", enquiry.pk, children[enquiry.child_id], enquiry.started_on
                ),
                "s47e_referral_id": ids.of("REF", enquiry.referral_id),
                "s47e_person_id": children[enquiry.child_id],
                "s47e_s47_start_date": day(enquiry.started_on),
                "s47e_s47_end_date": day(enquiry.completed_on),
                "s47e_s47_nfa": flag(enquiry.outcome == Section47Outcome.NOT_SUBSTANTIATED)
                if enquiry.outcome
                else "",
                "s47e_s47_outcome_json": outcome_json(S47_OUTCOME_KEYS, outcomes),
            }
        )
    return rows


def _protection(children: dict[int, str], ids: _Ids) -> tuple[list[Row], list[Row], list[Row]]:
    """Initial conferences, plans and review conferences. The ICPC's target date is 15 working days from the
    strategy discussion that started the enquiry (or the enquiry's start when none is recorded), as the CIN
    census writes it."""
    calendar = authority_calendar()
    conferences = list(
        ChildProtectionConference.objects.select_related("section_47__strategy_discussion").order_by(
            "child_id", "held_on", "pk"
        )
    )
    plans = list(ChildProtectionPlan.objects.order_by("child_id", "started_on", "pk"))
    initial = [c for c in conferences if c.kind == ConferenceKind.INITIAL]
    for conference in initial:
        ids.make("ICPC", conference.pk, children[conference.child_id], conference.held_on)
    for plan in plans:
        ids.make("CPP", plan.pk, children[plan.child_id], plan.started_on)
    plan_of_conference = {plan.initial_conference_id: plan for plan in plans if plan.initial_conference_id}
    icpcs = []
    for conference in initial:
        person = children[conference.child_id]
        enquiry = conference.section_47
        plan = plan_of_conference.get(conference.pk)
        referral_id = (enquiry.referral_id if enquiry else None) or (plan.referral_id if plan else None)
        target = ""
        if enquiry is not None:
            discussion = enquiry.strategy_discussion
            start = discussion.held_on if discussion else enquiry.started_on
            target = day(due_date("icpc", start, calendar=calendar).due_on)
        outcomes = {"CP_FLAG"} if conference.plan_decided else {"NFA_FLAG"}
        icpcs.append(
            {
                "icpc_icpc_id": ids.of("ICPC", conference.pk),
                "icpc_icpc_meeting_id": ids.of("ICPC", conference.pk),
                "icpc_s47_enquiry_id": ids.of("S47", conference.section_47_id),
                "icpc_person_id": person,
                "icpc_cp_plan_id": ids.of("CPP", plan.pk) if plan else "",
                "icpc_referral_id": ids.of("REF", referral_id),
                "icpc_icpc_transfer_in": "N",
                "icpc_icpc_target_date": target,
                "icpc_icpc_date": day(conference.held_on),
                "icpc_icpc_outcome_cp_flag": flag(conference.plan_decided),
                "icpc_icpc_outcome_json": outcome_json(ICPC_OUTCOME_KEYS, outcomes),
            }
        )
    cp_plans = [
        {
            "cppl_cp_plan_id": ids.of("CPP", plan.pk),
            "cppl_referral_id": ids.of("REF", plan.referral_id),
            "cppl_icpc_id": ids.of("ICPC", plan.initial_conference_id),
            "cppl_person_id": children[plan.child_id],
            "cppl_cp_plan_start_date": day(plan.started_on),
            "cppl_cp_plan_end_date": day(plan.ended_on),
            "cppl_cp_plan_initial_category": plan.initial_category,
            "cppl_cp_plan_latest_category": plan.latest_category,
            PREVIOUS_PLANS_COLUMN: str(plan.previous_plans),
        }
        for plan in plans
    ]
    reviews = [
        {
            "cppr_cp_review_id": (made := ids.make("CPR", c.pk, children[c.child_id], c.held_on)),
            "cppr_person_id": children[c.child_id],
            "cppr_cp_plan_id": ids.of("CPP", c.plan_id),
            "cppr_cp_review_date": day(c.held_on),
            "cppr_cp_review_meeting_id": made,
            "cppr_cp_review_outcome_continue_cp": flag(c.plan_decided),
        }
        for c in conferences
        if c.kind == ConferenceKind.REVIEW
    ]
    return icpcs, cp_plans, reviews


def _care(children: dict[int, str], ids: _Ids) -> tuple[list[Row], list[Row], list[Row], list[Row]]:
    """Each OpenCSC care episode (an SSDA903 episode) is one `ssd_cla_episodes` row, its placement one
    `ssd_cla_placement` row and its legal status one `ssd_legal_status` row, all dated to the episode. A period
    of care (`clae_cla_id`) runs from an episode starting care (reason S, or after a gap) to the last episode
    that follows on without one. The home postcode is written as an address of type HOME_POST."""
    episodes, placements, statuses, homes = [], [], [], []
    period, previous = "", None
    for episode in Episode.objects.order_by("child_id", "started_on", "pk"):
        person = children[episode.child_id]
        starts_period = (
            previous is None
            or previous.child_id != episode.child_id
            or previous.ended_on is None
            or previous.ended_on < episode.started_on
            or episode.reason_new_episode == "S"
        )
        if starts_period:
            period, entered = f"{person}-CLA-{episode.started_on:%Y%m%d}", episode.started_on
        made = ids.make("CLAE", episode.pk, person, episode.started_on, episode.reason_new_episode)
        placement = made.replace("-CLAE-", "-CLAP-", 1)
        episodes.append(
            {
                "clae_cla_episode_id": made,
                "clae_person_id": person,
                "clae_cla_episode_start_date": day(episode.started_on),
                "clae_cla_episode_start_reason": episode.reason_new_episode,
                "clae_cla_primary_need_code": episode.category_of_need,
                "clae_cla_episode_ceased_date": day(episode.ended_on),
                "clae_cla_episode_ceased_reason": episode.reason_ceased,
                "clae_cla_id": period,
                "clae_cla_placement_id": placement,
                "clae_entered_care_date": day(entered),
            }
        )
        placements.append(
            {
                "clap_cla_placement_id": placement,
                "clap_cla_placement_start_date": day(episode.started_on),
                "clap_cla_placement_type": episode.placement_type,
                "clap_cla_placement_urn": episode.urn,
                "clap_cla_placement_distance": ""
                if episode.distance_miles is None
                else str(episode.distance_miles),
                "clap_cla_id": period,
                "clap_cla_placement_provider": episode.placement_provider,
                "clap_cla_placement_postcode": episode.placement_postcode,
                "clap_cla_placement_end_date": day(episode.ended_on),
                "clap_cla_placement_change_reason": episode.reason_placement_changed,
                "clap_person_id": person,
            }
        )
        statuses.append(
            {
                "lega_legal_status_id": made.replace("-CLAE-", "-LEGA-", 1),
                "lega_person_id": person,
                "lega_legal_status": episode.legal_status,
                "lega_legal_status_start_date": day(episode.started_on),
                "lega_legal_status_end_date": day(episode.ended_on),
            }
        )
        if episode.home_postcode:
            homes.append(
                {
                    "addr_table_id": made.replace("-CLAE-", "-HOME-", 1),
                    "addr_address_json": _address_json("", "", ""),
                    "addr_person_id": person,
                    "addr_address_type": CARE_HOME_ADDRESS_TYPE,
                    "addr_address_start_date": day(episode.started_on),
                    "addr_address_end_date": day(episode.ended_on),
                    "addr_address_postcode": episode.home_postcode,
                }
            )
        previous = episode
    return episodes, placements, statuses, homes


def _involvements(names: _Names, ids: _Ids) -> list[Row]:
    """Each allocation of a child to a worker: role CW (the allocated case worker)."""
    children, rows = names.children, []
    for allocation in Allocation.objects.order_by("child_id", "started_on", "pk"):
        rows.append(
            {
                "invo_involvements_id": ids.make(
                    "INVO", allocation.pk, children[allocation.child_id], allocation.started_on
                ),
                "invo_professional_id": names.user(allocation.worker_id),
                "invo_professional_role_id": ALLOCATED_WORKER_ROLE,
                "invo_professional_team": names.team(allocation.team_id),
                "invo_involvement_start_date": day(allocation.started_on),
                "invo_involvement_end_date": day(allocation.ended_on),
                "invo_worker_change_reason": allocation.change_reason,
                "invo_person_id": children[allocation.child_id],
            }
        )
    return rows


def _professionals(names: _Names) -> list[Row]:
    workers = names.users_named
    users = list(User.objects.filter(pk__in=workers).order_by("username"))
    staff = {
        record.user_id: record for record in StaffRecord.objects.filter(user_id__in=workers).order_by("pk")
    }
    caseloads: dict[int, int] = defaultdict(int)
    for worker_id in Allocation.objects.filter(worker_id__in=workers, ended_on__isnull=True).values_list(
        "worker_id", flat=True
    ):
        caseloads[worker_id] += 1
    rows = []
    for user in users:
        record = staff.get(user.pk)
        rows.append(
            {
                "prof_professional_id": user.username,
                "prof_staff_id": user.username,
                "prof_professional_name": user.get_full_name() or user.username,
                "prof_social_worker_registration_no": record.swe_number if record else "",
                "prof_professional_job_title": user.job_title,
                "prof_professional_caseload": str(caseloads[user.pk]),
                "prof_professional_department": names.team(user.team_id),
                "prof_full_time_equivalency": str(record.fte if record else user.fte),
                "prof_agency_worker_flag": flag(record.is_agency) if record else "N",
            }
        )
    return rows


def _departments(teams: set[int]) -> list[Row]:
    return [
        {"dept_team_id": team.name, "dept_team_name": team.name}
        for team in Team.objects.filter(pk__in=teams).order_by("name")
    ]
