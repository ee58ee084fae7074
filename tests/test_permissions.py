"""The permission matrix: role x relationship to the child -> search membership and every child-record route.

The expected tables are written out by hand from the rules in opencsc/accounts/access.py, so changing a rule
breaks this test on purpose.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from opencsc.accounts.access import can_view_child, child_visibility_filter
from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.casework.models import Allocation, CaseNote, NoteStatus, NoteType
from opencsc.looked_after.models import IroAssignment
from opencsc.people import services as people_services
from opencsc.people.models import Child, ChildAccessGrant
from opencsc.people.selectors import child_search, children_visible_to

R = Role
RELATIONSHIPS = (
    "allocated",
    "same_team",
    "other_team",
    "no_team",
    "restricted_named",
    "restricted_not_named",
)

# Can the user see the child? One row per role, columns in RELATIONSHIPS order.
#                               alloc  same   other  noteam r_named r_not
VIEW = {
    R.SOCIAL_WORKER: (True, True, False, False, True, False),
    R.TEAM_MANAGER: (True, True, False, False, True, False),
    R.HEAD_OF_SERVICE: (True, True, True, True, True, False),
    R.DIRECTOR: (True, True, True, True, True, False),
    R.PERFORMANCE_ANALYST: (True, True, True, True, True, False),
    R.AUDITOR: (True, True, True, True, True, False),
    R.ADMINISTRATOR: (False, False, False, False, True, False),
    R.CHIEF_EXECUTIVE: (False, False, False, False, True, False),
    R.IMPROVEMENT_BOARD: (False, False, False, False, True, False),
    R.INDEPENDENT_REVIEWING_OFFICER: (True, False, False, False, True, False),
}
# Can the user change the child's record? Read-only roles (analyst, auditor) never can.
CHANGE = {
    R.SOCIAL_WORKER: (True, True, False, False, True, False),
    R.TEAM_MANAGER: (True, True, False, False, True, False),
    R.HEAD_OF_SERVICE: (True, True, True, True, True, False),
    R.DIRECTOR: (True, True, True, True, True, False),
    R.PERFORMANCE_ANALYST: (False, False, False, False, False, False),
    R.AUDITOR: (False, False, False, False, False, False),
    R.ADMINISTRATOR: (False,) * 6,  # named on a restricted record, they may read it but never change it
    R.CHIEF_EXECUTIVE: (False,) * 6,
    R.IMPROVEMENT_BOARD: (False,) * 6,
    R.INDEPENDENT_REVIEWING_OFFICER: (False,) * 6,
}
# Who may read the access log: managers and auditors who can see the record.
ACCESS_LOG = {
    R.SOCIAL_WORKER: (False,) * 6,
    R.TEAM_MANAGER: (True, True, False, False, True, False),
    R.HEAD_OF_SERVICE: (True, True, True, True, True, False),
    R.DIRECTOR: (True, True, True, True, True, False),
    R.PERFORMANCE_ANALYST: (False,) * 6,
    R.AUDITOR: (True, True, True, True, True, False),
    R.ADMINISTRATOR: (False,) * 6,
    R.CHIEF_EXECUTIVE: (False,) * 6,
    R.IMPROVEMENT_BOARD: (False,) * 6,
    R.INDEPENDENT_REVIEWING_OFFICER: (False,) * 6,
}
# Who may restrict: team managers, heads of service and the director, where they can change the record.
RESTRICT = {
    R.SOCIAL_WORKER: (False,) * 6,
    R.TEAM_MANAGER: (True, True, False, False, True, False),
    R.HEAD_OF_SERVICE: (True, True, True, True, True, False),
    R.DIRECTOR: (True, True, True, True, True, False),
    R.PERFORMANCE_ANALYST: (False,) * 6,
    R.AUDITOR: (False,) * 6,
    R.ADMINISTRATOR: (False,) * 6,
    R.CHIEF_EXECUTIVE: (False,) * 6,
    R.IMPROVEMENT_BOARD: (False,) * 6,
    R.INDEPENDENT_REVIEWING_OFFICER: (False,) * 6,
}
# Who may allocate: managers who can change the record; a team manager only within their own team
# (the allocated and restricted-and-named children belong to the other team).
ALLOCATE = {
    R.SOCIAL_WORKER: (False,) * 6,
    R.TEAM_MANAGER: (False, True, False, False, False, False),
    R.HEAD_OF_SERVICE: (True, True, True, True, True, False),
    R.DIRECTOR: (True, True, True, True, True, False),
    R.PERFORMANCE_ANALYST: (False,) * 6,
    R.AUDITOR: (False,) * 6,
    R.ADMINISTRATOR: (False,) * 6,
    R.CHIEF_EXECUTIVE: (False,) * 6,
    R.IMPROVEMENT_BOARD: (False,) * 6,
    R.INDEPENDENT_REVIEWING_OFFICER: (False,) * 6,
}

# Who may authorise an assessment: team managers, heads of service and the director, where they can change the
# record (authorising is a change to the child's record).
AUTHORISE = {
    R.SOCIAL_WORKER: (False,) * 6,
    R.TEAM_MANAGER: (True, True, False, False, True, False),
    R.HEAD_OF_SERVICE: (True, True, True, True, True, False),
    R.DIRECTOR: (True, True, True, True, True, False),
    R.PERFORMANCE_ANALYST: (False,) * 6,
    R.AUDITOR: (False,) * 6,
    R.ADMINISTRATOR: (False,) * 6,
    R.CHIEF_EXECUTIVE: (False,) * 6,
    R.IMPROVEMENT_BOARD: (False,) * 6,
    R.INDEPENDENT_REVIEWING_OFFICER: (False,) * 6,
}

# Who may audit a child's file: managers and auditors who can open the record (an audit grades the file; it
# changes nothing in it, so the read-only auditor may). Holding the case is refused by the service, not the page.
AUDIT_FILE = {
    R.SOCIAL_WORKER: (False,) * 6,
    R.TEAM_MANAGER: (True, True, False, False, True, False),
    R.HEAD_OF_SERVICE: (True, True, True, True, True, False),
    R.DIRECTOR: (True, True, True, True, True, False),
    R.PERFORMANCE_ANALYST: (False,) * 6,
    R.AUDITOR: (True, True, True, True, True, False),
    R.ADMINISTRATOR: (False,) * 6,
    R.CHIEF_EXECUTIVE: (False,) * 6,
    R.IMPROVEMENT_BOARD: (False,) * 6,
    R.INDEPENDENT_REVIEWING_OFFICER: (False,) * 6,
}

# Every route about one child (or one note about a child): how it is requested, which table decides it, and
# the status an allowed request gets. Notes are final notes about the child written by someone else.
ROUTES = {
    "people:detail": ("GET", "child", VIEW, 200),
    "people:edit": ("GET", "child", CHANGE, 200),
    "people:add_alias": ("GET", "child", CHANGE, 200),
    "people:move_address": ("GET", "child", CHANGE, 200),
    "people:add_relationship": ("GET", "child", CHANGE, 200),
    "people:raise_alert": ("GET", "child", CHANGE, 200),
    "people:chronology": ("GET", "child", VIEW, 200),
    "people:access_log": ("GET", "child", ACCESS_LOG, 200),
    "people:print": ("GET", "child", VIEW, 200),
    "people:restrict": ("GET", "child", RESTRICT, 200),
    "casework:note_new": ("GET", "child", CHANGE, 200),
    "casework:note_autosave_new": ("POST", "child", CHANGE, 200),
    "casework:allocate": ("GET", "child", ALLOCATE, 200),
    "casework:note_detail": ("GET", "note", VIEW, 200),
    "casework:note_edit": ("GET", "note", CHANGE, 302),  # a final note redirects to its page
    "casework:note_autosave": ("POST", "note", CHANGE, 409),  # a final note cannot be autosaved
    "casework:note_amend": ("GET", "note", CHANGE, 200),
    # Statutory casework: each step page answers 200 even when there is nothing yet to record it against (it then
    # says what must come first).
    "protection:casework": ("GET", "child", VIEW, 200),
    "protection:assessment_start": ("GET", "child", CHANGE, 200),
    "protection:assessment_child_seen": ("GET", "child", CHANGE, 200),
    "protection:assessment_factors": ("GET", "child", CHANGE, 200),
    "protection:assessment_outcome": ("GET", "child", CHANGE, 200),
    "protection:assessment_submit": ("GET", "child", CHANGE, 200),
    "protection:assessment_authorise": ("GET", "child", AUTHORISE, 200),
    "protection:case_close": ("GET", "child", CHANGE, 200),
    "protection:strategy_discussion_new": ("GET", "child", CHANGE, 200),
    "protection:section_47_outcome": ("GET", "child", CHANGE, 200),
    "protection:initial_conference_new": ("GET", "child", CHANGE, 200),
    "protection:core_group_new": ("GET", "child", CHANGE, 200),
    "protection:review_conference_new": ("GET", "child", CHANGE, 200),
    "protection:protection_plan_end": ("GET", "child", CHANGE, 200),
    "protection:cin_plan_new": ("GET", "child", CHANGE, 200),
    "protection:cin_review_new": ("GET", "child", CHANGE, 200),
    "protection:cin_plan_end": ("GET", "child", CHANGE, 200),
    # Looked after: like the casework steps, each page answers 200 even when the child is not looked after.
    "looked_after:history": ("GET", "child", VIEW, 200),
    "looked_after:start": ("GET", "child", CHANGE, 200),
    "looked_after:legal_status": ("GET", "child", CHANGE, 200),
    "looked_after:move": ("GET", "child", CHANGE, 200),
    "looked_after:end": ("GET", "child", CHANGE, 200),
    "looked_after:review_new": ("GET", "child", CHANGE, 200),
    "looked_after:iro_assign": (
        "GET",
        "child",
        RESTRICT,
        200,
    ),  # the managers who may restrict assign the IRO
    "looked_after:placement_plan": ("GET", "child", CHANGE, 200),
    "looked_after:missing_new": ("GET", "child", CHANGE, 200),
    "looked_after:missing_update": ("GET", "child", CHANGE, 200),
    "looked_after:check_new": ("GET", "child", CHANGE, 200),
    "looked_after:uasc": ("GET", "child", CHANGE, 200),
    "looked_after:previous_permanence": ("GET", "child", CHANGE, 200),
    # Adoption and leaving care: each page answers 200 even with no plan or contact yet.
    "adoption:adoption": ("GET", "child", VIEW, 200),
    "adoption:adoption_record": ("GET", "child", CHANGE, 200),
    "adoption:adoption_cease": ("GET", "child", CHANGE, 200),
    "care_leavers:leaving_care": ("GET", "child", VIEW, 200),
    "care_leavers:leaving_care_contact": ("GET", "child", CHANGE, 200),
    "care_leavers:pathway_plan_review": ("GET", "child", CHANGE, 200),
    # Early help: each step page answers 200 even with no open episode or case (it says so).
    "earlyhelp:child": ("GET", "child", VIEW, 200),
    "earlyhelp:open": ("GET", "child", CHANGE, 200),
    "earlyhelp:assessment_start": ("GET", "child", CHANGE, 200),
    "earlyhelp:assessment_complete": ("GET", "child", CHANGE, 200),
    "earlyhelp:review": ("GET", "child", CHANGE, 200),
    "earlyhelp:close": ("GET", "child", CHANGE, 200),
    "earlyhelp:step_up": ("GET", "child", CHANGE, 200),
    "earlyhelp:step_down": ("GET", "child", CHANGE, 200),
    # Private fostering: each step page answers 200 even with no open arrangement (it says so).
    "privatefostering:child": ("GET", "child", VIEW, 200),
    "privatefostering:notify": ("GET", "child", CHANGE, 200),
    "privatefostering:visit": ("GET", "child", CHANGE, 200),
    "privatefostering:decide": ("GET", "child", CHANGE, 200),
    "privatefostering:end": ("GET", "child", CHANGE, 200),
    # The written assessment: the page answers 200 even with no assessment in progress (it says to start one).
    "documents:start": ("GET", "child", CHANGE, 200),
    "documents:write": (
        "GET",
        "child",
        CHANGE,
        200,
    ),  # the records that can take a document (none: it says so)
    # Case file audits (an audit's own pages are tested in tests/quality).
    "quality:child_audits": ("GET", "child", VIEW, 200),
    "quality:audit_new": ("GET", "child", AUDIT_FILE, 200),
    # Files on the record (a file's own routes are tested in tests/attachments).
    "attachments:child_files": ("GET", "child", VIEW, 200),
    "attachments:child_upload": ("GET", "child", CHANGE, 200),
    "attachments:conference_invitation": ("GET", "child", CHANGE, 200),
    # Pre-proceedings and care proceedings: each step answers 200 even when there is nothing to record it against.
    "legal:child": ("GET", "child", VIEW, 200),
    "legal:gateway_new": ("GET", "child", CHANGE, 200),
    "legal:letter": ("GET", "child", CHANGE, 200),
    "legal:pre_meeting": ("GET", "child", CHANGE, 200),
    "legal:pre_end": ("GET", "child", CHANGE, 200),
    "legal:issue": ("GET", "child", CHANGE, 200),
    "legal:extend": ("GET", "child", CHANGE, 200),
    "legal:hearing_new": ("GET", "child", CHANGE, 200),
    "legal:hearing_outcome": ("GET", "child", CHANGE, 200),
    "legal:order_new": ("GET", "child", CHANGE, 200),
    "legal:conclude": ("GET", "child", CHANGE, 200),
    # Child exploitation: each step answers 200 even when there is nothing to record it against.
    "exploitation:child": ("GET", "child", VIEW, 200),
    "exploitation:screening_new": ("GET", "child", CHANGE, 200),
    "exploitation:panel_consider": ("GET", "child", CHANGE, 200),
    "exploitation:panel_action_new": ("GET", "child", CHANGE, 200),
    "exploitation:panel_action_complete": ("GET", "child", CHANGE, 200),
    "exploitation:link_new": ("GET", "child", CHANGE, 200),
    "exploitation:nrm_new": ("GET", "child", CHANGE, 200),
    "exploitation:nrm_reasonable": ("GET", "child", CHANGE, 200),
    "exploitation:nrm_conclusive": ("GET", "child", CHANGE, 200),
}
# Change routes checked again with a POST, so a read-only role cannot write by skipping the form page.
POST_CHANGE_ROUTES = [
    "people:edit",
    "people:add_alias",
    "people:move_address",
    "people:add_relationship",
    "people:raise_alert",
    "people:chronology",
    "people:restrict",
    "casework:note_new",
    "casework:note_amend",
    "protection:assessment_start",
    "protection:assessment_child_seen",
    "protection:assessment_factors",
    "protection:assessment_outcome",
    "protection:assessment_submit",
    "protection:assessment_authorise",
    "protection:case_close",
    "protection:strategy_discussion_new",
    "protection:section_47_outcome",
    "protection:initial_conference_new",
    "protection:core_group_new",
    "protection:review_conference_new",
    "protection:protection_plan_end",
    "protection:cin_plan_new",
    "protection:cin_review_new",
    "protection:cin_plan_end",
    "looked_after:start",
    "looked_after:legal_status",
    "looked_after:move",
    "looked_after:end",
    "looked_after:review_new",
    "looked_after:missing_new",
    "looked_after:missing_update",
    "looked_after:check_new",
    "looked_after:uasc",
    "looked_after:previous_permanence",
    "looked_after:iro_assign",
    "looked_after:placement_plan",
    "adoption:adoption_record",
    "adoption:adoption_cease",
    "care_leavers:leaving_care_contact",
    "care_leavers:pathway_plan_review",
    "earlyhelp:open",
    "earlyhelp:assessment_start",
    "earlyhelp:assessment_complete",
    "earlyhelp:review",
    "earlyhelp:close",
    "earlyhelp:step_up",
    "earlyhelp:step_down",
    "documents:start",
    "documents:write",
    "quality:audit_new",
    "attachments:child_upload",
    "attachments:conference_invitation",
    "legal:gateway_new",
    "legal:letter",
    "legal:pre_meeting",
    "legal:pre_end",
    "legal:issue",
    "legal:extend",
    "legal:hearing_new",
    "legal:hearing_outcome",
    "legal:order_new",
    "legal:conclude",
    "exploitation:screening_new",
    "exploitation:panel_consider",
    "exploitation:panel_action_new",
    "exploitation:panel_action_complete",
    "exploitation:link_new",
    "exploitation:nrm_new",
    "exploitation:nrm_reasonable",
    "exploitation:nrm_conclusive",
    "privatefostering:notify",
    "privatefostering:visit",
    "privatefostering:decide",
    "privatefostering:end",
]


def _record_routes() -> set[str]:
    """Every named route in people, casework, protection, looked_after, adoption, care_leavers, documents, quality,
    attachments, earlyhelp, legal and privatefostering that takes a child or a note (a document's, an audit's and a
    file's own routes are tested in their tests/ folders)."""
    names = set()
    for namespace in (
        "people",
        "casework",
        "protection",
        "looked_after",
        "adoption",
        "care_leavers",
        "documents",
        "quality",
        "attachments",
        "earlyhelp",
        "legal",
        "exploitation",
        "privatefostering",
    ):
        resolver = get_resolver().namespace_dict[namespace][1]
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLPattern) and {"child_id", "note_id"} & set(pattern.pattern.converters):
                names.add(f"{namespace}:{pattern.name}")
    return names


