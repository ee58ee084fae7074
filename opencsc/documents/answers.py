"""Answers to a template's questions: checked and stored as JSON (dates as ISO text), and read back for forms,
pages and the PDF. Answers are keyed by the question's key, so a document keeps them across template versions.

The repeatable kinds (people, attendance, actions, progress) are lists of rows, each a dict of its columns
(ROW_COLUMNS). A row's required columns are checked at every save, so a draft never holds half a row that cannot
be read back; the columns needed only to submit (the progress of each action) are checked on submission
(`submit_problem`), since a core group's rows arrive carried forward from the plan with their progress still to
judge. Dates in rows are written day/month/year on the form and kept as ISO text.
"""

import datetime as dt
from dataclasses import dataclass

from opencsc.casework.models import AssessmentFactor, AssessmentOutcome, CategoryOfAbuse, Section47Outcome
from opencsc.core.dates import long_date
from opencsc.documents.models import QuestionKind, TemplateQuestion

# About 15,000 words a question: longer than any section of an assessment, far short of a pasted document.
TEXT_MAX_CHARACTERS = 100_000
SHORT_TEXT_MAX_CHARACTERS = 300
YES_NO_TEXT = {True: "Yes", False: "No"}
ROW_TEXT_MAX_CHARACTERS = 300
MAX_ROWS = 40

