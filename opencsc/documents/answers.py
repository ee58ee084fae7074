"""Answers to a template's questions: checked and stored as JSON (dates as ISO text), and read back for forms,
pages and the PDF. Answers are keyed by the question's key, so a document keeps them across template versions."""

import datetime as dt

from opencsc.casework.models import AssessmentFactor, AssessmentOutcome
from opencsc.documents.models import QuestionKind, TemplateQuestion

# About 15,000 words a question: longer than any section of an assessment, far short of a pasted document.
TEXT_MAX_CHARACTERS = 100_000
SHORT_TEXT_MAX_CHARACTERS = 300
YES_NO_TEXT = {True: "Yes", False: "No"}


def is_blank(value) -> bool:
    return value is None or value == "" or value == []


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


def answer_problem(question: TemplateQuestion, value) -> str | None:
    """What is wrong with `value` as an answer to `question`, or None. A blank answer is never wrong here."""
    if is_blank(value):
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


def to_json(value):
    return value.isoformat() if isinstance(value, dt.date) else value


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
        return f"{value.day} {value:%B %Y}"
    if question.kind == QuestionKind.YES_NO:
        return YES_NO_TEXT[value]
    if question.kind == QuestionKind.FACTORS:
        return "; ".join(AssessmentFactor(code).label for code in value)
    if question.kind == QuestionKind.OUTCOME:
        return AssessmentOutcome(value).label
    return str(value)