def test_the_matrix_covers_every_child_record_route():
    assert _record_routes() == set(ROUTES)


def _child(actor, team: Team, name: str, restricted: bool = False) -> Child:
    child = people_services.child_create(
        actor=actor,
        team=team,
        first_name=name,
        last_name="Matrix",
        date_of_birth=dt.date(2015, 6, 1),
        sex="F",
    )
    if restricted:
        Child.objects.filter(pk=child.pk).update(is_restricted=True)
        child.refresh_from_db()
    return child


def _final_note(author, child) -> CaseNote:
    note = CaseNote.objects.create(
        note_type=NoteType.PHONE_CALL,
        title=f"Call about {child.first_name}",
        body="Spoke to school.",
        event_on=timezone.localdate(),
        status=NoteStatus.FINAL,
        finalised_at=timezone.now(),
        author=author,
    )
    note.children.set([child])
    return note


def _allocate(child, worker, team) -> None:
    if worker.role == R.INDEPENDENT_REVIEWING_OFFICER:
        IroAssignment.objects.create(
            child=child, iro=worker, started_on=dt.date(2025, 1, 1), assigned_by=worker
        )
        return
    Allocation.objects.create(child=child, worker=worker, team=team, started_on=dt.date(2025, 1, 1))


@pytest.fixture
def world(make_user, teams):
    north, south = teams["north"], teams["south"]
    creator = make_user(R.HEAD_OF_SERVICE, Team.objects.create(name="Management", kind=TeamKind.MANAGEMENT))
    return {"north": north, "south": south, "creator": creator}


