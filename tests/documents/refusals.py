"""The one check of a refused document service: the refusal names the field (a question, with the row and column
of a repeatable answer), and nothing at all is written: no document, version, review, audit event, chronology line
or template question, and the statutory record it completes is as it was."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms.models import model_to_dict

from opencsc.audit.models import AuditEvent
from opencsc.casework.models import ChronologyEntry
from opencsc.documents.models import (
    DocumentReview,
    DocumentVersion,
    PracticeDocument,
    TemplateQuestion,
)

ROW_MODELS = (
    PracticeDocument,
    DocumentVersion,
    DocumentReview,
    AuditEvent,
    ChronologyEntry,
    TemplateQuestion,
)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


def _as_stored(record: Model | None) -> dict | None:
    return model_to_dict(type(record).objects.get(pk=record.pk)) if record is not None else None


def refused(call, field: str, text: str, record: Model | None = None) -> ValidationError:
    """`call` is refused with `text` on `field` ('__all__' for a refusal of the whole document), row counts do not
    change, and `record` (the statutory record, if given) is stored as it was."""
    before, stored = row_counts(), _as_stored(record)
    with pytest.raises(ValidationError) as raised:
        call()
    error = raised.value
    if field == "__all__" or not hasattr(error, "error_dict"):
        messages = error.messages if field == "__all__" else []
    else:
        messages = error.message_dict.get(field, [])
    assert any(text in message for message in messages), error
    assert row_counts() == before
    assert _as_stored(record) == stored
    return error
