"""Reads of practice documents. Opening a document is opening the child's record: it is refused (and the refusal
logged) for anyone who may not open the child, and every view is on the child's access log."""

from dataclasses import dataclass

from django.http import Http404

from opencsc.audit.models import AccessKind
from opencsc.casework.models import Assessment
from opencsc.documents import kinds
from opencsc.documents.answers import in_words
from opencsc.documents.models import PracticeDocument, TemplateQuestion
from opencsc.people.selectors import child_of_record_for


def document_get_for(
    *, user, document_id: int, path: str, change: bool = False, kind: str = AccessKind.VIEW
) -> PracticeDocument:
    document = (
        PracticeDocument.objects.select_related("template", "author", "authorised_by")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        raise Http404("No document with that number")
    document.child = child_of_record_for(
        user=user, child_id=document.child_id, path=path, change=change, kind=kind
    )
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


def documents_by_record(child) -> dict[tuple[str, int], PracticeDocument]:
    """The child's documents by (record field, record id), in one query: the casework page and the child's record
    show each record's document with its status, a link back to it (so a document begun is never lost)."""
    documents = PracticeDocument.objects.filter(child=child).select_related("author")
    found = {}
    for document in documents:
        field = kinds.kind_of(document.document_type).record_field
        found[(field, getattr(document, f"{field}_id"))] = document
    return found


@dataclass(frozen=True)
class Writable:
    """A record that can take its document now: the type, the record and what it is, in words."""

    kind: kinds.DocumentKind
    record_id: int
    description: str


def records_to_write(child) -> list[Writable]:
    """The child's records that can take a document now and have none yet, by type (the registry's order)."""
    writable = []
    for kind in kinds.KINDS.values():
        written = PracticeDocument.objects.filter(**{f"{kind.record_field}__isnull": False, "child": child})
        taken = set(written.values_list(f"{kind.record_field}_id", flat=True))
        for record in kind.startable(child):
            if record.pk not in taken and kind.applies(record) and kind.start_problem(record) is None:
                writable.append(Writable(kind, record.pk, kind.describe(record)))
    return writable


def startable_record(child, document_type: str, record_id: int):
    """The record of `child` a document of this type may be started from, or None."""
    kind = kinds.KINDS.get(document_type)
    if kind is None:
        return None
    record = kind.startable(child).filter(pk=record_id).first()
    return record if record is not None and kind.applies(record) else None
