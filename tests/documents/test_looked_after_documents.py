"""The looked-after documents (Care Planning, Placement and Case Review (England) Regulations 2010): the care plan
starts from the period of care with the child's IRO and the last assessment carried forward; the placement plan
starts from the current placement with the care plan's health, education and family time, and its authorisation
agrees the plan on that day, closing the reg 9 clock; the pathway plan's needs assessment is carried into its next
review. Bad answers are refused by question with nothing written, a stale save is refused, a manager does not
authorise a plan they wrote, and a placement that has ended takes no plan. Today is Monday 11 May 2026."""

import datetime as dt
from functools import partial

import pytest

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import ChronologyEntry
from opencsc.core.errors import ConcurrentEditError
from opencsc.documents import selectors, services
from opencsc.documents.answers import SHORT_TEXT_MAX_CHARACTERS
from opencsc.documents.models import DocumentStatus, DocumentType, DocumentVersion, PracticeDocument
from opencsc.looked_after import iro, placement_plans
from opencsc.looked_after import services as care
from opencsc.looked_after.care_leavers import pathway_plan_review_record
from opencsc.looked_after.clocks import child_care_clocks
from opencsc.looked_after.models import Episode, PlacementPlanAgreement
from opencsc.people import services as people_services
from tests.factories import assert_refused

D = dt.date
CARE_STARTED = D(2026, 5, 5)  # a Tuesday: the placement plan is due on Tuesday 12 May
ROW_MODELS = (PracticeDocument, DocumentVersion, PlacementPlanAgreement, AuditEvent, ChronologyEntry)
ACTIONS = [{"what": "Initial health assessment", "who": "Looked-after children's nurse", "by": "2/6/2026"}]
CARE_PLAN = {
    "permanence_plan": "Ella returns home to her mother within six months if the parenting work succeeds.",
    "health": "Initial health assessment by 2 June; registered with Dr Patel.",
    "education": "Stays at Hill Primary; PEP meeting within 20 school days.",
    "family_time": "Mother twice a week, supervised, at the family centre.",
    "child_views": "Ella said: 'I want to go home but I like my foster carer.'",
    "parents_views": "Her mother wants Ella home and will do the parenting course.",
    "actions": ACTIONS,
    "contingency": "If the work does not succeed by November, a plan for long-term fostering.",
}
PLACEMENT_PLAN = {
    "placement_purpose": "A foster home near Ella's school, so that she keeps her friends.",
    "delegated_authority": "The carers decide haircuts, school trips and sleepovers with friends.",
    "visits": "Within a week, then every 6 weeks",
    "child_views": "Ella likes her room and the carers' dog.",
}
# The answers a placement plan carries from an authorised care plan, for a plan written without one.
PLACEMENT_PLAN_ALONE = {
    **PLACEMENT_PLAN,
    **{key: CARE_PLAN[key] for key in ("health", "education", "family_time")},
}


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


_refused = partial(assert_refused, counts=_counts)


@pytest.fixture
def in_care(world, make_user):
    world.episode = care.episode_start_care(
        actor=world.worker,
        child=world.child,
        started_on=CARE_STARTED,
        legal_status="C2",
        category_of_need="N1",
        placement_type="U6",
        placement_provider="PR1",
        urn="SC123456",
        carer_name="Mr and Mrs Carer",
        placement_postcode="CA1 1AA",
    )
    world.officer = make_user(
        Role.INDEPENDENT_REVIEWING_OFFICER, None, first_name="Ines", last_name="Reviewer"
    )
    iro.iro_assign(actor=world.manager, child=world.child, iro=world.officer, started_on=CARE_STARTED)
    return world


def _start(world, document_type, record=None, actor=None):
    return services.document_start(
        actor=actor or world.worker, record=record or world.episode, document_type=document_type
    )


def _submit(world, document, answers, actor=None):
    return services.document_submit(
        actor=actor or world.worker, document=document, answers=answers, expected_version=document.version
    )


def _authorise(world, document):
    return services.document_authorise(
        actor=world.manager, document=document, expected_version=document.version
    )


def _plan_clocks(child):
    return [clock for clock in child_care_clocks(child) if clock.rule_id == "placement_plan"]


def test_the_care_plan_is_carried_into_the_placement_plan_whose_authorisation_closes_the_clock(in_care):
    world = in_care
    writable = {(w.kind.document_type, w.record_id) for w in selectors.records_to_write(world.child)}
    assert (DocumentType.CARE_PLAN, world.episode.pk) in writable
    assert (DocumentType.PLACEMENT_PLAN, world.episode.pk) in writable

    care_plan = _start(world, DocumentType.CARE_PLAN)
    assert care_plan.care_period == world.episode and care_plan.answers["iro"] == "Ines Reviewer"
    care_plan = _authorise(world, _submit(world, care_plan, CARE_PLAN))
    assert care_plan.status == DocumentStatus.AUTHORISED
    assert not PlacementPlanAgreement.objects.exists(), "a care plan agrees no placement plan"

    plan = _start(world, DocumentType.PLACEMENT_PLAN)
    assert plan.placement == world.episode
    assert plan.answers["carer"].startswith("Mr and Mrs Carer, ")
    assert {key: plan.answers[key] for key in ("health", "education", "family_time")} == {
        key: CARE_PLAN[key] for key in ("health", "education", "family_time")
    }
    (clock,) = _plan_clocks(world.child)
    assert clock.due_on == D(2026, 5, 12)
    plan = _authorise(world, _submit(world, plan, PLACEMENT_PLAN))
    agreement = PlacementPlanAgreement.objects.get(child=world.child)
    assert (agreement.placement_started_on, agreement.agreed_on) == (CARE_STARTED, D(2026, 5, 11))
    assert agreement.recorded_by == world.manager and plan.authorised_on == D(2026, 5, 11)
    assert _plan_clocks(world.child) == []
    assert ChronologyEntry.objects.filter(
        child=world.child, summary="Placement plan agreed for the placement from 5 May 2026"
    ).exists()
    writable = {(w.kind.document_type, w.record_id) for w in selectors.records_to_write(world.child)}
    assert not {DocumentType.CARE_PLAN, DocumentType.PLACEMENT_PLAN} & {kind for kind, _ in writable}


