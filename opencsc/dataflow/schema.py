"""The JSON Schema every record is checked against before it is queued (payload.schema.json, written from the
pilot specification 0.8 as Data to Insight's tool documents it; docs/dataflow.md).

A record that breaks it is held back and named on the data flow page by its la_child_id: posted, it would make the
receiver refuse the whole batch, and the outbox, delivered in order, would stop behind it. A problem names the
field and the rule it breaks, never the value: the page is for administrators, who may not open the child."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).with_name("payload.schema.json")


@cache
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_problems(record: dict) -> list[str]:
    """What in the record breaks the schema, each as `path: reason`; empty when it conforms."""
    problems = []
    for error in sorted(validator().iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(record)"
        problems.append(f"{where}: {_reason(error)}")
    return problems


def _reason(error) -> str:
    limit = error.validator_value
    match error.validator:
        case "maxLength":
            return f"longer than {limit} characters"
        case "minLength":
            return "empty"
        case "maxItems":
            return f"more than {limit} items"
        case "pattern":
            return f"not in the form {_form(limit)}"
        case "format":
            return f"not a valid {limit}"
        case "enum":
            return f"not one of {', '.join(str(value) for value in limit if value is not None)}"
        case "type":
            return f"not of type {' or '.join(limit) if isinstance(limit, list) else limit}"
        case "minimum" | "maximum":
            return f"{'below' if error.validator == 'minimum' else 'above'} {limit}"
        case "required" | "additionalProperties":
            return error.message  # names the property, not a value
    return f"breaks the rule {error.validator}"


def _form(pattern: str) -> str:
    return "YYYY-MM-DD" if pattern == r"^\d{4}-\d{2}-\d{2}$" else pattern
