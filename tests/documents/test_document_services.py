"""The practice document services: a child and family assessment written over several sittings, submitted,
returned with comments, revised and authorised (the assessment authorised with it); refusals name the question and
write nothing; stale saves are refused; an authorised document is locked; templates are data whose published
versions never change and whose statutory questions cannot be removed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import Assessment, ChronologyEntry
from opencsc.core.errors import ConcurrentEditError
from opencsc.documents import services, template_services
from opencsc.documents.models import (
    DocumentStatus,
    DocumentTemplate,
    DocumentType,
    PracticeDocument,
    TemplateQuestion,
)
from tests.documents.conftest import COMPLETE_ANSWERS, SEEN_ON, TODAY
from tests.documents.refusals import refused, row_counts

CFA = DocumentType.CHILD_AND_FAMILY_ASSESSMENT


def _started(world) -> PracticeDocument:
    return services.document_start(actor=world.worker, assessment=world.assessment)


def _submitted(world) -> PracticeDocument:
    document = _started(world)
    return services.document_submit(
        actor=world.worker, document=document, answers=COMPLETE_ANSWERS, expected_version=document.version
    )


def test_a_document_written_over_two_sittings_returned_revised_and_authorised(world):
    document = _started(world)
    assert document.template.version == 1 and document.version == 1
    first = {"who_was_seen": COMPLETE_ANSWERS["who_was_seen"], "analysis": "First thoughts."}
    document = services.document_save_draft(
        actor=world.worker, document=document, answers=first, expected_version=1
    )
    document = services.document_save_draft(
        actor=world.worker, document=document, answers={"parents_views": "Mother's view"}, expected_version=2
    )
    assert document.answers["analysis"] == "First thoughts."  # the second sitting kept the first
    document = services.document_submit(
        actor=world.worker, document=document, answers=COMPLETE_ANSWERS, expected_version=3
    )
    assessment = Assessment.objects.get(pk=world.assessment.pk)
    assert (assessment.child_seen_on, assessment.factors, assessment.outcome) == (SEEN_ON, ["16A"], "support")
    assert assessment.completed_on == TODAY.date()

    document = services.document_return(
        actor=world.manager, document=document, comment="Say more about the damp.", expected_version=4
    )
    assert document.status == DocumentStatus.RETURNED
    revised = {**COMPLETE_ANSWERS, "analysis": "The damp is making Ella ill; housing is the priority."}
    document = services.document_submit(
        actor=world.worker, document=document, answers=revised, expected_version=5
    )
    document = services.document_authorise(actor=world.manager, document=document, expected_version=6)

    assessment.refresh_from_db()
    assert assessment.authorised_on == TODAY.date() and assessment.authorised_by == world.manager
    assert document.status == DocumentStatus.AUTHORISED and document.authorised_on == TODAY.date()
    assert [v.event for v in document.versions.all()] == [
        "Started",
        "Draft saved",
        "Draft saved",
        "Submitted for authorisation",
        "Returned by Tom Reid",
        "Revised and submitted again",
        "Authorised by Tom Reid",
    ]
    assert document.versions.get(number=2).answers["analysis"] == "First thoughts."
    chronology = list(ChronologyEntry.objects.filter(child=world.child).values_list("summary", flat=True))
    assert any("Management oversight: Tom Reid returned" in line and "damp" in line for line in chronology)
    assert any("revised by Ama Osei" in line for line in chronology)
    assert any(line.startswith("Assessment authorised by Tom Reid") for line in chronology)
    assert any(line.startswith("Assessment completed and sent for authorisation") for line in chronology)
    verbs = set(AuditEvent.objects.filter(child=world.child).values_list("verb", flat=True))
    assert {"document.started", "document.saved", "document.submitted", "document.returned"} <= verbs
    assert {"document.authorised", "assessment.authorised"} <= verbs


def test_submitting_with_questions_unanswered_is_refused_on_each_question(world):
    document = _started(world)
    partial = {k: v for k, v in COMPLETE_ANSWERS.items() if k not in ("analysis", "factors")}
    call = lambda: services.document_submit(  # noqa: E731
        actor=world.worker, document=document, answers=partial, expected_version=1
    )
    refused(call, "analysis", "Answer 'Analysis' before submitting", world.assessment)
    refused(call, "factors", "Answer 'Factors identified' before submitting", world.assessment)


def test_a_statutory_refusal_lands_on_the_question_and_writes_nothing(world):
    document = _started(world)
    before_start = {**COMPLETE_ANSWERS, "child_seen_on": world.assessment.started_on.replace(day=1)}
    refused(
        lambda: services.document_submit(
            actor=world.worker, document=document, answers=before_start, expected_version=1
        ),
        "child_seen_on",
        "must be on or after the assessment started",
        world.assessment,
    )
    both = {**COMPLETE_ANSWERS, "factors": ["21", "16A"]}
    refused(
        lambda: services.document_submit(
            actor=world.worker, document=document, answers=both, expected_version=1
        ),
        "factors",
        "cannot be selected with other factors",
        world.assessment,
    )


def test_bad_answers_are_refused_on_the_question(world):
    document = _started(world)

    def save(answers):
        return lambda: services.document_save_draft(
            actor=world.worker, document=document, answers=answers, expected_version=1
        )

    refused(save({"factors": ["99Z"]}), "factors", "Not a DfE assessment factor code: 99Z")
    refused(
        save({"analysis": "x" * 100_001}), "analysis", "Too long: the most 'Analysis' can hold is 100,000"
    )


def test_a_save_from_a_stale_version_is_refused_and_nothing_is_lost(world):
    document = _started(world)
    services.document_save_draft(
        actor=world.worker,
        document=document,
        answers={"analysis": "Saved in the other tab"},
        expected_version=1,
    )
    before = row_counts()
    with pytest.raises(ConcurrentEditError):
        services.document_save_draft(
            actor=world.worker,
            document=document,
            answers={"analysis": "Typed in this tab"},
            expected_version=1,
        )
    assert row_counts() == before
    document.refresh_from_db()
    assert document.answers["analysis"] == "Saved in the other tab" and document.version == 2


def test_an_authorised_document_is_locked(world):
    document = _submitted(world)
    document = services.document_authorise(
        actor=world.manager, document=document, expected_version=document.version
    )
    version = document.version
    for call in (
        lambda: services.document_save_draft(
            actor=world.worker, document=document, answers={"analysis": "later"}, expected_version=version
        ),
        lambda: services.document_submit(actor=world.worker, document=document, expected_version=version),
    ):
        refused(call, "__all__", "was authorised on 11 May 2026: it is locked")
    refused(
        lambda: services.document_return(
            actor=world.manager, document=document, comment="Too late", expected_version=version
        ),
        "comment",
        "not waiting for authorisation (it is authorised)",
    )


def test_a_submitted_document_waits_for_the_manager(world):
    document = _submitted(world)
    refused(
        lambda: services.document_save_draft(
            actor=world.worker,
            document=document,
            answers={"analysis": "more"},
            expected_version=document.version,
        ),
        "__all__",
        "is with the manager for authorisation",
    )


def test_only_a_manager_returns_or_authorises_and_a_return_needs_comments(world):
    document = _submitted(world)
    with pytest.raises(PermissionDenied):
        services.document_authorise(actor=world.worker, document=document, expected_version=document.version)
    with pytest.raises(PermissionDenied):
        services.document_return(
            actor=world.worker, document=document, comment="I approve", expected_version=document.version
        )
    refused(
        lambda: services.document_return(
            actor=world.manager, document=document, comment="  ", expected_version=document.version
        ),
        "comment",
        "Enter your comments for the worker",
    )


def test_a_manager_does_not_decide_on_an_assessment_they_wrote(world, make_user, teams):
    document = services.document_start(actor=world.manager, assessment=world.assessment)
    document = services.document_submit(
        actor=world.manager, document=document, answers=COMPLETE_ANSWERS, expected_version=document.version
    )
    for decide in (
        lambda: services.document_authorise(
            actor=world.manager, document=document, expected_version=document.version
        ),
        lambda: services.document_return(
            actor=world.manager, document=document, comment="Fine by me", expected_version=document.version
        ),
    ):
        refused(decide, "comment", services.WROTE_IT_YOURSELF, world.assessment)
    second_pair_of_eyes = make_user(Role.HEAD_OF_SERVICE, teams["north"])
    document = services.document_authorise(
        actor=second_pair_of_eyes, document=document, expected_version=document.version
    )
    assert document.status == DocumentStatus.AUTHORISED


def test_someone_who_cannot_change_the_child_cannot_write(world, teams, make_user):
    stranger = make_user(Role.SOCIAL_WORKER, teams["south"])
    with pytest.raises(PermissionDenied):
        services.document_start(actor=stranger, assessment=world.assessment)
    document = _started(world)
    with pytest.raises(PermissionDenied):
        services.document_save_draft(actor=stranger, document=document, answers={}, expected_version=1)


def test_one_document_per_assessment(world):
    _started(world)
    refused(lambda: _started(world), "assessment", "already has its document")


# Templates ------------------------------------------------------------------------------------------------


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR)


def test_the_shipped_template_is_published_with_its_statutory_questions(db):
    template = services.published_template(CFA)
    assert template.version == 1 and template.is_published
    statutory = {q.key: q.statutory_field for q in template.questions() if q.statutory_field}
    assert statutory == {
        "child_seen_on": "assessment.child_seen_on",
        "factors": "assessment.factors",
        "outcome": "assessment.outcome",
    }
    titles = [s.title for s in template.sections.all()]
    for domain in (
        "The child's developmental needs",
        "Parenting capacity",
        "Family and environmental factors",
    ):
        assert domain in titles


def test_a_published_template_never_changes(admin):
    template = services.published_template(CFA)
    question = template.questions()[0]
    question.label = "Changed"
    with pytest.raises(ValidationError, match="published and never changes"):
        question.save()
    with pytest.raises(ValidationError, match="published and never changes"):
        question.delete()
    with pytest.raises(ValidationError, match="published and never changes"):
        template_services.question_add(
            actor=admin, section=template.sections.first(), expected_revision=0, label="Extra question"
        )


def test_a_statutory_question_cannot_be_removed_from_a_new_version(admin):
    draft = template_services.template_new_version(actor=admin, document_type=CFA)
    factors = TemplateQuestion.objects.get(section__template=draft, key="factors")
    refused(
        lambda: template_services.question_remove(actor=admin, question=factors, expected_revision=0),
        "question",
        "'Factors identified' fills the statutory record (Assessment: factors identified): it cannot be removed",
    )
    # Taken out some other way (a database edit), publishing still refuses the version.
    TemplateQuestion.objects.filter(pk=factors.pk).delete()
    with pytest.raises(
        ValidationError, match="Statutory questions cannot be removed: put back Assessment: factors"
    ):
        template_services.template_publish(actor=admin, template=draft, expected_revision=0)
    draft.refresh_from_db()
    assert not draft.is_published


def test_only_an_administrator_changes_templates(world):
    with pytest.raises(PermissionDenied):
        template_services.template_new_version(actor=world.manager, document_type=CFA)


def test_a_new_version_leaves_documents_begun_before_on_version_1(world, admin):
    before = _started(world)
    draft = template_services.template_new_version(actor=admin, document_type=CFA)
    section = draft.sections.get(key="child-voice")
    added = template_services.question_add(
        actor=admin, section=section, expected_revision=0, label="Three houses: worries, good things, dreams"
    )
    assert added.key == "three_houses_worries_good_things_dreams"
    template_services.template_publish(actor=admin, template=draft, expected_revision=1)
    assert services.published_template(CFA).version == 2

    before.refresh_from_db()
    assert before.template.version == 1
    assert added.key not in [q.key for q in before.template.questions()]
    assert (
        DocumentTemplate.objects.get(document_type=CFA, version=1).questions()[0].label
        == "Who was seen, when and how"
    )

    services.document_save_draft(
        actor=world.worker, document=before, answers=COMPLETE_ANSWERS, expected_version=before.version
    )
    before = PracticeDocument.objects.get(pk=before.pk)
    after = services.document_submit(
        actor=world.worker, document=before, answers=COMPLETE_ANSWERS, expected_version=before.version
    )
    services.document_authorise(actor=world.manager, document=after, expected_version=after.version)
    second = protection_next_assessment(world)
    document = services.document_start(actor=world.worker, assessment=second)
    assert document.template.version == 2
    assert added.key in [q.key for q in document.template.questions()]


def protection_next_assessment(world) -> Assessment:
    """A second referral, and its assessment, once the first is authorised."""
    import datetime as dt

    from opencsc.casework import protection
    from opencsc.frontdoor.models import Referral

    referral = Referral.objects.create(
        child=world.child,
        referral_date=dt.date(2026, 5, 1),
        source="3A",
        route="assessment",
        team=world.worker.team,
    )
    return protection.assessment_start(
        actor=world.worker, child=world.child, referral=referral, started_on=dt.date(2026, 5, 5)
    )
