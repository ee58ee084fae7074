"""Pages for case file audits: a child's audits, grading a file, an audit with its moderation and actions, the
leaders' figure with its drill-down, the moderation queue and audit programmes. Access and its log are in
child_record_view and selectors; the services decide everything else."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.accounts.models import Team
from opencsc.audit.models import AccessKind
from opencsc.audit.services import record_access_log
from opencsc.people.decorators import child_record_view
from opencsc.quality import selectors, services
from opencsc.quality.forms import ActionAnswerForm, ActionForm, FileAuditForm, ModerationForm, ProgrammeForm
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import as_html_paragraphs
from opencsc.ui.steps import form_step


def _require(allowed: bool, why: str) -> None:
    if not allowed:
        raise PermissionDenied(why)


def _logging_refusals(request, child, view, *args):
    """Run the view; a refusal it raises is written to the child's access log, like any other refusal."""
    try:
        return view(request, *args)
    except PermissionDenied:
        record_access_log(user=request.user, child=child, kind=AccessKind.REFUSED, path=request.path)
        raise


def audit_page(view):
    """Loads the audit for the view (refused and logged for anyone who may not open its child)."""

    @login_required
    @wraps(view)
    def wrapper(request, audit_id: int):
        audit = selectors.audit_get_for(user=request.user, audit_id=audit_id, path=request.get_full_path())
        return _logging_refusals(request, audit.child, view, audit)

    return wrapper


def action_page(view):
    @login_required
    @wraps(view)
    def wrapper(request, action_id: int):
        action = selectors.action_get_for(
            user=request.user, action_id=action_id, path=request.get_full_path()
        )
        return _logging_refusals(request, action.audit.child, view, action)

    return wrapper


@child_record_view()
def child_audits(request, child):
    context = {
        "child": child,
        "audits": selectors.child_audits(child),
        "can_audit": request.user.role in services.AUDITING_ROLES,
    }
    return render(request, "quality/child_audits.html", context)


@child_record_view()
@creates_record
def audit_new(request, child):
    _require(request.user.role in services.AUDITING_ROLES, "Only a manager or an auditor audits a file")
    form = FileAuditForm(request.POST or None)
    return form_step(
        request,
        form=form,
        save=lambda data: services.file_audit_record(
            actor=request.user, child=child, **form.service_arguments()
        ),
        success="Audit recorded: it now waits for a second person to moderate it",
        done_url=lambda audit: reverse("quality:audit", args=[audit.pk]),
        template="quality/audit_new.html",
        context={"child": child, "holds_the_case": services.holds_the_case(request.user, child)},
    )


@audit_page
def audit_detail(request, audit):
    user = request.user
    context = {
        "audit": audit,
        "child": audit.child,
        "summary": as_html_paragraphs(audit.summary),
        "domains": selectors.audit_domains(audit),
        "actions": selectors.audit_actions(audit),
        "can_moderate": not audit.is_moderated
        and user.role in services.MODERATING_ROLES
        and user.pk != audit.auditor_id,
        "can_set_actions": services.can_set_actions(user, audit),
        "can_answer": can_change_child(user, audit.child),
    }
    return render(request, "quality/audit_detail.html", context)


@audit_page
def moderate(request, audit):
    _require(
        request.user.role in services.MODERATING_ROLES, "Only a manager or an auditor moderates an audit"
    )
    form = ModerationForm(request.POST or None, initial={"version": audit.version, "grade": audit.grade})
    return form_step(
        request,
        form=form,
        save=lambda data: services.file_audit_moderate(
            actor=request.user,
            audit=audit,
            grade=data["grade"],
            reason=data["reason"],
            expected_version=data["version"],
        ),
        success="Moderation recorded",
        done_url=reverse("quality:audit", args=[audit.pk]),
        template="quality/moderate.html",
        context={"audit": audit, "child": audit.child, "domains": selectors.audit_domains(audit)},
    )


@audit_page
@creates_record
def action_new(request, audit):
    _require(services.can_set_actions(request.user, audit), "Only the auditor or the moderator sets actions")
    return form_step(
        request,
        form=ActionForm(request.POST or None),
        save=lambda data: services.file_audit_action_add(
            actor=request.user, audit=audit, action=data["action"], due_on=data["due_on"]
        ),
        success="Action added for the worker",
        done_url=reverse("quality:audit", args=[audit.pk]),
        template="quality/action_new.html",
        context={"audit": audit, "child": audit.child, "worker": services.allocated_worker(audit.child)},
    )


