"""The child protection and child in need documents: each starts from its record with what is known carried
forward (the conference's outline plan becomes the plan, the plan's actions the core group's progress rows), a
repeatable answer is checked row by row (the refusal names the question, the row and the column, and writes
nothing), a statutory answer that disagrees with the record is refused, the section 47 findings complete the
enquiry on the day they are authorised, a stale save is refused, a manager does not authorise what they wrote, and an
authorised document is locked."""

import datetime as dt

import pytest
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.casework import protection
from opencsc.casework.models import Section47Outcome
from opencsc.core.errors import ConcurrentEditError
from opencsc.documents import services
from opencsc.documents.models import DocumentStatus, DocumentType, PracticeDocument
from tests.documents.refusals import refused

STRATEGY_ON = dt.date(2026, 4, 13)
CONFERENCE_ON = dt.date(2026, 4, 27)
CORE_GROUP_ON = dt.date(2026, 5, 8)

ACTIONS = [
    {"what": "Register Ella with a GP", "who": "Her mother", "by": "25/5/2026"},
    {"what": "Weekly visits, Ella seen alone", "who": "Ama Osei, social worker", "by": dt.date(2026, 7, 27)},
]
MEMBERS = [
    {"agency": "social_care", "name": "Ama Osei", "role": "Lead social worker"},
    {"agency": "education", "name": "Jo King", "role": "Designated safeguarding lead"},
]
INITIAL_ANSWERS = {
    "chair": "Priya Shah",
    "attendance": [{**MEMBERS[0], "attendance": "attended"}, {**MEMBERS[1], "attendance": "report"}],
    "parents_attendance": "Mother attended with an advocate; father sent apologies.",
    "parents_views": "Mother agrees the home must be warmer and safer.",
    "child_views": "Ella said: 'I want my mum to stop shouting.'",
    "plan_decided": True,
    "category": "NEG",
    "decision_reasons": "Neglect of Ella's health and home over a year.",
    "outline_outcomes": "Ella is warm, fed and goes to the doctor when ill.",
    "outline_actions": ACTIONS,
    "core_group_members": MEMBERS,
    "lead_social_worker": "Ama Osei",
}


@pytest.fixture
def on_plan(world):
    discussion = protection.strategy_discussion_record(
        actor=world.worker,
        child=world.child,
        held_on=STRATEGY_ON,
        section_47_agreed=True,
        attendees="Social care, police, health",
        summary="School saw bruising.",
    )
    enquiry = discussion.section_47s.get()
    conference = protection.initial_conference_record(
        actor=world.worker, enquiry=enquiry, held_on=CONFERENCE_ON, plan_decided=True, category="NEG"
    )
    world.discussion, world.enquiry, world.conference = discussion, enquiry, conference
    world.plan = conference.plan
    return world


def _authorised(world, record, answers, document_type=None) -> PracticeDocument:
    document = services.document_start(actor=world.worker, record=record, document_type=document_type)
    document = services.document_submit(
        actor=world.worker, document=document, answers=answers, expected_version=document.version
    )
    return services.document_authorise(
        actor=world.manager, document=document, expected_version=document.version
    )


def test_the_conference_outline_becomes_the_plan_and_the_plan_the_core_groups_progress(on_plan):
    world = on_plan
    conference = services.document_start(actor=world.worker, record=world.conference)
    assert conference.document_type == DocumentType.INITIAL_CONFERENCE
    assert conference.answers["plan_decided"] is True and conference.answers["category"] == "NEG"
    conference = services.document_submit(
        actor=world.worker, document=conference, answers=INITIAL_ANSWERS, expected_version=conference.version
    )
    world.conference.refresh_from_db()
    assert world.conference.chair == "Priya Shah"  # the statutory field filled from the document
    assert conference.answers["outline_actions"][0]["by"] == "2026-05-25"  # kept as ISO text
    services.document_authorise(actor=world.manager, document=conference, expected_version=conference.version)

    plan = services.document_start(actor=world.worker, record=world.plan)
    assert plan.answers["outcomes"] == INITIAL_ANSWERS["outline_outcomes"]
    assert [row["what"] for row in plan.answers["actions"]] == [row["what"] for row in ACTIONS]
    plan = services.document_submit(
        actor=world.worker,
        document=plan,
        answers={
            "child_views": "As at conference.",
            "contingency": "Legal planning meeting.",
            "visits": "Weekly",
        },
        expected_version=plan.version,
    )
    services.document_authorise(actor=world.manager, document=plan, expected_version=plan.version)

    meeting = protection.core_group_record(actor=world.worker, plan=world.plan, held_on=CORE_GROUP_ON)
    record = services.document_start(actor=world.worker, record=meeting)
    progress = record.answers["progress"]
    assert [row["what"] for row in progress] == [row["what"] for row in ACTIONS]
    assert all("progress" not in row for row in progress)  # judged afresh at each meeting
    assert [row["name"] for row in record.answers["attendance"]] == ["Ama Osei", "Jo King"]
    answers = {
        "attendance": [{**row, "attendance": "attended"} for row in record.answers["attendance"]],
        "child_views": "Ella said the flat is warmer.",
        "parents_views": "Mother says the GP visit went well.",
        "analysis": "Safer: the home is warm.",
    }
    refused(
        lambda: services.document_submit(
            actor=world.worker, document=record, answers=answers, expected_version=record.version
        ),
        "progress",
        "row 1: enter progress before submitting",
    )
    judged = [
        {**progress[0], "progress": "done"},
        {**progress[1], "progress": "on_track", "notes": "Two visits"},
    ]
    record = services.document_submit(
        actor=world.worker,
        document=record,
        answers={**answers, "progress": judged},
        expected_version=record.version,
    )
    assert record.status == DocumentStatus.SUBMITTED

    second = protection.core_group_record(actor=world.worker, plan=world.plan, held_on=dt.date(2026, 5, 11))
    services.document_authorise(actor=world.manager, document=record, expected_version=record.version)
    following = services.document_start(actor=world.worker, record=second)
    assert [row["what"] for row in following.answers["progress"]] == [row["what"] for row in ACTIONS]


