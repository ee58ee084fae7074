"""Bad input to the strategy discussion, section 47 enquiry and child in need plan documents: each refusal names the
question (and, for a repeatable answer, the row and the column), keeps nothing (row counts and the statutory record
unchanged), and the document stays as it was. Drafts check what is there; submission checks what is missing; the
section 47 outcome is checked against the enquiry when the document is authorised (the record is the one source)."""

import datetime as dt

import pytest

from opencsc.casework import protection
from opencsc.casework.models import Section47Outcome
from opencsc.documents import services
from tests.documents.conftest import SEEN_ON
from tests.documents.refusals import refused

STRATEGY_ON = dt.date(2026, 4, 13)
ACTION = {"what": "Ella stays with her aunt", "who": "Her aunt, Mia Lane", "by": "20/4/2026"}
PERSON = {"agency": "police", "name": "DC Ann Lee", "role": "Detective"}


@pytest.fixture
def discussion(world):
    return protection.strategy_discussion_record(
        actor=world.worker,
        child=world.child,
        held_on=STRATEGY_ON,
        section_47_agreed=True,
        attendees="Social care, police, health",
    )


def _draft_refused(world, record, answers: dict, field: str, text: str) -> None:
    document = services.document_start(actor=world.worker, record=record)
    carried = dict(document.answers)
    refused(
        lambda: services.document_save_draft(
            actor=world.worker, document=document, answers=answers, expected_version=document.version
        ),
        field,
        text,
        record=record,
    )
    document.refresh_from_db()
    assert (document.version, document.answers) == (1, carried)


def _submit_refused(world, record, answers: dict, field: str, text: str) -> None:
    document = services.document_start(actor=world.worker, record=record)
    refused(
        lambda: services.document_submit(
            actor=world.worker, document=document, answers=answers, expected_version=document.version
        ),
        field,
        text,
        record=record,
    )


# The strategy discussion ---------------------------------------------------------------------------------------

STRATEGY_ANSWERS = {
    "attendees": [{**PERSON, "attendance": "attended"}],
    "known_history": "No earlier involvement.",
    "information_shared": "Police: no history. School: bruising seen on Monday.",
    "section_47_agreed": True,
    "decision_reasons": "Unexplained bruising on a child of ten.",
}


@pytest.mark.parametrize(
    ("answers", "field", "text"),
    [
        (
            {"attendees": [{"name": "DC Ann Lee", "attendance": "attended"}]},
            "attendees",
            "Who took part, by agency, row 1: enter agency",
        ),
        (
            {"attendees": [{**PERSON, "agency": "secret service"}]},
            "attendees",
            "Who took part, by agency, row 1: agency: choose one of the list",
        ),
        (
            {"attendees": [PERSON, {**PERSON, "attendance": "maybe"}]},
            "attendees",
            "Who took part, by agency, row 2: attendance: choose one of the list",
        ),
        (
            {"attendees": [{**PERSON, "name": "N" * 301}]},
            "attendees",
            "Who took part, by agency, row 1: name: too long, the most it can hold is 300 characters",
        ),
        (
            {"safety_actions": [{**ACTION, "by": "next Tuesday"}]},
            "safety_actions",
            "Immediate actions to keep the child safe, row 1: by when: enter a real date",
        ),
        (
            {"safety_actions": [ACTION, {"what": "Police visit", "by": "14/4/2026"}]},
            "safety_actions",
            "Immediate actions to keep the child safe, row 2: enter who",
        ),
        (
            {"section_47_agreed": "yes"},
            "section_47_agreed",
            "Was a section 47 enquiry agreed?: answer yes or no",
        ),
        (
            {"information_shared": "x" * 100_001},
            "information_shared",
            "Too long: the most 'Information shared by each agency' can hold is 100,000 characters",
        ),
    ],
)
def test_a_bad_strategy_discussion_draft_is_refused_naming_the_question(
    world, discussion, answers, field, text
):
    _draft_refused(world, discussion, answers, field, text)


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        (
            {"attendees": [PERSON]},
            "attendees",
            "Who took part, by agency, row 1: enter attendance before submitting",
        ),
        ({"decision_reasons": ""}, "decision_reasons", "Answer 'Reasons for the decision' before submitting"),
        (
            {"section_47_agreed": False},
            "section_47_agreed",
            "The decision on a section 47 enquiry is recorded as yes: answer the same, or correct the record first",
        ),
    ],
)
def test_a_strategy_discussion_is_not_submitted_incomplete_or_disagreeing(
    world, discussion, change, field, text
):
    _submit_refused(world, discussion, {**STRATEGY_ANSWERS, **change}, field, text)


# The section 47 enquiry ----------------------------------------------------------------------------------------

ENQUIRY_ANSWERS = {
    "who_was_seen": "Ella at school, alone; her mother at home.",
    "child_seen_alone": True,
    "child_views": "Ella said she fell off her bike.",
    "parents_views": "Her mother says the same.",
    "agency_information": "GP: the bruising fits a fall.",
    "findings": "An accident; no continuing risk.",
    "outcome": Section47Outcome.NOT_SUBSTANTIATED,
}


