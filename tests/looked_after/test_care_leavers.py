"""Care leavers: contacts and pathway plan reviews recorded with their rules, the next review due 6 months after
the last, and the managers' list with its rates and drill-down."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.looked_after.care_leavers import (
    care_leaver_contact_record,
    care_leaver_record,
    care_leavers_on,
    pathway_plan,
    pathway_plan_review_record,
)
from opencsc.looked_after.models import CareLeaverContact
from tests.looked_after.builders import TODAY, make_child

pytestmark = pytest.mark.django_db
D = dt.date
LIST = "/looked-after/care-leavers/"


def _contact(actor, child, on, in_touch="YES", accommodation="U", suitable=True, activity="F4", **extra):
    return care_leaver_contact_record(
        actor=actor,
        child=child,
        contacted_on=on,
        eligibility=extra.pop("eligibility", "former_relevant"),
        in_touch=in_touch,
        accommodation=accommodation,
        accommodation_suitable=suitable,
        activity=activity,
        **extra,
    )


def _refusal(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


@pytest.fixture
def leaver(teams):
    return make_child(1, teams["north"], born=D(2006, 9, 1), first="Leaver")


def test_pathway_plan_reviews_fall_due_six_months_after_the_last(worker, leaver):
    assert pathway_plan(leaver, TODAY).next_due is None
    pathway_plan_review_record(actor=worker, child=leaver, reviewed_on=D(2025, 8, 31))
    plan = pathway_plan(leaver, TODAY)
    assert plan.next_due.due_on == D(2026, 2, 28)  # no 31 February: the month's last day
    assert plan.is_overdue and plan.days_overdue == (TODAY - D(2026, 2, 28)).days
    assert "6 months from the last plan on 31 August 2025" in plan.next_due.explanation
    pathway_plan_review_record(actor=worker, child=leaver, reviewed_on=D(2025, 11, 11))
    plan = pathway_plan(leaver, TODAY)
    assert plan.next_due.due_on == D(2026, 5, 11) and not plan.is_overdue  # due today: not yet overdue
    assert pathway_plan(leaver, D(2026, 5, 12)).is_overdue


def test_pathway_plan_review_refusals(worker, leaver, teams):
    assert _refusal(
        lambda: pathway_plan_review_record(actor=worker, child=leaver, reviewed_on=D(2026, 5, 12))
    ) == {"reviewed_on": ["The date of the pathway plan review must be today or in the past"]}
    assert _refusal(
        lambda: pathway_plan_review_record(actor=worker, child=leaver, reviewed_on=D(2022, 8, 31))
    ) == {
        "reviewed_on": [
            "The date of the pathway plan review must be on or after the young person's 16th birthday"
        ]
    }
    pathway_plan_review_record(actor=worker, child=leaver, reviewed_on=D(2026, 1, 5))
    assert _refusal(
        lambda: pathway_plan_review_record(actor=worker, child=leaver, reviewed_on=D(2026, 1, 5))
    ) == {"reviewed_on": ["A pathway plan review on 5 January 2026 is already recorded"]}


def test_contact_rules_name_the_field(worker, leaver):
    refused = _refusal(
        lambda: _contact(worker, leaver, D(2026, 5, 12), accommodation="", suitable=None, activity="")
    )
    assert refused == {
        "contacted_on": ["The date of the contact must be today or in the past"],
        "accommodation": ["Select the type of accommodation: the young person is in touch"],
        "activity": ["Select the young person's main activity: they are in touch"],
    }
    assert _refusal(lambda: _contact(worker, leaver, D(2026, 1, 5), suitable=None)) == {
        "accommodation_suitable": ["Say whether the accommodation is suitable"]
    }
    assert _refusal(lambda: _contact(worker, leaver, D(2022, 1, 5))) == {
        "contacted_on": ["The date of the contact must be on or after the young person's 16th birthday"]
    }
    assert _refusal(lambda: _contact(worker, leaver, D(2026, 1, 5), in_touch="MAYBE")) == {
        "in_touch": ["Select whether the authority is in touch with the young person"]
    }
    assert not CareLeaverContact.objects.exists()
    # Not in touch: accommodation and activity may be unknown.
    _contact(worker, leaver, D(2026, 1, 5), in_touch="NO", accommodation="", suitable=None, activity="")


def test_the_young_persons_record_and_personal_adviser(worker, leaver, make_user, teams, client_for):
    adviser = make_user(Role.SOCIAL_WORKER, teams["north"], first_name="Pat", last_name="Adviser")
    _contact(worker, leaver, D(2025, 12, 1), personal_adviser=adviser)
    _contact(worker, leaver, D(2026, 3, 1), in_touch="YES", accommodation="V", suitable=False, activity="G4")
    record = care_leaver_record(leaver, TODAY)
    assert record.latest.contacted_on == D(2026, 3, 1)
    assert record.personal_adviser == adviser  # the latest contact naming one
    page = client_for(worker).get(reverse("care_leavers:leaving_care", args=[leaver.pk])).content.decode()
    assert "Pat Adviser" in page and "not suitable" in page and 'data-testid="pathway-none"' in page


@pytest.fixture
def cohort(worker, teams, make_user):
    """Five care leavers counted (three in North, two in South), one who died, one aged 25."""
    north, south = teams["north"], teams["south"]
    made = {}
    for n, (team, in_touch, accommodation, suitable, activity, reviewed) in enumerate(
        [
            (north, "YES", "U", True, "F4", D(2026, 1, 1)),  # EET, suitable, plan in date
            (north, "YES", "V", False, "G4", D(2025, 10, 1)),  # NEET, unsuitable, plan overdue (due 1 April)
            (north, "NO", "", None, "", None),  # not in touch, unknowns, no plan
            (south, "REFU", "", None, "0", D(2025, 11, 30)),  # activity not known; plan due 30 May: in date
            (south, "YES", "Z", True, "F1", D(2025, 11, 10)),  # EET, suitable, overdue since 10 May
        ],
        start=1,
    ):
        child = make_child(n, team, born=D(2006, 6, 1), first="Leaver")
        head = make_user(Role.HEAD_OF_SERVICE)
        care_leaver_contact_record(
            actor=head,
            child=child,
            contacted_on=D(2026, 2, 1),
            eligibility="former_relevant",
            in_touch=in_touch,
            accommodation=accommodation,
            accommodation_suitable=suitable,
            activity=activity,
        )
        if reviewed:
            pathway_plan_review_record(actor=head, child=child, reviewed_on=reviewed)
        made[n] = child
    head = make_user(Role.HEAD_OF_SERVICE)
    # An earlier contact does not count: the latest does.
    care_leaver_contact_record(
        actor=head, child=made[1], contacted_on=D(2025, 6, 1), eligibility="relevant", in_touch="NO"
    )
    died = make_child(6, north, born=D(2006, 6, 1), first="Leaver")
    care_leaver_contact_record(
        actor=head, child=died, contacted_on=D(2026, 1, 1), eligibility="former_relevant", in_touch="DIED"
    )
    older = make_child(7, north, born=D(2001, 5, 11), first="Leaver")  # 25 today
    care_leaver_contact_record(
        actor=head,
        child=older,
        contacted_on=D(2025, 1, 1),
        eligibility="former_relevant",
        in_touch="YES",
        accommodation="U",
        accommodation_suitable=True,
        activity="F4",
    )
    return made


def test_rates_over_all_care_leavers(cohort, make_user):
    overview = care_leavers_on(make_user(Role.DIRECTOR), TODAY)
    assert overview.total == 5
    assert overview.count("in_touch") == 3 and overview.in_touch_rate == 60.0
    assert (overview.count("suitable"), overview.count("unsuitable")) == (2, 1)
    assert overview.suitable_rate == 66.7  # the two with accommodation unknown are left out
    assert (overview.count("eet"), overview.count("not_eet")) == (2, 1)
    assert overview.eet_rate == 66.7  # blank and 0 (not known) are left out
    assert overview.count("overdue") == 2  # reviewed 1 October and 10 November 2025
    assert overview.count("no_plan") == 1
    # On 1 March 2026 the earliest next review (1 April) is not yet due.
    assert care_leavers_on(make_user(Role.DIRECTOR), D(2026, 3, 1)).count("overdue") == 0


def test_no_care_leavers_means_no_rate_not_zero(make_user, client_for):
    director = make_user(Role.DIRECTOR)
    overview = care_leavers_on(director, TODAY)
    assert overview.in_touch_rate is None and overview.suitable_rate is None and overview.eet_rate is None
    page = client_for(director).get(LIST).content.decode()
    assert page.split('data-testid="rate-in-touch">')[1].startswith("no care leavers")


def test_the_list_counts_everyone_but_lists_only_those_the_user_may_open(
    cohort, make_user, teams, client_for
):
    manager = make_user(Role.TEAM_MANAGER, teams["north"])
    page = client_for(manager).get(LIST, {"show": "overdue"}).content.decode()
    assert 'data-testid="count-overdue">2<' in page
    assert 'data-testid="care-leaver-X00002"' in page  # North, overdue
    assert 'data-testid="care-leaver-X00005"' not in page  # South: counted, not listed
    assert "1 more young person you cannot open is counted but not listed" in page
    assert 'data-testid="rate-in-touch">60.0%' in page
    page = client_for(make_user(Role.HEAD_OF_SERVICE)).get(LIST, {"show": "overdue"}).content.decode()
    assert 'data-testid="care-leaver-X00002"' in page and 'data-testid="care-leaver-X00005"' in page
    assert 'data-testid="care-leaver-X00001"' not in page  # in date: not in the overdue drill-down
    page = client_for(make_user(Role.PERFORMANCE_ANALYST)).get(LIST).content.decode()
    assert all(f'data-testid="care-leaver-X0000{n}"' in page for n in range(1, 6))
    assert 'data-testid="care-leaver-X00006"' not in page and 'data-testid="care-leaver-X00007"' not in page


def test_the_list_is_refused_to_other_roles(make_user, teams, client_for):
    for role in (
        Role.SOCIAL_WORKER,
        Role.IMPROVEMENT_BOARD,
        Role.ADMINISTRATOR,
        Role.AUDITOR,
        Role.CHIEF_EXECUTIVE,
    ):
        assert client_for(make_user(role, teams["north"])).get(LIST).status_code == 403, role


def test_recording_through_the_pages(worker, leaver, client_for):
    client = client_for(worker)
    contact = reverse("care_leavers:leaving_care_contact", args=[leaver.pk])
    assert client.get(contact).status_code == 200
    body = {
        "contacted_on-day": "2",
        "contacted_on-month": "3",
        "contacted_on-year": "2026",
        "eligibility": "former_relevant",
        "in_touch": "YES",
        "accommodation": "U",
        "accommodation_suitable": "yes",
        "activity": "F2",
        "personal_adviser": str(worker.pk),
    }
    assert client.post(contact, {**body, "accommodation_suitable": ""}).status_code == 200
    assert client.post(contact, body).status_code == 302
    saved = CareLeaverContact.objects.get(child=leaver)
    assert saved.accommodation_suitable is True and saved.personal_adviser == worker
    review = reverse("care_leavers:pathway_plan_review", args=[leaver.pk])
    response = client.post(
        review, {"reviewed_on-day": "2", "reviewed_on-month": "3", "reviewed_on-year": "2026"}
    )
    assert response.status_code == 302
    page = client.get(reverse("care_leavers:leaving_care", args=[leaver.pk])).content.decode()
    assert 'data-due="2026-09-02"' in page


def test_the_list_logs_each_young_person_it_names(cohort, make_user, teams, client_for):
    from opencsc.audit.models import AccessKind, RecordAccess
    from opencsc.people.models import Child

    manager = make_user(Role.TEAM_MANAGER, teams["north"])
    client_for(manager).get(LIST, {"show": "overdue"})
    listed = set(
        RecordAccess.objects.filter(user=manager, kind=AccessKind.LISTED).values_list("child_id", flat=True)
    )
    assert Child.objects.get(la_child_id="X00002").pk in listed
    assert Child.objects.get(la_child_id="X00005").pk not in listed
