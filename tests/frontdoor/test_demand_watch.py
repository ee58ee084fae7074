"""The demand watch fires on a surge like Buckinghamshire's in 2014 (police +143%, health +139%) and not on the
ordinary seasonal swing of contacts, which rises every autumn and dips every August."""

import datetime as dt
import io
import random
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.audit.models import AuditEvent
from opencsc.core.codes import SourceGroup
from opencsc.frontdoor import demand
from opencsc.frontdoor.models import Channel, Contact, DemandAlert

LONDON = ZoneInfo("Europe/London")
ROW_HEADER = '<th scope="row" class="govuk-table__header">'

# How many contacts a month each source makes in an ordinary month, and the codes it uses.
BASE = {
    SourceGroup.INDIVIDUALS: (40, ["1A", "1B", "1C"]),
    SourceGroup.EDUCATION: (70, ["2A", "2B"]),
    SourceGroup.HEALTH: (55, ["3A", "3B", "3E"]),
    SourceGroup.HOUSING: (2, ["4"]),
    SourceGroup.LA_SERVICES: (25, ["5A", "5D"]),
    SourceGroup.POLICE: (60, ["6"]),
    SourceGroup.LEGAL: (4, ["7"]),
    SourceGroup.OTHER: (8, ["8", "9", "10"]),
}
# The same shape every year: a dip in August (school holidays), a rise in September to November.
SEASON = dict(enumerate([1.0, 1.0, 1.05, 0.95, 1.0, 1.0, 0.9, 0.6, 1.5, 1.6, 1.5, 0.85], start=1))

AS_OF = dt.date(2026, 12, 1)  # the watch looks at Sep–Nov 2026 against Sep–Nov 2025
FIRST_MONTH = dt.date(2024, 12, 1)
LAST_MONTH = dt.date(2026, 11, 1)
SURGE_MONTHS = {dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)}


def months(first: dt.date, last: dt.date):
    current = first
    while current <= last:
        yield current
        current = demand.add_months(current, 1)


class History:
    """Contacts written with bulk_create, with a running tally of what was written per group and month."""

    def __init__(self, seed: int = 2014):
        self.rng = random.Random(seed)
        self.counts: dict[tuple[str, dt.date], int] = {}
        self.number = Contact.objects.count()

    def contacts_in_month(self, group: str, codes: list[str], month: dt.date, count: int) -> list[Contact]:
        last_day = demand.month_end(month).day
        made = []
        for _ in range(count):
            self.number += 1
            day = month.replace(day=self.rng.randint(1, last_day))
            at = dt.datetime.combine(day, dt.time(self.rng.randint(0, 23), self.rng.randint(0, 59)), LONDON)
            made.append(contact(self.number, at, self.rng.choice(codes)))
        self.counts[(group, month)] = self.counts.get((group, month), 0) + count
        return made

    def seasonal(self, *, surges: dict | None = None, only: set | None = None) -> "History":
        surges = surges or {}
        batch = []
        for month in months(FIRST_MONTH, LAST_MONTH):
            for group, (base, codes) in BASE.items():
                if only is not None and group not in only:
                    continue
                level = base * SEASON[month.month] * (1 + self.rng.uniform(-0.06, 0.06))
                if month in SURGE_MONTHS:
                    level *= surges.get(group, 1)
                batch.extend(self.contacts_in_month(group, codes, month, round(level)))
        Contact.objects.bulk_create(batch, batch_size=2000)
        return self

    def total(self, group: str, in_months) -> int:
        return sum(self.counts.get((group, month), 0) for month in in_months)


def contact(number: int, received_at: dt.datetime, source: str) -> Contact:
    return Contact(
        reference=f"DW{number:07d}",
        received_at=received_at,
        channel=Channel.PHONE,
        source=source,
        concerns="Concerns about a child",
        decision_due_on=received_at.date() + dt.timedelta(days=1),
    )


