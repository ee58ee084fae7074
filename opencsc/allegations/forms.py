"""Forms for allegations. They check only the shape of what was typed; `services.py` checks the rules (dates in
order and not ahead, one consideration and one outcome, the strategy discussion's link)."""

from django import forms

from opencsc.allegations.models import (
    OUTCOME_DEFINITIONS,
    HarmCategory,
    HarmTest,
    InitialDecision,
    Outcome,
    RegulatorBody,
    Sector,
)
from opencsc.looked_after.fields import date_field

TEXT_MAX_CHARACTERS = 10_000


def _text(label: str, message: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=200,
        required=required,
        help_text=help_text,
        error_messages={"required": message},
    )


def _radios(label: str, choices, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, error_messages={"required": message}
    )


class ReferralForm(forms.Form):
    received_on = date_field("Date received", "date received")
    referrer_name = _text("Referrer's name", "Enter the referrer's name")
    referrer_role = _text("Referrer's role", "", required=False, help_text="For example, headteacher")
    referrer_organisation = _text("Referrer's organisation", "Enter the referrer's organisation")
    subject_name = _text(
        "Name of the person the allegation is about", "Enter the name of the person the allegation is about"
    )
    subject_role = _text(
        "Their role", "Enter their role", help_text="For example, class teacher, sports coach"
    )
    subject_employer = _text("Their employer or organisation", "Enter their employer or organisation")
    subject_is_volunteer = forms.BooleanField(label="They are a volunteer", required=False)
    sector = _radios("Sector", Sector.choices, "Select the sector the person works in")
    harm_test = _radios(
        "Which part of the harm test does the allegation meet?",
        HarmTest.choices,
        "Select which part of the harm test the allegation meets",
    )
    harm_category = _radios("Category of harm", HarmCategory.choices, "Select the category of harm")
    details = forms.CharField(
        label="What is alleged",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=TEXT_MAX_CHARACTERS,
        error_messages={"required": "Say what is alleged"},
    )
    children_named = forms.CharField(
        label="Children concerned",
        help_text="One name a line, as the referrer gave them",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2_000,
    )
    child_ids = forms.CharField(
        label="Record IDs of children with a record here",
        help_text="The LA child ID of each, separated by spaces or commas",
        required=False,
        max_length=500,
    )


class ConsiderationForm(forms.Form):
    considered_on = date_field("Date of the initial consideration", "date of the initial consideration")
    decision = _radios(
        "What did the initial consideration decide?",
        InitialDecision.choices,
        "Select the decision of the initial consideration",
    )


class StrategyForm(forms.Form):
    held_on = date_field("Date of the strategy discussion", "date of the strategy discussion")
    strategy_discussion = forms.TypedChoiceField(
        label="The child's strategy discussion it ran as",
        help_text="Where the discussion started the child protection route for a linked child",
        choices=[],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, discussions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.discussions = {d.pk: d for d in discussions}
        self.fields["strategy_discussion"].choices = [("", "None of these")] + [
            (d.pk, f"Held {d.held_on:%-d %B %Y} (record {d.child.la_child_id})") for d in discussions
        ]

    def clean_strategy_discussion(self):
        chosen = self.cleaned_data.get("strategy_discussion")
        return self.discussions.get(chosen) if chosen is not None else None


class OutcomeForm(forms.Form):
    concluded_on = date_field("Date concluded", "date concluded")
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[(value, f"{label}: {OUTCOME_DEFINITIONS[value]}") for value, label in Outcome.choices],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of the allegation"},
    )
    summary = forms.CharField(
        label="Summary of the outcome",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=TEXT_MAX_CHARACTERS,
    )


class RegulatorReferralForm(forms.Form):
    body = _radios("Referred to", RegulatorBody.choices, "Select who the person was referred to")
    referred_on = date_field("Date of the referral", "date of the referral")


class AccessGrantForm(forms.Form):
    username = forms.CharField(
        label="Username of the person to give access",
        max_length=150,
        error_messages={"required": "Enter the username of the person to give access"},
    )
