"""The front door from contact to allocation, through the pages a worker and a manager use."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework import caseload
from opencsc.casework.models import Allocation, Assessment, CaseloadPolicy
from opencsc.frontdoor import selectors, services
from opencsc.frontdoor.models import Channel, Contact, Decision, Referral
from opencsc.people import services as people_services


@pytest.fixture
def front_door(db):
    return Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR)


@pytest.fixture
def assessment_team(db):
    return Team.objects.create(name="Assessment North", kind=TeamKind.ASSESSMENT)


@pytest.fixture
def mash_worker(make_user, front_door):
    return make_user(Role.SOCIAL_WORKER, front_door)


@pytest.fixture
def child(mash_worker):
    return people_services.child_create(
        actor=mash_worker, first_name="Leo", last_name="Hart", date_of_birth=dt.date(2015, 6, 1), sex="M"
    )


def _aware(*args):
    return timezone.make_aware(dt.datetime(*args))


def _contact(worker, child, received_at, **extra):
    return services.contact_record(
        actor=worker,
        channel=Channel.PHONE,
        source="6",
        concerns="Police attended a domestic incident",
        children=[child],
        received_at=received_at,
        **extra,
    )


def test_the_decision_clock_is_one_working_day_over_a_weekend_and_a_bank_holiday(mash_worker, child):
    friday_before_may_day = _contact(mash_worker, child, _aware(2026, 5, 1, 16, 30))
    assert friday_before_may_day.decision_due_on == dt.date(2026, 5, 5)
    christmas_eve = _contact(mash_worker, child, _aware(2025, 12, 24, 10, 0))
    assert christmas_eve.decision_due_on == dt.date(2025, 12, 29)


def test_a_late_decision_is_flagged(mash_worker, child, assessment_team):
    contact = _contact(mash_worker, child, _aware(2026, 5, 1, 16, 30))
    with time_machine.travel(_aware(2026, 5, 6, 9, 0)):
        services.contact_decide(
            actor=mash_worker, contact=contact, decision=Decision.ADVICE, reason="Advice given"
        )
    contact.refresh_from_db()
    assert selectors.decision_was_late(contact) is True


def test_history_at_decision_time_shows_a_re_referral_within_12_months(mash_worker, child, assessment_team):
    first = _contact(mash_worker, child, _aware(2025, 11, 23, 10, 0))
    services.contact_decide(
        actor=mash_worker,
        contact=first,
        decision=Decision.ASSESSMENT,
        reason="Needs assessment",
        team=assessment_team,
    )
    history = selectors.child_history_at(child, on=dt.date(2026, 11, 23))
    assert history.would_be_rereferral  # the same calendar date one year earlier is inside the window
    assert not selectors.child_history_at(child, on=dt.date(2026, 11, 24)).would_be_rereferral


@time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC))
def test_contact_to_allocation_through_the_pages(
    client_for, make_user, mash_worker, child, assessment_team, django_capture_on_commit_callbacks
):
    earlier = _contact(mash_worker, child, _aware(2026, 3, 2, 9, 0))
    services.contact_decide(
        actor=mash_worker,
        contact=earlier,
        decision=Decision.ASSESSMENT,
        reason="First referral",
        team=assessment_team,
    )
    Assessment.objects.filter(child=child).update(closed_on=dt.date(2026, 4, 1))
    worker_client = client_for(mash_worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = worker_client.post(
            "/front-door/contacts/new/",
            {
                "channel": "phone",
                "received_on-day": "23",
                "received_on-month": "11",
                "received_on-year": "2026",
                "received_time": "09:15",
                "source": "6",
                "referrer_name": "PC Dale",
                "referrer_email": "dale@police.example",
                "concerns": "Second domestic incident this year",
                "child_1_first_name": "Leo",
                "child_1_last_name": "Hart",
                "child_1_date_of_birth-day": "1",
                "child_1_date_of_birth-month": "6",
                "child_1_date_of_birth-year": "2015",
            },
        )
    assert response.status_code == 302
    contact = Contact.objects.latest("id")
    assert len(mail.outbox) == 1 and contact.reference in mail.outbox[0].subject
    page = worker_client.get(response["Location"]).content.decode()
    assert "Leo Hart" in page and "Link to this record" in page
    subject = contact.subjects.get()
    worker_client.post(
        f"/front-door/contacts/{contact.pk}/children/{subject.pk}/match/", {"child_id": child.pk}
    )
    worker_client.post(f"/front-door/contacts/{contact.pk}/triage/", {"rag": "amber"})
    page = worker_client.get(f"/front-door/contacts/{contact.pk}/").content.decode()
    assert "This would be a re-referral" in page and "2 March 2026" in page
    assert "1 working day from the contact on 23 November 2026" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = worker_client.post(
            f"/front-door/contacts/{contact.pk}/decision/",
            {"decision": "assessment", "decision_reason": "Repeat incidents", "team": assessment_team.pk},
        )
    assert response.status_code == 302
    assert Referral.objects.filter(child=child).count() == 2
    assert len(mail.outbox) == 2 and "assess" in mail.outbox[1].body

    manager = make_user(Role.TEAM_MANAGER, assessment_team)
    worker = make_user(Role.SOCIAL_WORKER, assessment_team, first_name="Ama", last_name="Osei")
    manager_client = client_for(manager)
    unallocated = manager_client.get("/allocation/unallocated/").content.decode()
    assert "Leo Hart" in unallocated
    form = manager_client.get(f"/children/{child.pk}/allocate/").content.decode()
    assert re.search(r"Ama Osei: 0 cases, weighted 0 of 18", form)
    response = manager_client.post(
        f"/children/{child.pk}/allocate/",
        {"worker": worker.pk, "started_on-day": "23", "started_on-month": "11", "started_on-year": "2026"},
    )
    assert response.status_code == 302
    assert Allocation.objects.get(child=child, ended_on__isnull=True).worker == worker
    assert "Ama Osei" in manager_client.get(response["Location"]).content.decode()
    assert "Leo Hart" not in manager_client.get("/allocation/unallocated/").content.decode()


def test_allocating_over_the_caseload_limit_needs_confirmation(
    client_for, make_user, mash_worker, assessment_team
):
    CaseloadPolicy.objects.create(weighted_limit_per_fte=1)
    manager = make_user(Role.TEAM_MANAGER, assessment_team)
    worker = make_user(Role.SOCIAL_WORKER, assessment_team)
    children = [
        people_services.child_create(
            actor=manager,
            first_name=f"C{i}",
            last_name="Ward",
            date_of_birth=dt.date(2014, 1, i + 1),
            sex="F",
        )
        for i in range(2)
    ]
    for number, kid in enumerate(children):
        contact = _contact(mash_worker, kid, _aware(2026, 11, 2 + number, 9, 0))
        services.contact_decide(
            actor=mash_worker, contact=contact, decision=Decision.ASSESSMENT, reason="x", team=assessment_team
        )
    manager_client = client_for(manager)
    date = {"started_on-day": "20", "started_on-month": "11", "started_on-year": "2026"}
    assert (
        manager_client.post(
            f"/children/{children[0].pk}/allocate/", {"worker": worker.pk, **date}
        ).status_code
        == 302
    )
    refused = manager_client.post(f"/children/{children[1].pk}/allocate/", {"worker": worker.pk, **date})
    assert refused.status_code == 200 and "would go over their caseload limit" in refused.content.decode()
    assert not Allocation.objects.filter(child=children[1]).exists()
    confirmed = manager_client.post(
        f"/children/{children[1].pk}/allocate/", {"worker": worker.pk, "confirm_over_limit": "on", **date}
    )
    assert confirmed.status_code == 302
    load = caseload.caseloads([worker])[worker.pk]
    assert (load.cases, load.weighted, load.limit) == (2, 2.0, 1.0)


def test_reallocation_needs_a_reason_and_history_counts_workers(
    make_user, assessment_team, mash_worker, child
):
    manager = make_user(Role.TEAM_MANAGER, assessment_team)
    first, second = (
        make_user(Role.SOCIAL_WORKER, assessment_team),
        make_user(Role.SOCIAL_WORKER, assessment_team),
    )
    from django.core.exceptions import ValidationError

    from opencsc.casework.services import allocation_create

    allocation_create(actor=manager, child=child, worker=first, started_on=dt.date(2026, 1, 5))
    with pytest.raises(ValidationError):
        allocation_create(actor=manager, child=child, worker=second, started_on=dt.date(2026, 6, 1))
    allocation_create(
        actor=manager, child=child, worker=second, started_on=dt.date(2026, 6, 1), reason="Worker left"
    )
    assert caseload.allocation_count_for(child) == 2


def test_only_front_door_staff_and_managers_work_contacts(client_for, make_user, assessment_team, front_door):
    assert client_for(make_user(Role.SOCIAL_WORKER, assessment_team)).get("/front-door/").status_code == 403
    assert client_for(make_user(Role.IMPROVEMENT_BOARD)).get("/front-door/").status_code == 403
    assert client_for(make_user(Role.TEAM_MANAGER, front_door)).get("/front-door/").status_code == 200
    assert client_for(make_user(Role.HEAD_OF_SERVICE)).get("/front-door/").status_code == 200
    assert (
        client_for(make_user(Role.SOCIAL_WORKER, assessment_team)).get("/allocation/unallocated/").status_code
        == 403
    )


def test_a_referral_decision_needs_every_child_matched_and_a_team(mash_worker, assessment_team):
    from django.core.exceptions import ValidationError

    contact = services.contact_record(
        actor=mash_worker,
        channel=Channel.EMAIL,
        source="2A",
        concerns="x",
        children=[{"given_first_name": "Amy", "given_last_name": "Cole"}],
    )
    with pytest.raises(ValidationError, match="Match every child"):
        services.contact_decide(
            actor=mash_worker, contact=contact, decision=Decision.ASSESSMENT, reason="r", team=assessment_team
        )
    assert not Referral.objects.exists()


def test_home_page_shows_each_role_its_headline_figures(client_for, make_user, front_door, assessment_team):
    mash_manager = make_user(Role.TEAM_MANAGER, front_door)
    home = client_for(mash_manager).get("/").content.decode()
    assert (
        "contacts waiting for a decision" in home
        and "children with statutory work and no social worker" in home
    )
    social_worker = make_user(Role.SOCIAL_WORKER, assessment_team)
    home = client_for(social_worker).get("/").content.decode()
    assert "contacts waiting" not in home and "no social worker" not in home


def test_the_child_record_shows_the_assessment_due_date_with_its_explanation(
    client_for, mash_worker, child, assessment_team
):
    contact = _contact(mash_worker, child, _aware(2026, 3, 3, 9, 0))
    services.contact_decide(
        actor=mash_worker, contact=contact, decision=Decision.ASSESSMENT, reason="r", team=assessment_team
    )
    from opencsc.accounts.models import User

    reader = User.objects.create_user(
        "tm.north", password="x" * 14, role=Role.TEAM_MANAGER, team=assessment_team
    )
    page = client_for(reader).get(f"/children/{child.pk}/").content.decode()
    assert "Complete the assessment" in page and "8 May 2026" in page
    assert (
        "45 working days from the referral on 3 March 2026; Good Friday, Easter Monday and May Day skipped"
        in page
    )


def test_the_front_door_page_shows_open_demand_alerts(client_for, make_user, front_door):
    from opencsc.frontdoor.models import DemandAlert

    head = make_user(Role.HEAD_OF_SERVICE)
    DemandAlert.objects.create(
        source_group="police",
        period_start=dt.date(2026, 8, 1),
        period_end=dt.date(2026, 10, 31),
        recent_count=486,
        baseline_count=200,
        increase_percent=143,
        raised_to=head,
    )
    page = client_for(make_user(Role.SOCIAL_WORKER, front_door)).get("/front-door/").content.decode()
    assert "486" in page and "143" in page


def test_the_queue_shows_a_hundred_contacts_a_page_most_urgent_first(client_for, mash_worker, child):
    for hour in range(105):
        services.contact_record(
            actor=mash_worker,
            channel=Channel.PHONE,
            source="6",
            concerns="x",
            children=[child],
            received_at=_aware(2025, 1, 6, 9, 0) + dt.timedelta(hours=hour),
        )
    newest = Contact.objects.latest("received_at")
    services.contact_triage(actor=mash_worker, contact=newest, rag="red")
    client = client_for(mash_worker)
    first = client.get("/front-door/").content.decode()
    assert "105 open contacts" in first and "105 past the 1-working-day decision clock" in first
    assert first.index(newest.reference) < first.index(Contact.objects.earliest("received_at").reference)
    second = client.get("/front-door/?page=2").content.decode()
    assert (
        "Page 2 of 2" in second
        and second.count("/front-door/contacts/") - second.count("/front-door/contacts/new/") == 5
    )


def _waited_cells(page: str) -> dict[str, str]:
    """Each contact's reference and what its row says about how long it has waited and whether it is late."""
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page, re.S)
    cells = {}
    for row in rows:
        reference = re.search(r">(FD\d\d-\d+)<", row)
        if reference:
            text = re.sub(r"<[^>]+>", " ", row)
            cells[reference.group(1)] = " ".join(text.split())
    return cells