@action_page
def action_answer(request, action):
    audit = action.audit
    _require(can_change_child(request.user, audit.child), "Only the child's workers answer an action")
    return form_step(
        request,
        form=ActionAnswerForm(request.POST or None),
        save=lambda data: services.file_audit_action_answer(
            actor=request.user, action=action, response=data["response"]
        ),
        success="Your answer is recorded",
        done_url=reverse("quality:audit", args=[audit.pk]),
        template="quality/action_answer.html",
        context={"audit": audit, "child": audit.child, "action": action},
    )


# Leaders --------------------------------------------------------------------------------------------------


def _period_kind(request) -> str:
    kind = request.GET.get("by", "month")
    return kind if kind in selectors.PERIOD_KINDS else "month"


def _team(request) -> Team | None:
    team_id = request.GET.get("team", "")
    return Team.objects.filter(pk=team_id).first() if team_id.isdigit() else None


@login_required
def figures(request):
    _require(selectors.can_view_figures(request.user), "Your role does not see the audit figures")
    kind, team = _period_kind(request), _team(request)
    periods = selectors.recent_periods(kind, timezone.localdate())
    context = {
        "kind": kind,
        "team": team,
        "teams": Team.objects.order_by("name"),
        "periods": periods,
        "over_time": list(reversed(selectors.share_over_time(periods, team=team))),
        "by_team": selectors.share_by_team(periods[0].first, periods[-1].last),
        "whole": selectors.share_between(periods[0].first, periods[-1].last, team=team),
        "can_run_programmes": selectors.can_run_programmes(request.user),
        "can_audit": request.user.role in services.AUDITING_ROLES,
    }
    return render(request, "quality/figures.html", context)


@login_required
def drill(request):
    """The audits behind a figure: ?by=month|quarter&from=YYYY-MM (one period, or the whole window without it),
    &team=ID, &good=yes|no."""
    _require(selectors.can_view_figures(request.user), "Your role does not see the audit figures")
    kind, team = _period_kind(request), _team(request)
    periods = selectors.recent_periods(kind, timezone.localdate())
    period = selectors.period_from_key(kind, request.GET.get("from", ""))
    first, last = (period.first, period.last) if period else (periods[0].first, periods[-1].last)
    good = {"yes": True, "no": False}.get(request.GET.get("good", ""))
    audits = list(selectors.drill_audits(first, last, team=team, good_or_better=good)[:500])
    selectors.name_children_for(user=request.user, rows=audits, path=request.get_full_path())
    context = {"audits": audits, "first": first, "last": last, "team": team, "good": good, "period": period}
    return render(request, "quality/drill.html", context)


@login_required
def moderation_queue(request):
    _require(request.user.role in services.MODERATING_ROLES, "Your role does not moderate audits")
    audits = selectors.audits_awaiting_moderation(request.user)
    selectors.name_children_for(user=request.user, rows=audits, path=request.get_full_path())
    return render(request, "quality/moderation_queue.html", {"audits": audits})


@login_required
def programmes(request):
    _require(selectors.can_run_programmes(request.user), "Your role does not run audit programmes")
    context = {"programmes": selectors.programmes_for(request.user)}
    return render(request, "quality/programmes.html", context)


@login_required
@creates_record
def programme_new(request):
    _require(selectors.can_run_programmes(request.user), "Your role does not run audit programmes")
    form = ProgrammeForm(request.POST or None, teams=services.teams_to_sample(request.user))
    return form_step(
        request,
        form=form,
        save=lambda data: services.audit_programme_create(
            actor=request.user, title=data["title"], teams=list(data["teams"]), per_team=data["per_team"]
        ),
        success="Programme drawn: the files to audit are below",
        done_url=lambda programme: reverse("quality:programme", args=[programme.pk]),
        template="quality/programme_new.html",
        context={},
    )


@login_required
def programme_detail(request, programme_id: int):
    _require(selectors.can_run_programmes(request.user), "Your role does not run audit programmes")
    programme = selectors.programme_get_for(user=request.user, programme_id=programme_id)
    entries = selectors.programme_entries(programme)
    selectors.name_children_for(user=request.user, rows=entries, path=request.get_full_path())
    done = sum(1 for entry in entries if entry.audit_id)
    context = {"programme": programme, "entries": entries, "done": done}
    return render(request, "quality/programme_detail.html", context)
