"""Who may see and change a child's record.

Access is derived, never granted row by row: from the user's role, their team and the child's allocation.
A restricted record is the exception: only the people named on it may see it, whatever their role.
`child_visibility_filter` (for lists) and `can_view_child` (for one record) encode the same rules and are
tested together by the permission matrix.
"""

from django.db.models import Exists, OuterRef, Q

from opencsc.accounts.models import Role

LA_WIDE_READ_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST, Role.AUDITOR}
TEAM_ROLES = {Role.SOCIAL_WORKER, Role.TEAM_MANAGER}
READ_ONLY_ROLES = {Role.PERFORMANCE_ANALYST, Role.AUDITOR}
CHILD_CREATING_ROLES = {Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE}
RESTRICTING_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR}
ACCESS_LOG_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.AUDITOR}


def _is_named_on(child, user) -> bool:
    return child.access_grants.filter(user=user).exists()


def _holds_allocation(child, user) -> bool:
    return child.allocations.filter(worker=user, ended_on__isnull=True).exists()


def can_view_child(user, child) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if child.is_restricted:
        return _is_named_on(child, user)
    if user.role in LA_WIDE_READ_ROLES:
        return True
    if user.role in TEAM_ROLES:
        in_team = user.team_id is not None and child.responsible_team_id == user.team_id
        return in_team or _holds_allocation(child, user)
    return False


def can_change_child(user, child) -> bool:
    return user.role not in READ_ONLY_ROLES and can_view_child(user, child)


def can_create_child(user) -> bool:
    return user.is_authenticated and user.role in CHILD_CREATING_ROLES


def can_see_access_log(user, child) -> bool:
    return user.role in ACCESS_LOG_ROLES and can_view_child(user, child)


def can_restrict_child(user, child) -> bool:
    return user.role in RESTRICTING_ROLES and can_change_child(user, child)


def can_search_children(user) -> bool:
    return user.is_authenticated and (user.role in LA_WIDE_READ_ROLES or user.role in TEAM_ROLES)


def child_visibility_filter(user) -> Q:
    """A filter on Child equivalent to can_view_child, for querysets."""
    from opencsc.casework.models import Allocation
    from opencsc.people.models import ChildAccessGrant

    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    named = Exists(ChildAccessGrant.objects.filter(child=OuterRef("pk"), user=user))
    restricted_and_named = Q(is_restricted=True) & Q(named)
    if user.role in LA_WIDE_READ_ROLES:
        return Q(is_restricted=False) | restricted_and_named
    if user.role in TEAM_ROLES:
        allocated = Exists(
            Allocation.objects.filter(child=OuterRef("pk"), worker=user, ended_on__isnull=True)
        )
        relationship = Q(allocated)
        if user.team_id is not None:
            relationship |= Q(responsible_team_id=user.team_id)
        return (Q(is_restricted=False) & relationship) | restricted_and_named
    return restricted_and_named
