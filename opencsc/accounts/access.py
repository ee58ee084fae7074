"""Who may see and change a child's record.

Access is derived, never granted row by row: from the user's role, their team and the child's allocation.
Social workers and team managers in the front-door team read every unrestricted record, because deciding a
contact needs the child's history whichever team holds them; they change only their own team's records.
An independent reviewing officer reads the records of the children whose current IRO they are (Children Act 1989
s25A-25B: they review and monitor the care plan, independent of the team) and changes none.
A restricted record is the exception: only the people named on it may see it, whatever their role.
`child_visibility_filter` (for lists) and `can_view_child` (for one record) encode the same rules and are
tested together by the permission matrix.
"""

from django.db.models import Q

from opencsc.accounts.models import Role, TeamKind

LA_WIDE_READ_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST, Role.AUDITOR}
TEAM_ROLES = {Role.SOCIAL_WORKER, Role.TEAM_MANAGER}
CHANGE_ROLES = TEAM_ROLES | {Role.HEAD_OF_SERVICE, Role.DIRECTOR}
CHILD_CREATING_ROLES = {Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE}
RESTRICTING_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR}
ACCESS_LOG_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.AUDITOR}
IRO = Role.INDEPENDENT_REVIEWING_OFFICER


def _is_named_on(child, user) -> bool:
    return child.access_grants.filter(user=user).exists()


def _holds_allocation(child, user) -> bool:
    return child.allocations.filter(worker=user, ended_on__isnull=True).exists()


def is_current_iro(user, child) -> bool:
    return child.iro_assignments.filter(iro=user, ended_on__isnull=True).exists()


def is_in_front_door_team(user) -> bool:
    return user.role in TEAM_ROLES and user.team is not None and user.team.kind == TeamKind.FRONT_DOOR


def _works_with(user, child) -> bool:
    in_team = user.team_id is not None and child.responsible_team_id == user.team_id
    return in_team or _holds_allocation(child, user)


def can_view_child(user, child) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if child.is_restricted:
        return _is_named_on(child, user)
    if user.role in LA_WIDE_READ_ROLES or is_in_front_door_team(user):
        return True
    if user.role in TEAM_ROLES:
        return _works_with(user, child)
    if user.role == IRO:
        return is_current_iro(user, child)
    return False


def can_change_child(user, child) -> bool:
    if user.role not in CHANGE_ROLES or not can_view_child(user, child):
        return False
    if child.is_restricted or user.role not in TEAM_ROLES:
        return True
    return _works_with(user, child)


def can_create_child(user) -> bool:
    return user.is_authenticated and user.role in CHILD_CREATING_ROLES


def can_see_access_log(user, child) -> bool:
    return user.role in ACCESS_LOG_ROLES and can_view_child(user, child)


def can_restrict_child(user, child) -> bool:
    return user.role in RESTRICTING_ROLES and can_change_child(user, child)


def can_search_children(user) -> bool:
    return user.is_authenticated and (user.role in LA_WIDE_READ_ROLES or user.role in TEAM_ROLES | {IRO})


def child_visibility_filter(user) -> Q:
    """A filter on Child equivalent to can_view_child, for querysets. Written with `pk__in` lists, not
    correlated EXISTS, so the database can drive a search from its most selective index."""
    from opencsc.casework.models import Allocation
    from opencsc.people.models import ChildAccessGrant

    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    # Ids as lists, not subqueries: PostgreSQL cannot estimate how many children a subquery lets through (it
    # guesses half) and would walk every child to find a caseload's few; a list it can look up in an index, and
    # an empty list of named records drops out of the filter.
    named = ChildAccessGrant.objects.filter(user=user).values_list("child_id", flat=True)
    restricted_and_named = Q(is_restricted=True, pk__in=list(named))
    if user.role in LA_WIDE_READ_ROLES or is_in_front_door_team(user):
        return Q(is_restricted=False) | restricted_and_named
    if user.role in TEAM_ROLES:
        allocated = (
            Allocation.objects.filter(worker=user, ended_on__isnull=True)
            .order_by()
            .values_list("child_id", flat=True)
        )
        relationship = Q(pk__in=list(allocated))
        if user.team_id is not None:
            relationship |= Q(responsible_team_id=user.team_id)
        return (Q(is_restricted=False) & relationship) | restricted_and_named
    if user.role == IRO:
        from opencsc.looked_after.models import IroAssignment

        reviewed = IroAssignment.objects.filter(iro=user, ended_on__isnull=True).values_list(
            "child_id", flat=True
        )
        return Q(is_restricted=False, pk__in=list(reviewed)) | restricted_and_named
    return restricted_and_named
