"""The synthetic authority's early help (opencsc/synthetic/earlyhelp.py): episodes follow the front door's early
help decisions and the RC9 closures, step-ups are linked to contacts the front door referred, some steps are late
(so the sweep has early help breaches to escalate), Annex A list 2 is filled, and every generated chronology line
reads as the services write it."""

import datetime as dt

import pytest
from django.core.management import call_command

from opencsc.casework.models import ChronologyEntry
from opencsc.earlyhelp import chronology_lines as lines
from opencsc.earlyhelp.models import EarlyHelpAssessment, EarlyHelpEpisode, EpisodeEnd, EpisodeStart
from opencsc.frontdoor.models import REFERRAL_DECISIONS
from opencsc.oversight.breaches import find_breaches
from opencsc.returns.annexa.export import annexa_rows

TODAY = dt.date(2026, 4, 20)


@pytest.fixture(scope="module")
def authority(django_db_setup, django_db_blocker):
    from opencsc.synthetic.generator import clear_generated_data

    with django_db_blocker.unblock():
        call_command("generate", children=800, seed=11, today=TODAY, verbosity=0, replace=True)
        yield
        clear_generated_data()


@pytest.mark.django_db
def test_early_help_comes_through_both_doors_with_some_steps_late(authority):
    episodes = EarlyHelpEpisode.objects.all()
    assert episodes.filter(started_by=EpisodeStart.FRONT_DOOR).count() >= 20
    step_downs = episodes.filter(started_by=EpisodeStart.STEP_DOWN).select_related("stepped_down_from")
    assert step_downs.exists()
    for episode in step_downs:
        assert episode.stepped_down_from.closure_reason == "RC9"
        assert episode.started_on == episode.stepped_down_from.closed_on
    step_ups = episodes.filter(end_reason=EpisodeEnd.STEPPED_UP).select_related("stepped_up_contact")
    assert step_ups.exists()
    for episode in step_ups:
        assert episode.stepped_up_contact.decision in REFERRAL_DECISIONS
        assert episode.ended_on == episode.stepped_up_contact.received_at.date()
    for episode in episodes.select_related("child"):
        assert episode.started_on < TODAY and (
            episode.ended_on is None or episode.started_on <= episode.ended_on
        )
        assert episode.child.date_of_birth is None or episode.child.date_of_birth <= episode.started_on
    for assessment in EarlyHelpAssessment.objects.select_related("episode"):
        assert assessment.episode.started_on <= assessment.started_on < TODAY
        assert assessment.completed_on is None or assessment.completed_on < TODAY
    breaches = find_breaches(today=TODAY, rules=["early_help_review", "early_help_assessment"])
    assert breaches and len(breaches) < episodes.filter(ended_on__isnull=True).count()
    assert annexa_rows(dt.date(2026, 3, 31))[2]


@pytest.mark.django_db
def test_generated_early_help_lines_read_as_the_services_write_them(authority):
    rebuild = {
        "early-help": lambda e: lines.episode_opened(e),
        "early-help-ended": lambda e: lines.episode_closed(e),
        "early-help-stepped-up": lambda e: lines.stepped_up(e),
        "early-help-assessment": lambda a: lines.assessment_started(a),
        "early-help-assessment-completed": lambda a: lines.assessment_completed(a),
    }
    entries = ChronologyEntry.objects.filter(source_key__startswith="early-help-").exclude(
        source_key__startswith="early-help-review-"
    )
    assert entries.count() > 50
    for entry in entries:
        parts = entry.source_key.split("-")
        number = next(int(p) for p in parts if p.isdigit())
        kind = "-".join(p for p in parts if not p.isdigit())
        record = (EarlyHelpAssessment if "assessment" in kind else EarlyHelpEpisode).objects.get(pk=number)
        line = rebuild[kind](record)
        assert (line.occurred_on, line.category, line.summary, line.is_significant) == (
            entry.occurred_on,
            entry.category,
            entry.summary,
            entry.is_significant,
        ), entry.source_key
