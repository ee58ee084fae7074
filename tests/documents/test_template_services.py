"""The administrator's template services: a draft's sections and questions added, changed, moved and removed, each
change audited and counted; statutory questions kept; published versions and stale pages refused with nothing
written; keys never reused."""

from functools import partial

import pytest
from django.core.exceptions import PermissionDenied

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.documents import services, template_services
from opencsc.documents.models import DocumentTemplate, DocumentType, TemplateQuestion, TemplateSection
from opencsc.documents.template_selectors import template_changes, template_outline
from tests.factories import assert_refused

CFA = DocumentType.CHILD_AND_FAMILY_ASSESSMENT


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def draft(admin) -> DocumentTemplate:
    return template_services.template_new_version(actor=admin, document_type=CFA)


def _state() -> tuple:
    """Every row a template change may write, and what each section and question says and where it stands."""
    sections = list(
        TemplateSection.objects.order_by("pk").values_list("template", "position", "title", "help_text")
    )
    questions = list(
        TemplateQuestion.objects.order_by("pk").values_list(
            "section", "position", "label", "help_text", "kind", "required", "statutory_field"
        )
    )
    revisions = list(DocumentTemplate.objects.order_by("pk").values_list("revision", "published_at"))
    return sections, questions, revisions, AuditEvent.objects.count()


_refused = partial(assert_refused, counts=_state)


def _question(template: DocumentTemplate, key: str) -> TemplateQuestion:
    return TemplateQuestion.objects.get(section__template=template, key=key)


def _labels(template: DocumentTemplate, section_key: str) -> list[str]:
    section = template.sections.get(key=section_key)
    return list(section.questions.order_by("position").values_list("label", flat=True))


def test_a_draft_is_changed_section_by_section_and_question_by_question_each_change_audited(admin, draft):
    section = template_services.section_add(
        actor=admin, template=draft, expected_revision=0, title="Family network", help_text="Who helps"
    )
    assert (section.key, section.position) == ("family-network", draft.sections.count())
    first = template_services.question_add(
        actor=admin,
        section=section,
        expected_revision=1,
        label="Who is in the family network?",
        kind="text",
        required=True,
    )
    second = template_services.question_add(
        actor=admin, section=section, expected_revision=2, label="Has a family group conference been offered?"
    )
    assert first.key == "who_is_in_the_family_network" and first.required
    template_services.question_move(actor=admin, question=second, expected_revision=3, direction="up")
    assert _labels(draft, "family-network") == [second.label, first.label]
    template_services.question_change(
        actor=admin,
        question=second,
        expected_revision=4,
        label="Has a family group conference been offered?",
        kind="yes_no",
        help_text="Say when",
        required=False,
    )
    template_services.section_change(
        actor=admin, section=section, expected_revision=5, title="The family network", help_text=""
    )
    template_services.section_move(actor=admin, section=section, expected_revision=6, direction="up")
    titles = [part.section.title for part in template_outline(draft)]
    assert titles[-2:] == ["The family network", "Decision and what happens next"]
    template_services.question_remove(actor=admin, question=first, expected_revision=7)
    assert _labels(draft, "family-network") == ["Has a family group conference been offered?"]
    assert _question(draft, second.key).kind == "yes_no"

    draft.refresh_from_db()
    assert draft.revision == 8
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="template.").order_by("pk").values_list("verb", flat=True)
    )
    assert verbs == [
        "template.drafted",
        "template.section_added",
        "template.question_added",
        "template.question_added",
        "template.question_moved",
        "template.question_changed",
        "template.section_changed",
        "template.section_moved",
        "template.question_removed",
    ]
    changed = AuditEvent.objects.get(verb="template.question_changed")
    assert changed.actor == admin and changed.payload["before"]["kind"] == "text"

    changes = template_changes(draft)
    assert [q.label for q in changes.added] == ["Has a family group conference been offered?"]
    assert changes.removed == [] and changes.changed == []


def test_moving_past_either_end_changes_nothing(admin, draft):
    top = draft.sections.order_by("position").first()
    template_services.section_move(actor=admin, section=top, expected_revision=0, direction="up")
    draft.refresh_from_db()
    assert draft.revision == 0 and not AuditEvent.objects.filter(verb="template.section_moved").exists()
    _refused(
        lambda: template_services.section_move(
            actor=admin, section=top, expected_revision=0, direction="sideways"
        ),
        "direction",
        "Choose to move it up or down",
    )


def test_statutory_questions_stay_with_their_field_and_kind(admin, draft):
    factors = _question(draft, "factors")
    _refused(
        lambda: template_services.question_remove(actor=admin, question=factors, expected_revision=0),
        "question",
        "'Factors identified' fills the statutory record (Assessment: factors identified): it cannot be removed",
    )
    keep = {"label": factors.label, "help_text": factors.help_text, "required": True}
    _refused(
        lambda: template_services.question_change(
            actor=admin, question=factors, expected_revision=0, kind="factors", statutory_field="", **keep
        ),
        "statutory_field",
        "'Factors identified' fills Assessment: factors identified: it keeps that field",
    )
    _refused(
        lambda: template_services.question_change(
            actor=admin,
            question=factors,
            expected_revision=0,
            kind="text",
            statutory_field="assessment.factors",
            **keep,
        ),
        "kind",
        "it keeps its kind of answer",
    )
    _refused(
        lambda: template_services.section_remove(actor=admin, section=factors.section, expected_revision=0),
        "section",
        "Move it to another section before removing this one",
    )
    section = draft.sections.get(key="decision")
    _refused(
        lambda: template_services.question_add(
            actor=admin,
            section=section,
            expected_revision=0,
            label="Codes again",
            kind="factors",
            statutory_field="assessment.factors",
        ),
        "statutory_field",
        "'Factors identified' already fills Assessment: factors identified",
    )

    # Its wording may change, and it may move to another section, which can then be removed.
    seen = _question(draft, "child_seen_on")
    other = draft.sections.get(key="analysis")
    template_services.question_change(
        actor=admin,
        question=seen,
        expected_revision=0,
        label="When was the child seen?",
        kind="date",
        required=True,
        statutory_field="assessment.child_seen_on",
        section=other,
    )
    assert _question(draft, "child_seen_on").section == other
    template_services.template_publish(actor=admin, template=draft, expected_revision=1)
    assert services.published_template(CFA).version == 2