RECENT = [dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
BASELINE = [dt.date(2025, 9, 1), dt.date(2025, 10, 1), dt.date(2025, 11, 1)]


@pytest.fixture
def heads(make_user):
    first = make_user(Role.HEAD_OF_SERVICE, email="hos1@example.gov.uk")
    second = make_user(Role.HEAD_OF_SERVICE, email="hos2@example.gov.uk")
    make_user(Role.HEAD_OF_SERVICE, is_active=False)
    return [first, second]


@pytest.fixture
def front_door_team(db):
    return Team.objects.create(name="Front Door", kind=TeamKind.FRONT_DOOR)


# --- the series -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_monthly_series_counts_by_source_group_in_local_time_with_empty_months():
    made = [
        # 00:30 on 1 October in London is 23:30 on 30 September in UTC: it belongs to October.
        contact(1, dt.datetime(2026, 10, 1, 0, 30, tzinfo=LONDON), "6"),
        contact(2, dt.datetime(2026, 9, 30, 23, 30, tzinfo=LONDON), "3A"),
        contact(3, dt.datetime(2026, 9, 15, 12, 0, tzinfo=LONDON), "3E"),
        contact(4, dt.datetime(2026, 9, 15, 12, 0, tzinfo=LONDON), "10"),
        contact(5, dt.datetime(2026, 12, 2, 9, 0, tzinfo=LONDON), "2A"),
    ]
    Contact.objects.bulk_create(made)

    series = demand.demand_series(
        kind="contacts", period="month", start=dt.date(2026, 8, 1), end=dt.date(2026, 12, 31)
    )

    assert [p.start for p in series.periods] == [dt.date(2026, m, 1) for m in (8, 9, 10, 11, 12)]
    by_month = {p.start.month: p for p in series.periods}
    assert by_month[8].total == 0 and set(by_month[8].counts) == set(SourceGroup.values)
    assert by_month[9].counts[SourceGroup.HEALTH] == 2
    assert by_month[9].counts[SourceGroup.OTHER] == 1  # code 10 is "unknown", not an individual
    assert by_month[9].counts[SourceGroup.INDIVIDUALS] == 0
    assert by_month[10].counts[SourceGroup.POLICE] == 1
    assert by_month[11].total == 0
    assert by_month[12].counts[SourceGroup.EDUCATION] == 1
    assert by_month[9].end == dt.date(2026, 9, 30)


@pytest.mark.django_db
def test_weekly_series_runs_monday_to_sunday_in_local_time():
    Contact.objects.bulk_create(
        [
            # Monday 2 November 2026 at 00:10 London (GMT): first day of a new ISO week.
            contact(1, dt.datetime(2026, 11, 2, 0, 10, tzinfo=LONDON), "6"),
            # Sunday 1 November at 23:50: the week before.
            contact(2, dt.datetime(2026, 11, 1, 23, 50, tzinfo=LONDON), "6"),
            # Monday 30 March 2026 at 00:30 London is Sunday 23:30 UTC (BST): still the Monday's week.
            contact(3, dt.datetime(2026, 3, 30, 0, 30, tzinfo=LONDON), "3A"),
        ]
    )

    autumn = demand.demand_series(
        kind="contacts", period="week", start=dt.date(2026, 10, 26), end=dt.date(2026, 11, 15)
    )
    assert [(p.start, p.total) for p in autumn.periods] == [
        (dt.date(2026, 10, 26), 1),
        (dt.date(2026, 11, 2), 1),
        (dt.date(2026, 11, 9), 0),
    ]
    assert all(p.start.weekday() == 0 and p.end - p.start == dt.timedelta(days=6) for p in autumn.periods)

    spring = demand.demand_series(
        kind="contacts", period="week", start=dt.date(2026, 3, 23), end=dt.date(2026, 4, 5)
    )
    assert [(p.start, p.counts[SourceGroup.HEALTH]) for p in spring.periods] == [
        (dt.date(2026, 3, 23), 0),
        (dt.date(2026, 3, 30), 1),
    ]


@pytest.mark.django_db
def test_referral_series_counts_by_referral_date():
    from opencsc.frontdoor.models import Referral
    from opencsc.people.models import Child

    child = Child.objects.create(
        la_child_id="DW1", first_name="Ava", last_name="Example", sex="F", date_of_birth=dt.date(2015, 1, 1)
    )
    Referral.objects.create(child=child, referral_date=dt.date(2026, 9, 30), source="6", route="assessment")
    Referral.objects.create(child=child, referral_date=dt.date(2026, 10, 1), source="3A", route="assessment")

    series = demand.demand_series(
        kind="referrals", period="month", start=dt.date(2026, 9, 1), end=dt.date(2026, 10, 31)
    )
    assert [(p.counts[SourceGroup.POLICE], p.counts[SourceGroup.HEALTH]) for p in series.periods] == [
        (1, 0),
        (0, 1),
    ]


# --- the watch --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ordinary_seasonal_demand_does_not_fire():
    history = History().seasonal()

    assert demand.demand_check(as_of=AS_OF) == []
    # ...although the autumn is far above the summer before it: a watch against the previous months would fire.
    summer = [dt.date(2026, 6, 1), dt.date(2026, 7, 1), dt.date(2026, 8, 1)]
    for group in (SourceGroup.POLICE, SourceGroup.EDUCATION, SourceGroup.HEALTH):
        assert history.total(group, RECENT) > 1.5 * history.total(group, summer)
    # and neither does any other window whose year-earlier months the history covers (from December 2024)
    for month in range(3, 13):
        assert demand.demand_check(as_of=dt.date(2026, month, 1)) == []


@pytest.mark.django_db
def test_police_surge_of_143_percent_fires_for_police_only():
    history = History().seasonal(surges={SourceGroup.POLICE: 2.43})

    findings = demand.demand_check(as_of=AS_OF)

    assert [f.group for f in findings] == [SourceGroup.POLICE]
    police = findings[0]
    recent = history.total(SourceGroup.POLICE, RECENT)
    baseline = history.total(SourceGroup.POLICE, BASELINE)
    assert (police.recent, police.baseline) == (recent, baseline)
    assert police.period_start == dt.date(2026, 9, 1) and police.period_end == dt.date(2026, 11, 30)
    assert police.baseline_start == dt.date(2025, 9, 1) and police.baseline_end == dt.date(2025, 11, 30)
    expected = (Decimal(recent - baseline) * 100 / baseline).quantize(Decimal("0.1"))
    assert police.increase_percent == expected
    assert 125 <= police.increase_percent <= 165
    assert police.explanation == (
        f"Police contacts 1 Sep–30 Nov 2026: {recent}, up {demand.format_percent(expected)}% on {baseline} "
        "in the same months of 2025"
    )


@pytest.mark.django_db
def test_health_surge_of_139_percent_fires_for_health_only():
    history = History(seed=7).seasonal(surges={SourceGroup.HEALTH: 2.39})

    findings = demand.demand_check(as_of=AS_OF)

    assert [f.group for f in findings] == [SourceGroup.HEALTH]
    health = findings[0]
    assert health.recent == history.total(SourceGroup.HEALTH, RECENT)
    assert health.baseline == history.total(SourceGroup.HEALTH, BASELINE)
    assert 120 <= health.increase_percent <= 160
    assert health.explanation.startswith(f"Health contacts 1 Sep–30 Nov 2026: {health.recent}, up ")


@pytest.mark.django_db
def test_explanation_reads_as_the_head_of_service_would_say_it():
    history = History()
    batch = []
    for month, count in zip(BASELINE, (60, 70, 70), strict=True):
        batch += history.contacts_in_month(SourceGroup.POLICE, ["6"], month, count)
    for month, count in zip(RECENT, (130, 140, 216), strict=True):
        batch += history.contacts_in_month(SourceGroup.POLICE, ["6"], month, count)
    Contact.objects.bulk_create(batch)

    [police] = demand.demand_check(as_of=AS_OF)

    assert (
        police.explanation
        == "Police contacts 1 Sep–30 Nov 2026: 486, up 143% on 200 in the same months of 2025"
    )
    assert police.increase_percent == Decimal("143.0")


def test_explanation_across_a_year_end_and_from_nothing():
    text = demand.demand_explanation(
        group=SourceGroup.HEALTH,
        period_start=dt.date(2025, 11, 1),
        period_end=dt.date(2026, 1, 31),
        recent=90,
        baseline=40,
        increase_percent=None,
    )
    assert text == (
        "Health contacts 1 Nov 2025–31 Jan 2026: 90, up 125% on 40 in the same months a year earlier "
        "(1 Nov 2024–31 Jan 2025)"
    )
    fresh = demand.demand_explanation(
        group=SourceGroup.LEGAL,
        period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 11, 30),
        recent=31,
        baseline=0,
        increase_percent=None,
    )
    assert fresh == "Other legal agencies contacts 1 Sep–30 Nov 2026: 31, none in the same months of 2025"


