"""Pages for practice documents: start (the assessment's own page, and the child's page of records that can take a
document), write over several sittings, submit, the manager's return or authorisation, the read-only document and
its PDF. Access and its log are in child_record_view and
selectors.document_get_for; the services decide everything else."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from opencsc.accounts.access import can_change_child
from opencsc.attachments.selectors import document_attachments
from opencsc.audit.models import AccessKind
from opencsc.audit.services import audit_event_record
from opencsc.casework import protection_selectors
from opencsc.documents import kinds, selectors, services
from opencsc.documents.forms import DocumentForm, ReviewForm
from opencsc.documents.pdf import document_pdf as make_pdf
from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation


def _title(document) -> str:
    return kinds.kind_of(document.document_type).title


def _detail(document):
    return redirect("documents:detail", document_id=document.pk)


@child_record_view(change=True)
@creates_record
def start(request, child):
    """The open assessment's document: opened if begun, otherwise begun on a POST from this page."""
    assessment = protection_selectors.open_assessment(child)
    document = selectors.document_for_assessment(assessment) if assessment else None
    if document is not None:
        return redirect("documents:edit", document_id=document.pk)
    problem = ""
    if request.method == "POST" and assessment is not None:
        try:
            document = services.document_start(actor=request.user, assessment=assessment)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            return redirect("documents:edit", document_id=document.pk)
    context = {"child": child, "assessment": assessment, "problem": problem}
    return render(request, "documents/start.html", context)


@child_record_view(change=True)
@creates_record
def write(request, child):
    """The child's records that can take a document now; a POST from this page begins the one chosen."""
    problem = ""
    if request.method == "POST":
        record = selectors.startable_record(
            child, request.POST.get("document_type", ""), _number(request.POST.get("record"))
        )
        try:
            if record is None:
                raise ValidationError("Choose a record from the list: that one cannot take a document now")
            document = services.document_start(
                actor=request.user, record=record, document_type=request.POST["document_type"]
            )
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            return redirect("documents:edit", document_id=document.pk)
    context = {"child": child, "writable": selectors.records_to_write(child), "problem": problem}
    return render(request, "documents/write.html", context)


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def _save(request, document, form):
    """Save a draft or submit, as the button pressed says; None (with the errors on the form) if refused."""
    submit = request.POST.get("action") == "submit"
    service = services.document_submit if submit else services.document_save_draft
    try:
        return service(
            actor=request.user,
            document=document,
            answers=form.answers(),
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        field_errors_from_validation(form, error)
        return None


@login_required
@creates_record
def edit(request, document_id: int):
    document = selectors.document_get_for(
        user=request.user, document_id=document_id, path=request.path, change=True
    )
    if not document.is_editable:
        return _detail(document)
    form = DocumentForm(request.POST or None, document=document)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, document, form)
        if saved is not None and saved.is_editable:
            messages.success(request, "Draft saved. Everything you have written is kept.")
            return redirect("documents:edit", document_id=saved.pk)
        if saved is not None:
            messages.success(request, f"{_title(saved)} submitted for authorisation")
            return _detail(saved)
    context = {
        "document": document,
        "child": document.child,
        "form": form,
        "error_summary_params": error_summary(form),
        "reviews": selectors.document_reviews(document),
    }
    return render(request, "documents/edit.html", context)


@require_POST
@login_required
def autosave(request, document_id: int):
    """What is being typed, kept a moment after the writer pauses (opencsc/ui/static/opencsc/autosave.js). The
    answers typed correctly are saved; the others are named in the answer and keep what was saved before."""
    document = selectors.document_get_for(
        user=request.user, document_id=document_id, path=request.path, change=True
    )
    form = DocumentForm(request.POST, document=document)
    if not form.is_valid() and "version" in form.errors:
        return JsonResponse(
            {"saved": False, "errors": ["Reload the page: the form is incomplete"]}, status=400
        )
    try:
        saved = services.document_autosave(
            actor=request.user,
            document=document,
            answers=form.answers_typed_correctly(),
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        return JsonResponse({"saved": False, "errors": error.messages}, status=409)
    return JsonResponse(
        {
            "saved": True,
            "version": saved.version,
            "saved_at": timezone.localtime(saved.updated_at).strftime("%H:%M:%S"),
            "not_saved": [
                f"{form.fields[key].label}: {' '.join(errors)}" for key, errors in form.errors.items()
            ],
        }
    )


@login_required
def detail(request, document_id: int):
    document = selectors.document_get_for(user=request.user, document_id=document_id, path=request.path)
    context = {
        "document": document,
        "child": document.child,
        "sections": selectors.document_sections(document),
        "reviews": selectors.document_reviews(document),
        "history": selectors.document_history(document),
        "attachments": document_attachments(document),
        "can_attach": not document.is_locked and can_change_child(request.user, document.child),
        "can_review": request.user.role in services.AUTHORISING_ROLES and document.status == "submitted",
    }
    return render(request, "documents/detail.html", context)


@login_required
@creates_record
def review(request, document_id: int):
    document = selectors.document_get_for(
        user=request.user, document_id=document_id, path=request.path, change=True
    )
    if request.user.role not in services.AUTHORISING_ROLES:
        raise PermissionDenied(services.NOT_A_MANAGER)
    form = ReviewForm(request.POST or None, initial={"version": document.version})
    if request.method == "POST" and form.is_valid():
        authorise = request.POST.get("action") == "authorise"
        service = services.document_authorise if authorise else services.document_return
        try:
            service(
                actor=request.user,
                document=document,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            done = "authorised" if authorise else "returned to the worker"
            messages.success(request, f"{_title(document)} {done}")
            return _detail(document)
    context = {
        "document": document,
        "child": document.child,
        "form": form,
        "error_summary_params": error_summary(form),
        "sections": selectors.document_sections(document),
        "reviews": selectors.document_reviews(document),
    }
    return render(request, "documents/review.html", context)


@login_required
def pdf(request, document_id: int):
    document = selectors.document_get_for(
        user=request.user, document_id=document_id, path=request.path, kind=AccessKind.EXPORT
    )
    audit_event_record(actor=request.user, verb="document.downloaded", target=document, child=document.child)
    response = HttpResponse(make_pdf(document), content_type="application/pdf")
    name = f"{document.get_document_type_display()} {document.child.la_child_id}.pdf".replace(
        " ", "-"
    ).lower()
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
