import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencsc.accounts import services as account_services
from opencsc.accounts.models import GrantOutcome, Role, RoleGrant, User
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


# No one raises their own privileges


def _account_counts() -> tuple:
    return (
        tuple(User.objects.order_by("pk").values_list("pk", "role", "team_id", "is_active")),
        RoleGrant.objects.count(),
        AuditEvent.objects.count(),
    )


def _refused_account_change(call, field: str, text: str) -> None:
    """The call is refused with `text` on `field`, and nothing at all is written."""
    before = _account_counts()
    with pytest.raises(ValidationError) as refused:
        call()
    assert any(text in message for message in refused.value.message_dict.get(field, [])), refused.value
    assert _account_counts() == before


def _edit(user, **changes) -> dict:
    fields = {name: getattr(user, name) for name in account_services.ACCOUNT_FIELDS}
    return {"is_active": user.is_active, **fields, **changes}


def test_an_administrator_cannot_change_their_own_role_or_team(admin, teams, client_for):
    _refused_account_change(
        lambda: account_services.user_update(actor=admin, user=admin, **_edit(admin, role=Role.DIRECTOR)),
        "role",
        "You cannot change your own role",
    )
    _refused_account_change(
        lambda: account_services.user_update(actor=admin, user=admin, **_edit(admin, team=teams["north"])),
        "team",
        "You cannot change your own team",
    )
    page = client_for(admin).post(
        f"/accounts/staff/{admin.pk}/",
        {
            "first_name": admin.first_name,
            "last_name": admin.last_name,
            "role": Role.DIRECTOR,
            "is_active": "on",
        },
    )
    assert page.status_code == 200 and "You cannot change your own role" in page.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMINISTRATOR


@pytest.mark.parametrize(
    "role", [Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST, Role.AUDITOR, Role.ADMINISTRATOR]
)
def test_an_authority_wide_role_waits_for_a_second_director(admin, make_user, teams, role):
    worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    director = make_user(Role.DIRECTOR)
    account_services.user_update(actor=admin, user=worker, **_edit(worker, role=role))
    worker.refresh_from_db()
    assert worker.role == Role.SOCIAL_WORKER  # asked for, not given
    grant = RoleGrant.objects.get(user=worker, outcome=GrantOutcome.PENDING, role=role, requested_by=admin)
    assert AuditEvent.objects.filter(verb="user.role_grant_requested", actor=admin, object_id=str(worker.pk))

    account_services.role_grant_approve(actor=director, grant=grant)
    worker.refresh_from_db()
    assert worker.role == role
    assert AuditEvent.objects.filter(
        verb="user.role_grant_approved", actor=director, object_id=str(worker.pk)
    )


def test_only_a_director_other_than_the_receiver_decides(admin, make_user, teams):
    director, other_director = make_user(Role.DIRECTOR), make_user(Role.DIRECTOR)
    head = make_user(Role.HEAD_OF_SERVICE)
    account_services.user_update(actor=admin, user=director, **_edit(director, role=Role.AUDITOR))
    grant = RoleGrant.objects.get(user=director)
    with pytest.raises(PermissionDenied):
        account_services.role_grant_approve(actor=head, grant=grant)
    with pytest.raises(PermissionDenied):
        account_services.role_grant_approve(actor=admin, grant=grant)
    _refused_account_change(
        lambda: account_services.role_grant_approve(actor=director, grant=grant), "grant", "A second person"
    )
    account_services.role_grant_decline(actor=other_director, grant=grant)
    director.refresh_from_db()
    assert director.role == Role.DIRECTOR
    assert AuditEvent.objects.filter(verb="user.role_grant_declined", actor=other_director).exists()
    _refused_account_change(
        lambda: account_services.role_grant_approve(actor=other_director, grant=grant), "grant", "already"
    )


def test_a_new_account_with_an_authority_wide_role_stays_closed_until_approved(admin, make_user, client_for):
    director = make_user(Role.DIRECTOR)
    response = client_for(admin).post(
        "/accounts/staff/new/",
        {
            "username": "new.analyst",
            "first_name": "Ana",
            "last_name": "Lyst",
            "role": Role.PERFORMANCE_ANALYST,
            "password": "a perfectly long passphrase",
        },
        follow=True,
    )
    assert "waits for a director" in response.content.decode()
    analyst = User.objects.get(username="new.analyst")
    assert not analyst.is_active
    _refused_account_change(
        lambda: account_services.user_update(actor=admin, user=analyst, **_edit(analyst, is_active=True)),
        "is_active",
        "once a director approves",
    )
    assert client_for(admin).get("/accounts/staff/role-approvals/").status_code == 403
    page = client_for(director).get("/accounts/staff/role-approvals/").content.decode()
    assert "Ana Lyst" in page and "Performance analyst" in page
    grant = RoleGrant.objects.get(user=analyst)
    client_for(director).post("/accounts/staff/role-approvals/", {"grant": grant.pk, "decision": "approve"})
    analyst.refresh_from_db()
    assert analyst.is_active and analyst.role == Role.PERFORMANCE_ANALYST
