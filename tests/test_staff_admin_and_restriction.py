import datetime as dt

import pytest

from opencsc.accounts.models import Role, User
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.people import services as people_services
from opencsc.people.models import ChildAccessGrant


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR)


def test_administrator_creates_an_account_and_it_is_audited(admin, teams, client_for):
    response = client_for(admin).post(
        "/accounts/staff/new/",
        {
            "username": "new.worker",
            "first_name": "Nia",
            "last_name": "Worker",
            "email": "nia@example.gov.uk",
            "role": Role.SOCIAL_WORKER,
            "team": teams["north"].pk,
            "password": "a perfectly long passphrase",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="new.worker")
    assert created.team == teams["north"] and created.check_password("a perfectly long passphrase")
    assert AuditEvent.objects.filter(verb="user.created", object_id=str(created.pk), actor=admin).exists()


def test_a_social_worker_needs_a_team_and_a_strong_password(admin, client_for):
    response = client_for(admin).post(
        "/accounts/staff/new/",
        {
            "username": "x",
            "first_name": "X",
            "last_name": "Y",
            "role": Role.SOCIAL_WORKER,
            "password": "short",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Social workers and team managers must belong to a team" in html or "too short" in html
    assert not User.objects.filter(username="x").exists()


def test_only_administrators_manage_accounts(make_user, teams, client_for):
    manager = make_user(Role.TEAM_MANAGER, teams["north"])
    assert client_for(manager).get("/accounts/staff/").status_code == 403
    assert client_for(manager).post(f"/accounts/staff/{manager.pk}/reset-two-factor/").status_code == 403


def test_resetting_two_factor_makes_the_user_enrol_again(admin, make_user, teams, client_for):
    worker = make_user(Role.SOCIAL_WORKER, teams["north"], totp_secret="JBSWY3DPEHPK3PXP")
    worker.totp_confirmed_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    worker.save()
    client_for(admin).post(f"/accounts/staff/{worker.pk}/reset-two-factor/")
    worker.refresh_from_db()
    assert worker.totp_secret == "" and worker.totp_confirmed_at is None


def _child(actor, **overrides):
    details = {"first_name": "Ava", "last_name": "Reed", "date_of_birth": dt.date(2016, 5, 1), "sex": "F"}
    return people_services.child_create(actor=actor, **{**details, **overrides})


def test_printing_a_record_is_logged_as_an_export(make_user, teams, client_for):
    worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    child = _child(worker)
    response = client_for(worker).get(f"/children/{child.pk}/print/")
    assert response.status_code == 200 and "Ava Reed" in response.content.decode()
    assert RecordAccess.objects.filter(child=child, user=worker, kind=AccessKind.EXPORT).exists()


def test_a_restricted_record_is_hidden_from_everyone_not_named(make_user, teams, client_for):
    manager = make_user(Role.TEAM_MANAGER, teams["north"])
    named_worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    other_worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    director = make_user(Role.DIRECTOR)
    child = _child(manager)
    response = client_for(manager).post(f"/children/{child.pk}/restrict/", {"named": [named_worker.pk]})
    assert response.status_code == 302
    assert set(ChildAccessGrant.objects.filter(child=child).values_list("user", flat=True)) == {
        manager.pk,
        named_worker.pk,
    }
    assert client_for(named_worker).get(f"/children/{child.pk}/").status_code == 200
    for refused in (other_worker, director):
        assert client_for(refused).get(f"/children/{child.pk}/").status_code == 403
        assert "Ava" not in client_for(refused).get("/children/?q=Reed").content.decode()


def test_social_workers_cannot_restrict_records(make_user, teams, client_for):
    worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    child = _child(worker)
    assert client_for(worker).get(f"/children/{child.pk}/restrict/").status_code == 403


def test_new_la_ids_follow_the_longest_highest_number(make_user, teams):
    from opencsc.people.models import Child

    worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    first = _child(worker)
    assert first.la_child_id == "C100001"
    Child.objects.filter(pk=first.pk).update(la_child_id="C999999")
    assert _child(worker, first_name="Bo").la_child_id == "C1000000"
    assert _child(worker, first_name="Cy").la_child_id == "C1000001"
