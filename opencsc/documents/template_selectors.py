"""Reads for the administrator's template pages: each document type's versions, a version's sections and questions,
and what a draft changes from the version published now (shown before publishing)."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.http import Http404

from opencsc.documents.models import DocumentTemplate, DocumentType, TemplateQuestion, TemplateSection
from opencsc.documents.services import published_template


@dataclass(frozen=True)
class TypeVersions:
    document_type: str
    label: str
    versions: list[DocumentTemplate]
    published: DocumentTemplate | None
    draft: DocumentTemplate | None


def template_types() -> list[TypeVersions]:
    """Every document type with its versions, newest first, each with the number of documents written in it."""
    versions = DocumentTemplate.objects.select_related("published_by").annotate(written=Count("documents"))
    by_type: dict[str, list[DocumentTemplate]] = {}
    for template in versions.order_by("document_type", "-version"):
        by_type.setdefault(template.document_type, []).append(template)
    return [
        TypeVersions(
            document_type=value,
            label=label,
            versions=by_type.get(value, []),
            published=next((t for t in by_type.get(value, []) if t.is_published), None),
            draft=next((t for t in by_type.get(value, []) if not t.is_published), None),
        )
        for value, label in DocumentType.choices
    ]


def template_get(template_id: int) -> DocumentTemplate:
    template = DocumentTemplate.objects.select_related("published_by").filter(pk=template_id).first()
    if template is None:
        raise Http404("No template version with that number")
    return template


def section_get(section_id: int) -> TemplateSection:
    section = TemplateSection.objects.select_related("template").filter(pk=section_id).first()
    if section is None:
        raise Http404("No template section with that number")
    return section


def question_get(question_id: int) -> TemplateQuestion:
    question = TemplateQuestion.objects.select_related("section__template").filter(pk=question_id).first()
    if question is None:
        raise Http404("No template question with that number")
    return question


@dataclass(frozen=True)
class SectionOutline:
    section: TemplateSection
    questions: list[TemplateQuestion]


def template_outline(template: DocumentTemplate) -> list[SectionOutline]:
    """The version's sections in order, each with its questions in order (empty sections included)."""
    questions: dict[int, list[TemplateQuestion]] = {}
    for question in template.questions():
        questions.setdefault(question.section_id, []).append(question)
    return [
        SectionOutline(section, questions.get(section.pk, []))
        for section in template.sections.order_by("position", "pk")
    ]


@dataclass(frozen=True)
class TemplateChanges:
    base: DocumentTemplate | None
    added: list[TemplateQuestion] = field(default_factory=list)
    removed: list[TemplateQuestion] = field(default_factory=list)
    changed: list[TemplateQuestion] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


COMPARED = ("label", "help_text", "kind", "required", "statutory_field")


def template_changes(template: DocumentTemplate) -> TemplateChanges:
    """The questions a draft adds, removes and changes (wording, kind, required, statutory field) against the
    version published now. Moves and section changes are not listed."""
    base = published_template(template.document_type)
    if base is None or base.pk == template.pk:
        return TemplateChanges(base)
    before = {q.key: q for q in base.questions()}
    after = {q.key: q for q in template.questions()}
    return TemplateChanges(
        base,
        added=[q for key, q in after.items() if key not in before],
        removed=[q for key, q in before.items() if key not in after],
        changed=[
            q
            for key, q in after.items()
            if key in before and any(getattr(q, f) != getattr(before[key], f) for f in COMPARED)
        ],
    )
