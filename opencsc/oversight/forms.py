from django import forms

from opencsc.oversight.models import LEVEL_ORDER, ActionStatus
from opencsc.ui.govuk_forms import GovukDateField


class CloseForm(forms.Form):
    response = forms.CharField(
        label="What was done about it, and by whom",
        help_text="For example: Sam Patel (social worker) visited and saw the child alone on 14 May; visits are "
        "now booked fortnightly.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,  # the service says what is missing, in the service's words
        max_length=5000,
    )


class ChainFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[("open", "Open"), ("closed", "Closed")], required=False
    )
    level = forms.ChoiceField(label="Held by", required=False)
    rule = forms.ChoiceField(label="Timescale", required=False)
    team = forms.TypedChoiceField(label="Team", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "Any level")] + [
            (level.value, level.label) for level in LEVEL_ORDER
        ]
        self.fields["rule"].choices = [("", "Any timescale")] + choices["rules"]
        self.fields["team"].choices = [("", "Any team")] + [(str(pk), name) for pk, name in choices["teams"]]


class ActionForm(forms.Form):
    """Shape only: the service says what is missing or inconsistent, in the service's words."""

    description = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    due_on = GovukDateField(label="Due date", label_for_errors="due date", required=False)
    status = forms.ChoiceField(
        label="Status", choices=ActionStatus.choices, widget=forms.RadioSelect, required=False
    )
    completed_on = GovukDateField(
        label="Completion date",
        label_for_errors="completion date",
        help_text="Only for a complete action. For example, 27 3 2015",
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {owner.pk: owner for owner in owners}
        self.fields["owner"].choices = [("", "Choose the owner")] + [
            (str(owner.pk), f"{owner.display_name} ({owner.job_title or owner.get_role_display()})")
            for owner in owners
        ]

    def action_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "description": data.get("description") or "",
            "owner": self.owners.get(data.get("owner")),
            "due_on": data.get("due_on"),
            "status": data.get("status") or "",
            "completed_on": data.get("completed_on"),
        }


class EvidenceForm(forms.Form):
    note = forms.CharField(
        label="Evidence",
        help_text="What was done and what it shows, for example: audit of 40 assessments in March: 31 good or "
        "better, up from 18 in January.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=10000,
    )
    recorded_on = GovukDateField(
        label="Date of the evidence", label_for_errors="date of the evidence", required=False
    )


class DigestAnswerForm(forms.Form):
    """One line of the digest: its escalations (as shown) and the answer. One form per line, told apart by
    its prefix, so an error shows on the line it belongs to and keeps what was typed."""

    response = forms.CharField(
        label="What will be done, and by whom",
        help_text="Recorded as the response on every escalation on this line. For example: the team manager "
        "will see each child's plan with the worker this week; visits are booked for every child by Friday.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,  # the service says what is missing, in the service's words
        max_length=5000,
    )
    escalations = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60_000)  # 5,000 ids

    def escalation_ids(self) -> list[int]:
        text = (self.cleaned_data or {}).get("escalations") or ""
        return [int(part) for part in text.split(",") if part.strip().isdigit()]