def _cells(world, make_user, role):
    """(relationship, user, child) for one role. The user's team is North; the no-team user has none. For an
    independent reviewing officer, "allocated" is being the child's current IRO."""
    north, south, creator = world["north"], world["south"], world["creator"]
    user = make_user(role, north)
    teamless = make_user(role, None)
    allocated = _child(creator, south, "Allocated")
    _allocate(allocated, user, north)
    same = _child(creator, north, "Same")
    other = _child(creator, south, "Other")
    named = _child(creator, south, "Named", restricted=True)
    ChildAccessGrant.objects.create(child=named, user=user, granted_by=creator)
    not_named = _child(creator, north, "Unnamed", restricted=True)
    _allocate(not_named, user, north)  # neither team nor allocation opens a restricted record
    return [
        ("allocated", user, allocated),
        ("same_team", user, same),
        ("other_team", user, other),
        ("no_team", teamless, other),
        ("restricted_named", user, named),
        ("restricted_not_named", user, not_named),
    ]


def _url(name: str, target: str, child: Child, note: CaseNote) -> str:
    return reverse(name, args=[child.pk if target == "child" else note.pk])


AUTOSAVE_BODY = {"note_type": NoteType.PHONE_CALL, "title": "Autosaved", "body": "Typed so far"}


@pytest.mark.parametrize("role", list(Role))
def test_search_and_visibility_follow_the_matrix(role, world, make_user):
    for column, (relationship, user, child) in enumerate(_cells(world, make_user, role)):
        expected = VIEW[role][column]
        cell = f"{role} / {relationship}"
        assert can_view_child(user, child) is expected, cell
        assert Child.objects.filter(child_visibility_filter(user), pk=child.pk).exists() is expected, cell
        assert children_visible_to(user).filter(pk=child.pk).exists() is expected, cell
        found = child_search(user=user, text=child.la_child_id)
        assert (child in found) is expected, cell
        assert (child in child_search(user=user, text=child.first_name)) is expected, cell


