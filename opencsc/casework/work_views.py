"""Work views: my caseload, my team's and the whole service's due and overdue work; management oversight."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from opencsc.accounts.access import LA_WIDE_READ_ROLES, TEAM_ROLES
from opencsc.accounts.models import Role, Team, User
from opencsc.audit.services import record_access_log_list
from opencsc.casework import oversight_records, work
from opencsc.casework.caseload import CASE_HOLDING_ROLES
from opencsc.casework.models import NoteType
from opencsc.core.clocks import RULES
from opencsc.core.text_limits import NOTE_MAX_CHARACTERS
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import GovukDateField, LongTextField, error_summary, field_errors_from_validation

PAGE_SIZE = 50
SERVICE_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST}


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _with_query(request, **changes) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def pagination_params(request, page) -> dict | None:
    """Parameters for the GOV.UK pagination component: previous, next and numbered pages with ellipses."""
    paginator = page.paginator
    if paginator.num_pages <= 1:
        return None
    items = []
    shown = {1, paginator.num_pages, page.number - 1, page.number, page.number + 1}
    previous_shown = 0
    for number in sorted(n for n in shown if 1 <= n <= paginator.num_pages):
        if number - previous_shown > 1:
            items.append({"ellipsis": True})
        items.append(
            {"number": number, "href": _with_query(request, page=number), "current": number == page.number}
        )
        previous_shown = number
    params: dict = {"items": items, "landmarkLabel": "Pages of results"}
    if page.has_previous():
        params["previous"] = {"href": _with_query(request, page=page.previous_page_number())}
    if page.has_next():
        params["next"] = {"href": _with_query(request, page=page.next_page_number())}
    return params


def _paginate(request, rows):
    paginator = Paginator(rows, PAGE_SIZE)
    return paginator.get_page(_page_number(request))


def _work_page(request, *, template: str, children, heading: str, extra: dict, rules=None, lateness=None):
    ctx = work.ClockContext()
    all_items = work.due_work(children, ctx, rules=rules)
    summary = work.summarise(all_items)
    items = [item for item in all_items if item.lateness == lateness] if lateness else all_items
    page = _paginate(request, items)
    work.attach_people(page.object_list)
    record_access_log_list(
        user=request.user,
        child_ids=[item.child_id for item in page.object_list],
        path=request.get_full_path(),
    )
    context = {
        "heading": heading,
        "page": page,
        "items": page.object_list,
        "shown": len(items),
        "summary": summary,
        "today": ctx.today,
        "lateness_labels": work.Lateness.labels,
        "lateness_links": [
            (key, label, summary.by_lateness[key], _with_query(request, late=key, page=None))
            for key, label in work.Lateness.choices
        ],
        "pagination": pagination_params(request, page),
        "rule_names": {rule_id: RULES[rule_id].name for rule_id in work.ALL_WORK_RULE_IDS},
        "lateness": lateness,
        **extra,
    }
    return render(request, template, context)


def _lateness(request) -> str | None:
    value = request.GET.get("late") or None
    return value if value in work.Lateness.labels else None


def _rule(request) -> str | None:
    value = request.GET.get("clock") or None
    return value if value in work.ALL_WORK_RULE_IDS else None


@login_required
def mine(request):
    """My caseload: the children allocated to me, with what is due and overdue."""
    if request.user.role not in TEAM_ROLES:
        raise PermissionDenied("Only social workers and team managers hold a caseload")
    return _work_page(
        request,
        template="work/mine.html",
        children=work.caseload_children(request.user, request.user),
        heading="My caseload: what is due",
        extra={},
        lateness=_lateness(request),
    )


def _team_for_page(request) -> Team:
    user = request.user
    if user.role in TEAM_ROLES:
        if user.team_id is None:
            raise PermissionDenied("You are not in a team")
        return user.team
    if user.role in LA_WIDE_READ_ROLES and request.GET.get("team"):
        return get_object_or_404(Team, pk=request.GET["team"])
    raise PermissionDenied("Choose a team from the service's work")


@login_required
def team(request):
    """My team's work: every child the team holds; filter by worker (or children no one holds)."""
    if request.user.role in SERVICE_ROLES and not request.GET.get("team"):
        return redirect("work:service")
    team = _team_for_page(request)
    workers = list(
        User.objects.filter(team=team, is_active=True, role__in=CASE_HOLDING_ROLES).order_by(
            "last_name", "first_name"
        )
    )
    chosen = request.GET.get("worker", "")
    worker = next((w for w in workers if str(w.pk) == chosen), None)
    children = work.team_children(
        request.user, team, worker=worker, unallocated=chosen == "unallocated" and worker is None
    )
    return _work_page(
        request,
        template="work/team.html",
        children=children,
        heading=f"{team}: what is due",
        extra={
            "team": team,
            "workers": workers,
            "chosen_worker": chosen if worker or chosen == "unallocated" else "",
        },
        rules={_rule(request)} if _rule(request) else None,
        lateness=_lateness(request),
    )


@login_required
def service(request):
    """The whole service's due and overdue work, filterable by team, clock and how late."""
    if request.user.role not in SERVICE_ROLES:
        raise PermissionDenied("Only heads of service, the director and performance analysts see this")
    chosen_team = None
    if request.GET.get("team"):
        chosen_team = (
            Team.objects.filter(pk=request.GET["team"]).first() if request.GET["team"].isdigit() else None
        )
        if chosen_team is None:
            raise Http404("No such team")
    rule = _rule(request)
    return _work_page(
        request,
        template="work/service.html",
        children=work.service_children(request.user, team=chosen_team),
        heading="The service's work: what is due",
        extra={"teams": Team.objects.order_by("name"), "team": chosen_team, "rule": rule},
        rules={rule} if rule else None,
        lateness=_lateness(request),
    )