@pytest.mark.django_db
def test_a_small_source_under_the_minimum_does_not_fire_however_steep_its_rise():
    history = History().seasonal(surges={SourceGroup.HOUSING: 3.0}, only={SourceGroup.HOUSING})
    recent = history.total(SourceGroup.HOUSING, RECENT)
    baseline = history.total(SourceGroup.HOUSING, BASELINE)
    assert recent < 30 and recent >= 2 * baseline > 0

    assert demand.demand_check(as_of=AS_OF) == []
    [housing] = demand.demand_check(as_of=AS_OF, minimum_recent=recent)
    assert housing.group == SourceGroup.HOUSING


@pytest.mark.django_db
def test_a_source_with_no_baseline_fires_once_it_reaches_the_minimum():
    history = History()
    batch = []
    for month in RECENT:
        batch += history.contacts_in_month(SourceGroup.LEGAL, ["7"], month, 10)
    Contact.objects.bulk_create(batch)

    [legal] = demand.demand_check(as_of=AS_OF)
    assert (legal.group, legal.recent, legal.baseline, legal.increase_percent) == (
        SourceGroup.LEGAL,
        30,
        0,
        None,
    )
    assert demand.demand_check(as_of=AS_OF, minimum_recent=31) == []


@pytest.mark.django_db
def test_margin_and_window_come_from_settings(settings, monkeypatch):
    History().seasonal(surges={SourceGroup.POLICE: 2.43})

    settings.OPENCSC_DEMAND_MARGIN_PERCENT = 200
    assert demand.demand_check(as_of=AS_OF) == []
    settings.OPENCSC_DEMAND_MARGIN_PERCENT = 50
    settings.OPENCSC_DEMAND_RECENT_MONTHS = 1
    [police] = demand.demand_check(as_of=AS_OF)
    assert police.period_start == dt.date(2026, 11, 1)
    del settings.OPENCSC_DEMAND_MARGIN_PERCENT
    del settings.OPENCSC_DEMAND_RECENT_MONTHS
    monkeypatch.setenv("OPENCSC_DEMAND_MINIMUM", "100000")
    assert demand.demand_check(as_of=AS_OF) == []
    assert demand.demand_settings() == {"margin_percent": 50, "recent_months": 3, "minimum_recent": 100000}