@pytest.mark.parametrize(
    ("rows", "text"),
    [
        (
            [{"what": "Register with a GP", "who": "Mother", "by": "31/2/2026"}],
            "row 1: by when: enter a real date",
        ),
        ([{"what": "Register with a GP", "by": "1/6/2026"}], "row 1: enter who"),
        (
            [ACTIONS[0], {"what": "x" * 301, "who": "Mother", "by": "1/6/2026"}],
            "row 2: what will be done: too long",
        ),
        ("Register with a GP", "enter each row"),
    ],
)
def test_a_bad_row_is_refused_naming_the_question_row_and_column(on_plan, rows, text):
    world = on_plan
    plan = services.document_start(actor=world.worker, record=world.plan)
    refused(
        lambda: services.document_save_draft(
            actor=world.worker, document=plan, answers={"actions": rows}, expected_version=plan.version
        ),
        "actions",
        text,
    )


def test_a_conference_answer_that_disagrees_with_the_record_isrefused(on_plan):
    world = on_plan
    document = services.document_start(actor=world.worker, record=world.conference)
    answers = {**INITIAL_ANSWERS, "category": "PHY"}
    refused(
        lambda: services.document_submit(
            actor=world.worker, document=document, answers=answers, expected_version=document.version
        ),
        "category",
        "The category of abuse is recorded as 'Neglect'",
    )
    world.conference.refresh_from_db()
    assert world.conference.chair == ""


def test_section_47_findings_complete_the_enquiry_on_the_day_they_are_authorised(world):
    discussion = protection.strategy_discussion_record(
        actor=world.worker,
        child=world.child,
        held_on=STRATEGY_ON,
        section_47_agreed=True,
        attendees="Police, health",
    )
    enquiry = discussion.section_47s.get()
    answers = {
        "who_was_seen": "Ella at school, alone.",
        "child_seen_alone": True,
        "child_views": "Ella said she fell off her bike.",
        "parents_views": "Mother confirms the fall.",
        "agency_information": "GP: the injury fits a fall.",
        "findings": "An accident; no continuing risk.",
        "outcome": Section47Outcome.NOT_SUBSTANTIATED,
    }
    document = services.document_start(actor=world.worker, record=enquiry)
    document = services.document_submit(
        actor=world.worker, document=document, answers=answers, expected_version=document.version
    )
    enquiry.refresh_from_db()
    assert enquiry.completed_on is None  # filled when authorised, not when submitted
    services.document_authorise(actor=world.manager, document=document, expected_version=document.version)
    enquiry.refresh_from_db()
    assert (
        enquiry.completed_on == dt.date(2026, 5, 11) and enquiry.outcome == Section47Outcome.NOT_SUBSTANTIATED
    )
    assert enquiry.icpc_not_required


def test_the_strategy_discussions_decision_must_agree_with_its_record(world):
    discussion = protection.strategy_discussion_record(
        actor=world.worker,
        child=world.child,
        held_on=STRATEGY_ON,
        section_47_agreed=False,
        attendees="Police",
    )
    document = services.document_start(actor=world.worker, record=discussion)
    assert document.answers["section_47_agreed"] is False
    answers = {
        "attendees": [{"agency": "police", "name": "DC Lee", "attendance": "attended"}],
        "known_history": "None.",
        "information_shared": "Police: no history.",
        "section_47_agreed": True,
        "decision_reasons": "Threshold not met.",
    }
    refused(
        lambda: services.document_submit(
            actor=world.worker, document=document, answers=answers, expected_version=document.version
        ),
        "section_47_agreed",
        "decision on a section 47 enquiry is recorded as no",
    )