def _oversight_days(request) -> tuple[int, str | None]:
    """The N in "no oversight in the last N working days", and an error message if what was typed is unusable."""
    text = request.GET.get("days", "").strip()
    if not text:
        return oversight_records.DEFAULT_OVERSIGHT_DAYS, None
    if not text.isdigit() or int(text) > oversight_records.MAX_OVERSIGHT_DAYS:
        limit = oversight_records.MAX_OVERSIGHT_DAYS
        return (
            oversight_records.DEFAULT_OVERSIGHT_DAYS,
            f"Enter a whole number of working days from 0 to {limit}",
        )
    return int(text), None


@login_required
def oversight(request):
    """Children with open statutory work and no management oversight or supervision in the last N working
    days, with when it last happened and who gave it."""
    user = request.user
    if user.role not in oversight_records.OVERSIGHT_ROLES:
        raise PermissionDenied("Only team managers, heads of service and the director see oversight")
    chosen_team = None
    if user.role in oversight_records.SERVICE_WIDE_OVERSIGHT_ROLES and request.GET.get("team", "").isdigit():
        chosen_team = get_object_or_404(Team, pk=request.GET["team"])
    days, days_error = _oversight_days(request)
    ctx = work.ClockContext()
    lacking = oversight_records.children_lacking_oversight(user, ctx, days=days, team=chosen_team)
    page = _paginate(request, lacking)
    rows = oversight_records.describe_rows(list(page.object_list), ctx)
    record_access_log_list(user=user, child_ids=[row.child.pk for row in rows], path=request.get_full_path())
    return render(
        request,
        "work/oversight.html",
        {
            "page": page,
            "rows": rows,
            "total": page.paginator.count,
            "days": days,
            "days_error": days_error,
            "days_typed": request.GET.get("days", ""),
            "error_summary_params": {
                "titleText": "There is a problem",
                "errorList": [{"text": days_error, "href": "#days"}],
            }
            if days_error
            else None,
            "since": ctx.date_working_days_before_today(days),
            "today": ctx.today,
            "team": chosen_team if user.role != Role.TEAM_MANAGER else user.team,
            "teams": Team.objects.order_by("name")
            if user.role in oversight_records.SERVICE_WIDE_OVERSIGHT_ROLES
            else [],
            "pagination": pagination_params(request, page),
            "can_record": True,
        },
    )


class OversightNoteForm(forms.Form):
    children = forms.MultipleChoiceField(
        label="Which children did you discuss?",
        help_text="The note is linked to each child you choose",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one child you discussed"},
    )
    note_type = forms.ChoiceField(
        label="Type of record",
        choices=[
            (NoteType.SUPERVISION, "Supervision"),
            (NoteType.MANAGEMENT_OVERSIGHT, "Management oversight (a decision or sign-off)"),
        ],
        widget=forms.RadioSelect,
        initial=NoteType.SUPERVISION,
        error_messages={"required": "Choose the type of record"},
    )
    event_on = GovukDateField(
        label="Date of the supervision",
        label_for_errors="date of the supervision",
        help_text="For example, 27 3 2026",
    )
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    body = LongTextField(
        label="Discussion, decisions and actions",
        max_length=NOTE_MAX_CHARACTERS,
        holder="a note",
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "Enter what was discussed and decided"},
    )

    def __init__(self, *args, child_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = child_choices

    def clean_event_on(self):
        value = self.cleaned_data["event_on"]
        if value and value > timezone.localdate():
            raise ValidationError("The date of the supervision must be today or in the past")
        return value


def _supervisable_workers(user) -> list[User]:
    workers = User.objects.filter(is_active=True, role__in=CASE_HOLDING_ROLES)
    if user.role == Role.TEAM_MANAGER:
        workers = workers.filter(team_id=user.team_id)
    return list(workers.select_related("team").order_by("last_name", "first_name"))


@login_required
@creates_record
def record_supervision(request):
    """Record one supervision (or sign-off) note linked to several of a worker's children at once."""
    user = request.user
    if user.role not in oversight_records.OVERSIGHT_ROLES:
        raise PermissionDenied("Only team managers, heads of service and the director record supervision")
    workers = _supervisable_workers(user)
    chosen = request.GET.get("worker") or request.POST.get("worker") or ""
    worker = next((w for w in workers if str(w.pk) == chosen), None)
    candidates = oversight_records.supervision_candidates(user, worker) if worker else []
    record_access_log_list(
        user=user, child_ids=[child.pk for child in candidates], path=request.get_full_path()
    )
    choices = [(str(child.pk), f"{child.full_name} ({child.la_child_id})") for child in candidates]
    initial = {
        "event_on": timezone.localdate(),
        "note_type": NoteType.SUPERVISION,
        "title": f"Supervision with {worker.display_name}" if worker else "",
    }
    form = OversightNoteForm(
        request.POST if request.method == "POST" else None, child_choices=choices, initial=initial
    )
    if request.method == "POST" and worker is not None and form.is_valid():
        by_id = {str(child.pk): child for child in candidates}
        children = [by_id[pk] for pk in form.cleaned_data["children"] if pk in by_id]
        try:
            oversight_records.oversight_note_record(
                actor=user,
                children=children,
                event_on=form.cleaned_data["event_on"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                note_type=form.cleaned_data["note_type"],
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            count = len(children)
            messages.success(
                request,
                f"Recorded for {count} {'child' if count == 1 else 'children'} with {worker.display_name}",
            )
            return redirect("work:oversight")
    return render(
        request,
        "work/record_supervision.html",
        {
            "workers": workers,
            "worker": worker,
            "form": form,
            "has_children": bool(candidates),
            "error_summary_params": error_summary(form) if request.method == "POST" else None,
        },
    )
