from dataclasses import dataclass

from django.utils import timezone

from opencsc.casework.selectors import drafts_for, my_allocated_children
from opencsc.people.models import Alert
from opencsc.people.selectors import children_visible_to


@dataclass(frozen=True)
class HomeSummary:
    allocated_children: list
    draft_notes: list
    alerts_due_review: list


def home_summary(*, user) -> HomeSummary:
    today = timezone.localdate()
    visible = children_visible_to(user)
    alerts = (
        Alert.objects.filter(
            child__in=visible.filter(allocations__worker=user, allocations__ended_on__isnull=True)
        )
        .filter(ended_on__isnull=True, review_on__lte=today)
        .select_related("child")[:20]
    )
    return HomeSummary(
        allocated_children=my_allocated_children(user=user),
        draft_notes=list(drafts_for(user=user)[:20]),
        alerts_due_review=list(alerts),
    )
