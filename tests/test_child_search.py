"""Child search: every kind of query finds the right children, in name order, and never a child the user may
not open, whichever way the search is answered (sorted here when narrow, by the database when broad)."""

import datetime as dt

import pytest
from django.db import connection

from opencsc.accounts.models import Role
from opencsc.people import selectors
from opencsc.people import services as people_services
from opencsc.people.models import ChildAddress
from opencsc.people.selectors import child_search


def _child(actor, team, **overrides):
    details = {"first_name": "Ava", "last_name": "Reed", "date_of_birth": dt.date(2016, 5, 1), "sex": "F"}
    return people_services.child_create(actor=actor, team=team, **{**details, **overrides})


@pytest.fixture
def authority(make_user, teams):
    head = make_user(Role.HEAD_OF_SERVICE, None)
    north = make_user(Role.SOCIAL_WORKER, teams["north"])
    oliver = _child(head, teams["north"], first_name="Oliver", last_name="Smith", nhs_number="9434765919")
    olivia = _child(head, teams["north"], first_name="Olivia", last_name="Smithson", upn="A123456789012")
    known_as = _child(
        head, teams["south"], first_name="Mara", last_name="Oakes", date_of_birth=dt.date(2015, 2, 3)
    )
    people_services.alias_add(actor=head, child=known_as, first_name="Olive", last_name="Smart", kind="")
    ben = _child(head, teams["north"], first_name="Ben", last_name="Adams")
    people_services.address_move_in(
        actor=head, child=ben, line_1="1 High St", town="Aylesbury", postcode="HP19 8FF",
        moved_in_on=dt.date(2020, 1, 1),
    )  # fmt: skip
    hidden = _child(head, teams["north"], first_name="Oliver", last_name="Smithers")
    manager = make_user(Role.TEAM_MANAGER, teams["north"])
    people_services.child_restrict(actor=manager, child=hidden, named_users=[])
    return {
        "head": head, "north": north, "oliver": oliver, "olivia": olivia, "known_as": known_as, "ben": ben,
        "hidden": hidden, "manager": manager,
    }  # fmt: skip


def _found(world, text, user="head"):
    return [child.first_name + " " + child.last_name for child in child_search(user=world[user], text=text)]


@pytest.fixture(params=["sorted here", "sorted by the database"])
def either_way(request, monkeypatch):
    if request.param == "sorted by the database":
        monkeypatch.setattr(selectors, "SORT_HERE_LIMIT", 0)
        monkeypatch.setattr(selectors, "SORT_HERE_LIMIT_SPREAD", 0)
    return request.param


def test_a_surname_prefix_finds_every_child_whose_name_starts_with_it_in_name_order(authority, either_way):
    assert _found(authority, "smi") == ["Oliver Smith", "Olivia Smithson"]


def test_a_partial_name_needs_every_word_to_start_a_name(authority, either_way):
    assert _found(authority, "Oli Smi") == ["Oliver Smith", "Olivia Smithson"]
    assert _found(authority, "oliv smithson") == ["Olivia Smithson"]
    assert _found(authority, "Oliver Smith") == ["Oliver Smith"]
    assert _found(authority, "Ben Smith") == []


def test_a_name_matches_on_an_alias_and_words_may_mix_record_and_alias(authority, either_way):
    assert _found(authority, "Olive Smart") == ["Mara Oakes"]
    assert _found(authority, "Mara Smart") == ["Mara Oakes"]
    assert "Mara Oakes" in _found(authority, "oli")


def test_postcodes_dates_and_identifiers(authority, either_way):
    assert _found(authority, "HP19") == ["Ben Adams"]
    assert _found(authority, "hp19 8ff") == ["Ben Adams"]
    assert _found(authority, "HP2") == []
    assert _found(authority, "03/02/2015") == ["Mara Oakes"]
    assert _found(authority, "943 476 5919") == ["Oliver Smith"]
    assert _found(authority, "a123456789012") == ["Olivia Smithson"]
    assert _found(authority, authority["ben"].la_child_id) == ["Ben Adams"]


def test_a_restricted_child_is_found_by_nobody_it_does_not_name(authority, either_way):
    hidden = authority["hidden"]
    for text in ("Oliver", "Oli Smi", "smithers", hidden.la_child_id, "01/05/2016"):
        assert "Oliver Smithers" not in _found(authority, text), text
    assert _found(authority, "smithers", user="north") == []
    assert _found(authority, "Oli Smithe", user="manager") == ["Oliver Smithers"]


def test_a_social_worker_finds_only_their_teams_children(authority, either_way):
    assert _found(authority, "Oli", user="north") == ["Oliver Smith", "Olivia Smithson"]
    assert _found(authority, "Olive Smart", user="north") == []


def test_no_more_than_the_limit_is_returned_and_the_first_by_name(authority, either_way):
    found = child_search(user=authority["head"], text="o", limit=2)
    assert [child.last_name for child in found] == ["Oakes", "Smith"]


def test_the_postcode_index_holds_the_child_so_a_postcode_search_needs_no_address_rows(db):
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, ChildAddress._meta.db_table)
        assert indexes["address_postcode_child"]["columns"] == ["postcode_key", "child_id"]
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'address_postcode_child'")
            assert "postcode_key varchar_pattern_ops" in cursor.fetchone()[0]


def test_an_alias_is_found_when_too_many_aliases_match_to_list_their_children(authority, monkeypatch):
    monkeypatch.setattr(selectors, "ALIAS_ID_LIMIT", 0)
    assert _found(authority, "Olive Smart") == ["Mara Oakes"]
    assert _found(authority, "Mara Smart") == ["Mara Oakes"]
