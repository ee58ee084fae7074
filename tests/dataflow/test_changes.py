"""Changes-only and purge records, and the hash that says a child's record changed."""

import copy

from opencsc.dataflow.changes import changes_only, payload_hash, purge_record
from opencsc.dataflow.schema import schema_problems

BEFORE = {
    "la_child_id": "7",
    "mis_child_id": "M7",
    "purge": False,
    "child_details": {"first_name": "Cleo", "sex": "F", "disabilities": ["NONE"], "purge": False},
    "social_care_episodes": [
        {
            "social_care_episode_id": "70",
            "referral_date": "2025-01-01",
            "child_in_need_plans": [
                {"child_in_need_plan_id": "700", "start_date": "2025-02-01", "purge": False},
                {"child_in_need_plan_id": "701", "start_date": "2025-03-01", "purge": False},
            ],
            "care_worker_details": [{"worker_id": "SW1", "start_date": "2025-01-01"}],
            "purge": False,
        }
    ],
}


def test_the_hash_ignores_key_order_and_sees_any_change():
    reordered = dict(reversed(list(BEFORE.items())))
    assert payload_hash(reordered) == payload_hash(BEFORE)
    changed = copy.deepcopy(BEFORE)
    changed["social_care_episodes"][0]["child_in_need_plans"][0]["end_date"] = "2025-06-01"
    assert payload_hash(changed) != payload_hash(BEFORE)


def test_a_changes_only_record_has_the_identifiers_the_details_and_what_changed():
    after = copy.deepcopy(BEFORE)
    after["social_care_episodes"][0]["child_in_need_plans"][1]["end_date"] = "2025-06-01"
    after["social_care_episodes"][0]["closure_date"] = "2025-06-01"

    record = changes_only(after, BEFORE)

    assert record == {
        "la_child_id": "7",
        "mis_child_id": "M7",
        "child_details": BEFORE["child_details"],
        "social_care_episodes": [
            {
                "social_care_episode_id": "70",
                "closure_date": "2025-06-01",
                "child_in_need_plans": [
                    {"child_in_need_plan_id": "700", "purge": False},
                    {"child_in_need_plan_id": "701", "end_date": "2025-06-01", "purge": False},
                ],
                "purge": False,
            }
        ],
    }
    assert schema_problems(record) == []


def test_a_new_item_is_sent_whole_and_a_known_one_by_its_identifier():
    after = copy.deepcopy(BEFORE)
    new_plan = {"child_in_need_plan_id": "702", "start_date": "2025-05-01", "purge": False}
    after["social_care_episodes"][0]["child_in_need_plans"].append(new_plan)
    after["social_care_episodes"][0]["care_worker_details"].append(
        {"worker_id": "SW2", "start_date": "2025-05-01"}
    )

    episode = changes_only(after, BEFORE)["social_care_episodes"][0]

    assert episode["child_in_need_plans"][-1] == new_plan
    assert episode["care_worker_details"] == [
        {"worker_id": "SW1"},
        {"worker_id": "SW2", "start_date": "2025-05-01"},
    ]


def test_an_unchanged_record_carries_only_the_required_fields():
    assert changes_only(BEFORE, copy.deepcopy(BEFORE)) == {
        "la_child_id": "7",
        "mis_child_id": "M7",
        "child_details": BEFORE["child_details"],
    }


def test_a_purge_record_names_the_child_only():
    assert purge_record(BEFORE) == {"la_child_id": "7", "mis_child_id": "M7", "purge": True}
    assert purge_record({**BEFORE, "mis_child_id": None}) == {"la_child_id": "7", "purge": True}
    assert schema_problems(purge_record(BEFORE)) == []
