"""Walks the domain modules in order to build a synthetic authority, and clears one away again.

Households are planned and written in batches so memory stays flat however many children are asked for.
Later modules (front door, looked after, ...) add their step to `_write_batch`.
"""

import datetime as dt
from collections import Counter

from django.db import connection, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.test.utils import override_settings
from django.utils import timezone

from opencsc.accounts.models import Team, User
from opencsc.allegations.models import Allegation
from opencsc.audit.models import AuditEvent, RecordAccess
from opencsc.casework.models import (
    Allocation,
    Assessment,
    CaseNote,
    CaseNoteAmendment,
    ChildInNeedPlan,
    ChildInNeedReview,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChronologyEntry,
    CoreGroupMeeting,
    Section47Enquiry,
    StrategyDiscussion,
)
from opencsc.core.working_days import authority_calendar
from opencsc.documents.models import PracticeDocument
from opencsc.finance.models import (
    Budget,
    CarerApproval,
    PlacementAgreement,
    Provider,
    Scenario,
)
from opencsc.frontdoor.models import Contact, ContactChild, DemandAlert, PartnerCheck, Referral
from opencsc.insight.figure_months import wholesale_change
from opencsc.oversight.models import Inspection, OverdueFindings
from opencsc.people.models import (
    Alert,
    Child,
    ChildAccessGrant,
    ChildAddress,
    ChildAlias,
    ChildDisability,
    Person,
    Relationship,
)
from opencsc.privatefostering.models import PrivateFosteringArrangement, PrivateFosteringVisit
from opencsc.quality.models import AuditProgramme, FileAudit
from opencsc.synthetic.allegations import write_allegations
from opencsc.synthetic.audits import write_case_file_audits
from opencsc.synthetic.casework import CaseworkWriter, assign_team
from opencsc.synthetic.context import GENERATED_EMAIL_DOMAIN, Simulation
from opencsc.synthetic.documents import write_practice_documents
from opencsc.synthetic.earlyhelp import write_early_help
from opencsc.synthetic.exploitation import exploitation_records, write_exploitation
from opencsc.synthetic.families import Casework, HouseholdWriter, IdentifierIssuer, plan_household
from opencsc.synthetic.finance import build_finance
from opencsc.synthetic.frontdoor import FrontDoorPlanner, FrontDoorWriter
from opencsc.synthetic.improvement import build_improvement_plan
from opencsc.synthetic.looked_after import LookedAfterWriter, looked_after_records
from opencsc.synthetic.privatefostering import write_private_fostering
from opencsc.synthetic.proceedings import write_proceedings
from opencsc.synthetic.restricted import restrict_some_children
from opencsc.synthetic.seasons import Demand
from opencsc.synthetic.staffing import write_staffing
from opencsc.synthetic.timestamps import at, historical_timestamps
from opencsc.synthetic.workforce import build_workforce

CHILDREN_PER_BATCH = 2_000
# Past casework for a fifth of the other households: with the open caseload, about a quarter of a large
# authority's children were referred in the five years, as national referral rates (about 5.5% a year) give.
CLOSED_SHARE_OF_THE_REST = 0.2


def generate_authority(
    *,
    children: int,
    seed: int,
    la_code: str,
    start_year: int | None = None,
    today: dt.date | None = None,
    progress=None,
) -> Counter:
    """Write a synthetic authority with `children` children. Returns how many rows of each kind were written."""
    last_day = (today or timezone.localdate()) - dt.timedelta(days=1)
    start_year = start_year or last_day.year - 5
    if start_year > last_day.year:
        raise ValueError(f"The start year {start_year} is after {last_day.year}")
    sim = Simulation(
        seed=seed, children=children, first_day=dt.date(start_year, 1, 1), last_day=last_day, la_code=la_code
    )
    # Query logging (on whenever DEBUG is) would keep and format every insert: a third of the time.
    sim.demand = Demand(sim.first_day, sim.last_day)
    sim.calendar = authority_calendar()
    sim.front_door = FrontDoorPlanner(sim)
    with override_settings(DEBUG=False), historical_timestamps(), wholesale_change(), transaction.atomic():
        workforce = build_workforce(sim)
        issuer = IdentifierIssuer(sim)
        families = HouseholdWriter(sim, issuer, workforce)
        casework = CaseworkWriter(sim, workforce)
        front_door = FrontDoorWriter(sim, workforce)
        looked_after = LookedAfterWriter(sim, issuer, workforce)
        for batch in _household_batches(sim, issuer, workforce):
            families.write(batch)
            casework.write(batch)
            front_door.write(batch)
            looked_after.write(batch)
            if progress:
                progress(sim.written["children"], children)
        write_proceedings(sim)
        write_early_help(sim)
        write_exploitation(sim)
        write_allegations(sim)
        write_private_fostering(sim)
        write_case_file_audits(sim, workforce)
        write_practice_documents(sim, workforce)
        restrict_some_children(sim, workforce)
        build_improvement_plan(sim)
        write_staffing(sim)
        build_finance(sim)
        _record_generation(sim)
    _refresh_planner_statistics()
    return sim.written


