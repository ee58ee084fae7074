"""Writes to the document templates, for the authority's system administrator (issue 13 point 4; ADR 0013, 0016).

Templates are data: an authority adapts a document type's sections and questions to its practice model and
publishes them without a release. The rules:

- Only a system administrator changes templates (`TEMPLATE_ROLES`).
- Only a draft changes. A published version never does (the models refuse too): a change is a new draft copied
  from the latest published version, numbered one higher, and there is at most one draft of a type at a time.
- Statutory questions stay. A question that fills a field of the statutory record (the dates and codes the clocks,
  KPIs and the CIN census read, Children Act 1989 s17/s47 and the DfE's CIN census guidance) cannot be removed, lose
  its field or change its kind of answer; a section holding one cannot be removed; each field is filled by one
  question at most. Publishing checks again, however the draft was changed.
- A new question's key names its answers for ever: it is made from the label and never reuses a key any version of
  the type has used, so an answer to a removed question is never read as the answer to a new one.
- Every change carries the draft's revision as the administrator's page showed it; a change made from a page
  opened before another change is refused (`ConcurrentEditError`), and the form keeps what was typed.
- Every change is one transaction with its audit event (`template.*`), naming the version and what changed.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify

from opencsc.accounts.models import Role, User
from opencsc.audit.services import audit_event_record
from opencsc.core.errors import ConcurrentEditError
from opencsc.core.text_limits import too_long
from opencsc.documents import kinds
from opencsc.documents.models import (
    DocumentTemplate,
    QuestionKind,
    StatutoryField,
    TemplateQuestion,
    TemplateSection,
)
from opencsc.documents.services import published_template

TEMPLATE_ROLES = {Role.ADMINISTRATOR}
LABEL_MAX_CHARACTERS = 300  # TemplateQuestion.label
TITLE_MAX_CHARACTERS = 200  # TemplateSection.title
HELP_MAX_CHARACTERS = 2_000  # a paragraph or two of guidance
KEY_MAX_CHARACTERS = 50  # TemplateQuestion.key holds 60: room for a "_2" suffix
UP, DOWN = "up", "down"


def _require_template_role(actor: User) -> None:
    if actor.role not in TEMPLATE_ROLES:
        raise PermissionDenied("Only a system administrator can change the document templates")


def _lock_draft(actor: User, template: DocumentTemplate, expected_revision: int) -> DocumentTemplate:
    """The draft, locked for this change; refused if published or changed since the page was opened."""
    _require_template_role(actor)
    template = DocumentTemplate.objects.select_for_update().get(pk=template.pk)
    if template.is_published:
        raise ValidationError(
            {"template": f"{template} is published and never changes: make a new version to change it"}
        )
    if expected_revision != template.revision:
        raise ConcurrentEditError("template")
    return template


def _changed(
    actor: User, template: DocumentTemplate, verb: str, payload: dict, target=None
) -> DocumentTemplate:
    """Count the change on the draft (so pages opened before it are stale) and write its audit event."""
    DocumentTemplate.objects.filter(pk=template.pk).update(revision=F("revision") + 1)
    template.refresh_from_db(fields=["revision", "updated_at"])
    audit_event_record(
        actor=actor,
        verb=f"template.{verb}",
        target=target or template,
        payload={"template": template.pk, "version": template.version, **payload},
    )
    return template


def _text_problems(values: dict[str, tuple[str, str, int, bool]]) -> dict[str, str]:
    """{field: (text, what it is, limit, required)} -> {field: problem} for each text that is missing or too long."""
    problems = {}
    for field, (text, holder, limit, required) in values.items():
        if required and not text.strip():
            problems[field] = f"Enter {holder}"
        elif len(text) > limit:
            problems[field] = too_long(holder, limit, len(text))
    return problems


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


# Versions ------------------------------------------------------------------------------------------------------


@transaction.atomic
def template_new_version(*, actor: User, document_type: str) -> DocumentTemplate:
    """A draft copy of the latest published version, numbered one higher, for the administrator to change."""
    _require_template_role(actor)
    base = published_template(document_type)
    if base is None:
        raise ValidationError({"document_type": "There is no published template of this type to start from"})
    latest = (
        DocumentTemplate.objects.select_for_update().filter(document_type=document_type).order_by("-version")
    ).first()
    if not latest.is_published:
        raise ValidationError(
            {"document_type": f"Version {latest.version} is still a draft: publish or finish it first"}
        )
    template = DocumentTemplate.objects.create(
        document_type=document_type,
        version=latest.version + 1,
        title=base.title,
        introduction=base.introduction,
    )
    for section in base.sections.prefetch_related("questions"):
        copy = TemplateSection.objects.create(
            template=template,
            position=section.position,
            key=section.key,
            title=section.title,
            help_text=section.help_text,
        )
        for question in section.questions.all():
            question.pk = None
            question.section = copy
            question.save()
    audit_event_record(actor=actor, verb="template.drafted", target=template, payload={"from": base.version})
    return template


def _fills(template: DocumentTemplate) -> dict[str, str]:
    """The statutory fields a document of this type may fill, each with the kind of answer it needs (kinds.py)."""
    return {name: fill.kind for name, fill in kinds.kind_of(template.document_type).statutory.items()}


def _not_this_type(template: DocumentTemplate, statutory_field: str) -> str:
    return f"a {kinds.kind_of(template.document_type).name} does not fill {StatutoryField(statutory_field).label}"


def _statutory_fields(template: DocumentTemplate) -> set[str]:
    return {q.statutory_field for q in template.questions() if q.statutory_field}


@transaction.atomic
def template_publish(*, actor: User, template: DocumentTemplate, expected_revision: int) -> DocumentTemplate:
    """Publish a draft: from now on new documents use it, and it never changes. Refused if it lost a statutory
    question the version before it had, a statutory question asks for the wrong kind of answer, or it is empty."""
    template = _lock_draft(actor, template, expected_revision)
    previous = published_template(template.document_type)
    missing = _statutory_fields(previous) - _statutory_fields(template) if previous else set()
    if missing:
        names = ", ".join(StatutoryField(field).label for field in sorted(missing))
        raise ValidationError({"template": f"Statutory questions cannot be removed: put back {names}"})
    questions = template.questions()
    fills = _fills(template)
    foreign = [q for q in questions if q.statutory_field and q.statutory_field not in fills]
    if foreign:
        raise ValidationError(
            {"template": f"'{foreign[0].label}': {_not_this_type(template, foreign[0].statutory_field)}"}
        )
    wrong = [q for q in questions if q.statutory_field and fills[q.statutory_field] != q.kind]
    if wrong:
        needed = QuestionKind(fills[wrong[0].statutory_field]).label
        raise ValidationError({"template": f"'{wrong[0].label}' must take a {needed} answer"})
    if not questions:
        raise ValidationError(
            {"template": "This version has no questions: add at least one before publishing"}
        )
    template.published_at = timezone.now()
    template.published_by = actor
    DocumentTemplate.objects.filter(pk=template.pk).update(
        published_at=template.published_at, published_by=actor
    )
    audit_event_record(
        actor=actor, verb="template.published", target=template, payload={"version": template.version}
    )
    return template


# Sections ------------------------------------------------------------------------------------------------------


def _section_problems(title: str, help_text: str) -> dict[str, str]:
    return _text_problems(
        {
            "title": (title, "the section's title", TITLE_MAX_CHARACTERS, True),
            "help_text": (help_text, "the section's guidance", HELP_MAX_CHARACTERS, False),
        }
    )


def _unique_key(wanted: str, taken: set[str], *, separator: str) -> str:
    base = slugify(wanted)[:KEY_MAX_CHARACTERS].strip("-").replace("-", separator) or "item"
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base}{separator}{number}"
    return key


@transaction.atomic
def section_add(
    *, actor: User, template: DocumentTemplate, expected_revision: int, title: str, help_text: str = ""
) -> TemplateSection:
    """A new section at the end of the draft."""
    template = _lock_draft(actor, template, expected_revision)
    _refuse(_section_problems(title, help_text))
    taken = set(template.sections.values_list("key", flat=True))
    last = template.sections.aggregate(last=Max("position"))["last"] or 0
    section = TemplateSection.objects.create(
        template=template,
        position=last + 1,
        key=_unique_key(title, taken, separator="-"),
        title=title.strip(),
        help_text=help_text.strip(),
    )
    _changed(actor, template, "section_added", {"section": section.key, "title": section.title})
    return section


@transaction.atomic
def section_change(
    *, actor: User, section: TemplateSection, expected_revision: int, title: str, help_text: str = ""
) -> TemplateSection:
    template = _lock_draft(actor, section.template, expected_revision)
    _refuse(_section_problems(title, help_text))
    section = TemplateSection.objects.get(pk=section.pk)
    before = {"title": section.title, "help_text": section.help_text}
    section.title, section.help_text = title.strip(), help_text.strip()
    section.save()
    _changed(actor, template, "section_changed", {"section": section.key, "before": before})
    return section


def _swap(items: list, item, direction: str) -> bool:
    """Swap `item` with its neighbour in `direction` and number the list afresh; False if already at that end."""
    index = [each.pk for each in items].index(item.pk)
    neighbour = index - 1 if direction == UP else index + 1
    if not 0 <= neighbour < len(items):
        return False
    items[index], items[neighbour] = items[neighbour], items[index]
    _renumber(items)
    return True


def _renumber(items: list) -> None:
    for position, each in enumerate(items, start=1):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])


def _check_direction(direction: str) -> None:
    if direction not in (UP, DOWN):
        raise ValidationError({"direction": "Choose to move it up or down"})


@transaction.atomic
def section_move(
    *, actor: User, section: TemplateSection, expected_revision: int, direction: str
) -> TemplateSection:
    """Move a section one place up or down; at the top (or bottom) already, nothing changes."""
    template = _lock_draft(actor, section.template, expected_revision)
    _check_direction(direction)
    sections = list(template.sections.order_by("position", "pk"))
    if _swap(sections, section, direction):
        _changed(actor, template, "section_moved", {"section": section.key, "direction": direction})
    return section


def question_removal_problem(question: TemplateQuestion) -> str | None:
    """Why the question cannot be taken out of its version, or None: a statutory question stays."""
    if not question.statutory_field:
        return None
    return (
        f"'{question.label}' fills the statutory record ({question.get_statutory_field_display()}): "
        "it cannot be removed"
    )


def section_removal_problem(section: TemplateSection) -> str | None:
    """Why the section cannot be removed, or None: it holds a statutory question."""
    statutory = next((q for q in section.questions.order_by("position") if q.statutory_field), None)
    if statutory is None:
        return None
    return f"{question_removal_problem(statutory)}. Move it to another section before removing this one"


@transaction.atomic
def section_remove(*, actor: User, section: TemplateSection, expected_revision: int) -> None:
    """Remove a section and its questions; refused while it holds a statutory question (move that one first)."""
    template = _lock_draft(actor, section.template, expected_revision)
    if problem := section_removal_problem(section):
        raise ValidationError({"section": problem})
    questions = list(section.questions.all())
    key, title = section.key, section.title
    for question in questions:
        question.delete()
    section.delete()
    _renumber(list(template.sections.order_by("position", "pk")))
    removed = [q.key for q in questions]
    _changed(actor, template, "section_removed", {"section": key, "title": title, "questions": removed})


# Questions -----------------------------------------------------------------------------------------------------


def _question_problems(
    template: DocumentTemplate, *, label: str, help_text: str, kind: str, statutory_field: str, question=None
) -> dict[str, str]:
    problems = _text_problems(
        {
            "label": (label, "the question", LABEL_MAX_CHARACTERS, True),
            "help_text": (help_text, "the question's guidance", HELP_MAX_CHARACTERS, False),
        }
    )
    if kind not in QuestionKind.values:
        problems["kind"] = "Choose what kind of answer the question takes"
    fills = _fills(template)
    if statutory_field and statutory_field not in StatutoryField.values:
        problems["statutory_field"] = "Choose a field of the statutory record, or none"
    elif statutory_field and statutory_field not in fills:
        problems["statutory_field"] = _not_this_type(template, statutory_field).capitalize()
    elif statutory_field:
        needed = fills[statutory_field]
        holder = (
            TemplateQuestion.objects.filter(section__template=template, statutory_field=statutory_field)
            .exclude(pk=question.pk if question else None)
            .first()
        )
        if holder is not None:
            problems["statutory_field"] = (
                f"'{holder.label}' already fills {StatutoryField(statutory_field).label}"
            )
        elif kind != needed and "kind" not in problems:
            problems["kind"] = (
                f"{StatutoryField(statutory_field).label} needs a {QuestionKind(needed).label} answer"
            )
    return problems


def _keys_of_type(document_type: str) -> set[str]:
    """Every question key any version of the type has used."""
    return set(
        TemplateQuestion.objects.filter(section__template__document_type=document_type).values_list(
            "key", flat=True
        )
    )


@transaction.atomic
def question_add(
    *,
    actor: User,
    section: TemplateSection,
    expected_revision: int,
    label: str,
    kind: str = QuestionKind.TEXT,
    help_text: str = "",
    required: bool = False,
    statutory_field: str = "",
) -> TemplateQuestion:
    """A new question at the end of a section of the draft, its key made from its label."""
    template = _lock_draft(actor, section.template, expected_revision)
    _refuse(
        _question_problems(
            template, label=label, help_text=help_text, kind=kind, statutory_field=statutory_field
        )
    )
    last = section.questions.aggregate(last=Max("position"))["last"] or 0
    question = TemplateQuestion.objects.create(
        section=section,
        position=last + 1,
        key=_unique_key(label, _keys_of_type(template.document_type), separator="_"),
        label=label.strip(),
        help_text=help_text.strip(),
        kind=kind,
        required=required,
        statutory_field=statutory_field,
    )
    _changed(actor, template, "question_added", {"key": question.key, "label": question.label})
    return question


def _statutory_change_problem(question: TemplateQuestion, kind: str, statutory_field: str) -> dict[str, str]:
    """A statutory question keeps its field and its kind of answer."""
    if not question.statutory_field:
        return {}
    field_label = question.get_statutory_field_display()
    if statutory_field != question.statutory_field:
        return {"statutory_field": f"'{question.label}' fills {field_label}: it keeps that field"}
    if kind != question.kind:
        return {"kind": f"'{question.label}' fills {field_label}: it keeps its kind of answer"}
    return {}


@transaction.atomic
def question_change(
    *,
    actor: User,
    question: TemplateQuestion,
    expected_revision: int,
    label: str,
    kind: str,
    help_text: str = "",
    required: bool = False,
    statutory_field: str = "",
    section: TemplateSection | None = None,
) -> TemplateQuestion:
    """Change a question of the draft; given another section of the draft, it moves to that section's end."""
    template = _lock_draft(actor, question.section.template, expected_revision)
    question = TemplateQuestion.objects.select_related("section").get(pk=question.pk)
    problems = _statutory_change_problem(question, kind, statutory_field) or _question_problems(
        template,
        label=label,
        help_text=help_text,
        kind=kind,
        statutory_field=statutory_field,
        question=question,
    )
    if section is not None and section.template_id != template.pk:
        problems["section"] = "Choose a section of this version"
    _refuse(problems)
    before = {f: getattr(question, f) for f in ("label", "help_text", "kind", "required", "statutory_field")}
    old_section = question.section
    if section is not None and section.pk != old_section.pk:
        question.section = section
        question.position = (section.questions.aggregate(last=Max("position"))["last"] or 0) + 1
    question.label, question.help_text, question.kind = label.strip(), help_text.strip(), kind
    question.required, question.statutory_field = required, statutory_field
    question.save()
    if question.section.pk != old_section.pk:
        _renumber(list(old_section.questions.order_by("position", "pk")))
    _changed(actor, template, "question_changed", {"key": question.key, "before": before})
    return question


@transaction.atomic
def question_move(
    *, actor: User, question: TemplateQuestion, expected_revision: int, direction: str
) -> TemplateQuestion:
    """Move a question one place up or down within its section."""
    template = _lock_draft(actor, question.section.template, expected_revision)
    _check_direction(direction)
    questions = list(question.section.questions.order_by("position", "pk"))
    if _swap(questions, question, direction):
        _changed(actor, template, "question_moved", {"key": question.key, "direction": direction})
    return question


@transaction.atomic
def question_remove(*, actor: User, question: TemplateQuestion, expected_revision: int) -> None:
    """Take a question out of the draft; a statutory question is refused."""
    template = _lock_draft(actor, question.section.template, expected_revision)
    if problem := question_removal_problem(question):
        raise ValidationError({"question": problem})
    section, key, label = question.section, question.key, question.label
    question.delete()
    _renumber(list(section.questions.order_by("position", "pk")))
    _changed(actor, template, "question_removed", {"key": key, "label": label})
