"""The administrator's template pages: a draft made once per form, a question added (bad input named and kept), a
stale page refused with its typing kept, the statutory question's removal refused, a published version shown but
never offered for change, the preview and the publishing."""

import html

import pytest
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.documents import template_services
from opencsc.documents.models import DocumentTemplate, DocumentType, TemplateQuestion, TemplateSection
from opencsc.documents.services import published_template

CFA = DocumentType.CHILD_AND_FAMILY_ASSESSMENT
TOKEN = "d" * 32


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def client(admin, client_for):
    return client_for(admin)


@pytest.fixture
def draft(admin) -> DocumentTemplate:
    return template_services.template_new_version(actor=admin, document_type=CFA)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (DocumentTemplate, TemplateSection, TemplateQuestion, AuditEvent))


def test_the_list_shows_each_version_and_a_draft_is_made_once_per_form(client):
    page = _text(client.get(reverse("doc_templates:versions")))
    assert "Child and family assessment" in page and "In use for new documents" in page
    url = reverse("doc_templates:new_version", args=[CFA])
    first = client.post(url, {"form_token": TOKEN})
    second = client.post(url, {"form_token": TOKEN})
    draft = DocumentTemplate.objects.get(document_type=CFA, version=2)
    assert first["Location"] == second["Location"] == reverse("doc_templates:version", args=[draft.pk])
    assert DocumentTemplate.objects.filter(document_type=CFA).count() == 2
    page = _text(client.get(reverse("doc_templates:versions")))
    assert "Continue the draft, version 2" in page and url not in page


def test_a_question_is_added_and_bad_input_is_named_and_kept(client, draft):
    section = draft.sections.get(key="child-voice")
    url = reverse("doc_templates:question_new", args=[section.pk])
    before = _counts()
    refused = client.post(
        url, {"revision": 0, "label": "", "help_text": "Three houses guidance", "kind": "text"}
    )
    assert refused.status_code == 200 and "Enter the question" in _text(refused)
    assert "Three houses guidance" in _text(refused) and _counts() == before
    too_long = client.post(
        url, {"revision": 0, "label": "Three houses", "help_text": "h" * 2001, "kind": "text"}
    )
    assert "Too long: the most the question's guidance can hold is 2,000 characters" in _text(too_long)
    assert _counts() == before

    added = client.post(
        url,
        {"revision": 0, "label": "Three houses", "help_text": "Worries, good things, dreams", "kind": "text"},
    )
    assert added.status_code == 302 and added["Location"].startswith(
        reverse("doc_templates:version", args=[draft.pk])
    )
    question = TemplateQuestion.objects.get(section=section, label="Three houses")
    assert question.position == section.questions.count()
    page = _text(client.get(reverse("doc_templates:version", args=[draft.pk])))
    assert "Three houses" in page and "Worries, good things, dreams" in page
    assert "Three houses" in _text(client.get(reverse("doc_templates:preview", args=[draft.pk])))


def test_a_change_from_a_page_opened_before_another_change_is_refused_and_keeps_the_typing(client, draft):
    question = TemplateQuestion.objects.get(section__template=draft, key="analysis")
    url = reverse("doc_templates:question_edit", args=[question.pk])
    fields = {"help_text": "", "kind": "text", "statutory_field": "", "section": question.section_id}
    client.post(url, {"revision": 0, "label": "Analysis: what it all means", **fields})
    stale = client.post(url, {"revision": 0, "label": "Analysis typed in another tab", **fields})
    page = _text(stale)
    assert stale.status_code == 200
    assert "This template was changed by someone else after you opened it" in page
    assert "Analysis typed in another tab" in page
    question.refresh_from_db()
    assert question.label == "Analysis: what it all means"


def test_removing_a_statutory_question_is_refused_with_its_reason(client, draft):
    factors = TemplateQuestion.objects.get(section__template=draft, key="factors")
    url = reverse("doc_templates:question_remove", args=[factors.pk])
    reason = "'Factors identified' fills the statutory record (Assessment: factors identified): it cannot be removed"
    page = _text(client.get(url))
    assert reason in page and "govuk-button--warning" not in page
    before = _counts()
    refused = client.post(url, {"revision": 0})
    assert refused.status_code == 200 and reason in _text(refused)
    assert _counts() == before

    other = TemplateQuestion.objects.get(section__template=draft, key="next_steps")
    removed = client.post(reverse("doc_templates:question_remove", args=[other.pk]), {"revision": 0})
    assert removed.status_code == 302 and not TemplateQuestion.objects.filter(pk=other.pk).exists()


def test_a_published_version_is_shown_but_never_offered_for_change(client):
    published = published_template(CFA)
    page = _text(client.get(reverse("doc_templates:version", args=[published.pk])))
    assert "A published version never changes" in page
    for question in published.questions():
        assert reverse("doc_templates:question_edit", args=[question.pk]) not in page
        assert reverse("doc_templates:question_remove", args=[question.pk]) not in page
    assert "Add a question" not in page and "Remove" not in page and "Publish this version" not in page
    question = published.questions()[0]
    before = _counts()
    for url in (
        reverse("doc_templates:question_edit", args=[question.pk]),
        reverse("doc_templates:question_remove", args=[question.pk]),
        reverse("doc_templates:section_new", args=[published.pk]),
        reverse("doc_templates:publish", args=[published.pk]),
    ):
        answer = client.post(url, {"revision": 0, "label": "Changed", "kind": "text", "title": "New"})
        assert answer.status_code == 302 and answer["Location"] == reverse(
            "doc_templates:version", args=[published.pk]
        )
    moved = client.post(
        reverse("doc_templates:question_move", args=[question.pk]), {"revision": 0, "direction": "down"}
    )
    assert moved.status_code == 302
    assert "is published and never changes" in _text(client.get(moved["Location"]))
    assert _counts() == before


def test_moving_and_publishing_from_the_pages(client, draft, admin):
    section = draft.sections.get(key="analysis")
    template_services.question_add(
        actor=admin, section=section, expected_revision=0, label="Risks and strengths"
    )
    risks = TemplateQuestion.objects.get(section=section, label="Risks and strengths")
    client.post(reverse("doc_templates:question_move", args=[risks.pk]), {"revision": 1, "direction": "up"})
    assert (
        list(section.questions.order_by("position").values_list("label", flat=True))[0]
        == "Risks and strengths"
    )

    publish = reverse("doc_templates:publish", args=[draft.pk])
    page = _text(client.get(publish))
    assert "What changes from version 1" in page and "Risks and strengths" in page
    published = client.post(publish, {"revision": 2})
    assert published.status_code == 302
    assert published_template(CFA).version == 2
    page = _text(client.get(published["Location"]))
    assert "Version 2 published: new documents are written in it from now on" in page
    assert AuditEvent.objects.filter(verb="template.published", actor=admin).count() == 1


def test_every_published_template_previews_as_the_worker_sees_it(client):
    for document_type, label in DocumentType.choices:
        template = published_template(document_type)
        page = _text(client.get(reverse("doc_templates:preview", args=[template.pk])))
        assert f"Preview of version {template.version}" in page, label
        for question in template.questions():
            assert question.label in page, (label, question.key)
