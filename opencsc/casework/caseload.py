"""Caseloads, allocation queues and the children with statutory work but no social worker."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from opencsc.accounts.access import child_visibility_filter
from opencsc.accounts.models import Role, User
from opencsc.casework.models import Allocation, CaseloadPolicy
from opencsc.casework.statutory import case_types, children_with_open_statutory_work, statutory_work_started
from opencsc.people.models import Child

CASE_HOLDING_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)
# Who is offered a case and counted as capacity: social workers. A manager's caseload is not spare capacity.
ALLOCATABLE_ROLES = (Role.SOCIAL_WORKER,)


def caseload_policy() -> CaseloadPolicy:
    return CaseloadPolicy.objects.first() or CaseloadPolicy()


@dataclass(frozen=True)
class Caseload:
    worker: User
    cases: int
    weighted: float
    limit: float

    @property
    def percent_of_limit(self) -> int:
        return round(100 * self.weighted / self.limit) if self.limit else 0

    def would_exceed_with(self, extra_weight: float) -> bool:
        return self.weighted + extra_weight > self.limit


def caseloads(workers: list[User]) -> dict[int, Caseload]:
    policy = caseload_policy()
    open_allocations = list(
        Allocation.objects.filter(worker__in=workers, ended_on__isnull=True).values_list(
            "worker_id", "child_id"
        )
    )
    types = case_types([child_id for _, child_id in open_allocations])
    counts: dict[int, int] = {worker.pk: 0 for worker in workers}
    weights: dict[int, float] = {worker.pk: 0.0 for worker in workers}
    for worker_id, child_id in open_allocations:
        counts[worker_id] += 1
        weights[worker_id] += policy.weight_for(types[child_id])
    limit_per_fte = float(policy.weighted_limit_per_fte)
    return {
        worker.pk: Caseload(
            worker=worker,
            cases=counts[worker.pk],
            weighted=round(weights[worker.pk], 2),
            limit=round(float(worker.fte or Decimal(0)) * limit_per_fte, 2),
        )
        for worker in workers
    }


def team_workers(team) -> list[User]:
    """The team's social workers: the people a case can be allocated to."""
    return list(
        User.objects.filter(team=team, is_active=True, role__in=ALLOCATABLE_ROLES).order_by("last_name")
    )


def case_weight(child: Child) -> float:
    return caseload_policy().weight_for(case_types([child.pk])[child.pk])


@dataclass(frozen=True)
class WaitingChild:
    child: Child
    waiting_since: dt.date
    days_waiting: int
    previous_worker_left_on: dt.date | None


def unallocated_child_ids() -> set[int]:
    """Children with open statutory work and no open allocation."""
    open_allocations = set(
        Allocation.objects.filter(ended_on__isnull=True).values_list("child_id", flat=True)
    )
    return children_with_open_statutory_work() - open_allocations


def unallocated_children(
    *, team=None, user=None, today: dt.date | None = None, limit: int = 1000
) -> list[WaitingChild]:
    """Children with open statutory work and no allocated worker, longest waiting first. A child waits from
    the start of their statutory work, or from when their last worker's allocation ended if that is later.
    Given `user`, only the children that user may open."""
    today = today or timezone.localdate()
    children = Child.objects.filter(pk__in=sorted(unallocated_child_ids())).select_related("responsible_team")
    if user is not None:
        children = children.filter(child_visibility_filter(user))
    if team is not None:
        children = children.filter(responsible_team=team)
    children = list(children)
    ids = [child.pk for child in children]
    started = statutory_work_started(ids)
    last_ended = dict(
        Allocation.objects.filter(child_id__in=ids)
        .values("child_id")
        .annotate(last=Max("ended_on"))
        .values_list("child_id", "last")
    )
    rows = []
    for child in children:
        left_on = last_ended.get(child.pk)
        since = max(filter(None, [started.get(child.pk), left_on]))
        rows.append(WaitingChild(child, since, (today - since).days, left_on))
    rows.sort(key=lambda row: (-row.days_waiting, row.child.pk))
    return rows[:limit]


def unallocated_count() -> int:
    return len(unallocated_child_ids())


def allocation_count_for(child: Child) -> int:
    """How many different workers the child has had."""
    return child.allocations.values("worker").distinct().count()