@pytest.mark.parametrize("role", list(Role))
def test_every_route_follows_the_matrix_and_every_request_is_logged(role, world, make_user, client_for):
    author = world["creator"]
    for column, (relationship, user, child) in enumerate(_cells(world, make_user, role)):
        note = _final_note(author, child)
        client = client_for(user)
        for name, (method, target, table, allowed_status) in ROUTES.items():
            url = _url(name, target, child, note)
            body = {**AUTOSAVE_BODY, "children": [str(child.pk)]}
            before = RecordAccess.objects.filter(user=user, child=child).count()
            response = client.post(url, body) if method == "POST" else client.get(url)
            allowed = table[role][column]
            cell = f"{role} / {relationship} / {name}"
            assert response.status_code == (allowed_status if allowed else 403), cell
            new = RecordAccess.objects.filter(user=user, child=child).order_by("id")[before:]
            kinds = [access.kind for access in new]
            if allowed:
                assert AccessKind.VIEW in kinds and AccessKind.REFUSED not in kinds, cell
            else:
                assert AccessKind.REFUSED in kinds, cell
                assert all(access.path.startswith(url.split("?")[0]) for access in new), cell


@pytest.mark.parametrize(
    "role", [R.PERFORMANCE_ANALYST, R.AUDITOR, R.SOCIAL_WORKER, R.HEAD_OF_SERVICE, R.CHIEF_EXECUTIVE]
)
def test_posts_to_change_routes_are_refused_where_the_matrix_refuses_change(
    role, world, make_user, client_for
):
    cells = _cells(world, make_user, role)
    for column, (relationship, user, child) in enumerate(cells):
        note = _final_note(world["creator"], child)
        client = client_for(user)
        for name in POST_CHANGE_ROUTES:
            method, target, table, _ = ROUTES[name]
            if table[role][column]:
                continue  # allowed posts are exercised by the form tests
            changed_before = child.updated_at
            response = client.post(_url(name, target, child, note), {"first_name": "Changed"})
            assert response.status_code == 403, f"{role} / {relationship} / {name}"
            child.refresh_from_db()
            assert child.first_name != "Changed" and child.updated_at == changed_before


def test_read_only_roles_see_the_record_but_every_change_route_refuses(world, make_user, client_for):
    """The sharpest rows of the matrix, spelled out: an auditor can open a child but not change it."""
    auditor = make_user(R.AUDITOR, None)
    child = _child(world["creator"], world["north"], "Readonly")
    note = _final_note(world["creator"], child)
    client = client_for(auditor)
    assert client.get(reverse("people:detail", args=[child.pk])).status_code == 200
    for name in ("people:edit", "people:raise_alert", "casework:note_new", "casework:note_amend"):
        method, target, _, _ = ROUTES[name]
        assert client.get(_url(name, target, child, note)).status_code == 403, name
    assert RecordAccess.objects.filter(user=auditor, child=child, kind=AccessKind.REFUSED).count() == 4


