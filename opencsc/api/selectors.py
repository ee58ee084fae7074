"""Reads for the API. A partner system is not a member of staff: what it may read is decided here, by scope.

CP-IS lookup (`cpis.lookup`), in the manner of the NHS Child Protection Information Sharing service: whether the
child with this NHS number is on a child protection plan or looked after today (Children Act 1989 s22, short
breaks under V3/V4 excluded as in the SSDA903), the dates, and whom to contact. Nothing else, and never a name.
A child not known, and a child known but on neither, get the same answer, so the lookup reveals no more than CP-IS
does. A restricted child is still flagged (health must know of the plan) with its dates, but the contact given is
the authority's front door only: no team and no worker, whose names could lead to the child (ADR 0026).

Reporting records (`reporting.records`): the unrestricted children, a page at a time, without names (reporting
tools count and link by LA child id). A restricted child is never listed; the aggregates count it, as the KPIs do.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.casework.models import Allocation, ChildProtectionPlan
from opencsc.looked_after.codes import SHORT_BREAK_STATUSES
from opencsc.looked_after.models import Episode
from opencsc.people.models import Child


def _open_on(day: dt.date) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def _open_plans(child_ids, day: dt.date) -> dict[int, ChildProtectionPlan]:
    plans = ChildProtectionPlan.objects.filter(_open_on(day), child_id__in=child_ids).order_by("started_on")
    return {plan.child_id: plan for plan in plans}


def _care_started(child_ids, day: dt.date) -> dict[int, tuple[dt.date, str]]:
    """Each child looked after on `day`: when this period of care began (episodes joined end to start) and the
    current legal status."""
    episodes = (
        Episode.objects.filter(child_id__in=child_ids, started_on__lte=day)
        .exclude(legal_status__in=SHORT_BREAK_STATUSES)
        .order_by("child_id", "started_on", "id")
        .values_list("child_id", "started_on", "ended_on", "legal_status")
    )
    found: dict[int, tuple[dt.date, str]] = {}
    period_start: dict[int, dt.date] = {}
    last_end: dict[int, dt.date | None] = {}
    for child_id, started_on, ended_on, legal_status in episodes:
        if child_id not in last_end or last_end[child_id] != started_on:
            period_start[child_id] = started_on
        last_end[child_id] = ended_on
        if ended_on is None or ended_on > day:
            found[child_id] = (period_start[child_id], legal_status)
    return found


def _allocations(child_ids) -> dict[int, Allocation]:
    open_allocations = Allocation.objects.filter(child_id__in=child_ids, ended_on__isnull=True)
    return {a.child_id: a for a in open_allocations.select_related("worker", "team")}


@dataclass(frozen=True)
class Lookup:
    children: list[Child]  # every record with the NHS number: each lookup is logged on each
    answer: dict


def _contact(child: Child, allocation: Allocation | None) -> dict:
    contact = {
        "authority": settings.AUTHORITY_NAME,
        "phone": settings.FRONT_DOOR_PHONE or None,
        "team": None,
        "social_worker": None,
        "email": None,
    }
    if child.is_restricted:
        return contact
    team = allocation.team if allocation else child.responsible_team
    worker = allocation.worker if allocation else None
    return contact | {
        "team": team.name if team else None,
        "social_worker": worker.display_name if worker else None,
        "email": (worker.email or None) if worker else None,
    }


def cpis_lookup(nhs_number: str) -> Lookup:
    today = timezone.localdate()
    children = list(
        Child.objects.filter(nhs_number=nhs_number).select_related("responsible_team").order_by("pk")
    )
    ids = [child.pk for child in children]
    plans, care, allocations = _open_plans(ids, today), _care_started(ids, today), _allocations(ids)
    answer = {
        "nhs_number": nhs_number,
        "as_of": today.isoformat(),
        "child_protection_plan": None,
        "looked_after": None,
        "contact": None,
    }
    for child in children:
        plan, in_care = plans.get(child.pk), care.get(child.pk)
        if plan is None and in_care is None:
            continue
        if plan is not None:
            answer["child_protection_plan"] = {"start_date": plan.started_on.isoformat()}
        if in_care is not None:
            answer["looked_after"] = {"start_date": in_care[0].isoformat(), "legal_status": in_care[1]}
        answer["contact"] = _contact(child, allocations.get(child.pk))
    return Lookup(children=children, answer=answer)


def reporting_children_page(*, page: int, page_size: int) -> tuple[int, list[dict]]:
    """(how many unrestricted children there are, one page of them, by id)."""
    today = timezone.localdate()
    visible = Child.objects.filter(is_restricted=False).order_by("pk")
    total = visible.count()
    start = (page - 1) * page_size
    children = list(visible.select_related("responsible_team")[start : start + page_size])
    ids = [child.pk for child in children]
    plans, care, allocations = _open_plans(ids, today), _care_started(ids, today), _allocations(ids)
    return total, [
        {
            "id": child.pk,
            "la_child_id": child.la_child_id,
            "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
            "sex": child.sex,
            "ethnicity": child.ethnicity,
            "responsible_team": child.responsible_team.name if child.responsible_team else None,
            "allocated": child.pk in allocations,
            "child_protection_plan_start": plans[child.pk].started_on.isoformat()
            if child.pk in plans
            else None,
            "looked_after_start": care[child.pk][0].isoformat() if child.pk in care else None,
        }
        for child in children
    ]


PARTNER_LOOKUP_DAYS = 90


@dataclass(frozen=True)
class PartnerLookups:
    latest: RecordAccess | None
    recent: int  # lookups in the last `days` days
    days: int = PARTNER_LOOKUP_DAYS


def partner_lookups_of(child: Child) -> PartnerLookups:
    """Partner systems' lookups of the child (CP-IS), for the child's record: the latest and how many lately."""
    since = timezone.now() - dt.timedelta(days=PARTNER_LOOKUP_DAYS)
    lookups = RecordAccess.objects.filter(child=child, kind=AccessKind.VIEW, api_client__isnull=False)
    latest = lookups.select_related("api_client").order_by("-at", "-id").first()
    return PartnerLookups(latest=latest, recent=lookups.filter(at__gte=since).count() if latest else 0)