# --- raising and answering alerts -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_alerts_are_raised_once_to_the_first_head_of_service_with_an_audit_event(heads):
    History().seasonal(surges={SourceGroup.POLICE: 2.43, SourceGroup.HEALTH: 2.39})

    created = demand.demand_alerts_raise(as_of=AS_OF)
    again = demand.demand_alerts_raise(as_of=AS_OF)
    later_in_month = demand.demand_alerts_raise(as_of=AS_OF + dt.timedelta(days=10))

    assert again == [] and later_in_month == []
    alerts = list(DemandAlert.objects.order_by("source_group"))
    assert [a.source_group for a in alerts] == ["health", "police"]
    assert {a.pk for a in created} == {a.pk for a in alerts}
    police = alerts[1]
    assert police.raised_to == heads[0]
    assert police.period_end == dt.date(2026, 11, 30)
    assert police.increase_percent > 100
    events = AuditEvent.objects.filter(verb="demand_alert_raised")
    assert events.count() == 2
    payload = events.get(object_id=str(police.pk)).payload
    assert payload["heads_of_service"] == [heads[0].pk, heads[1].pk]
    assert payload["raised_to"] == heads[0].pk
    assert payload["explanation"].startswith("Police contacts 1 Sep–30 Nov 2026")
    assert sorted(m.subject for m in mail.outbox) == [
        "Demand alert: Health contacts well above last year",
        "Demand alert: Police contacts well above last year",
    ]
    assert all(m.to == ["hos1@example.gov.uk"] for m in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_the_demand_watch_raises_its_alert_while_the_mail_server_is_down(heads):
    from tests.frontdoor.test_referrer_emails import MAIL_SERVER_DOWN

    History().seasonal(surges={SourceGroup.POLICE: 2.43})
    out = io.StringIO()
    with override_settings(**MAIL_SERVER_DOWN):
        call_command("demandwatch", "--as-of", "2026-12-01", stdout=out)
    assert "(alert raised)" in out.getvalue()
    assert DemandAlert.objects.get().raised_to == heads[0] and mail.outbox == []


@pytest.mark.django_db
def test_the_command_prints_what_fired_and_is_idempotent(heads):
    History().seasonal(surges={SourceGroup.POLICE: 2.43})

    first, second = io.StringIO(), io.StringIO()
    call_command("demandwatch", "--as-of", "2026-12-01", stdout=first)
    call_command("demandwatch", "--as-of", "2026-12-01", stdout=second)

    assert "FIRED Police contacts 1 Sep–30 Nov 2026" in first.getvalue()
    assert "(alert raised)" in first.getvalue()
    assert "(already raised)" in second.getvalue()
    assert DemandAlert.objects.count() == 1


@pytest.mark.django_db
def test_the_command_says_when_nothing_fired():
    out = io.StringIO()
    call_command("demandwatch", "--as-of", "2026-12-01", stdout=out)
    assert "Nothing fired." in out.getvalue()


def _alert(**fields) -> DemandAlert:
    values = {
        "source_group": SourceGroup.POLICE,
        "period_start": dt.date(2026, 9, 1),
        "period_end": dt.date(2026, 11, 30),
        "recent_count": 486,
        "baseline_count": 200,
        "increase_percent": Decimal("143.0"),
    }
    values.update(fields)
    return DemandAlert.objects.create(**values)


@pytest.mark.django_db
def test_acknowledging_needs_a_response_and_a_head_of_service_or_director(heads, make_user, front_door_team):
    alert = _alert(raised_to=heads[0])

    with pytest.raises(ValidationError) as missing:
        demand.demand_alert_acknowledge(actor=heads[0], alert=alert, response="   ")
    assert "Enter what is being done" in str(missing.value)
    for role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.PERFORMANCE_ANALYST, Role.IMPROVEMENT_BOARD):
        with pytest.raises(PermissionDenied):
            demand.demand_alert_acknowledge(
                actor=make_user(role, team=front_door_team), alert=alert, response="Will look"
            )
    alert.refresh_from_db()
    assert alert.acknowledged_at is None

    director = make_user(Role.DIRECTOR)
    demand.demand_alert_acknowledge(
        actor=director, alert=alert, response="  Two more social workers moved to the MASH from Monday.  "
    )

    alert.refresh_from_db()
    assert alert.acknowledged_by == director and alert.acknowledged_at is not None
    assert alert.response == "Two more social workers moved to the MASH from Monday."
    assert AuditEvent.objects.get(verb="demand_alert_acknowledged").actor == director
    assert demand.demand_alerts_open() == []
    with pytest.raises(ValidationError):
        demand.demand_alert_acknowledge(actor=heads[1], alert=alert, response="Again")


