"""The administrator's template pages: each document type's versions, a version's sections and questions, and on a
draft the changes (add, change, move, remove), a preview and publishing. A published version is shown, never offered
for change: its change pages send the administrator back to it, saying to make a new version. The rules, and every
refusal, are template_services'; these views only show them."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from opencsc.documents import template_selectors as selectors
from opencsc.documents import template_services as services
from opencsc.documents.forms import DocumentForm
from opencsc.documents.models import DocumentType, PracticeDocument
from opencsc.documents.template_forms import (
    MoveForm,
    QuestionChangeForm,
    QuestionForm,
    RevisionForm,
    SectionForm,
)
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.steps import form_step

PAGES = "documents/admin"


def template_admin_view(view):
    """Signed in, and a system administrator: the only role that changes the document templates."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.role not in services.TEMPLATE_ROLES:
            raise PermissionDenied("Only a system administrator can change the document templates")
        return view(request, *args, **kwargs)

    return wrapper


def _version_url(template, anchor: str = "") -> str:
    return reverse("doc_templates:version", args=[template.pk]) + (f"#{anchor}" if anchor else "")


def _published(request, template):
    messages.info(request, f"Version {template.version} is published and never changes: make a new version")
    return redirect(_version_url(template))


def _draft_step(request, *, template, form, save, success: str, page: str, anchor: str = "", **context):
    """A change to a draft through its form page; on a published version, back to it instead."""
    if template.is_published:
        return _published(request, template)
    return form_step(
        request,
        form=form,
        save=save,
        success=success,
        done_url=_version_url(template, anchor),
        template=f"{PAGES}/{page}",
        context={"template": template, **context},
    )


@template_admin_view
def versions(request):
    return render(request, f"{PAGES}/versions.html", {"types": selectors.template_types()})


@require_POST
@template_admin_view
@creates_record
def new_version(request, document_type: str):
    if document_type not in DocumentType.values:
        raise Http404("No document type of that name")
    try:
        draft = services.template_new_version(actor=request.user, document_type=document_type)
    except ValidationError as error:
        context = {"types": selectors.template_types(), "problem": " ".join(error.messages)}
        return render(request, f"{PAGES}/versions.html", context)
    messages.success(request, f"Version {draft.version} made as a draft from the version published now")
    return redirect(_version_url(draft))


@template_admin_view
def version(request, template_id: int):
    template = selectors.template_get(template_id)
    context = {"template": template, "outline": selectors.template_outline(template)}
    return render(request, f"{PAGES}/version.html", context)


@template_admin_view
def preview(request, template_id: int):
    """The version's form as a worker will see it; nothing typed here is sent anywhere."""
    template = selectors.template_get(template_id)
    form = DocumentForm(document=PracticeDocument(template=template, answers={}, version=0))
    return render(request, f"{PAGES}/preview.html", {"template": template, "form": form})


@template_admin_view
def publish(request, template_id: int):
    template = selectors.template_get(template_id)
    return _draft_step(
        request,
        template=template,
        form=RevisionForm(request.POST or None, initial={"revision": template.revision}),
        save=lambda data: services.template_publish(
            actor=request.user, template=template, expected_revision=data["revision"]
        ),
        success=f"Version {template.version} published: new documents are written in it from now on; "
        "documents begun before keep the version they were begun in",
        page="publish.html",
        changes=selectors.template_changes(template),
    )


# Sections --------------------------------------------------------------------------------------------------------


@template_admin_view
@creates_record
def section_new(request, template_id: int):
    template = selectors.template_get(template_id)
    return _draft_step(
        request,
        template=template,
        form=SectionForm(request.POST or None, initial={"revision": template.revision}),
        save=lambda data: services.section_add(
            actor=request.user,
            template=template,
            expected_revision=data["revision"],
            title=data["title"],
            help_text=data["help_text"],
        ),
        success="Section added at the end",
        page="section_form.html",
        heading="Add a section",
    )