def test_someone_elses_draft_is_refused_and_logged(world, make_user, client_for):
    author = make_user(R.SOCIAL_WORKER, world["north"])
    colleague = make_user(R.SOCIAL_WORKER, world["north"])
    child = _child(world["creator"], world["north"], "Drafted")
    draft = CaseNote.objects.create(
        note_type=NoteType.VISIT, title="Half done", body="x", event_on=timezone.localdate(), author=author
    )
    draft.children.set([child])
    for name in ("casework:note_detail", "casework:note_edit", "casework:note_amend"):
        assert client_for(colleague).get(reverse(name, args=[draft.pk])).status_code == 403, name
    assert client_for(colleague).post(reverse("casework:note_autosave", args=[draft.pk])).status_code == 403
    assert RecordAccess.objects.filter(user=colleague, child=child, kind=AccessKind.REFUSED).count() == 4
    assert client_for(author).get(reverse("casework:note_edit", args=[draft.pk])).status_code == 200


def test_anonymous_requests_to_every_route_go_to_sign_in(world):
    from django.test import Client

    child = _child(world["creator"], world["north"], "Anon")
    note = _final_note(world["creator"], child)
    client = Client()
    sign_in = reverse("accounts:login")
    for name, (method, target, _, _) in ROUTES.items():
        url = _url(name, target, child, note)
        response = client.post(url, AUTOSAVE_BODY) if method == "POST" else client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(f"{sign_in}?next="), name
    for name in ("people:search", "people:create", "casework:my_notes", "ui:home"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(sign_in), name
    assert not RecordAccess.objects.exists()


def test_search_page_is_refused_to_roles_without_a_caseload_view(make_user, client_for):
    for role in Role:
        response = client_for(make_user(role, None)).get(reverse("people:search"), {"q": "Smith"})
        searching = (R.SOCIAL_WORKER, R.TEAM_MANAGER, R.INDEPENDENT_REVIEWING_OFFICER, *VIEW_LA_WIDE)
        expected = 200 if role in searching else 403
        assert response.status_code == expected, role


VIEW_LA_WIDE = (R.HEAD_OF_SERVICE, R.DIRECTOR, R.PERFORMANCE_ANALYST, R.AUDITOR)


def test_an_inactive_user_sees_nothing(world, make_user):
    user = make_user(R.DIRECTOR, None)
    child = _child(world["creator"], world["north"], "Inactive")
    user.is_active = False
    assert not can_view_child(user, child)
    assert not Child.objects.filter(child_visibility_filter(user)).exists()


def test_an_ended_allocation_no_longer_opens_the_record(world, make_user):
    worker = make_user(R.SOCIAL_WORKER, world["north"])
    child = _child(world["creator"], world["south"], "Ended")
    Allocation.objects.create(
        child=child,
        worker=worker,
        team=world["north"],
        started_on=dt.date(2025, 1, 1),
        ended_on=dt.date(2025, 2, 1),
    )
    assert not can_view_child(worker, child)
    assert not children_visible_to(worker).filter(pk=child.pk).exists()


@pytest.mark.parametrize("role", [R.SOCIAL_WORKER, R.TEAM_MANAGER])
def test_the_front_door_team_reads_every_unrestricted_record_but_changes_only_its_own(
    role, world, make_user, client_for
):
    front_door = Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR)
    user = make_user(role, front_door)
    elsewhere = _child(world["creator"], world["south"], "Elsewhere")
    own = _child(world["creator"], front_door, "Own")
    hidden = _child(world["creator"], world["south"], "Hidden", restricted=True)
    client = client_for(user)
    assert can_view_child(user, elsewhere) and not can_view_child(user, hidden)
    assert set(children_visible_to(user)) == {elsewhere, own}
    assert client.get(reverse("people:detail", args=[elsewhere.pk])).status_code == 200
    assert client.get(reverse("people:edit", args=[elsewhere.pk])).status_code == 403
    assert client.get(reverse("people:edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("people:detail", args=[hidden.pk])).status_code == 403


# Workforce pages (about staff, not children): which roles may open each. Rates for leaders and the board;
# named staff details for those who manage or report on them; changes for heads of service, the director
# and administrators. Columns in WORKFORCE_ROUTES order.
WORKFORCE_ROUTES = (
    "workforce:overview",
    "workforce:staff_list",
    "workforce:posts",
    "workforce:staff_new",
    "workforce:staff_edit",
    "workforce:staff_leave",
    "workforce:post_new",
    "workforce:staff_absences",
)
#                              overview staff  posts  new    edit   leave  post_new absences
WORKFORCE = {
    R.SOCIAL_WORKER: (False, False, False, False, False, False, False, False),
    R.TEAM_MANAGER: (False, False, False, False, False, False, False, False),
    R.HEAD_OF_SERVICE: (True, True, True, True, True, True, True, True),
    R.DIRECTOR: (True, True, True, True, True, True, True, True),
    R.PERFORMANCE_ANALYST: (True, True, True, False, False, False, False, False),
    R.AUDITOR: (False, False, False, False, False, False, False, False),
    R.ADMINISTRATOR: (True, True, True, True, True, True, True, True),
    R.CHIEF_EXECUTIVE: (True, False, False, False, False, False, False, False),
    R.IMPROVEMENT_BOARD: (True, False, False, False, False, False, False, False),
    R.INDEPENDENT_REVIEWING_OFFICER: (False, False, False, False, False, False, False, False),
}


def test_the_workforce_matrix_covers_every_workforce_route():
    resolver = get_resolver().namespace_dict["workforce"][1]
    assert {f"workforce:{p.name}" for p in resolver.url_patterns} == set(WORKFORCE_ROUTES)
    assert set(WORKFORCE) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_workforce_pages_follow_the_matrix(role, world, make_user, client_for):
    from opencsc.workforce.models import StaffRecord

    record = StaffRecord.objects.create(
        team=world["north"],
        first_name="Sam",
        last_name="Staff",
        job_title="Social worker",
        org_role="5",
        contract="permanent",
        fte=1,
        swe_number="SW123",
        start_date=dt.date(2020, 1, 1),
    )
    client = client_for(make_user(role, world["north"]))
    for name, allowed in zip(WORKFORCE_ROUTES, WORKFORCE[role], strict=True):
        takes_record = name in ("workforce:staff_edit", "workforce:staff_leave", "workforce:staff_absences")
        args = [record.pk] if takes_record else []
        status = client.get(reverse(name, args=args)).status_code
        assert status == (200 if allowed else 403), (role, name, status)
        if (
            name
            in (
                "workforce:staff_new",
                "workforce:staff_leave",
                "workforce:post_new",
                "workforce:staff_absences",
            )
            and not allowed
        ):
            assert client.post(reverse(name, args=args), {}).status_code == 403, (role, name)


# Return pages (statutory returns: worklists, checks, downloads and imports): only the people who check the
# returns (performance analysts, heads of service and the director) open them; importing return files writes
# children's records in bulk, so it is theirs alone too. Columns in RETURNS_ROUTES order.
RETURNS_ROUTES = (
    "returns:worklist",
    "returns:kind_worklist",
    "returns:annexa_download",
    "returns:download",
    "returns:check",
    "returns:check_status",
    "returns:import",
    "returns:import_status",
)
_LEADS_RETURNS = (True,) * len(RETURNS_ROUTES)
_NO_RETURNS = (False,) * len(RETURNS_ROUTES)
RETURNS = {
    R.SOCIAL_WORKER: _NO_RETURNS,
    R.TEAM_MANAGER: _NO_RETURNS,
    R.HEAD_OF_SERVICE: _LEADS_RETURNS,
    R.DIRECTOR: _LEADS_RETURNS,
    R.PERFORMANCE_ANALYST: _LEADS_RETURNS,
    R.AUDITOR: _NO_RETURNS,
    R.ADMINISTRATOR: _NO_RETURNS,
    R.CHIEF_EXECUTIVE: _NO_RETURNS,
    R.IMPROVEMENT_BOARD: _NO_RETURNS,
    R.INDEPENDENT_REVIEWING_OFFICER: _NO_RETURNS,
}


def test_the_returns_matrix_covers_every_returns_route():
    resolver = get_resolver().namespace_dict["returns"][1]
    assert {f"returns:{p.name}" for p in resolver.url_patterns} == set(RETURNS_ROUTES)
    assert set(RETURNS) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_return_pages_follow_the_matrix(role, world, make_user, client_for):
    from opencsc.returns.models import ReturnCheck, ReturnImport

    analyst = make_user(R.PERFORMANCE_ANALYST, world["north"])
    check = ReturnCheck.objects.create(kind="cin", year=2026, source="census.xml", requested_by=analyst)
    record = ReturnImport.objects.create(kind="cin", source="census.xml", requested_by=analyst)
    requests = {
        "returns:worklist": ("GET", [], {}),
        "returns:kind_worklist": ("GET", ["cin"], {}),
        "returns:annexa_download": ("GET", [], {"on": "2026-03-31"}),
        "returns:download": ("GET", ["cin"], {"download_year": "2026"}),
        "returns:check": ("POST", ["cin"], {}),  # no year: refused on the form (400) where allowed
        "returns:check_status": ("GET", ["cin", check.pk], {}),
        "returns:import": ("GET", ["cin"], {}),
        "returns:import_status": ("GET", ["cin", record.pk], {}),
    }
    client = client_for(make_user(role, world["north"]))
    for name, allowed in zip(RETURNS_ROUTES, RETURNS[role], strict=True):
        method, args, data = requests[name]
        send = client.post if method == "POST" else client.get
        status = send(reverse(name, args=args), data).status_code
        expected = (400 if method == "POST" else 200) if allowed else 403
        assert status == expected, (role, name, status)
    if not RETURNS[role][RETURNS_ROUTES.index("returns:import")]:
        assert client.post(reverse("returns:import", args=["cin"]), {}).status_code == 403
    assert ReturnImport.objects.count() == 1


# Document template pages (about templates, not children): only the system administrator opens them. Each route
# with how it is asked for and what the administrator gets, on a draft version made for the test.
TEMPLATE_ROUTES = {
    "doc_templates:versions": ("GET", None, 200),
    "doc_templates:new_version": ("POST", "type", 200),  # a draft exists: the list, saying so
    "doc_templates:version": ("GET", "template", 200),
    "doc_templates:preview": ("GET", "template", 200),
    "doc_templates:publish": ("GET", "template", 200),
    "doc_templates:section_new": ("GET", "template", 200),
    "doc_templates:section_edit": ("GET", "section", 200),
    "doc_templates:section_move": ("POST", "section", 302),
    "doc_templates:section_remove": ("GET", "section", 200),
    "doc_templates:question_new": ("GET", "section", 200),
    "doc_templates:question_edit": ("GET", "question", 200),
    "doc_templates:question_move": ("POST", "question", 302),
    "doc_templates:question_remove": ("GET", "question", 200),
}


def test_the_template_matrix_covers_every_template_route():
    resolver = get_resolver().namespace_dict["doc_templates"][1]
    assert {f"doc_templates:{p.name}" for p in resolver.url_patterns} == set(TEMPLATE_ROUTES)


@pytest.mark.parametrize("role", list(Role))
def test_only_the_administrator_opens_the_template_pages(role, make_user, client_for):
    from opencsc.audit.models import AuditEvent
    from opencsc.documents.models import DocumentType
    from opencsc.documents.shipped_templates import load_shipped_templates
    from opencsc.documents.template_services import template_new_version

    load_shipped_templates()
    draft = template_new_version(actor=make_user(R.ADMINISTRATOR), document_type=DocumentType.values[0])
    section = draft.sections.first()
    targets = {
        None: [],
        "type": [draft.document_type],
        "template": [draft.pk],
        "section": [section.pk],
        "question": [section.questions.first().pk],
    }
    client = client_for(make_user(role))
    events = AuditEvent.objects.count()
    for name, (method, target, allowed_status) in TEMPLATE_ROUTES.items():
        url = reverse(name, args=targets[target])
        response = (
            client.post(url, {"revision": 0, "direction": "down"}) if method == "POST" else client.get(url)
        )
        expected = allowed_status if role == R.ADMINISTRATOR else 403
        assert response.status_code == expected, (role, name)
    if role != R.ADMINISTRATOR:
        assert AuditEvent.objects.count() == events


# The published figures page (about the DfE's files, not children): only performance analysts load them.
@pytest.mark.parametrize("role", list(Role))
def test_only_performance_analysts_open_and_post_the_published_figures_page(role, make_user, client_for):
    from opencsc.insight.models import ComparatorLoad

    client = client_for(make_user(role))
    allowed = role == R.PERFORMANCE_ANALYST
    assert client.get(reverse("numbers:comparators")).status_code == (200 if allowed else 403), role
    posted = client.post(reverse("numbers:comparators"), {"year": "2025"})
    assert posted.status_code == (200 if allowed else 403), role  # the analyst is asked for the files
    assert not ComparatorLoad.objects.exists()


# API client pages (opencsc/api): only the system administrator opens them.
API_CLIENT_ROUTES = {
    "api_clients:list": ("GET", False, 200),
    "api_clients:new": ("GET", False, 200),
    "api_clients:detail": ("GET", True, 200),
    "api_clients:revoke": ("POST", True, 302),
}


def test_the_api_client_matrix_covers_every_api_client_route():
    resolver = get_resolver().namespace_dict["api_clients"][1]
    assert {f"api_clients:{p.name}" for p in resolver.url_patterns} == set(API_CLIENT_ROUTES)


@pytest.mark.parametrize("role", list(Role))
def test_only_the_administrator_opens_the_api_client_pages(role, make_user, client_for):
    from opencsc.api.models import ApiClient
    from opencsc.api.services import api_client_create

    issued = api_client_create(
        actor=make_user(R.ADMINISTRATOR),
        name="Matrix",
        organisation="Trust",
        contact_email="it@trust.example",
        scopes=["cpis.lookup"],
    )
    client = client_for(make_user(role))
    for name, (method, about_one, allowed_status) in API_CLIENT_ROUTES.items():
        url = reverse(name, args=[issued.client.pk] if about_one else [])
        response = client.post(url) if method == "POST" else client.get(url)
        assert response.status_code == (allowed_status if role == R.ADMINISTRATOR else 403), (role, name)
    assert ApiClient.objects.get().is_active == (role != R.ADMINISTRATOR)


# The early help service page (figures and the children behind them): managers, heads of service, the director
# and analysts; nobody else, the IRO included.
EARLY_HELP_SERVICE = {
    role: role in (R.TEAM_MANAGER, R.HEAD_OF_SERVICE, R.DIRECTOR, R.PERFORMANCE_ANALYST) for role in Role
}


def test_the_early_help_matrix_covers_every_early_help_route():
    resolver = get_resolver().namespace_dict["earlyhelp"][1]
    child_routes = {name for name in ROUTES if name.startswith("earlyhelp:")}
    assert {f"earlyhelp:{p.name}" for p in resolver.url_patterns} == child_routes | {"earlyhelp:service"}


@pytest.mark.parametrize("role", list(Role))
def test_the_early_help_service_page_follows_the_matrix(role, world, make_user, client_for):
    client = client_for(make_user(role, world["north"]))
    for query in ("", "?figure=started"):
        status = client.get(reverse("earlyhelp:service") + query).status_code
        assert status == (200 if EARLY_HELP_SERVICE[role] else 403), (role, query)


# The DfE data flow page (opencsc/dataflow): only the system administrator opens it or asks for a retry.
DATAFLOW_ROUTES = {
    "dataflow:outbox": ("GET", 200),
    "dataflow:retry": ("POST", 302),
}


def test_the_dataflow_matrix_covers_every_dataflow_route():
    resolver = get_resolver().namespace_dict["dataflow"][1]
    assert {f"dataflow:{p.name}" for p in resolver.url_patterns} == set(DATAFLOW_ROUTES)


@pytest.mark.parametrize("role", list(Role))
def test_only_the_administrator_opens_the_dataflow_pages(role, make_user, client_for):
    client = client_for(make_user(role))
    for name, (method, allowed_status) in DATAFLOW_ROUTES.items():
        url = reverse(name)
        response = client.post(url) if method == "POST" else client.get(url)
        assert response.status_code == (allowed_status if role == R.ADMINISTRATOR else 403), (role, name)


# The service's care proceedings page (the children behind each band named only where the user may open them,
# tested in tests/legal): managers, heads of service, the director and analysts.
PROCEEDINGS_PAGE = {
    R.SOCIAL_WORKER: 403,
    R.TEAM_MANAGER: 200,
    R.HEAD_OF_SERVICE: 200,
    R.DIRECTOR: 200,
    R.PERFORMANCE_ANALYST: 200,
    R.AUDITOR: 403,
    R.ADMINISTRATOR: 403,
    R.CHIEF_EXECUTIVE: 403,
    R.IMPROVEMENT_BOARD: 403,
    R.INDEPENDENT_REVIEWING_OFFICER: 403,
}


def test_the_proceedings_page_matrix_covers_every_role_and_route():
    assert set(PROCEEDINGS_PAGE) == set(Role)
    resolver = get_resolver().namespace_dict["legal"][1]
    service_routes = {p.name for p in resolver.url_patterns if "child_id" not in p.pattern.converters}
    assert service_routes == {"proceedings"}


@pytest.mark.parametrize("role", list(Role))
def test_the_proceedings_page_follows_its_matrix(role, make_user, client_for):
    client = client_for(make_user(role))
    assert client.get(reverse("legal:proceedings")).status_code == PROCEEDINGS_PAGE[role], role


# The exploitation service page (the children behind each figure named only where the user may open them, tested
# in tests/exploitation) and the panel's meetings (managers and heads of service record them).
EXPLOITATION_PAGES = {
    R.SOCIAL_WORKER: (403, 403),
    R.TEAM_MANAGER: (200, 200),
    R.HEAD_OF_SERVICE: (200, 200),
    R.DIRECTOR: (200, 403),
    R.PERFORMANCE_ANALYST: (200, 403),
    R.AUDITOR: (403, 403),
    R.ADMINISTRATOR: (403, 403),
    R.CHIEF_EXECUTIVE: (403, 403),
    R.IMPROVEMENT_BOARD: (403, 403),
    R.INDEPENDENT_REVIEWING_OFFICER: (403, 403),
}


def test_the_exploitation_pages_matrix_covers_every_role_and_route():
    assert set(EXPLOITATION_PAGES) == set(Role)
    resolver = get_resolver().namespace_dict["exploitation"][1]
    service_routes = {p.name for p in resolver.url_patterns if "child_id" not in p.pattern.converters}
    assert service_routes == {"service", "panel_new"}


@pytest.mark.parametrize("role", list(Role))
def test_the_exploitation_pages_follow_their_matrix(role, make_user, client_for):
    client = client_for(make_user(role))
    service, panel = EXPLOITATION_PAGES[role]
    assert client.get(reverse("exploitation:service")).status_code == service, role
    assert client.get(reverse("exploitation:panel_new")).status_code == panel, role
    assert client.post(reverse("exploitation:panel_new"), {}).status_code in {panel, 200}, role


# Allegations against people who work with children (opencsc/allegations, ADR 0037): restricted whatever the role.
# Columns: in the designated officer's team, granted access to this allegation (in an assessment team), neither.
ALLEGATION_RELATIONSHIPS = ("designated_officer_team", "granted", "outside")
ALLEGATION_OWN = {role: (role in (R.SOCIAL_WORKER, R.TEAM_MANAGER), False, False) for role in Role}
ALLEGATION_READ = {role: (role in (R.SOCIAL_WORKER, R.TEAM_MANAGER), True, False) for role in Role}
ALLEGATION_GRANT = {role: (role == R.TEAM_MANAGER, False, False) for role in Role}
# The leaders' figures (counts only): the team, heads of service and the director, wherever they sit.
ALLEGATION_FIGURES = {
    role: (
        role in (R.SOCIAL_WORKER, R.TEAM_MANAGER, R.HEAD_OF_SERVICE, R.DIRECTOR),
        role in (R.HEAD_OF_SERVICE, R.DIRECTOR),
        role in (R.HEAD_OF_SERVICE, R.DIRECTOR),
    )
    for role in Role
}
# name -> (takes the allegation, table)
ALLEGATION_ROUTES = {
    "allegations:list": (False, ALLEGATION_OWN),
    "allegations:new": (False, ALLEGATION_OWN),
    "allegations:service": (False, ALLEGATION_FIGURES),
    "allegations:detail": (True, ALLEGATION_READ),
    "allegations:consideration": (True, ALLEGATION_OWN),
    "allegations:strategy": (True, ALLEGATION_OWN),
    "allegations:outcome": (True, ALLEGATION_OWN),
    "allegations:regulator": (True, ALLEGATION_OWN),
    "allegations:access": (True, ALLEGATION_GRANT),
}


def test_the_allegation_matrix_covers_every_allegation_route():
    resolver = get_resolver().namespace_dict["allegations"][1]
    assert {f"allegations:{p.name}" for p in resolver.url_patterns} == set(ALLEGATION_ROUTES)


@pytest.mark.parametrize("role", list(Role))
def test_allegation_pages_follow_their_matrix(role, world, make_user, client_for):
    from opencsc.allegations import services as allegations
    from opencsc.allegations.models import AllegationAccess

    lado_team = Team.objects.create(name="Designated officer", kind=TeamKind.DESIGNATED_OFFICER)
    lado_manager = make_user(R.TEAM_MANAGER, lado_team)
    allegation = allegations.allegation_record(
        actor=lado_manager,
        received_on=dt.date(2025, 6, 2),
        referrer_name="Pat Head",
        referrer_organisation="Hill Street Primary School",
        subject_name="Sam Teacher",
        subject_role="Class teacher",
        subject_employer="Hill Street Primary School",
        sector="education",
        harm_test="harmed",
        harm_category="physical",
        details="X",
        children_named="Jo Pupil",
    )
    granted = make_user(role, world["north"])
    allegations.allegation_access_grant(actor=lado_manager, allegation=allegation, user=granted)
    people = (make_user(role, lado_team), granted, make_user(role, world["south"]))
    for column, user in enumerate(people):
        client = client_for(user)
        for name, (takes_allegation, table) in ALLEGATION_ROUTES.items():
            url = reverse(name, args=[allegation.pk] if takes_allegation else [])
            allowed = table[role][column]
            cell = f"{role} / {ALLEGATION_RELATIONSHIPS[column]} / {name}"
            assert client.get(url).status_code == (200 if allowed else 403), cell
            if takes_allegation and not allowed:
                assert client.post(url, {"username": user.username}).status_code == 403, cell
                missing = reverse(name, args=[allegation.pk + 1000])
                assert client.get(missing).status_code == 403, cell  # the same answer: existence is not told
        read = AllegationAccess.objects.filter(user=user, allegation=allegation).exists()
        assert read is ALLEGATION_READ[role][column], f"{role} / {ALLEGATION_RELATIONSHIPS[column]} logged"
    assert not allegation.access_grants.exclude(user=granted).exists()
    assert allegation.regulator_referrals.count() == 0


# The private fostering service page (figures and the children behind them): managers, heads of service, the
# director and analysts; nobody else.
PRIVATE_FOSTERING_SERVICE = {
    role: role in (R.TEAM_MANAGER, R.HEAD_OF_SERVICE, R.DIRECTOR, R.PERFORMANCE_ANALYST) for role in Role
}


def test_the_private_fostering_matrix_covers_every_private_fostering_route():
    resolver = get_resolver().namespace_dict["privatefostering"][1]
    child_routes = {name for name in ROUTES if name.startswith("privatefostering:")}
    expected = child_routes | {"privatefostering:service"}
    assert {f"privatefostering:{p.name}" for p in resolver.url_patterns} == expected


@pytest.mark.parametrize("role", list(Role))
def test_the_private_fostering_service_page_follows_the_matrix(role, world, make_user, client_for):
    client = client_for(make_user(role, world["north"]))
    for query in ("", "?figure=notified"):
        status = client.get(reverse("privatefostering:service") + query).status_code
        assert status == (200 if PRIVATE_FOSTERING_SERVICE[role] else 403), (role, query)
