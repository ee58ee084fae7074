import datetime as dt

from django import forms

from opencsc.casework.models import NoteType
from opencsc.core.text_limits import NOTE_MAX_CHARACTERS
from opencsc.ui.govuk_forms import GovukDateField, LongTextField

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )


class CaseNoteForm(forms.Form):
    children = forms.MultipleChoiceField(
        label="Which children is this note about?",
        help_text="Record one note for brothers and sisters seen together",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one child the note is about"},
    )
    note_type = forms.ChoiceField(label="Type of note", choices=NoteType.choices)
    event_on = GovukDateField(
        label="Date it happened",
        label_for_errors="date it happened",
        required=False,
        help_text="For example, 27 3 2026",
    )
    event_time = forms.TimeField(
        label="Time (optional)",
        required=False,
        help_text="For example, 14:30",
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        error_messages={"invalid": "Enter a time like 14:30"},
    )
    title = forms.CharField(label="Title", max_length=200, required=False)
    child_seen = _yes_no("Was the child seen?")
    child_seen_alone = _yes_no("Was the child seen alone?")
    not_seen_alone_reason = forms.CharField(
        label="If not seen alone, why not", max_length=300, required=False
    )
    bedroom_seen = _yes_no("Was the child's bedroom seen?")
    body = LongTextField(
        label="What happened",
        max_length=NOTE_MAX_CHARACTERS,
        holder="a note",
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
    )
    is_significant = forms.BooleanField(
        label="This is a significant event for the chronology", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, child_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = child_choices

    def note_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("children", "version"):
            data.pop(key, None)
        return data


class AmendmentForm(CaseNoteForm):
    reason = forms.CharField(
        label="Why are you amending this note?",
        max_length=500,
        help_text="This is kept with the note's history",
        error_messages={"required": "Enter the reason"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].required = False
        self.fields["children"].disabled = True


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