def test_a_new_statutory_question_must_take_the_kind_of_answer_its_field_needs(admin, draft):
    seen = _question(draft, "child_seen_on")
    TemplateQuestion.objects.filter(pk=seen.pk).update(statutory_field="")
    section = draft.sections.get(key="who-was-seen")
    _refused(
        lambda: template_services.question_add(
            actor=admin,
            section=section,
            expected_revision=0,
            label="Seen on",
            kind="text",
            statutory_field="assessment.child_seen_on",
        ),
        "kind",
        "Assessment: date the child was seen needs a Date answer",
    )
    added = template_services.question_add(
        actor=admin,
        section=section,
        expected_revision=0,
        label="Seen on",
        kind="date",
        statutory_field="assessment.child_seen_on",
    )
    assert added.statutory_field == "assessment.child_seen_on"


def test_bad_text_is_refused_on_its_field(admin, draft):
    section = draft.sections.first()
    add = template_services.question_add
    _refused(
        lambda: add(actor=admin, section=section, expected_revision=0, label="  "),
        "label",
        "Enter the question",
    )
    _refused(
        lambda: add(actor=admin, section=section, expected_revision=0, label="x" * 301),
        "label",
        "Too long: the most the question can hold is 300 characters (this has 301)",
    )
    _refused(
        lambda: add(actor=admin, section=section, expected_revision=0, label="Fine", help_text="h" * 2001),
        "help_text",
        "Too long: the most the question's guidance can hold is 2,000 characters",
    )
    _refused(
        lambda: add(actor=admin, section=section, expected_revision=0, label="Fine", kind="essay"),
        "kind",
        "Choose what kind of answer the question takes",
    )
    _refused(
        lambda: template_services.section_add(actor=admin, template=draft, expected_revision=0, title=""),
        "title",
        "Enter the section's title",
    )


def test_a_change_from_a_page_opened_before_another_change_is_refused(admin, draft):
    section = draft.sections.first()
    template_services.section_change(
        actor=admin, section=section, expected_revision=0, title="Who we saw", help_text=""
    )
    stale = "This template was changed by someone else after you opened it"
    question = section.questions.first()
    calls = [
        lambda: template_services.section_add(actor=admin, template=draft, expected_revision=0, title="Late"),
        lambda: template_services.section_change(
            actor=admin, section=section, expected_revision=0, title="Old"
        ),
        lambda: template_services.section_move(
            actor=admin, section=section, expected_revision=0, direction="down"
        ),
        lambda: template_services.question_add(
            actor=admin, section=section, expected_revision=0, label="Late"
        ),
        lambda: template_services.question_move(
            actor=admin, question=question, expected_revision=0, direction="down"
        ),
        lambda: template_services.question_remove(actor=admin, question=question, expected_revision=0),
        lambda: template_services.template_publish(actor=admin, template=draft, expected_revision=0),
    ]
    for call in calls:
        _refused(call, "__all__", stale)


def test_a_published_version_refuses_every_change(admin):
    published = services.published_template(CFA)
    section = published.sections.first()
    question = section.questions.first()
    said = "is published and never changes: make a new version to change it"
    calls = [
        lambda: template_services.section_add(
            actor=admin, template=published, expected_revision=0, title="New"
        ),
        lambda: template_services.section_change(
            actor=admin, section=section, expected_revision=0, title="New"
        ),
        lambda: template_services.section_remove(actor=admin, section=section, expected_revision=0),
        lambda: template_services.question_add(
            actor=admin, section=section, expected_revision=0, label="New"
        ),
        lambda: template_services.question_change(
            actor=admin, question=question, expected_revision=0, label="New", kind="text"
        ),
        lambda: template_services.question_move(
            actor=admin, question=question, expected_revision=0, direction="down"
        ),
        lambda: template_services.question_remove(actor=admin, question=question, expected_revision=0),
        lambda: template_services.template_publish(actor=admin, template=published, expected_revision=0),
    ]
    for call in calls:
        _refused(call, "template", said)


def test_one_draft_at_a_time_and_only_an_administrator(admin, draft, make_user):
    _refused(
        lambda: template_services.template_new_version(actor=admin, document_type=CFA),
        "document_type",
        "Version 2 is still a draft: publish or finish it first",
    )
    manager = make_user(Role.TEAM_MANAGER)
    before = _state()
    with pytest.raises(PermissionDenied):
        template_services.section_add(actor=manager, template=draft, expected_revision=0, title="Mine")
    assert _state() == before


def test_a_key_is_never_used_again_for_another_question(admin, draft):
    section = draft.sections.get(key="analysis")
    first = template_services.question_add(actor=admin, section=section, expected_revision=0, label="Risks")
    template_services.template_publish(actor=admin, template=draft, expected_revision=1)
    third = template_services.template_new_version(actor=admin, document_type=CFA)
    template_services.question_remove(actor=admin, question=_question(third, first.key), expected_revision=0)
    again = template_services.question_add(
        actor=admin, section=third.sections.get(key="analysis"), expected_revision=1, label="Risks"
    )
    assert (first.key, again.key) == ("risks", "risks_2")
