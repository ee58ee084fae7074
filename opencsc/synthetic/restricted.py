"""A few restricted records, as every authority keeps (a member of staff's child, a family in the news).

They are chosen from the finished authority with a random stream of their own, so adding them changes nothing
else a seed produces. Each chosen child has a brother or sister, shares final case notes with them and was the
subject of a contact; one has a contact still waiting at the front door when any child does. The people named
on the record are the allocated worker, the child's current independent reviewing officer (an IRO must be named
on a restricted record to review it) and the front-door team's manager, who restricted it (so a contact
about the child can still be decided): everyone else, the child's team manager, other front-door staff and the
heads of service included, may see the child only as "a restricted record".
"""

import random

from django.db.models import Count

from opencsc.accounts.models import Team, TeamKind, User
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import Allocation, CaseNote, NoteStatus
from opencsc.frontdoor.models import ContactChild, ContactStatus
from opencsc.looked_after.iro import current_iro_assignment
from opencsc.people.models import SIBLING_TYPES, Child, ChildAccessGrant, Relationship
from opencsc.synthetic.context import Simulation
from opencsc.synthetic.timestamps import at, stamp

RESTRICTED_SHARE = 0.002
FEWEST_RESTRICTED = 3


def restrict_some_children(sim: Simulation, workforce) -> list[int]:
    """Restrict a few children and name the people who may open them. Returns the children's ids."""
    rng = random.Random(f"{sim.seed}-restricted")
    candidates = _candidates()
    waiting = sorted(candidates & _children_with_an_open_contact())
    wanted = min(len(candidates), max(FEWEST_RESTRICTED, round(sim.children * RESTRICTED_SHARE)))
    chosen = [rng.choice(waiting)] if waiting and wanted else []
    rest = sorted(candidates - set(chosen))
    chosen += rng.sample(rest, wanted - len(chosen))
    for child in Child.objects.filter(pk__in=chosen).select_related("responsible_team").order_by("pk"):
        _restrict(sim, workforce, child)
    sim.count("restricted children", len(chosen))
    return sorted(chosen)


def _candidates() -> set[int]:
    with_siblings = set(
        Relationship.objects.filter(kind__in=SIBLING_TYPES, related_child__isnull=False).values_list(
            "child_id", flat=True
        )
    )
    links = CaseNote.children.through.objects
    shared_notes = (
        links.filter(casenote__status=NoteStatus.FINAL)
        .values("casenote_id")
        .annotate(children=Count("child_id"))
        .filter(children__gte=2)
        .values("casenote_id")
    )
    sharing = set(links.filter(casenote_id__in=shared_notes).values_list("child_id", flat=True))
    contacted = set(ContactChild.objects.filter(child__isnull=False).values_list("child_id", flat=True))
    return with_siblings & sharing & contacted


def _children_with_an_open_contact() -> set[int]:
    open_statuses = [ContactStatus.AWAITING_TRIAGE, ContactStatus.AWAITING_DECISION]
    return set(
        ContactChild.objects.filter(child__isnull=False, contact__status__in=open_statuses).values_list(
            "child_id", flat=True
        )
    )


def _people_named(workforce, child: Child) -> list[User]:
    named = []
    allocation = (
        Allocation.objects.filter(child=child, ended_on__isnull=True).select_related("worker").first()
    )
    if allocation is not None and allocation.worker.is_active:
        named.append(allocation.worker)
    if (assignment := current_iro_assignment(child)) is not None:
        named.append(assignment.iro)
    front_door = Team.objects.filter(kind=TeamKind.FRONT_DOOR).order_by("pk").first()
    if front_door is not None and front_door.pk in workforce.managers:
        named.append(workforce.managers[front_door.pk])
    return named


def _restrict(sim: Simulation, workforce, child: Child) -> None:
    named = _people_named(workforce, child)
    granted_by = named[-1] if named else None
    moment = at(sim.last_day, 9)
    ChildAccessGrant.objects.bulk_create(
        [stamp(ChildAccessGrant(child=child, user=user, granted_by=granted_by), moment) for user in named]
    )
    Child.objects.filter(pk=child.pk).update(is_restricted=True)
    AuditEvent.objects.create(
        actor=granted_by,
        verb="child.restricted",
        object_type="Child",
        object_id=str(child.pk),
        child=child,
        payload={"named": sorted(user.username for user in named)},
        at=moment,
    )