@pytest.mark.parametrize(
    ("answers", "field", "text"),
    [
        ({"outcome": "maybe"}, "outcome", "Outcome of the enquiry: select one of the list"),
        ({"child_seen_alone": "no"}, "child_seen_alone", "Was the child seen alone?: answer yes or no"),
        ({"who_was_seen": ["Ella"]}, "who_was_seen", "Who was seen, when and how: enter text"),
        (
            {"safety_actions": [ACTION] * 41},
            "safety_actions",
            "Actions to keep the child safe: at most 40 rows",
        ),
        (
            {"safety_actions": [ACTION, {"who": "Her aunt", "by": "20/4/2026"}]},
            "safety_actions",
            "Actions to keep the child safe, row 2: enter what will be done",
        ),
    ],
)
def test_a_bad_section_47_draft_is_refused_naming_the_question(world, discussion, answers, field, text):
    _draft_refused(world, discussion.section_47s.get(), answers, field, text)


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"findings": ""}, "findings", "Answer 'Findings and analysis' before submitting"),
        ({"outcome": None}, "outcome", "Answer 'Outcome of the enquiry' before submitting"),
        (
            {"safety_actions": [{**ACTION, "by": "31/2/2026"}]},
            "safety_actions",
            "Actions to keep the child safe, row 1: by when: enter a real date",
        ),
    ],
)
def test_a_section_47_enquiry_is_not_submitted_incomplete(world, discussion, change, field, text):
    _submit_refused(world, discussion.section_47s.get(), {**ENQUIRY_ANSWERS, **change}, field, text)


def test_findings_that_disagree_with_an_enquiry_completed_meanwhile_are_not_authorised(world, discussion):
    enquiry = discussion.section_47s.get()
    document = services.document_start(actor=world.worker, record=enquiry)
    document = services.document_submit(
        actor=world.worker, document=document, answers=ENQUIRY_ANSWERS, expected_version=document.version
    )
    protection.section_47_complete(
        actor=world.worker,
        enquiry=enquiry,
        completed_on=dt.date(2026, 5, 6),
        outcome=Section47Outcome.CONCERNS_SUBSTANTIATED_NO_ICPC,
    )
    refused(
        lambda: services.document_authorise(
            actor=world.manager, document=document, expected_version=document.version
        ),
        "comment",
        "The enquiry's outcome is recorded as 'Concerns substantiated, child not at continuing risk: no "
        "conference': answer the same, or correct the record first",
        record=enquiry,
    )
    document.refresh_from_db()
    assert document.status == "submitted" and document.authorised_on is None


# The child in need plan ----------------------------------------------------------------------------------------

PLAN_ANSWERS = {
    "needs": "A warm, dry home.",
    "outcomes": "Ella sleeps in a warm room and misses no school through asthma.",
    "child_views": "Ella said: 'I want to be warm.'",
    "actions": [{"what": "Housing referral", "who": "Ama Osei", "by": "25/5/2026"}],
    "contingency": "A further assessment if the family is not rehoused by September.",
}


@pytest.fixture
def cin_plan(world):
    """A child in need plan follows an authorised assessment that found support is needed."""
    assessment = world.assessment
    protection.assessment_record_child_seen(actor=world.worker, assessment=assessment, seen_on=SEEN_ON)
    protection.assessment_record_factors(actor=world.worker, assessment=assessment, factors=["16A"])
    protection.assessment_record_outcome(actor=world.worker, assessment=assessment, outcome="support")
    protection.assessment_submit(actor=world.worker, assessment=assessment, completed_on=dt.date(2026, 5, 4))
    protection.assessment_authorise(
        actor=world.manager, assessment=assessment, authorised_on=dt.date(2026, 5, 5)
    )
    return protection.cin_plan_start(actor=world.worker, child=world.child, started_on=dt.date(2026, 5, 11))


@pytest.mark.parametrize(
    ("answers", "field", "text"),
    [
        ({"actions": "Housing referral by May"}, "actions", "Actions: enter each row"),
        ({"actions": [["Housing referral", "Ama", "25/5/2026"]]}, "actions", "Actions: enter each row"),
        (
            {"actions": [{"what": "Housing referral", "who": "Ama Osei", "by": "31/2/2026"}]},
            "actions",
            "Actions, row 1: by when: enter a real date, for example 25/5/2026",
        ),
        (
            {"actions": [PLAN_ANSWERS["actions"][0], {"what": "GP", "who": "W" * 301, "by": "1/6/2026"}]},
            "actions",
            "Actions, row 2: who: too long",
        ),
        (
            {"actions": [{"what": "Housing referral", "who": "Ama Osei"}]},
            "actions",
            "Actions, row 1: enter by when",
        ),
        ({"outcomes": 12}, "outcomes", "Outcomes for the child: enter text"),
        (
            {"contingency": "c" * 100_001},
            "contingency",
            "Too long: the most 'Contingency plan' can hold is 100,000 characters (this has 100,001)",
        ),
    ],
)
def test_a_bad_child_in_need_plan_draft_is_refused_naming_the_question(world, cin_plan, answers, field, text):
    _draft_refused(world, cin_plan, answers, field, text)


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"actions": []}, "actions", "Answer 'Actions' before submitting"),
        ({"outcomes": "  "}, "outcomes", "Answer 'Outcomes for the child' before submitting"),
        ({"contingency": None}, "contingency", "Answer 'Contingency plan' before submitting"),
    ],
)
def test_a_child_in_need_plan_is_not_submitted_incomplete(world, cin_plan, change, field, text):
    _submit_refused(world, cin_plan, {**PLAN_ANSWERS, **change}, field, text)
