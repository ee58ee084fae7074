import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from opencsc.audit.services import record_access_log_list
from opencsc.casework import selectors, services
from opencsc.casework.forms import AmendmentForm, CaseNoteForm
from opencsc.casework.models import NoteType
from opencsc.people.decorators import child_record_view
from opencsc.people.models import Child
from opencsc.ui import form_tokens
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation


def _choices(children: list[Child]) -> list[tuple[str, str]]:
    return [(str(child.pk), f"{child.full_name} ({child.la_child_id})") for child in children]


def _chosen_children(form: CaseNoteForm, allowed: list[Child]) -> list[Child]:
    by_id = {str(child.pk): child for child in allowed}
    return [by_id[pk] for pk in form.cleaned_data.get("children", []) if pk in by_id]


def _note_form_page(request, *, form, child, note=None, allowed=None):
    context = {
        "form": form,
        "child": child,
        "note": note,
        "error_summary_params": error_summary(form),
        "autosave_url": _autosave_url(child, note),
    }
    return render(request, "casework/note_form.html", context)


def _autosave_url(child, note) -> str:
    if note is not None:
        return reverse("casework:note_autosave", args=[note.pk])
    return reverse("casework:note_autosave_new", args=[child.pk])


def _save_from_form(request, form, allowed, note=None):
    """Save a draft, or finalise when the user pressed 'Finalise'. Returns the note or None on error."""
    children = _chosen_children(form, allowed)
    fields = form.note_fields()
    version = form.cleaned_data.get("version")
    try:
        # One transaction: a new note that fails to finalise must not leave a hidden draft behind.
        with transaction.atomic():
            if note is None:
                note = services.note_save_draft(actor=request.user, children=children, **fields)
                version = note.version
            if request.POST.get("action") == "finalise":
                return services.note_finalise(
                    actor=request.user, note=note, children=children, expected_version=version, **fields
                )
            if version != note.version or form.has_changed():
                note = services.note_save_draft(
                    actor=request.user, children=children, note=note, expected_version=version, **fields
                )
            return note
    except ValidationError as error:
        field_errors_from_validation(form, error)
        return None


@child_record_view(change=True)
@creates_record
def note_new(request, child):
    allowed = selectors.sibling_choices(user=request.user, child=child)
    initial = {
        "children": [str(child.pk)],
        "note_type": NoteType.VISIT,
        "event_on": services.timezone.localdate(),
    }
    form = CaseNoteForm(request.POST or None, initial=initial, child_choices=_choices(allowed))
    if request.method == "POST" and form.is_valid():
        note = _save_from_form(request, form, allowed)
        if note is not None:
            return _after_save(request, note, child)
    return _note_form_page(request, form=form, child=child)


def _after_save(request, note, child):
    if note.is_final:
        messages.success(request, "Note finalised. It can now only be changed by an amendment with a reason.")
        return redirect("casework:note_detail", note_id=note.pk)
    messages.success(request, "Draft saved")
    return redirect("casework:note_edit", note_id=note.pk)


@login_required
def note_edit(request, note_id: int):
    note = selectors.note_get_for(user=request.user, note_id=note_id, path=request.path, change=True)
    if note.is_final:
        return redirect("casework:note_detail", note_id=note.pk)
    child = note.visible_children[0]
    allowed = _allowed_for_note(request.user, note, child)
    initial = {
        **{f: getattr(note, f) for f in services.NOTE_CONTENT_FIELDS},
        "version": note.version,
        "children": [str(c.pk) for c in note.children.all()],
    }
    for field in ("child_seen", "child_seen_alone", "bedroom_seen"):
        initial[field] = {True: "yes", False: "no"}.get(initial[field])
    form = CaseNoteForm(request.POST or None, initial=initial, child_choices=_choices(allowed))
    if request.method == "POST" and form.is_valid():
        saved = _save_from_form(request, form, allowed, note=note)
        if saved is not None:
            return _after_save(request, saved, child)
    return _note_form_page(request, form=form, child=child, note=note)


def _allowed_for_note(user, note, child) -> list[Child]:
    allowed = {c.pk: c for c in selectors.sibling_choices(user=user, child=child)}
    for already in note.children.all():
        allowed.setdefault(already.pk, already)
    return list(allowed.values())


