"""The synthetic authority's inspection and improvement plan: recommendations with KPIs and owned actions whose
statuses move over time, so the board-meeting view differs from one meeting to the next."""

import datetime as dt

import pytest
from django.core.management import call_command

from opencsc.accounts.models import Role
from opencsc.insight.kpis import KPIS
from opencsc.oversight.improvement_selectors import board_meeting
from opencsc.oversight.models import ActionStatus, ImprovementAction, Inspection, Recommendation, Theme

TODAY = dt.date(2025, 11, 20)


@pytest.mark.django_db
def test_the_plan_answers_the_inspection_and_moves_over_time():
    call_command("generate", children=150, seed=3, today=TODAY, verbosity=0)
    inspection = Inspection.objects.get()
    assert inspection.overall_judgement == "inadequate"
    assert inspection.published_on < TODAY
    themes = set(Recommendation.objects.values_list("theme", flat=True))
    assert themes == set(Theme.values) - {Theme.OTHER}
    for recommendation in Recommendation.objects.all():
        assert all(kpi_id in KPIS for kpi_id in recommendation.kpi_ids)
        assert recommendation.actions.exists()
    for action in ImprovementAction.objects.all():
        history = list(action.status_changes.order_by("on", "id"))
        assert history[0].status == ActionStatus.NOT_STARTED
        assert [change.on for change in history] == sorted(change.on for change in history)
        assert history[-1].status == action.status and history[-1].on <= TODAY - dt.timedelta(days=1)
        assert (action.status == ActionStatus.COMPLETE) == (action.completed_on is not None)
        assert action.owner.role in {
            Role.DIRECTOR,
            Role.HEAD_OF_SERVICE,
            Role.PERFORMANCE_ANALYST,
            Role.CHIEF_EXECUTIVE,
        }
        assert action.evidence.count() == len(history) - 1
    ever = {
        change.status for action in ImprovementAction.objects.all() for change in action.status_changes.all()
    }
    assert ever == set(ActionStatus.values)
    first_meeting = board_meeting(inspection.published_on + dt.timedelta(days=120))
    later_meeting = board_meeting(TODAY - dt.timedelta(days=1))
    assert first_meeting.counts != later_meeting.counts
    assert later_meeting.counts[ActionStatus.COMPLETE] > first_meeting.counts[ActionStatus.COMPLETE]