# --- the page ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_shows_the_alert_the_table_and_the_chart_to_the_head_of_service(heads, client_for):
    History().seasonal(surges={SourceGroup.POLICE: 2.43})
    demand.demand_alerts_raise(as_of=AS_OF)

    response = client_for(heads[0]).get(reverse("demand:page"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-notification-banner" in html
    assert "Police contacts 1 Sep–30 Nov 2026" in html
    assert "Record the response" in html
    assert "See demand by source and respond" not in html  # the banner's link to this very page is left out
    assert "<svg" in html and "<table" in html
    assert html.count(ROW_HEADER) >= 24 + 1
    for group in SourceGroup:
        assert group.label in html


@pytest.mark.django_db
def test_page_weekly_view_has_26_weeks(heads, client_for):
    response = client_for(heads[0]).get(reverse("demand:page"), {"period": "week"})
    assert response.status_code == 200
    assert response.content.decode().count(f"{ROW_HEADER}Week from ") == 26
    referrals = client_for(heads[0]).get(reverse("demand:page"), {"period": "week", "kind": "referrals"})
    assert referrals.status_code == 200
    assert "Referrals by source, by week" in referrals.content.decode()


@pytest.mark.django_db
def test_page_counts_match_the_series(make_user, client_for, front_door_team):
    from django.utils import timezone

    now = timezone.localtime()
    Contact.objects.bulk_create([contact(n, now - dt.timedelta(minutes=n), "6") for n in range(1, 8)])
    worker = make_user(Role.SOCIAL_WORKER, team=front_door_team)

    response = client_for(worker).get(reverse("demand:page"))

    assert response.status_code == 200
    html = response.content.decode()
    month_rows = re.findall(rf"{ROW_HEADER}(\w+ \d{{4}})", html)
    assert len(month_rows) == 24
    all_row = re.search(rf"{ROW_HEADER}All</th>(.*?)</tr>", html, re.S).group(1)
    cells = [int(n) for n in re.findall(r">(?:<strong>)?(\d+)(?:</strong>)?</td>", all_row)]
    assert cells[list(SourceGroup).index(SourceGroup.POLICE)] == 7 and cells[-1] == 7
    assert "Record the response" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.TEAM_MANAGER, Role.DIRECTOR, Role.PERFORMANCE_ANALYST])