def test_stale_saves_self_authorisation_and_the_lock_hold_for_every_type(on_plan, make_user, teams):
    world = on_plan
    document = services.document_start(actor=world.worker, record=world.plan)
    services.document_save_draft(
        actor=world.worker, document=document, answers={"contingency": "First"}, expected_version=1
    )
    with pytest.raises(ConcurrentEditError) as stale:
        services.document_save_draft(
            actor=world.worker, document=document, answers={"contingency": "Second tab"}, expected_version=1
        )
    assert "This plan was changed by someone else" in stale.value.messages[0]

    author = make_user(Role.TEAM_MANAGER, teams["north"])
    review = protection.core_group_record(actor=world.worker, plan=world.plan, held_on=CORE_GROUP_ON)
    own = services.document_start(actor=author, record=review)
    own = services.document_submit(
        actor=author,
        document=own,
        answers={
            "attendance": [{"agency": "social_care", "name": "Tom Reid", "attendance": "attended"}],
            "progress": [{"what": "Visit", "who": "Ama", "by": "1/6/2026", "progress": "on_track"}],
            "child_views": "Ella is happier.",
            "parents_views": "Mother is engaging.",
            "analysis": "Safer.",
        },
        expected_version=own.version,
    )
    refused(
        lambda: services.document_authorise(actor=author, document=own, expected_version=own.version),
        "comment",
        "You wrote this core group record: another manager returns or authorises it",
    )
    own = services.document_authorise(actor=world.manager, document=own, expected_version=own.version)
    refused(
        lambda: services.document_save_draft(
            actor=author, document=own, answers={"analysis": "Changed"}, expected_version=own.version
        ),
        "__all__",
        "This core group record was authorised on 11 May 2026: it is locked",
    )


def test_a_child_in_need_review_carries_the_plans_actions(world):
    services.document_submit(
        actor=world.worker,
        document=services.document_start(actor=world.worker, assessment=world.assessment),
        answers={
            "who_was_seen": "Ella.",
            "child_seen_on": dt.date(2026, 4, 2),
            "child_seen_alone": True,
            "developmental_needs": "Healthy.",
            "parenting_capacity": "Warm.",
            "family_environment": "Damp flat.",
            "wishes_and_feelings": "Cold at night.",
            "parents_views": "Wants housing help.",
            "agency_information": "School: fine.",
            "analysis": "Needs help with housing.",
            "factors": ["16A"],
            "outcome": "support",
            "next_steps": "Housing referral.",
        },
        expected_version=1,
    )
    document = PracticeDocument.objects.get(assessment=world.assessment)
    services.document_authorise(actor=world.manager, document=document, expected_version=document.version)
    plan = protection.cin_plan_start(actor=world.worker, child=world.child, started_on=dt.date(2026, 5, 11))
    written = _authorised(
        world,
        plan,
        {
            "child_views": "Wants to be warm.",
            "outcomes": "A dry home.",
            "actions": ACTIONS[:1],
            "contingency": "Re-assess.",
        },
    )
    assert written.answers["needs"] == "Needs help with housing."  # carried from the assessment
    review = protection.cin_review_record(actor=world.worker, plan=plan, held_on=dt.date(2026, 5, 11))
    document = services.document_start(actor=world.worker, record=review)
    assert document.document_type == DocumentType.CHILD_IN_NEED_REVIEW
    assert document.answers["progress"] == [
        {"what": "Register Ella with a GP", "who": "Her mother", "by": "2026-05-25"}
    ]


def test_the_casework_page_and_the_childs_record_lead_back_to_every_document(on_plan, client_for):
    world = on_plan
    conference = _authorised(world, world.conference, INITIAL_ANSWERS)
    strategy = services.document_start(actor=world.worker, record=world.discussion)
    enquiry = services.document_start(actor=world.worker, record=world.enquiry)
    plan = services.document_start(actor=world.worker, record=world.plan)
    meeting = protection.core_group_record(actor=world.worker, plan=world.plan, held_on=CORE_GROUP_ON)
    core_group = services.document_start(actor=world.worker, record=meeting)

    casework = client_for(world.worker).get(reverse("protection:casework", args=[world.child.pk]))
    page = casework.content.decode()
    expected = {
        f"document-conference-{world.conference.pk}": (conference, "Authorised 11 May 2026"),
        f"document-strategy_discussion-{world.discussion.pk}": (strategy, "Draft"),
        f"document-section_47-{world.enquiry.pk}": (enquiry, "Draft"),
        f"document-protection_plan-{world.plan.pk}": (plan, "Draft"),
        f"document-core_group-{meeting.pk}": (core_group, "Draft"),
    }
    for element_id, (document, status) in expected.items():
        link = f'href="{reverse("documents:detail", args=[document.pk])}" id="{element_id}"'
        assert link in page, element_id
        assert page.split(f'id="{element_id}"')[1].split("</a>")[0].endswith(f">{status}")

    record = client_for(world.worker).get(reverse("people:detail", args=[world.child.pk])).content.decode()
    unfinished = record.split('data-testid="unfinished-documents"')[1].split("</ul>")[0]
    for document in (strategy, enquiry, plan, core_group):
        assert reverse("documents:detail", args=[document.pk]) in unfinished
    assert reverse("documents:detail", args=[conference.pk]) not in unfinished  # authorised: on the casework
    assert f'id="document-conference-{world.conference.pk}"' in record
