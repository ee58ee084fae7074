"""Who may see and change an allegation (ADR 0037).

Allegation records are restricted by default, whatever the reader's role: only the members of a designated
officer's team (`TeamKind.DESIGNATED_OFFICER`, social workers and team managers in it) find, open and change
them, and someone outside the team may read one allegation only when a team manager of the team grants it by
name. Heads of service and the director see the service's figures as counts (no reference, no name) on the
leaders' page; nobody else sees that an allegation exists. `allegation_visibility_filter` (for lists) and
`can_view_allegation` (for one record) encode the same rule and are tested together.
"""

from django.db.models import Q

from opencsc.accounts.access import TEAM_ROLES
from opencsc.accounts.models import Role, TeamKind

FIGURE_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR}


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_designated_officer(user) -> bool:
    return (
        _active(user)
        and user.role in TEAM_ROLES
        and user.team is not None
        and user.team.kind == TeamKind.DESIGNATED_OFFICER
    )


def allegation_visibility_filter(user) -> Q:
    if is_designated_officer(user):
        return Q()
    if _active(user):
        return Q(access_grants__user=user)
    return Q(pk__in=[])


def can_view_allegation(user, allegation) -> bool:
    if is_designated_officer(user):
        return True
    return _active(user) and allegation.access_grants.filter(user=user).exists()


def can_record_allegation(user) -> bool:
    return is_designated_officer(user)


def can_change_allegation(user, allegation) -> bool:
    return is_designated_officer(user)


def can_grant_allegation_access(user) -> bool:
    return is_designated_officer(user) and user.role == Role.TEAM_MANAGER


def can_view_allegation_figures(user) -> bool:
    return is_designated_officer(user) or (_active(user) and user.role in FIGURE_ROLES)
