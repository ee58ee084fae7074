"""The case file audit pages: who may open each, forms that keep what was typed, an audit's page only for those
who may open the child, and lists that never name a child the user may not open (each name logged)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.quality import services
from opencsc.quality.models import FileAudit, Grade
from tests.quality import builders

R = Role
# Pages about the service, not one child: which roles may open each. Columns in PAGES order.
PAGES = (
    "quality:figures",
    "quality:drill",
    "quality:moderation_queue",
    "quality:programmes",
    "quality:programme_new",
)
#                         figures drill  moderate programmes new
MATRIX = {
    R.SOCIAL_WORKER: (False, False, False, False, False),
    R.TEAM_MANAGER: (True, True, True, True, True),
    R.HEAD_OF_SERVICE: (True, True, True, True, True),
    R.DIRECTOR: (True, True, True, True, True),
    R.PERFORMANCE_ANALYST: (True, True, False, False, False),
    R.AUDITOR: (True, True, True, True, True),
    R.ADMINISTRATOR: (False, False, False, False, False),
    R.CHIEF_EXECUTIVE: (True, True, False, False, False),
    R.IMPROVEMENT_BOARD: (True, True, False, False, False),
    R.INDEPENDENT_REVIEWING_OFFICER: (False, False, False, False, False),
}
# Pages about one audit: whether each role (in the child's team where it has one) may open them.
AUDIT_PAGES = ("quality:audit", "quality:moderate", "quality:action_new")


@pytest.fixture
def world(teams, make_user):
    north = teams["north"]
    worker = make_user(R.SOCIAL_WORKER, north)
    child = builders.child(worker, north)
    builders.allocate(child, worker)
    auditor = make_user(R.AUDITOR)
    return {"north": north, "worker": worker, "child": child, "auditor": auditor}


def test_the_matrix_covers_every_service_page():
    from django.urls import get_resolver

    resolver = get_resolver().namespace_dict["quality"][1]
    names = {f"quality:{p.name}" for p in resolver.url_patterns}
    child_pages = {"quality:child_audits", "quality:audit_new"}  # in tests/test_permissions.py
    one_record = {*AUDIT_PAGES, "quality:action_answer", "quality:programme"}
    assert names == set(PAGES) | child_pages | one_record
    assert set(MATRIX) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_service_pages_follow_the_matrix(role, world, make_user, client_for):
    client = client_for(make_user(role, world["north"]))
    for name, allowed in zip(PAGES, MATRIX[role], strict=True):
        status = client.get(reverse(name)).status_code
        assert status == (200 if allowed else 403), (role, name, status)
    if not MATRIX[role][4]:
        response = client.post(reverse("quality:programme_new"), {"title": "x", "per_team": "1"})
        assert response.status_code == 403


@pytest.mark.parametrize(
    "role, team, expected",
    [
        (R.SOCIAL_WORKER, "north", (200, 403, 403)),
        (R.TEAM_MANAGER, "north", (200, 200, 403)),
        (R.TEAM_MANAGER, "south", (403, 403, 403)),
        (R.HEAD_OF_SERVICE, None, (200, 200, 403)),
        (R.PERFORMANCE_ANALYST, None, (200, 403, 403)),
        (R.CHIEF_EXECUTIVE, None, (403, 403, 403)),
    ],
)
def test_an_audit_is_opened_only_by_those_who_may_open_the_child_and_each_look_is_logged(
    role, team, expected, world, teams, make_user, client_for
):
    audit = builders.record(world["auditor"], world["child"])
    user = make_user(role, teams[team] if team else None)
    client = client_for(user)
    for name, status in zip(AUDIT_PAGES, expected, strict=True):
        url = reverse(name, args=[audit.pk])
        before = RecordAccess.objects.filter(user=user, child=world["child"]).count()
        assert client.get(url).status_code == status, (role, name)
        kinds = {a.kind for a in RecordAccess.objects.filter(user=user, child=world["child"])[:10]}
        assert RecordAccess.objects.filter(user=user, child=world["child"]).count() > before
        assert (AccessKind.REFUSED in kinds) or status == 200


def _token(response) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def test_the_audit_form_keeps_what_was_typed_then_records_once(world, make_user, client_for):
    manager = make_user(R.TEAM_MANAGER, world["north"])
    client = client_for(manager)
    url = reverse("quality:audit_new", args=[world["child"].pk])
    token = _token(client.get(url))
    typed = builders.form_data(Grade.GOOD, planning_grade="", summary="Kept summary")

    wrong = client.post(url, {**typed, "form_token": token})

    page = wrong.content.decode()
    assert wrong.status_code == 200 and "Choose the grade for planning and review" in page
    assert "Kept summary" in page and "Findings on recording" in page
    assert FileAudit.objects.count() == 0
    right = client.post(url, {**builders.form_data(Grade.GOOD), "form_token": token})
    again = client.post(url, {**builders.form_data(Grade.GOOD), "form_token": token})
    audit = FileAudit.objects.get()
    assert right["Location"] == again["Location"] == reverse("quality:audit", args=[audit.pk])


def test_moderation_and_an_action_through_the_pages(world, make_user, client_for):
    audit = builders.record(world["auditor"], world["child"], Grade.GOOD)
    head = client_for(make_user(R.HEAD_OF_SERVICE))
    url = reverse("quality:moderate", args=[audit.pk])
    refused = head.post(url, {"version": "1", "grade": Grade.INADEQUATE, "reason": ""})
    assert "Say why you changed the grade" in refused.content.decode()
    audit.refresh_from_db()
    assert not audit.is_moderated
    done = head.post(url, {"version": "1", "grade": Grade.INADEQUATE, "reason": "No visits since May."})
    assert done.status_code == 302
    audit.refresh_from_db()
    assert audit.final_grade == Grade.INADEQUATE

    auditor = client_for(world["auditor"])
    due = dt.date.today() + dt.timedelta(days=10)
    added = auditor.post(
        reverse("quality:action_new", args=[audit.pk]),
        {"action": "Visit Amara", "due_on-day": due.day, "due_on-month": due.month, "due_on-year": due.year},
    )
    assert added.status_code == 302
    action = audit.actions.get()
    worker = client_for(world["worker"])
    page = worker.get(reverse("quality:audit", args=[audit.pk])).content.decode()
    assert reverse("quality:action_answer", args=[action.pk]) in page
    answered = worker.post(
        reverse("quality:action_answer", args=[action.pk]), {"response": "Visited on Monday."}
    )
    assert answered.status_code == 302
    assert "Visited on Monday." in worker.get(reverse("quality:audit", args=[audit.pk])).content.decode()


def test_lists_name_only_children_the_user_may_open_and_log_each(world, teams, make_user, client_for):
    hidden = builders.child(world["worker"], world["north"], "Hiddenname", restricted=True)
    from opencsc.people.models import ChildAccessGrant

    ChildAccessGrant.objects.create(child=hidden, user=world["auditor"], granted_by=world["auditor"])
    builders.record(world["auditor"], world["child"])
    hidden_audit = builders.record(world["auditor"], hidden)
    head = make_user(R.HEAD_OF_SERVICE)
    client = client_for(head)
    page = client.get(reverse("quality:drill")).content.decode()
    assert "Hiddenname" not in page and hidden.la_child_id not in page
    assert "A restricted record" in page and world["child"].full_name in page
    assert reverse("quality:audit", args=[hidden_audit.pk]) not in page
    logged = dict(
        RecordAccess.objects.filter(user=head, path__startswith=reverse("quality:drill")).values_list(
            "child_id", "kind"
        )
    )
    assert logged == {world["child"].pk: AccessKind.LISTED, hidden.pk: AccessKind.REFUSED}
    queue = client.get(reverse("quality:moderation_queue")).content.decode()  # only audits they may moderate
    assert (
        "Hiddenname" not in queue and "A restricted record" not in queue and world["child"].full_name in queue
    )
    logged = RecordAccess.objects.filter(user=head, path__startswith=reverse("quality:moderation_queue"))
    assert list(logged.values_list("child_id", "kind")) == [(world["child"].pk, AccessKind.LISTED)]


def test_the_figures_page_drills_to_the_audits(world, make_user, client_for):
    builders.record(world["auditor"], world["child"], Grade.OUTSTANDING)
    client = client_for(make_user(R.DIRECTOR))
    page = client.get(reverse("quality:figures")).content.decode()
    assert "100.0%" in page
    month = f"{dt.date.today():%Y-%m}"
    link = f"{reverse('quality:drill')}?by=month&amp;from={month}&amp;good=yes"
    assert link in page
    drilled = client.get(link.replace("&amp;", "&")).content.decode()
    assert world["child"].full_name in drilled


def test_a_programme_page_shows_what_is_done(world, make_user, client_for):
    head = make_user(R.HEAD_OF_SERVICE)
    builders.open_assessment(world["child"], world["worker"])
    client = client_for(head)
    response = client.post(
        reverse("quality:programme_new"), {"title": "Spring", "teams": [world["north"].pk], "per_team": "5"}
    )
    assert response.status_code == 302
    assert "0 of 1 files audited" in client.get(response["Location"]).content.decode()
    services.file_audit_record(actor=head, child=world["child"], **builders.audit_answers())
    assert "1 of 1 files audited" in client.get(response["Location"]).content.decode()