def test_page_is_open_to_managers_and_analysts(role, make_user, client_for):
    assert client_for(make_user(role)).get(reverse("demand:page")).status_code == 200


@pytest.mark.django_db
def test_page_is_refused_to_others(make_user, client_for, teams):
    assessment_worker = make_user(Role.SOCIAL_WORKER, team=teams["north"])
    board_member = make_user(Role.IMPROVEMENT_BOARD)
    for user in (assessment_worker, board_member):
        assert client_for(user).get(reverse("demand:page")).status_code == 403


@pytest.mark.django_db
def test_acknowledging_on_the_page(heads, make_user, client_for, front_door_team):
    alert = _alert(raised_to=heads[0])
    url = reverse("demand:acknowledge", args=[alert.pk])
    field_name = f"alert-{alert.pk}-response"

    empty = client_for(heads[0]).post(url, {field_name: ""})
    assert empty.status_code == 200
    assert "Enter what is being done about this rise in demand" in empty.content.decode()

    manager = make_user(Role.TEAM_MANAGER, team=front_door_team)
    assert client_for(manager).post(url, {field_name: "Noted"}).status_code == 403

    done = client_for(heads[0]).post(url, {field_name: "Meeting the police on Thursday about the rise."})
    assert done.status_code == 302 and done.url == reverse("demand:page")
    alert.refresh_from_db()
    assert alert.response == "Meeting the police on Thursday about the rise."
    after = client_for(heads[0]).get(reverse("demand:page")).content.decode()
    assert "Meeting the police on Thursday" in after
    assert "govuk-notification-banner__heading" not in after


@pytest.mark.django_db
def test_banner_include_shows_open_alerts_for_another_page(heads, rf):
    from django.template.loader import render_to_string

    _alert(raised_to=heads[0])
    request = rf.get("/")
    html = render_to_string(
        "frontdoor/demand_banner.html",
        {"demand_alerts_open": demand.demand_alerts_open()},
        request=request,
    )
    assert "Police contacts 1 Sep–30 Nov 2026: 486, up 143% on 200 in the same months of 2025" in html
    assert reverse("demand:page") in html
    assert render_to_string("frontdoor/demand_banner.html", {"demand_alerts_open": []}).strip() == ""