def test_bad_answers_are_refused_by_question_and_write_nothing(in_care):
    world = in_care
    plan = _start(world, DocumentType.PLACEMENT_PLAN)
    _refused(
        lambda: _submit(world, plan, {**PLACEMENT_PLAN_ALONE, "placement_purpose": ""}),
        "placement_purpose",
        "Answer 'How the placement meets the child's needs' before submitting",
    )
    _refused(
        lambda: services.document_save_draft(
            actor=world.worker,
            document=plan,
            answers={"visits": "x" * (SHORT_TEXT_MAX_CHARACTERS + 1)},
            expected_version=plan.version,
        ),
        "visits",
        f"{SHORT_TEXT_MAX_CHARACTERS}",
    )
    care_plan = _start(world, DocumentType.CARE_PLAN)
    _refused(
        lambda: _submit(
            world, care_plan, {**CARE_PLAN, "actions": [{"what": "Visit", "who": "", "by": "31/2/2026"}]}
        ),
        "actions",
        "row 1",
    )
    _refused(lambda: _start(world, DocumentType.CARE_PLAN), "care_period", "already has its document")


def test_a_stale_save_and_a_manager_authorising_their_own_plan_are_refused(in_care):
    world = in_care
    plan = _start(world, DocumentType.PLACEMENT_PLAN, actor=world.manager)
    services.document_save_draft(
        actor=world.manager, document=plan, answers={"visits": "Weekly"}, expected_version=plan.version
    )
    with pytest.raises(ConcurrentEditError) as stale:
        services.document_save_draft(
            actor=world.worker, document=plan, answers={"visits": "Monthly"}, expected_version=plan.version
        )
    assert "This placement plan was changed by someone else" in stale.value.messages[0]
    plan.refresh_from_db()
    assert plan.answers["visits"] == "Weekly"
    plan = _submit(world, plan, PLACEMENT_PLAN_ALONE, actor=world.manager)
    _refused(
        lambda: services.document_authorise(
            actor=world.manager, document=plan, expected_version=plan.version
        ),
        "comment",
        "You wrote this placement plan: another manager returns or authorises it",
    )
    assert len(_plan_clocks(world.child)) == 1


def test_a_placement_that_ended_takes_no_plan_and_an_earlier_agreement_keeps_its_date(in_care):
    world = in_care
    plan = _submit(world, _start(world, DocumentType.PLACEMENT_PLAN), PLACEMENT_PLAN_ALONE)
    care.episode_move_placement(
        actor=world.worker,
        child=world.child,
        moved_on=D(2026, 5, 8),
        same_carers=False,
        reason_placement_changed="CARPL",
        placement_type="U4",
        placement_provider="PR1",
        urn="SC123456",
        carer_name="Ms Next",
        placement_postcode="CA1 1AA",
    )
    _refused(lambda: _authorise(world, plan), "comment", "The placement from 5 May 2026 has ended")
    moved = Episode.objects.get(child=world.child, started_on=D(2026, 5, 8))
    assert plan.status == DocumentStatus.SUBMITTED
    _refused(
        lambda: _start(world, DocumentType.PLACEMENT_PLAN, record=world.episode), "placement", "has ended"
    )

    placement_plans.placement_plan_agree(actor=world.worker, child=world.child, agreed_on=D(2026, 5, 7))
    second = _submit(world, _start(world, DocumentType.PLACEMENT_PLAN, record=moved), PLACEMENT_PLAN_ALONE)
    _authorise(world, second)
    assert PlacementPlanAgreement.objects.get(placement_started_on=D(2026, 5, 8)).agreed_on == D(2026, 5, 7)


def test_the_pathway_plans_needs_assessment_is_carried_into_its_review(world, teams):
    young_person = people_services.child_create(
        actor=world.worker,
        team=teams["north"],
        first_name="Kai",
        last_name="Pathway",
        date_of_birth=D(2009, 9, 1),
        sex="M",
    )
    first = pathway_plan_review_record(actor=world.worker, child=young_person, reviewed_on=D(2025, 11, 3))
    needs = {
        "health": "Well; sees the CAMHS worker monthly.",
        "education_employment": "College, level 2 motor vehicle.",
        "relationships": "Close to his nan; sees his sister weekly.",
        "finance": "Learning to budget his allowance.",
        "skills": "Cooks three meals; learning to shop.",
        "accommodation": "Stays with his foster carers; supported lodgings at 18.",
    }
    answers = {
        **needs,
        "young_person_views": "Kai said: 'I want my own place near college.'",
        "actions": [{"what": "Open a bank account", "who": "Kai with his PA", "by": "1/12/2025"}],
        "personal_adviser": "Ama Osei",
        "contingency": "If the lodgings fall through, stay put with his carers.",
    }
    plan = _start(world, DocumentType.PATHWAY_PLAN, record=first)
    assert plan.pathway_plan == first
    _authorise(world, _submit(world, plan, answers))
    review = pathway_plan_review_record(actor=world.worker, child=young_person, reviewed_on=D(2026, 5, 5))
    carried = _start(world, DocumentType.PATHWAY_PLAN, record=review).answers
    assert {key: carried[key] for key in needs} == needs
    assert carried["personal_adviser"] == "Ama Osei" and "young_person_views" not in carried
