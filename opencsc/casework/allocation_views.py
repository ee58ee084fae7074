from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from opencsc.accounts.models import Role, Team
from opencsc.audit.services import record_access_log_list
from opencsc.casework import caseload, services
from opencsc.casework.allocation_forms import AllocateForm
from opencsc.casework.selectors import allocation_history, current_allocation
from opencsc.people.decorators import child_record_view
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation


def _require_oversight(request) -> None:
    if request.user.role not in services.ALLOCATING_ROLES:
        raise PermissionDenied("Only team managers, heads of service and the director see allocation")


def _teams_for(user):
    if user.role == Role.TEAM_MANAGER:
        return Team.objects.filter(pk=user.team_id)
    return Team.objects.all()


def _chosen_team(request):
    """A team manager sees their own team's queue (the only one they can allocate in); others choose."""
    if request.user.role == Role.TEAM_MANAGER:
        if request.user.team_id is None:
            raise PermissionDenied("You are not in a team")
        return request.user.team
    if request.GET.get("team"):
        return get_object_or_404(_teams_for(request.user), pk=request.GET["team"])
    return None


def _waiting_for(request, team) -> list[caseload.WaitingChild]:
    """The children waiting that this user may open, each logged as listed."""
    rows = caseload.unallocated_children(team=team, user=request.user)
    record_access_log_list(
        user=request.user, child_ids=[row.child.pk for row in rows], path=request.get_full_path()
    )
    return rows


@login_required
def unallocated(request):
    """Every child with statutory work and no allocated worker that the user may act on, longest waiting
    first."""
    _require_oversight(request)
    team = _chosen_team(request)
    context = {
        "rows": _waiting_for(request, team),
        "team": team,
        "teams": _teams_for(request.user),
        "can_choose_team": request.user.role != Role.TEAM_MANAGER,
        "total": caseload.unallocated_count(),
    }
    return render(request, "casework/unallocated.html", context)


@login_required
def team_allocation(request, team_id: int):
    _require_oversight(request)
    team = get_object_or_404(_teams_for(request.user), pk=team_id)
    workers = caseload.team_workers(team)
    return render(
        request,
        "casework/team_allocation.html",
        {
            "team": team,
            "waiting": _waiting_for(request, team),
            "caseloads": [caseload.caseloads(workers)[w.pk] for w in workers],
            "policy": caseload.caseload_policy(),
        },
    )


def _worker_choices(loads, weight: float) -> list[tuple[str, str]]:
    choices = []
    for load in loads:
        label = (
            f"{load.worker.display_name}: {load.cases} cases, weighted {load.weighted:g} of "
            f"{load.limit:g} ({load.percent_of_limit}%)"
        )
        if load.would_exceed_with(weight):
            label += ": over the limit with this child"
        choices.append((str(load.worker.pk), label))
    return choices


@child_record_view(change=True)
@creates_record
def allocate(request, child):
    if request.user.role not in services.ALLOCATING_ROLES:
        raise PermissionDenied("Only managers allocate work")
    team = child.responsible_team or request.user.team
    if request.user.role == Role.TEAM_MANAGER and team != request.user.team:
        raise PermissionDenied("A team manager allocates within their own team")
    workers = caseload.team_workers(team) if team else []
    loads = list(caseload.caseloads(workers).values())
    weight = caseload.case_weight(child)
    form = AllocateForm(
        request.POST or None,
        worker_choices=_worker_choices(loads, weight),
        initial={"started_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        load = next(load for load in loads if str(load.worker.pk) == form.cleaned_data["worker"])
        if load.would_exceed_with(weight) and not form.cleaned_data["confirm_over_limit"]:
            form.add_error(
                "confirm_over_limit",
                f"{load.worker.display_name} would go over their caseload limit: "
                "confirm, or choose someone else",
            )
        else:
            try:
                services.allocation_create(
                    actor=request.user,
                    child=child,
                    worker=load.worker,
                    started_on=form.cleaned_data["started_on"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                field_errors_from_validation(form, error)
            else:
                messages.success(request, f"{child.full_name} allocated to {load.worker.display_name}")
                return redirect("people:detail", child_id=child.pk)
    return render(
        request,
        "casework/allocate.html",
        {
            "child": child,
            "team": team,
            "form": form,
            "current": current_allocation(child),
            "history": allocation_history(child),
            "weight": weight,
            "error_summary_params": error_summary(form),
        },
    )
