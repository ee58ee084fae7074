"""Who finds and opens an allegation: the designated officer's team, and whoever a team manager of it grants
access to one allegation; no other role, however senior. The list filter and the per-record check agree."""

import pytest
from django.core.exceptions import PermissionDenied

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.allegations import services
from opencsc.allegations.access import (
    can_change_allegation,
    can_view_allegation,
    can_view_allegation_figures,
)
from opencsc.allegations.models import AllegationAccess
from opencsc.allegations.selectors import allegation_get_for, allegations_visible_to, children_concerned
from opencsc.audit.selectors import TrailQuery, audit_trail

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_outside_the_team_no_role_finds_or_opens_an_allegation(role, make_user, teams, record_allegation):
    allegation = record_allegation()
    for team in (teams["north"], Team.objects.create(name=f"Mgmt {role}", kind=TeamKind.MANAGEMENT), None):
        user = make_user(role, team)
        assert not can_view_allegation(user, allegation)
        assert not allegations_visible_to(user).exists()
        with pytest.raises(PermissionDenied):
            allegation_get_for(user=user, pk=allegation.pk, path="/x")
    assert not AllegationAccess.objects.exists()


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.TEAM_MANAGER])
def test_the_designated_officers_team_sees_and_changes_every_allegation(
    role, make_user, lado_team, record_allegation
):
    allegation = record_allegation()
    member = make_user(role, lado_team)
    assert can_view_allegation(member, allegation) and can_change_allegation(member, allegation)
    assert list(allegations_visible_to(member)) == [allegation]
    assert allegation_get_for(user=member, pk=allegation.pk, path="/a") == allegation
    assert AllegationAccess.objects.get().user == member


def test_other_roles_in_the_team_and_inactive_members_see_nothing(make_user, lado_team, record_allegation):
    record_allegation()
    for role in (Role.PERFORMANCE_ANALYST, Role.AUDITOR, Role.HEAD_OF_SERVICE):
        assert not allegations_visible_to(make_user(role, lado_team)).exists()
    inactive = make_user(Role.SOCIAL_WORKER, lado_team, is_active=False)
    assert not allegations_visible_to(inactive).exists()


def test_a_grant_opens_one_allegation_to_read_but_not_to_change(lado_manager, outsider, record_allegation):
    granted, other = record_allegation(), record_allegation()
    services.allegation_access_grant(actor=lado_manager, allegation=granted, user=outsider)
    assert list(allegations_visible_to(outsider)) == [granted]
    assert can_view_allegation(outsider, granted) and not can_view_allegation(outsider, other)
    assert not can_change_allegation(outsider, granted)


def test_leaders_see_figures_and_nobody_else_outside_the_team(make_user, teams, officer):
    allowed = {role for role in Role if can_view_allegation_figures(make_user(role, teams["north"]))}
    assert allowed == {Role.HEAD_OF_SERVICE, Role.DIRECTOR}
    assert can_view_allegation_figures(officer)


def test_a_linked_child_the_officer_may_not_open_is_not_named(officer, child, record_allegation):
    allegation = record_allegation(child_ids=child.la_child_id, children_named="Jo Pupil")
    concerned = children_concerned(officer, allegation)
    assert [(c.name, c.restricted) for c in concerned] == [("A restricted record", True), ("Jo Pupil", False)]


def test_the_audit_trail_search_leaves_allegations_out(record_allegation, officer):
    record_allegation()
    rows = list(audit_trail(TrailQuery()))
    assert not [row for row in rows if "Allegation" in (row["row_what"] or "")]
