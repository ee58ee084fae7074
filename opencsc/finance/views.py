"""The finance pages: the budget and its outturn (with scenarios), the placements behind each figure, the provider
register, in-house capacity, and a placement's cost."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.access import can_view_child
from opencsc.audit.models import AccessKind
from opencsc.audit.services import record_access_log
from opencsc.finance import selectors, services
from opencsc.finance.forms import (
    AgreeCostForm,
    ApprovalForm,
    BudgetForm,
    ChangeCostForm,
    ProviderForm,
    ScenarioForm,
)
from opencsc.finance.models import Budget, PlacementAgreement, Provider, Scenario
from opencsc.finance.outturn import budget_outturn, financial_year_of, scenario_outturn
from opencsc.finance.services import placement_span
from opencsc.insight.forecast import CATEGORIES, CATEGORY_LABELS
from opencsc.looked_after.codes import PLACEMENT_CHANGING_REASONS
from opencsc.looked_after.models import Episode
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.steps import form_step


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("Your role cannot see or change the placements budget")


def _year(request) -> tuple[int, str]:
    current = financial_year_of(timezone.localdate())
    text = request.GET.get("year", "").strip()
    if not text:
        return current, ""
    if not text.isdigit() or not 2000 <= int(text) <= current + 1:
        return (
            current,
            f"Financial year: enter the year it ends in, from 2000 to {current + 1}: showing this year",
        )
    return int(text), ""


def _scenario(request) -> Scenario | None:
    text = request.GET.get("scenario", "")
    return Scenario.objects.filter(pk=text).select_related("author").first() if text.isdigit() else None


@login_required
def budget(request):
    _require(selectors.can_view_budget(request.user))
    year, problem = _year(request)
    today = timezone.localdate()
    scenario = _scenario(request)
    outturn = budget_outturn(year=year, today=today)
    context = {
        "year": year,
        "problem": problem,
        "outturn": outturn,
        "scenario": scenario,
        "scenarios": Scenario.objects.select_related("author")[:20],
        "budget_years": list(Budget.objects.values_list("year", flat=True)),
        "can_change": selectors.can_change_budget(request.user),
    }
    if scenario is not None:
        context["with_scenario"] = scenario_outturn(outturn, scenario)
    return render(request, "finance/budget.html", context)


@login_required
def budget_category(request, category: str):
    _require(selectors.can_view_budget(request.user))
    if category not in CATEGORIES:
        raise Http404("No such placement category")
    year, problem = _year(request)
    outturn = budget_outturn(year=year, today=timezone.localdate())
    rows = selectors.placements_behind(
        user=request.user, path=request.get_full_path(), year=year, category=category, as_of=outturn.as_of
    )
    context = {
        "year": year,
        "problem": problem,
        "category": category,
        "label": CATEGORY_LABELS[category],
        "figures": outturn.categories[category],
        "outturn": outturn,
        "rows": rows,
        "can_change": selectors.can_change_budget(request.user),
    }
    return render(request, "finance/budget_category.html", context)


@login_required
@creates_record
def budget_new(request):
    _require(selectors.can_change_budget(request.user))
    form = BudgetForm(request.POST or None, initial={"year": financial_year_of(timezone.localdate())})
    return form_step(
        request,
        form=form,
        save=lambda data: services.budget_set(actor=request.user, year=data["year"], lines=form.lines()),
        success="Budget set",
        done_url=f"{reverse('finance:budget')}?year={form.data.get('year', '')}",
        template="finance/form.html",
        context={"heading": "Set the placements budget for a year", "back": reverse("finance:budget")},
    )


@login_required
@creates_record
def scenario_new(request):
    _require(selectors.can_view_budget(request.user))
    form = ScenarioForm(request.POST or None)
    saved = {}

    def save(data):
        saved["scenario"] = services.scenario_save(actor=request.user, **data)

    response = form_step(
        request,
        form=form,
        save=save,
        success="Scenario saved",
        done_url=reverse("finance:budget"),
        template="finance/form.html",
        context={"heading": "Save a scenario", "back": reverse("finance:budget")},
    )
    if "scenario" in saved:
        response["Location"] = f"{reverse('finance:budget')}?scenario={saved['scenario'].pk}"
    return response


@login_required
def providers(request):
    _require(selectors.can_view_budget(request.user))
    return render(
        request,
        "finance/providers.html",
        {
            "providers": Provider.objects.prefetch_related("approvals"),
            "can_change": selectors.can_change_budget(request.user),
        },
    )


@login_required
@creates_record
def provider_new(request):
    _require(selectors.can_change_budget(request.user))
    return form_step(
        request,
        form=ProviderForm(request.POST or None),
        save=lambda data: services.provider_create(actor=request.user, **data),
        success="Provider added to the register",
        done_url=reverse("finance:providers"),
        template="finance/form.html",
        context={"heading": "Add a provider", "back": reverse("finance:providers")},
    )


@login_required
@creates_record
def approval_new(request, provider_id: int):
    _require(selectors.can_change_budget(request.user))
    provider = get_object_or_404(Provider, pk=provider_id)
    return form_step(
        request,
        form=ApprovalForm(request.POST or None),
        save=lambda data: services.carer_approval_record(actor=request.user, provider=provider, **data),
        success=f"Approval recorded for {provider.name}",
        done_url=reverse("finance:providers"),
        template="finance/form.html",
        context={"heading": f"Record an approval: {provider.name}", "back": reverse("finance:providers")},
    )


@login_required
def capacity(request):
    _require(selectors.can_view_budget(request.user))
    day = timezone.localdate()
    households = selectors.in_house_capacity(day)
    out_of_area = selectors.placed_out_while_local_place_free(
        user=request.user, path=request.get_full_path(), day=day
    )
    return render(
        request,
        "finance/capacity.html",
        {"day": day, "households": households, "out_of_area": out_of_area},
    )


def _placement_episode(request, episode_id: int) -> Episode:
    """The episode that started a placement, if the user may change budgets and open the child (the refusal of a
    child they may not open is logged against that child)."""
    _require(selectors.can_change_budget(request.user))
    episode = get_object_or_404(Episode.objects.select_related("child"), pk=episode_id)
    if not can_view_child(request.user, episode.child):
        record_access_log(user=request.user, child=episode.child, kind=AccessKind.REFUSED, path=request.path)
        raise PermissionDenied("You may not open this child's record")
    if episode.reason_new_episode not in PLACEMENT_CHANGING_REASONS:
        raise Http404("Costs are kept on the episode that started the placement")
    record_access_log(
        user=request.user, child=episode.child, kind=AccessKind.VIEW, path=request.get_full_path()
    )
    return episode


@login_required
@creates_record
def placement_cost(request, episode_id: int):
    episode = _placement_episode(request, episode_id)
    agreement = PlacementAgreement.objects.filter(first_episode=episode).select_related("provider").first()
    here = reverse("finance:placement_cost", args=[episode.pk])
    if agreement is None:
        form = AgreeCostForm(request.POST or None, providers=Provider.objects.all())
        save = lambda data: services.placement_cost_agree(actor=request.user, episode=episode, **data)  # noqa: E731
    else:
        form = ChangeCostForm(request.POST or None, initial={"version": agreement.version})

        def save(data):
            version = data.pop("version")
            services.placement_cost_change(
                actor=request.user,
                agreement=agreement,
                expected_version=version if version is not None else agreement.version,
                **data,
            )

    started, ended = placement_span(episode)
    return form_step(
        request,
        form=form,
        save=save,
        success="Placement cost recorded",
        done_url=here,
        template="finance/placement_cost.html",
        context={
            "episode": episode,
            "agreement": agreement,
            "costs": agreement.costs.all() if agreement else [],
            "started": started,
            "ended": ended,
        },
    )