def _refresh_planner_statistics() -> None:
    """A bulk load leaves the planner's statistics empty until autovacuum runs: PostgreSQL then estimates
    hundreds of rows where there are hundreds of thousands and sorts whole tables (1.8s for a record page)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _household_batches(sim: Simulation, issuer: IdentifierIssuer, workforce):
    open_chance = sim.open_children_target / max(sim.children, 1)
    planned, batch, in_batch = 0, [], 0
    while planned < sim.children:
        household = plan_household(sim, issuer, _casework_for(sim, open_chance), sim.children - planned)
        assign_team(sim, workforce, household)
        batch.append(household)
        planned += len(household.children)
        in_batch += len(household.children)
        if in_batch >= CHILDREN_PER_BATCH:
            yield batch
            batch, in_batch = [], 0
    if batch:
        yield batch


def _casework_for(sim: Simulation, open_chance: float) -> str:
    draw = sim.rng.random()
    if draw < open_chance:
        return Casework.OPEN
    if draw < open_chance + (1 - open_chance) * CLOSED_SHARE_OF_THE_REST:
        return Casework.CLOSED
    return Casework.CONTACT_ONLY


def _record_generation(sim: Simulation) -> None:
    AuditEvent.objects.create(
        verb="synthetic.generated",
        object_type="authority",
        object_id=str(sim.seed),
        payload={
            "seed": sim.seed,
            "children": sim.children,
            "first_day": sim.first_day.isoformat(),
            "last_day": sim.last_day.isoformat(),
        },
        at=at(sim.last_day, 23, 59),
    )


def generated_households_exist() -> bool:
    return Child.objects.exists()


@wholesale_change()
@transaction.atomic
def clear_generated_data() -> None:
    """Remove every child and everything about them, the people around them, and the generated staff and teams.

    Staff who were not generated stay, taken out of any generated team. The access log and audit events about
    children go too: they are about records that no longer exist. Rows other modules keep about children or
    generated staff (contacts, referrals, ...) are removed wherever they would block the deletion.
    """
    generated_staff = User.objects.filter(email__endswith=f"@{GENERATED_EMAIL_DOMAIN}")
    RecordAccess.objects.all().delete()
    Inspection.objects.all().delete()  # with its recommendations, actions, status history and evidence
    OverdueFindings.objects.all().delete()  # the sweeps' findings name the children by id
    AuditProgramme.objects.all().delete()  # with the children drawn
    FileAudit.objects.all().delete()  # with the domain grades and actions
    AuditEvent.objects.filter(
        Q(child__isnull=False) | Q(actor__in=generated_staff) | Q(verb="synthetic.generated")
    ).delete()
    for model in (PlacementAgreement, CarerApproval, Provider, Budget, Scenario):
        _delete_with_blockers(model.objects.all())  # with their costs and budget lines
    _delete_with_blockers(PracticeDocument.objects.all())  # with their versions and reviews
    _delete_with_blockers(Allegation.objects.all())  # with the children named, referrals, grants and reads
    ChildProtectionConference.objects.update(plan=None)
    ChildProtectionPlan.objects.update(initial_conference=None)
    casework_records = (
        CoreGroupMeeting,
        ChildInNeedReview,
        ChildInNeedPlan,
        ChildProtectionConference,
        ChildProtectionPlan,
        Section47Enquiry,
        StrategyDiscussion,
        Assessment,
        Referral,
        PartnerCheck,
        ContactChild,
        Contact,
        DemandAlert,
    )
    for model in exploitation_records():
        _delete_with_blockers(model.objects.all())
    for model in casework_records:
        _delete_with_blockers(model.objects.all())
    for model in (PrivateFosteringVisit, PrivateFosteringArrangement):
        _delete_with_blockers(model.objects.all())
    for model in looked_after_records():
        _delete_with_blockers(model.objects.all())
    for model in (CaseNoteAmendment, CaseNote.children.through, CaseNote, ChronologyEntry, Allocation, Alert):
        _delete_with_blockers(model.objects.all())
    for model in (ChildAccessGrant, Relationship, ChildAddress, ChildAlias, ChildDisability, Child, Person):
        _delete_with_blockers(model.objects.all())
    generated_team_ids = list(generated_staff.exclude(team=None).values_list("team_id", flat=True).distinct())
    _clear_generated_workforce(generated_staff, generated_team_ids)
    User.objects.filter(team_id__in=generated_team_ids).exclude(pk__in=generated_staff).update(team=None)
    _delete_with_blockers(generated_staff)
    _delete_with_blockers(Team.objects.filter(pk__in=generated_team_ids))


def _clear_generated_workforce(generated_staff, generated_team_ids: list[int]) -> None:
    from opencsc.workforce.models import Absence, Post, StaffRecord

    records = StaffRecord.objects.filter(Q(team_id__in=generated_team_ids) | Q(user__in=generated_staff))
    Absence.objects.filter(staff__in=records).delete()
    records.delete()
    Post.objects.filter(team_id__in=generated_team_ids).delete()


def _delete_with_blockers(queryset, depth: int = 0) -> None:
    """Delete the rows, first deleting any rows whose protected foreign keys point at them."""
    try:
        queryset.delete()
    except (ProtectedError, RestrictedError) as error:
        if depth > 8:
            raise
        blockers = getattr(error, "protected_objects", None) or error.restricted_objects
        by_model: dict = {}
        for blocker in blockers:
            by_model.setdefault(type(blocker), []).append(blocker.pk)
        for model, pks in by_model.items():
            _delete_with_blockers(model.objects.filter(pk__in=pks), depth + 1)
        _delete_with_blockers(queryset, depth + 1)
