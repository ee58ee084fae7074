"""Allegation pages: the designated officer's list, the referral, each allegation with its due dates, one step
page for each thing recorded on it, access grants, and the leaders' figures. Thin: `allegation_view` loads the
allegation through the selector that checks access and logs the read (a refusal is the same whether or not the
allegation exists), a form, one service call, back to the allegation."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.models import User
from opencsc.allegations import forms as f
from opencsc.allegations import selectors, services
from opencsc.allegations.access import (
    can_change_allegation,
    can_grant_allegation_access,
    can_record_allegation,
    can_view_allegation_figures,
)
from opencsc.casework.work import ClockContext
from opencsc.core.dates import reporting_year_asked
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.steps import form_step, posted

STEP_TEMPLATE = "allegations/step.html"


def allegation_view(*, change: bool = False):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, allegation_id: int, *args, **kwargs):
            allegation = selectors.allegation_get_for(
                user=request.user, pk=allegation_id, path=request.get_full_path()
            )
            if change and not can_change_allegation(request.user, allegation):
                raise PermissionDenied("You can read this allegation but not change it")
            return view(request, allegation, *args, **kwargs)

        return wrapper

    return decorator


def _back(allegation) -> str:
    return reverse("allegations:detail", args=[allegation.pk])


@login_required
def allegation_list(request):
    if not can_record_allegation(request.user):
        raise PermissionDenied("Only the designated officer's team sees allegations")
    open_only = request.GET.get("show") != "all"
    allegations = list(selectors.allegation_list(request.user, open_only=open_only))
    context = {
        "allegations": allegations,
        "next_due": selectors.next_due_of(allegations),
        "open_only": open_only,
    }
    return render(request, "allegations/list.html", context)


@login_required
@creates_record
def allegation_new(request):
    if not can_record_allegation(request.user):
        raise PermissionDenied("Only the designated officer's team records allegations")
    return form_step(
        request,
        form=f.ReferralForm(posted(request)),
        save=lambda data: services.allegation_record(actor=request.user, **data),
        success="Allegation recorded: the initial consideration is due the next working day",
        done_url=_back,
        template=STEP_TEMPLATE,
        context={"heading": "Record an allegation", "back": reverse("allegations:list")},
    )


@allegation_view()
def allegation_detail(request, allegation):
    context = {
        "allegation": allegation,
        "children": selectors.children_concerned(request.user, allegation),
        "clocks": selectors.allegation_clocks(allegation),
        "history": selectors.allegation_history(allegation),
        "can_change": can_change_allegation(request.user, allegation),
        "can_grant": can_grant_allegation_access(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "allegations/detail.html", context)


def _step(request, allegation, *, heading, form, save, success):
    return form_step(
        request,
        form=form,
        save=save,
        success=success,
        done_url=_back(allegation),
        template=STEP_TEMPLATE,
        context={"heading": heading, "allegation": allegation, "back": _back(allegation)},
    )


@allegation_view(change=True)
def consideration(request, allegation):
    return _step(
        request,
        allegation,
        heading="Record the initial consideration",
        form=f.ConsiderationForm(posted(request)),
        save=lambda data: services.allegation_initial_consideration(
            actor=request.user,
            allegation=allegation,
            considered_on=data["considered_on"],
            decision=data["decision"],
        ),
        success="Initial consideration recorded",
    )


@allegation_view(change=True)
def strategy(request, allegation):
    discussions = services.strategy_discussions_for(allegation).select_related("child")
    return _step(
        request,
        allegation,
        heading="Record the strategy discussion",
        form=f.StrategyForm(posted(request), discussions=list(discussions)),
        save=lambda data: services.allegation_strategy_record(
            actor=request.user, allegation=allegation, **data
        ),
        success="Strategy discussion recorded",
    )


@allegation_view(change=True)
def outcome(request, allegation):
    return _step(
        request,
        allegation,
        heading="Record the outcome",
        form=f.OutcomeForm(posted(request)),
        save=lambda data: services.allegation_conclude(actor=request.user, allegation=allegation, **data),
        success="Outcome recorded",
    )


@allegation_view(change=True)
@creates_record
def regulator_referral(request, allegation):
    return _step(
        request,
        allegation,
        heading="Record a referral to the DBS or a regulator",
        form=f.RegulatorReferralForm(posted(request)),
        save=lambda data: services.regulator_referral_record(
            actor=request.user, allegation=allegation, **data
        ),
        success="Referral recorded",
    )


def _grant(request, allegation, username: str):
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise ValidationError({"username": "No active member of staff has that username"})
    return services.allegation_access_grant(actor=request.user, allegation=allegation, user=user)


@allegation_view(change=True)
@creates_record
def access_grant(request, allegation):
    if not can_grant_allegation_access(request.user):
        raise PermissionDenied("Only a team manager of the designated officer's team grants access")
    return _step(
        request,
        allegation,
        heading="Give someone outside the team access to this allegation",
        form=f.AccessGrantForm(posted(request)),
        save=lambda data: _grant(request, allegation, data["username"]),
        success="Access given",
    )


@login_required
def service_page(request):
    if not can_view_allegation_figures(request.user):
        raise PermissionDenied(
            "Only the designated officer's team, heads of service and the director see these"
        )
    today = timezone.localdate()
    figures = selectors.allegation_figures(reporting_year_asked(request.GET.get("year"), today), today=today)
    references = selectors.sees_references(request.user)
    context = {
        "figures": figures,
        "open_clocks": selectors.open_allegation_clocks(ClockContext(today=today)) if references else [],
        "sees_references": references,
    }
    return render(request, "allegations/service.html", context)
