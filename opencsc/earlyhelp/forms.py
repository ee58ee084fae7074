"""Forms for early help. They check only the shape of what was typed; `services.py` checks the rules (dates
within the episode, the lead professional reachable, one open episode)."""

from django import forms

from opencsc.core.codes import ReasonForClosure
from opencsc.earlyhelp.models import EpisodeEnd, EpisodeStart, LeadOrganisation
from opencsc.earlyhelp.services import CLOSING_REASONS, STEP_DOWN_REASONS
from opencsc.frontdoor.forms import CONCERNS_MAX_CHARACTERS
from opencsc.looked_after.fields import date_field

SUMMARY_MAX_CHARACTERS = 5_000


class LeadProfessionalForm(forms.Form):
    lead_name = forms.CharField(
        label="Lead professional's name",
        max_length=200,
        error_messages={"required": "Enter the lead professional's name"},
    )
    lead_role = forms.CharField(
        label="Their role",
        max_length=200,
        required=False,
        help_text="For example, designated safeguarding lead",
    )
    lead_organisation_kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=LeadOrganisation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of organisation the lead professional works for"},
    )
    lead_organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        help_text="For example, Hill Street Primary School",
        error_messages={"required": "Enter the organisation the lead professional works for"},
    )
    lead_email = forms.EmailField(label="Email address", required=False)
    lead_phone = forms.CharField(label="Phone number", max_length=40, required=False)


class EpisodeOpenForm(LeadProfessionalForm):
    started_on = date_field("Date early help started", "date early help started")
    started_by = forms.ChoiceField(
        label="How was early help asked for?",
        choices=[(c, label) for c, label in EpisodeStart.choices if c != EpisodeStart.STEP_DOWN],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how early help was asked for"},
    )
    field_order = ["started_on", "started_by"]


class AssessmentStartForm(forms.Form):
    started_on = date_field("Date the assessment started", "date the assessment started")
    organisation = forms.CharField(
        label="Organisation completing the assessment",
        max_length=200,
        error_messages={"required": "Enter the organisation completing the assessment"},
    )


class AssessmentCompleteForm(forms.Form):
    completed_on = date_field("Date the assessment was completed", "date the assessment was completed")


class FamilyReviewForm(forms.Form):
    held_on = date_field("Date of the review", "date of the review")
    summary = forms.CharField(
        label="What the review decided",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=SUMMARY_MAX_CHARACTERS,
    )


class EpisodeCloseForm(forms.Form):
    ended_on = date_field("Date early help ended", "date early help ended")
    end_reason = forms.ChoiceField(
        label="Why is early help ending?",
        choices=[(c, EpisodeEnd(c).label) for c in CLOSING_REASONS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select why early help is ending"},
    )


class StepUpForm(forms.Form):
    stepped_up_on = date_field("Date of the step-up", "date of the step-up")
    concerns = forms.CharField(
        label="What has changed, and why is early help no longer enough?",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=CONCERNS_MAX_CHARACTERS,
        error_messages={"required": "Say what has changed and why early help is no longer enough"},
    )


class StepDownForm(LeadProfessionalForm):
    closed_on = date_field("Date the case closes to early help", "date the case closes")
    reason = forms.ChoiceField(
        label="Reason for closure (CIN census)",
        choices=[(c, f"{c}: {ReasonForClosure(c).label}") for c in STEP_DOWN_REASONS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select RC9 (closed after assessment) or RC7 (services ceased)"},
    )
    field_order = ["closed_on", "reason"]
