"""The synthetic authority's Ofsted inspection and improvement plan.

About thirteen months before the last simulated day Ofsted judges the service inadequate, with recommendations of the kind Buckinghamshire
received in 2014 (see ../shared/context): children in need of protection without a social worker, weak case records
and assessments, late work, a front door swamped by police and health referrals, an unstable workforce, children
placed out of county, and leaders who did not know. Each recommendation gets actions owned by the leadership team;
each action's status moves over the following years (a start, then on track, with some slipping to at risk or off
track and recovering) and carries dated evidence. Its own random stream, so the rest of the authority is unchanged.
"""

import datetime as dt
import random
from dataclasses import dataclass

from opencsc.accounts.models import Role, User
from opencsc.oversight.models import (
    ActionEvidence,
    ActionStatus,
    ActionStatusChange,
    ImprovementAction,
    Inspection,
    Judgement,
    Recommendation,
    Theme,
)
from opencsc.synthetic.context import GENERATED_EMAIL_DOMAIN, Simulation
from opencsc.synthetic.timestamps import at

S = ActionStatus
PLAN_MONTHS_BEFORE_THE_END = 13


@dataclass(frozen=True)
class PlannedRecommendation:
    theme: str
    text: str
    kpi_ids: tuple[str, ...]
    actions: tuple[
        tuple[str, str, int], ...
    ]  # (description, owner role, months from the plan to its due date)


RECOMMENDATIONS = (
    PlannedRecommendation(
        Theme.ALLOCATION,
        "Ensure that every child in need of statutory intervention and protection has an allocated, qualified "
        "social worker without delay, and that managers know at all times which children are unallocated.",
        ("unallocated_statutory",),
        (
            (
                "Daily list of unallocated children with statutory work to every team manager and head of service",
                Role.HEAD_OF_SERVICE,
                1,
            ),
            (
                "Clear the backlog of unallocated child protection cases through a temporary allocation team",
                Role.HEAD_OF_SERVICE,
                4,
            ),
            (
                "Weekly unallocated figure reported to the director and the improvement board",
                Role.DIRECTOR,
                2,
            ),
        ),
    ),
    PlannedRecommendation(
        Theme.RECORDS,
        "Improve the quality of case records and assessments so that they show the child's lived experience, "
        "analyse risk, and record management decisions and the reasons for them.",
        ("assessments_completed",),
        (
            ("Recording standards issued and every social worker trained in them", Role.HEAD_OF_SERVICE, 3),
            (
                "Monthly audit of 40 case files, graded, with findings fed back to each team",
                Role.PERFORMANCE_ANALYST,
                12,
            ),
            ("Assessment template rebuilt around analysis and the child's voice", Role.HEAD_OF_SERVICE, 5),
        ),
    ),
    PlannedRecommendation(
        Theme.TIMELINESS,
        "Ensure assessments, initial child protection conferences and statutory visits take place within the "
        "required timescales, and that delay is identified and acted on.",
        ("assessments_within_45wd_rate", "icpc_within_15wd_rate"),
        (
            (
                "Escalation of late assessments and visits to heads of service within two working days",
                Role.DIRECTOR,
                2,
            ),
            (
                "Conference booking moved to the front door so initial conferences are booked at strategy",
                Role.HEAD_OF_SERVICE,
                9,
            ),
        ),
    ),
    PlannedRecommendation(
        Theme.FRONT_DOOR,
        "Manage demand at the front door: apply thresholds consistently, decide contacts within one working day, "
        "and work with police and health partners on the quality and volume of their referrals.",
        ("referrals", "rereferral_rate_12m", "referral_nfa_rate"),
        (
            ("Multi-agency safeguarding hub with police and health co-located", Role.HEAD_OF_SERVICE, 15),
            (
                "Threshold document agreed with partners and training delivered to police and schools",
                Role.HEAD_OF_SERVICE,
                6,
            ),
            ("Monthly demand report by source to the safeguarding partnership", Role.PERFORMANCE_ANALYST, 2),
        ),
    ),
    PlannedRecommendation(
        Theme.WORKFORCE,
        "Stabilise the workforce: reduce reliance on agency and interim staff, recruit and retain permanent "
        "social workers and managers, and bring caseloads down to a level that allows good practice.",
        (),
        (
            (
                "Recruitment campaign for 30 permanent social workers, with a market supplement",
                Role.DIRECTOR,
                18,
            ),
            ("Permanent team managers in every team", Role.DIRECTOR, 12),
            (
                "Caseload of every social worker reviewed monthly; no worker above 20 children",
                Role.HEAD_OF_SERVICE,
                6,
            ),
        ),
    ),
    PlannedRecommendation(
        Theme.PLACEMENTS,
        "Increase local placements so that fewer children looked after are placed outside the county and far from "
        "home, their school and their family.",
        ("cla_placed_outside_la_rate", "cla_placed_20mi_plus_rate", "cla_3plus_placements_rate"),
        (
            ("Sufficiency strategy with a target for in-county foster carers", Role.HEAD_OF_SERVICE, 6),
            ("Foster carer recruitment: 25 new in-county households", Role.HEAD_OF_SERVICE, 24),
        ),
    ),
    PlannedRecommendation(
        Theme.LEADERSHIP,
        "Leaders and managers must have accurate performance information and use it: management oversight must be "
        "recorded on children's files, supervision must be regular, and senior leaders must act on escalations.",
        ("cpp_second_or_subsequent_rate",),
        (
            (
                "Monthly performance board chaired by the director, with child-level exception lists",
                Role.DIRECTOR,
                2,
            ),
            (
                "Supervision at least monthly for every social worker, recorded on the file",
                Role.HEAD_OF_SERVICE,
                4,
            ),
            ("Independent chair for the improvement board", Role.CHIEF_EXECUTIVE, 2),
        ),
    ),
)