AGENCIES = (
    ("social_care", "Children's social care"),
    ("police", "Police"),
    ("health", "Health"),
    ("education", "Education"),
    ("family", "Family"),
    ("other", "Other"),
)
ATTENDANCE = (
    ("attended", "Attended"),
    ("apologies", "Sent apologies"),
    ("report", "Sent a report, did not attend"),
    ("absent", "Invited, did not attend"),
)
PROGRESS = (
    ("done", "Done"),
    ("on_track", "On track"),
    ("not_started", "Not started"),
    ("off_track", "Off track"),
)
SINGLE_CHOICES = {
    QuestionKind.OUTCOME: AssessmentOutcome.choices,
    QuestionKind.CATEGORY: CategoryOfAbuse.choices,
    QuestionKind.SECTION_47_OUTCOME: Section47Outcome.choices,
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    choices: tuple = ()
    is_date: bool = False
    required: bool = False  # at every save
    to_submit: bool = False  # on submission only


_PEOPLE = (
    Column("agency", "Agency", choices=AGENCIES, required=True),
    Column("name", "Name", required=True),
    Column("role", "Role"),
)
_ACTIONS = (
    Column("what", "What will be done", required=True),
    Column("who", "Who", required=True),
    Column("by", "By when", is_date=True, required=True),
)
ROW_COLUMNS = {
    QuestionKind.PEOPLE: _PEOPLE,
    QuestionKind.ATTENDANCE: (
        *_PEOPLE,
        Column("attendance", "Attendance", choices=ATTENDANCE, to_submit=True),
    ),
    QuestionKind.ACTIONS: _ACTIONS,
    QuestionKind.PROGRESS: (
        *_ACTIONS,
        Column("progress", "Progress", choices=PROGRESS, to_submit=True),
        Column("notes", "What has happened"),
    ),
}


def is_blank(value) -> bool:
    """Not answered: nothing, an empty list of rows, or text of nothing but spaces."""
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _text_problem(question: TemplateQuestion, value) -> str | None:
    limit = SHORT_TEXT_MAX_CHARACTERS if question.kind == QuestionKind.SHORT_TEXT else TEXT_MAX_CHARACTERS
    if not isinstance(value, str):
        return f"{question.label}: enter text"
    if len(value) > limit:
        return f"Too long: the most '{question.label}' can hold is {limit:,} characters (this has {len(value):,})"
    return None


def _factors_problem(question: TemplateQuestion, value) -> str | None:
    if not isinstance(value, list):
        return f"{question.label}: select the factors"
    unknown = [code for code in value if code not in AssessmentFactor.values]
    if unknown:
        return f"Not a DfE assessment factor code: {', '.join(map(str, unknown))}"
    return None


def parse_day(text) -> dt.date | None:
    """A date written day/month/year (or as ISO text), or None if it is not a real date."""
    if isinstance(text, dt.date):
        return text
    text = str(text or "").strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _cell_problem(column: Column, cell) -> str | None:
    if cell in (None, ""):
        return f"enter {column.label.lower()}" if column.required else None
    if column.is_date:
        return (
            None if parse_day(cell) else f"{column.label.lower()}: enter a real date, for example 25/5/2026"
        )
    if not isinstance(cell, str):
        return f"{column.label.lower()}: enter text"
    if column.choices and cell not in dict(column.choices):
        return f"{column.label.lower()}: choose one of the list"
    if len(cell) > ROW_TEXT_MAX_CHARACTERS:
        return (
            f"{column.label.lower()}: too long, the most it can hold is {ROW_TEXT_MAX_CHARACTERS} characters"
        )
    return None


def _rows_problem(question: TemplateQuestion, value) -> str | None:
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        return f"{question.label}: enter each row"
    if len(value) > MAX_ROWS:
        return f"{question.label}: at most {MAX_ROWS} rows"
    for number, row in enumerate(value, start=1):
        for column in ROW_COLUMNS[question.kind]:
            if problem := _cell_problem(column, row.get(column.key)):
                return f"{question.label}, row {number}: {problem}"
    return None


def submit_problem(question: TemplateQuestion, value) -> str | None:
    """What must still be filled in before submitting (a row's columns needed to submit), or None."""
    if question.kind not in ROW_COLUMNS or is_blank(value):
        return None
    for number, row in enumerate(value, start=1):
        for column in ROW_COLUMNS[question.kind]:
            if column.to_submit and row.get(column.key) in (None, ""):
                return f"{question.label}, row {number}: enter {column.label.lower()} before submitting"
    return None


def answer_problem(question: TemplateQuestion, value) -> str | None:
    """What is wrong with `value` as an answer to `question`, or None. A blank answer is never wrong here."""
    if is_blank(value):
        return None
    if question.kind in ROW_COLUMNS:
        return _rows_problem(question, value)
    if question.kind in SINGLE_CHOICES and question.kind != QuestionKind.OUTCOME:
        if value not in dict(SINGLE_CHOICES[question.kind]):
            return f"{question.label}: select one of the list"
        return None
    if question.kind in (QuestionKind.TEXT, QuestionKind.SHORT_TEXT):
        return _text_problem(question, value)
    if question.kind == QuestionKind.YES_NO and not isinstance(value, bool):
        return f"{question.label}: answer yes or no"
    if question.kind == QuestionKind.DATE and not isinstance(value, dt.date):
        return f"{question.label}: enter a date"
    if question.kind == QuestionKind.FACTORS:
        return _factors_problem(question, value)
    if question.kind == QuestionKind.OUTCOME and value not in AssessmentOutcome.values:
        return f"{question.label}: select one of the decisions"
    return None


def _row_to_json(kind: str, row: dict) -> dict:
    stored = {}
    for column in ROW_COLUMNS[kind]:
        cell = row.get(column.key)
        if cell in (None, ""):
            continue
        stored[column.key] = parse_day(cell).isoformat() if column.is_date else cell
    return stored


def to_json(value, kind: str | None = None):
    """The answer as stored: a date as ISO text, a row's date too (rows are checked before they are stored)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind in ROW_COLUMNS and isinstance(value, list):
        return [_row_to_json(kind, row) for row in value]
    return value


def from_json(question: TemplateQuestion, value):
    """The stored answer as the form and the services use it (a date back to a date)."""
    if question.kind == QuestionKind.DATE and isinstance(value, str) and value:
        return dt.date.fromisoformat(value)
    return value


def in_words(question: TemplateQuestion, value) -> str:
    """The answer as a family reads it: dates written out, codes with their meaning."""
    value = from_json(question, value)
    if is_blank(value):
        return "Not answered"
    if question.kind == QuestionKind.DATE:
        return long_date(value)
    if question.kind == QuestionKind.YES_NO:
        return YES_NO_TEXT[value]
    if question.kind == QuestionKind.FACTORS:
        return "; ".join(AssessmentFactor(code).label for code in value)
    if question.kind in SINGLE_CHOICES:
        return dict(SINGLE_CHOICES[question.kind]).get(value, str(value))
    if question.kind in ROW_COLUMNS:
        return "\n".join(row_in_words(question.kind, row) for row in value)
    return str(value)


def _cell_in_words(column: Column, cell) -> str:
    if column.is_date:
        day = parse_day(cell)
        return long_date(day) if day else str(cell)
    return dict(column.choices).get(cell, cell) if column.choices else str(cell)


def row_in_words(kind: str, row: dict) -> str:
    """One row as a sentence a family can read: "Police: DC Ann Lee (detective), attended"; "Register Ella
    with a GP: her mother, by 25 May 2026: on track"."""
    words = {
        c.key: _cell_in_words(c, row[c.key]) for c in ROW_COLUMNS[kind] if row.get(c.key) not in (None, "")
    }
    if kind in (QuestionKind.PEOPLE, QuestionKind.ATTENDANCE):
        text = f"{words.get('agency', '')}: {words.get('name', '')}"
        text += f" ({words['role']})" if "role" in words else ""
        return text + (f", {words['attendance'].lower()}" if "attendance" in words else "")
    text = f"{words.get('what', '')}: {words.get('who', '')}, by {words.get('by', '')}"
    if "progress" in words:
        text += f". Progress: {words['progress'].lower()}"
    return text + (f". {words['notes']}" if "notes" in words else "")
