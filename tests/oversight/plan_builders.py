"""A small improvement plan for the plan and board-pack tests."""

import datetime as dt

from opencsc.oversight.models import (
    ActionEvidence,
    ActionStatus,
    ActionStatusChange,
    ImprovementAction,
    Inspection,
    Judgement,
    Recommendation,
    Theme,
)


def make_inspection(published_on=dt.date(2014, 8, 8)) -> Inspection:
    return Inspection.objects.create(
        title="Inspection of services for children in need of help and protection",
        inspected_from=dt.date(2014, 6, 2),
        inspected_to=dt.date(2014, 6, 25),
        published_on=published_on,
        overall_judgement=Judgement.INADEQUATE,
    )


def make_recommendation(inspection, number=1, theme=Theme.ALLOCATION, kpi_ids=("unallocated_statutory",)):
    return Recommendation.objects.create(
        inspection=inspection,
        number=number,
        text=f"Recommendation text {number}: ensure every child in need of protection has a social worker",
        theme=theme,
        kpi_ids=list(kpi_ids),
    )


def make_action(recommendation, owner, *, due_on, history, description="Allocate every child", evidence=()):
    """history: [(date, status), ...] oldest first; the last is the action's status now."""
    last_day, last_status = history[-1]
    action = ImprovementAction.objects.create(
        recommendation=recommendation,
        description=description,
        owner=owner,
        due_on=due_on,
        status=last_status,
        completed_on=last_day if last_status == ActionStatus.COMPLETE else None,
    )
    for day, status in history:
        ActionStatusChange.objects.create(action=action, status=status, on=day, changed_by=owner)
    for day, note in evidence:
        ActionEvidence.objects.create(action=action, note=note, recorded_on=day, author=owner)
    return action