def test_the_queue_shows_waiting_in_working_days_and_hours_where_they_matter(client_for, mash_worker, child):
    monday_10am = _aware(2026, 3, 16, 10, 0)
    with time_machine.travel(monday_10am, tick=False):
        received = {
            "this morning": _aware(2026, 3, 16, 7, 0),
            "friday": _aware(2026, 3, 13, 16, 0),
            "three weeks ago": _aware(2026, 2, 23, 11, 0),
        }
        contacts = {name: _contact(mash_worker, child, at) for name, at in received.items()}
        page = client_for(mash_worker).get("/front-door/").content.decode()
    cells = _waited_cells(page)
    assert "hours ago" not in page
    assert "waiting 3 hours" in cells[contacts["this morning"].reference]
    friday = cells[contacts["friday"].reference]
    assert "waiting 1 working day (66 hours)" in friday and "Due today" in friday
    old = cells[contacts["three weeks ago"].reference]
    assert "waiting 15 working days" in old and "14 working days late" in old


def test_the_contact_page_says_how_long_it_has_waited_and_how_late_it_is(client_for, mash_worker, child):
    with time_machine.travel(_aware(2026, 3, 16, 10, 0), tick=False):
        contact = _contact(mash_worker, child, _aware(2026, 3, 11, 9, 30))  # a Wednesday, due Thursday
        page = client_for(mash_worker).get(f"/front-door/contacts/{contact.pk}/").content.decode()
    clock = page[page.index('data-testid="decision-clock"') :]
    assert "2 working days late" in clock and "Waiting 3 working days" in clock


def test_waited_in_words_counts_hours_until_a_working_day_has_passed():
    from opencsc.core.working_days import ENGLAND, waited_in_words

    friday_evening = _aware(2026, 3, 13, 18, 0)
    assert waited_in_words(friday_evening, friday_evening + dt.timedelta(minutes=20), ENGLAND) == (
        "less than an hour"
    )
    assert waited_in_words(friday_evening, _aware(2026, 3, 14, 11, 0), ENGLAND) == "17 hours"
    assert waited_in_words(friday_evening, _aware(2026, 3, 16, 9, 0), ENGLAND) == "1 working day (63 hours)"
    # Good Friday and Easter Monday 2026 are not working days.
    assert waited_in_words(_aware(2026, 4, 2, 9, 0), _aware(2026, 4, 8, 9, 0), ENGLAND) == "2 working days"
