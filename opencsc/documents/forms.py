"""The document's form is made from its template version: one field per question, none required (a draft keeps
whatever has been written; the submit service says what is missing, on the question)."""

from django import forms

from opencsc.casework.models import AssessmentFactor
from opencsc.documents.answers import (
    MAX_ROWS,
    ROW_COLUMNS,
    ROW_TEXT_MAX_CHARACTERS,
    SHORT_TEXT_MAX_CHARACTERS,
    SINGLE_CHOICES,
    TEXT_MAX_CHARACTERS,
    Column,
    from_json,
    parse_day,
)
from opencsc.documents.models import PracticeDocument, QuestionKind, TemplateQuestion
from opencsc.documents.services import COMMENT_MAX_CHARACTERS
from opencsc.ui.govuk_forms import GovukDateField, LongTextField

YES_NO = [("yes", "Yes"), ("no", "No")]
BLANK_ROWS = 3  # empty rows offered below those written, for more people or actions


class RowsWidget(forms.Widget):
    """A repeatable question's rows, posted as `<key>-<row>-<column>`; a row left wholly blank is dropped."""

    def __init__(self, columns: tuple[Column, ...]):
        super().__init__()
        self.columns = columns

    def value_from_datadict(self, data, files, name):
        rows = []
        for number in range(MAX_ROWS + BLANK_ROWS):
            row = {c.key: (data.get(f"{name}-{number}-{c.key}") or "").strip() for c in self.columns}
            if any(row.values()):
                rows.append(row)
        return rows


class RowsField(forms.Field):
    """The rows as typed: the services check them (a refusal names the row and the column) and the page shows them
    again as typed, so nothing is lost."""

    def __init__(self, *, columns: tuple[Column, ...], **kwargs):
        self.columns = columns
        self.max_length = ROW_TEXT_MAX_CHARACTERS  # each box's limit, said in the refusal
        super().__init__(widget=RowsWidget(columns), **kwargs)

    def to_python(self, value):
        return value or []

    def rows_for_page(self, value) -> list[dict]:
        """The rows to show (dates as day/month/year) and the blank rows below them."""
        shown = []
        for row in value or []:
            cells = dict(row)
            for column in self.columns:
                day = parse_day(cells.get(column.key)) if column.is_date and cells.get(column.key) else None
                if day:
                    cells[column.key] = f"{day.day}/{day.month}/{day.year}"
            shown.append(cells)
        return shown + [{} for _ in range(BLANK_ROWS)]


def _field(question: TemplateQuestion) -> forms.Field:
    common = {"label": question.label, "help_text": question.help_text, "required": False}
    if question.kind == QuestionKind.TEXT:
        return LongTextField(
            max_length=TEXT_MAX_CHARACTERS,
            holder=f"'{question.label}'",
            widget=forms.Textarea(attrs={"rows": 8}),
            **common,
        )
    if question.kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(max_length=SHORT_TEXT_MAX_CHARACTERS, **common)
    if question.kind == QuestionKind.DATE:
        return GovukDateField(label_for_errors=question.label.lower(), **common)
    if question.kind == QuestionKind.YES_NO:
        return forms.TypedChoiceField(
            choices=YES_NO, coerce=lambda v: v == "yes", empty_value=None, widget=forms.RadioSelect, **common
        )
    if question.kind == QuestionKind.FACTORS:
        choices = [(code, f"{code} {label}") for code, label in AssessmentFactor.choices]
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if question.kind in ROW_COLUMNS:
        return RowsField(columns=ROW_COLUMNS[question.kind], **common)
    return forms.ChoiceField(choices=SINGLE_CHOICES[question.kind], widget=forms.RadioSelect, **common)


def _initial(question: TemplateQuestion, value):
    value = from_json(question, value)
    if question.kind == QuestionKind.YES_NO:
        return {True: "yes", False: "no"}.get(value)
    return value


class DocumentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, document: PracticeDocument, **kwargs):
        self.questions = document.template.questions()
        kwargs.setdefault(
            "initial",
            {
                "version": document.version,
                **{q.key: _initial(q, document.answers.get(q.key)) for q in self.questions},
            },
        )
        super().__init__(*args, **kwargs)
        for question in self.questions:
            self.fields[question.key] = _field(question)

    def sections(self):
        """The bound fields grouped by section, for the page."""
        grouped: dict[int, tuple] = {}
        for question in self.questions:
            grouped.setdefault(question.section.pk, (question.section, []))[1].append(self[question.key])
        return list(grouped.values())

    def answers(self) -> dict:
        return {q.key: self.cleaned_data.get(q.key) for q in self.questions}

    def answers_typed_correctly(self) -> dict:
        """For an autosave: the answers without errors, so that one half-typed date does not hold back the rest
        (the answers with errors keep what was saved before)."""
        return {q.key: self.cleaned_data[q.key] for q in self.questions if q.key in self.cleaned_data}


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = LongTextField(
        label="Your comments",
        help_text="Needed to return the document: say what the worker should change. "
        "They are kept as management oversight on the child's chronology.",
        max_length=COMMENT_MAX_CHARACTERS,
        holder="your comments",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