@require_POST
@child_record_view(change=True)
def note_autosave_new(request, child):
    """The first autosave of a new note makes the draft, under the new-note form's token: a form already sent
    (or autosaved from another tab) makes no second note."""
    same_form = reverse("casework:note_new", args=[child.pk])
    earlier = form_tokens.earlier_submission(request, path=same_form)
    if earlier is not None:
        return JsonResponse(
            {"saved": False, "errors": [form_tokens.SENT_BEFORE], "sent": earlier.result_url}, status=409
        )
    allowed = selectors.sibling_choices(user=request.user, child=child)
    try:
        with transaction.atomic():
            response = _autosave(request, allowed, note=None)
            if response.status_code == 200:
                form_tokens.claim(
                    request, result_url=json.loads(response.content)["edit_url"], path=same_form
                )
    except IntegrityError:
        return JsonResponse({"saved": False, "errors": [form_tokens.SENT_BEFORE]}, status=409)
    return response


note_autosave_new.creates_record = True


@require_POST
@login_required
def note_autosave(request, note_id: int):
    note = selectors.note_get_for(user=request.user, note_id=note_id, path=request.path, change=True)
    return _autosave(request, _allowed_for_note(request.user, note, note.visible_children[0]), note=note)


def _autosave(request, allowed, note):
    form = CaseNoteForm(request.POST, child_choices=_choices(allowed))
    if not form.is_valid():
        return JsonResponse({"saved": False, "errors": form.errors}, status=400)
    try:
        note = services.note_save_draft(
            actor=request.user,
            children=_chosen_children(form, allowed),
            note=note,
            expected_version=form.cleaned_data.get("version") if note else None,
            **form.note_fields(),
        )
    except ValidationError as error:
        return JsonResponse({"saved": False, "errors": error.messages}, status=409)
    except PermissionDenied as denied:
        return JsonResponse({"saved": False, "errors": [str(denied)]}, status=403)
    return JsonResponse(
        {
            "saved": True,
            "note_id": note.pk,
            "version": note.version,
            "autosave_url": reverse("casework:note_autosave", args=[note.pk]),
            "edit_url": reverse("casework:note_edit", args=[note.pk]),
            "saved_at": services.timezone.localtime(note.updated_at).strftime("%H:%M:%S"),
        }
    )


@login_required
def note_detail(request, note_id: int):
    note = selectors.note_get_for(user=request.user, note_id=note_id, path=request.path)
    if not note.is_final:
        return redirect("casework:note_edit", note_id=note.pk)
    amendments = list(note.amendments.select_related("amended_by"))
    return render(
        request,
        "casework/note_detail.html",
        {"note": note, "amendments": amendments, "child": note.visible_children[0]},
    )


@login_required
@creates_record
def note_amend(request, note_id: int):
    note = selectors.note_get_for(user=request.user, note_id=note_id, path=request.path, change=True)
    if not note.is_final:
        return redirect("casework:note_edit", note_id=note.pk)
    children = list(note.children.all())
    initial = {
        **{f: getattr(note, f) for f in services.NOTE_CONTENT_FIELDS},
        "version": note.version,
        "children": [str(c.pk) for c in children],
    }
    for field in ("child_seen", "child_seen_alone", "bedroom_seen"):
        initial[field] = {True: "yes", False: "no"}.get(initial[field])
    form = AmendmentForm(request.POST or None, initial=initial, child_choices=_choices(children))
    if request.method == "POST" and form.is_valid():
        fields = form.note_fields()
        reason = fields.pop("reason")
        try:
            services.note_amend(
                actor=request.user,
                note=note,
                reason=reason,
                expected_version=form.cleaned_data["version"],
                **fields,
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        except PermissionDenied:
            raise
        else:
            messages.success(request, "Amendment saved. The earlier version is kept in the note's history.")
            return redirect("casework:note_detail", note_id=note.pk)
    return render(
        request,
        "casework/note_amend.html",
        {
            "form": form,
            "note": note,
            "child": note.visible_children[0],
            "error_summary_params": error_summary(form),
        },
    )


@login_required
def my_notes(request):
    drafts = selectors.notes_shown_to(
        selectors.drafts_for(user=request.user), user=request.user, path=request.path
    )
    named = [child.pk for note in drafts for child in note.shown_children]
    record_access_log_list(user=request.user, child_ids=named, path=request.path)
    return render(request, "casework/my_notes.html", {"drafts": drafts})