@template_admin_view
def section_edit(request, section_id: int):
    section = selectors.section_get(section_id)
    initial = {"revision": section.template.revision, "title": section.title, "help_text": section.help_text}
    return _draft_step(
        request,
        template=section.template,
        form=SectionForm(request.POST or None, initial=initial),
        save=lambda data: services.section_change(
            actor=request.user,
            section=section,
            expected_revision=data["revision"],
            title=data["title"],
            help_text=data["help_text"],
        ),
        success="Section changed",
        page="section_form.html",
        anchor=f"section-{section.pk}",
        heading=f"Change the section '{section.title}'",
    )


@template_admin_view
def section_remove(request, section_id: int):
    section = selectors.section_get(section_id)
    return _draft_step(
        request,
        template=section.template,
        form=RevisionForm(request.POST or None, initial={"revision": section.template.revision}),
        save=lambda data: services.section_remove(
            actor=request.user, section=section, expected_revision=data["revision"]
        ),
        success=f"Section '{section.title}' removed",
        page="remove.html",
        what=f"the section '{section.title}' and its {section.questions.count()} questions",
        problem=services.section_removal_problem(section),
    )


def _move(request, template, service, anchor: str, **target):
    """Move something one place; a refusal (a stale page, a published version) is said on the version's page."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.warning(request, "Choose to move it up or down")
        return redirect(_version_url(template, anchor))
    try:
        service(
            actor=request.user,
            expected_revision=form.cleaned_data["revision"],
            direction=form.cleaned_data["direction"],
            **target,
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    return redirect(_version_url(template, anchor))


@require_POST
@template_admin_view
def section_move(request, section_id: int):
    section = selectors.section_get(section_id)
    return _move(request, section.template, services.section_move, f"section-{section.pk}", section=section)


# Questions -------------------------------------------------------------------------------------------------------


def _question_fields(data: dict) -> dict:
    return {f: data[f] for f in ("label", "help_text", "kind", "required", "statutory_field")}


@template_admin_view
@creates_record
def question_new(request, section_id: int):
    section = selectors.section_get(section_id)
    return _draft_step(
        request,
        template=section.template,
        form=QuestionForm(request.POST or None, initial={"revision": section.template.revision}),
        save=lambda data: services.question_add(
            actor=request.user, section=section, expected_revision=data["revision"], **_question_fields(data)
        ),
        success="Question added at the end of the section",
        page="question_form.html",
        anchor=f"section-{section.pk}",
        heading=f"Add a question to '{section.title}'",
    )


@template_admin_view
def question_edit(request, question_id: int):
    question = selectors.question_get(question_id)
    template = question.section.template
    initial = {
        "revision": template.revision,
        "section": question.section_id,
        **_question_fields(vars(question)),
    }
    form = QuestionChangeForm(request.POST or None, initial=initial, sections=list(template.sections.all()))
    return _draft_step(
        request,
        template=template,
        form=form,
        save=lambda data: services.question_change(
            actor=request.user,
            question=question,
            expected_revision=data["revision"],
            section=template.sections.get(pk=data["section"]),
            **_question_fields(data),
        ),
        success="Question changed",
        page="question_form.html",
        anchor=f"question-{question.pk}",
        heading="Change the question",
        question=question,
    )


@template_admin_view
def question_remove(request, question_id: int):
    question = selectors.question_get(question_id)
    template = question.section.template
    return _draft_step(
        request,
        template=template,
        form=RevisionForm(request.POST or None, initial={"revision": template.revision}),
        save=lambda data: services.question_remove(
            actor=request.user, question=question, expected_revision=data["revision"]
        ),
        success=f"Question '{question.label}' removed",
        page="remove.html",
        anchor=f"section-{question.section_id}",
        what=f"the question '{question.label}'",
        problem=services.question_removal_problem(question),
    )


@require_POST
@template_admin_view
def question_move(request, question_id: int):
    question = selectors.question_get(question_id)
    template = question.section.template
    return _move(request, template, services.question_move, f"question-{question.pk}", question=question)
