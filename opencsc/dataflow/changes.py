"""Changes-only records and purge records for the DfE children's social care API, as Data to Insight's sender
makes them (dfe-csc-api-data-flows, api_pipeline/payload.py and config.py at commit 41e6f19d).

Rules:
- A child's record changed when the SHA-256 of its canonical JSON (keys sorted) differs from the hash of the
  record last queued for it. The tool hashes a projection without system identifiers; OpenCSC's identifiers are
  stable, so the whole record is hashed (ADR 0033).
- A changes-only record carries la_child_id, mis_child_id and child_details whole, then every other key whose
  value changed. Inside a changed object only the changed keys are sent. Inside a changed list each item that has
  an identifier (a key ending in `_id`) is matched to the previous item with the same identifier: a matched item
  is sent as its identifier and its changed keys (every matched item, changed or not, so the receiver keeps the
  whole list), with `purge: false` in the blocks the tool allows; an unmatched item is sent whole. A worker is
  matched by worker_id, as the tool matches any `_id` key; SDQ scores have no identifier, so each is sent whole.
- An item that disappeared from a list is not purged: it may only have left the window, and the tool leaves it.
- A child who was sent and is no longer in the cohort gets a purge record: its identifiers and `purge: true`.
"""

import hashlib

from opencsc.dataflow.payload import canonical

REQUIRED_FIELDS = ("la_child_id", "mis_child_id", "child_details")
PURGE_BLOCKS = frozenset(
    {
        "social_care_episodes",
        "child_protection_plans",
        "child_in_need_plans",
        "health_and_wellbeing",
        "care_leavers",
    }
)


def payload_hash(record: dict) -> str:
    return hashlib.sha256(canonical(record).encode()).hexdigest()


def changes_only(current: dict, previous: dict) -> dict:
    """The identifiers, the child's details and what changed since `previous`."""
    record = {key: current[key] for key in REQUIRED_FIELDS if key in current}
    for key, value in _changed(current, previous).items():
        record.setdefault(key, value)
    return record


def purge_record(previous: dict) -> dict:
    record = {"la_child_id": previous["la_child_id"], "purge": True}
    if previous.get("mis_child_id"):
        record["mis_child_id"] = previous["mis_child_id"]
    return record


def _changed(current: dict, previous: dict) -> dict:
    changed = {}
    for key, value in current.items():
        before = previous.get(key)
        if key in previous and value == before:
            continue
        if isinstance(value, dict) and isinstance(before, dict):
            nested = _changed(value, before)
            if nested:
                changed[key] = nested
        elif isinstance(value, list) and isinstance(before, list):
            changed[key] = _changed_items(value, before, purgeable=key in PURGE_BLOCKS)
        else:
            changed[key] = value
    return changed


def _identifier(item) -> str | None:
    if not isinstance(item, dict):
        return None
    return next((key for key in item if key.endswith("_id")), None)


def _changed_items(current: list, previous: list, *, purgeable: bool) -> list:
    items = []
    for item in current:
        id_key = _identifier(item)
        match = next(
            (p for p in previous if id_key and isinstance(p, dict) and p.get(id_key) == item[id_key]), None
        )
        if match is None:
            items.append(item)
            continue
        changed = {id_key: item[id_key], **_changed(item, match)}
        if purgeable:
            changed["purge"] = False
        items.append(changed)
    return items
