"""Forms of the administrator's template pages. Each carries the draft's revision as the page showed it, so that a
change made from a page opened before another change is refused by the service (and the form keeps the typing)."""

from django import forms

from opencsc.documents.models import QuestionKind, StatutoryField, TemplateSection
from opencsc.documents.template_services import (
    DOWN,
    HELP_MAX_CHARACTERS,
    LABEL_MAX_CHARACTERS,
    TITLE_MAX_CHARACTERS,
    UP,
)
from opencsc.ui.govuk_forms import LongTextField


class RevisionForm(forms.Form):
    """A change with nothing to type (publish, remove): the revision alone."""

    revision = forms.IntegerField(widget=forms.HiddenInput)


class MoveForm(RevisionForm):
    direction = forms.ChoiceField(
        choices=[(UP, "Up"), (DOWN, "Down")], error_messages={"required": "Choose to move it up or down"}
    )


def _guidance(holder: str) -> LongTextField:
    return LongTextField(
        label="Guidance for the worker (optional)",
        help_text="Shown under the heading while the document is written",
        max_length=HELP_MAX_CHARACTERS,
        holder=holder,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class SectionForm(RevisionForm):
    title = LongTextField(
        label="Section heading",
        max_length=TITLE_MAX_CHARACTERS,
        holder="the section's title",
        widget=forms.TextInput,
        error_messages={"required": "Enter the section's title"},
    )
    help_text = _guidance("the section's guidance")


class QuestionForm(RevisionForm):
    label = LongTextField(
        label="Question",
        max_length=LABEL_MAX_CHARACTERS,
        holder="the question",
        widget=forms.TextInput,
        error_messages={"required": "Enter the question"},
    )
    help_text = _guidance("the question's guidance")
    kind = forms.ChoiceField(
        label="Kind of answer",
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
        initial=QuestionKind.TEXT,
        error_messages={"required": "Choose what kind of answer the question takes"},
    )
    required = forms.BooleanField(
        label="An answer is needed before the document is submitted", required=False
    )
    statutory_field = forms.ChoiceField(
        label="Field of the statutory record it fills",
        help_text="The date or code the clocks, KPIs and returns read. Once set on a published version, it stays.",
        choices=[("", "None")] + StatutoryField.choices,
        required=False,
    )


class QuestionChangeForm(QuestionForm):
    """As QuestionForm, and the section the question is in (choosing another moves it to that section's end)."""

    section = forms.TypedChoiceField(
        label="Section", coerce=int, error_messages={"required": "Choose the section the question is in"}
    )

    def __init__(self, *args, sections: list[TemplateSection], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.pk, s.title) for s in sections]
