"""The daily digest of escalations for the director and the chief executive, answered one line at a time."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from opencsc.audit.services import record_access_log_list
from opencsc.oversight.digest import can_view_digest, digest_for, form_prefix, parse_group_key
from opencsc.oversight.digest_services import escalation_group_answer
from opencsc.oversight.forms import DigestAnswerForm
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation

REFUSED = "The daily digest of escalations is for the director and the chief executive"


def _render_digest(request, *, bound: DigestAnswerForm | None = None, bound_key: str = ""):
    digest = digest_for(user=request.user, day=timezone.localdate())
    forms = {
        group.key: bound
        if bound is not None and group.key == bound_key
        else DigestAnswerForm(prefix=group.form_prefix, initial={"escalations": group.ids_text})
        for group in digest.groups
    }
    record_access_log_list(user=request.user, child_ids=digest.named_child_ids, path=request.get_full_path())
    return render(
        request,
        "oversight/digest.html",
        {
            "digest": digest,
            "forms": forms,
            "error_summary_params": error_summary(bound) if bound is not None else None,
            "page_has_errors": bool(bound is not None and bound.errors),
        },
    )


@login_required
def digest_page(request):
    if not can_view_digest(request.user):
        raise PermissionDenied(REFUSED)
    return _render_digest(request)


@require_POST
@login_required
def digest_answer(request):
    if not can_view_digest(request.user):
        raise PermissionDenied(REFUSED)
    key = request.POST.get("line", "")
    line = parse_group_key(key)
    if line is None:
        messages.info(request, "Choose a line of the digest to answer")
        return redirect("oversight:digest")
    rule_id, team_id = line
    form = DigestAnswerForm(request.POST, prefix=form_prefix(rule_id, team_id))
    if form.is_valid():
        try:
            result = escalation_group_answer(
                actor=request.user,
                rule_id=rule_id,
                team_id=team_id,
                escalation_ids=form.escalation_ids(),
                response=form.cleaned_data["response"],
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, _answered_message(result))
            return redirect("oversight:digest")
    return _render_digest(request, bound=form, bound_key=key)


def _answered_message(result) -> str:
    count = len(result.answered)
    text = f"Answered {count} escalation{'' if count == 1 else 's'}: your answer is recorded on each."
    if result.already_answered:
        text += f" {result.already_answered} had been answered by someone else meanwhile."
    if result.moved_on:
        text += f" {result.moved_on} had moved to someone else and are left to them."
    return text
