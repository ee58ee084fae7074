"""Helpers shared by the test modules.

`assert_refused` is the one check of a bad-input test on a service (examples.md): the call raises a
ValidationError with the expected words on the right field, and nothing at all is written, proven by the row
counts (or any state) the module's own `counts` callable returns being the same before and after. A module binds
its counts once: `_refused = partial(assert_refused, counts=_counts)`.
"""

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

WHOLE = "__all__"  # a refusal of the whole record, not of one field


def refusal_messages(error: ValidationError, field: str | None) -> list[str]:
    """The messages on `field`; every message for `field` None or "__all__"."""
    if field is None or field == WHOLE:
        return error.messages
    return error.message_dict.get(field, []) if hasattr(error, "error_dict") else []


def assert_refused(call: Callable[[], object], field: str | None, text: str, *, counts: Callable[[], object]):
    """`call` is refused with `text` in a message on `field`, and `counts()` is as it was before."""
    before = counts()
    with pytest.raises(ValidationError) as refused:
        call()
    error = refused.value
    assert any(text in message for message in refusal_messages(error, field)), getattr(
        error, "message_dict", error
    )
    assert counts() == before
    return error
