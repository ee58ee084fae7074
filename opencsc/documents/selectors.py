"""Reads of practice documents. Opening a document is opening the child's record: it is refused (and the refusal
logged) for anyone who may not open the child, and every view is on the child's access log."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from opencsc.accounts.access import can_change_child
from opencsc.audit.models import AccessKind
from opencsc.audit.services import record_access_log
from opencsc.casework.models import Assessment
from opencsc.documents.answers import in_words
from opencsc.documents.models import PracticeDocument, TemplateQuestion
from opencsc.people.selectors import child_get_for


def document_get_for(
    *, user, document_id: int, path: str, change: bool = False, kind: str = AccessKind.VIEW
) -> PracticeDocument:
    document = (
        PracticeDocument.objects.select_related("template", "assessment", "author", "authorised_by")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        raise Http404("No document with that number")
    child = child_get_for(user=user, pk=document.child_id, path=path, log=False)
    if change and not can_change_child(user, child):
        record_access_log(user=user, child=child, kind=AccessKind.REFUSED, path=path)
        raise PermissionDenied("You can read this record but not change it")
    record_access_log(user=user, child=child, kind=kind, path=path)
    document.child = child
    return document


def document_for_assessment(assessment: Assessment) -> PracticeDocument | None:
    return PracticeDocument.objects.filter(assessment=assessment).first()


@dataclass(frozen=True)
class AnsweredQuestion:
    question: TemplateQuestion
    answer: str
    answered: bool


@dataclass(frozen=True)
class AnsweredSection:
    title: str
    help_text: str
    questions: list[AnsweredQuestion]


def document_sections(document: PracticeDocument, answers: dict | None = None) -> list[AnsweredSection]:
    """The document's sections and answers in words, in the template version it was written in."""
    answers = document.answers if answers is None else answers
    sections: dict[int, AnsweredSection] = {}
    for question in document.template.questions():
        section = question.section
        if section.pk not in sections:
            sections[section.pk] = AnsweredSection(section.title, section.help_text, [])
        value = answers.get(question.key)
        sections[section.pk].questions.append(
            AnsweredQuestion(question, in_words(question, value), value not in (None, "", []))
        )
    return list(sections.values())


def document_history(document: PracticeDocument):
    return document.versions.select_related("saved_by").order_by("-number")


def document_reviews(document: PracticeDocument):
    return document.reviews.select_related("decided_by")


def documents_by_assessment(child) -> dict[int, PracticeDocument]:
    """The child's assessment documents, by assessment, for the casework page."""
    documents = PracticeDocument.objects.filter(child=child, assessment__isnull=False)
    return {document.assessment_id: document for document in documents}