EVIDENCE = {
    S.ON_TRACK: "Progress reviewed at the performance board: on track against the milestones.",
    S.AT_RISK: "Milestone slipping: capacity taken up by demand; mitigation agreed with the director.",
    S.OFF_TRACK: "Milestone missed; recovery plan requested by the improvement board.",
    S.COMPLETE: "Completed: evidence reviewed and signed off at the improvement board.",
}


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def _owners() -> dict[str, list[User]]:
    owners: dict[str, list[User]] = {}
    leaders = User.objects.filter(
        email__endswith=f"@{GENERATED_EMAIL_DOMAIN}",
        is_active=True,
        role__in=[Role.DIRECTOR, Role.HEAD_OF_SERVICE, Role.PERFORMANCE_ANALYST, Role.CHIEF_EXECUTIVE],
    ).order_by("pk")
    for user in leaders:
        owners.setdefault(user.role, []).append(user)
    return owners


def _history(
    rng: random.Random, start: dt.date, due: dt.date, last_day: dt.date
) -> list[tuple[dt.date, str]]:
    """How one action's status moved: not started, then on track, perhaps slipping and recovering, complete
    around its due date (late when it slipped), never after the last simulated day."""
    history = [(start, S.NOT_STARTED)]
    day = start + dt.timedelta(days=rng.randint(10, 45))
    history.append((day, S.ON_TRACK))
    slips = rng.random() < 0.55
    finish = due + dt.timedelta(days=rng.randint(-20, 10))
    if slips:
        day = day + max((due - day) * rng.uniform(0.3, 0.7), dt.timedelta(days=14))
        history.append((day, S.AT_RISK))
        if rng.random() < 0.6:
            day = day + dt.timedelta(days=rng.randint(20, 60))
            history.append((day, S.OFF_TRACK))
        finish = max(due, day) + dt.timedelta(days=rng.randint(60, 240))
        day = day + dt.timedelta(days=rng.randint(30, 120))
        if day < finish and rng.random() < 0.6:  # a recovery plan that works; otherwise it stays off course
            history.append((day, S.ON_TRACK))
    finish = max(finish, history[-1][0] + dt.timedelta(days=7))
    history.append((finish, S.COMPLETE))
    return [(when, status) for when, status in history if when <= last_day]


def build_improvement_plan(sim: Simulation) -> None:
    """Write the inspection and its plan: about 13 months before the last simulated day, so the board sees a
    plan part done, with some actions slipping (at least six months into the simulation, so the numbers show the
    service before the inspection too)."""
    inspected_from = max(
        _add_months(sim.last_day, -PLAN_MONTHS_BEFORE_THE_END), _add_months(sim.first_day, 6)
    )
    published_on = inspected_from + dt.timedelta(days=67)
    if published_on + dt.timedelta(days=30) > sim.last_day:
        return
    rng = random.Random(f"improvement-plan-{sim.seed}")
    owners = _owners()
    if not owners:
        return
    inspection = Inspection.objects.create(
        **_stamped(published_on),
        title="Inspection of services for children in need of help and protection, children looked after and "
        "care leavers",
        inspected_from=inspected_from,
        inspected_to=inspected_from + dt.timedelta(days=23),
        published_on=published_on,
        overall_judgement=Judgement.INADEQUATE,
        summary="Failures in safeguarding services are widespread and serious. Too many children in need of "
        "protection have no allocated social worker; record keeping is poor; more than half of the children "
        "looked after are placed outside the county; leaders did not know how serious the problems were.",
    )
    plan_day = published_on + dt.timedelta(days=28)
    counts = {"recommendations": 0, "actions": 0, "status_changes": 0, "evidence": 0}
    for number, planned in enumerate(RECOMMENDATIONS, start=1):
        recommendation = Recommendation.objects.create(
            **_stamped(published_on),
            inspection=inspection,
            number=number,
            text=planned.text,
            theme=planned.theme,
            kpi_ids=list(planned.kpi_ids),
        )
        counts["recommendations"] += 1
        for description, role, months in planned.actions:
            candidates = owners.get(role) or owners.get(Role.DIRECTOR) or next(iter(owners.values()))
            owner = rng.choice(candidates)
            due = _add_months(plan_day, months)
            history = _history(rng, plan_day, due, sim.last_day)
            final_day, final_status = history[-1]
            action = ImprovementAction.objects.create(
                **_stamped(plan_day, final_day),
                recommendation=recommendation,
                description=description,
                owner=owner,
                due_on=due,
                status=final_status,
                completed_on=final_day if final_status == S.COMPLETE else None,
                version=len(history),
            )
            ActionStatusChange.objects.bulk_create(
                ActionStatusChange(action=action, status=status, on=day, changed_by=owner, at=at(day, 16))
                for day, status in history
            )
            evidence = [
                ActionEvidence(
                    action=action, note=EVIDENCE[status], recorded_on=day, author=owner, at=at(day, 16, 30)
                )
                for day, status in history[1:]
            ]
            ActionEvidence.objects.bulk_create(evidence)
            counts["actions"] += 1
            counts["status_changes"] += len(history)
            counts["evidence"] += len(evidence)
    sim.count("inspections", 1)
    for what, how_many in counts.items():
        sim.count(f"improvement_{what}", how_many)


def _stamped(created: dt.date, updated: dt.date | None = None) -> dict:
    return {"created_at": at(created, 9), "updated_at": at(updated or created, 17)}
