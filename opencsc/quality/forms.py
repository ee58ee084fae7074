"""Forms for case file audits. They check shape only (nothing is required here): the services say what is
missing or wrong, on the field, so one message names each problem."""

from django import forms

from opencsc.accounts.models import Team
from opencsc.quality.models import AuditDomain, Grade
from opencsc.quality.services import (
    ACTION_MAX_CHARACTERS,
    FINDINGS_MAX_CHARACTERS,
    MOST_PER_TEAM,
    REASON_MAX_CHARACTERS,
    RESPONSE_MAX_CHARACTERS,
    SUMMARY_MAX_CHARACTERS,
    TITLE_MAX_CHARACTERS,
)
from opencsc.ui.govuk_forms import GovukDateField, LongTextField


def _grade_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=Grade.choices, widget=forms.RadioSelect, required=False)


class FileAuditForm(forms.Form):
    """A grade and findings for each domain, then the overall grade and the summary."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for domain in AuditDomain:
            self.fields[f"{domain}_grade"] = _grade_field(f"Grade: {domain.label.lower()}")
            self.fields[f"{domain}_findings"] = LongTextField(
                label="Findings",
                help_text="What the file shows, with examples",
                max_length=FINDINGS_MAX_CHARACTERS,
                holder="findings",
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
            )
        self.fields["grade"] = _grade_field("Overall grade for the file")
        self.fields["summary"] = LongTextField(
            label="Summary",
            help_text="The child's experience as the file shows it, and what most needs to change",
            max_length=SUMMARY_MAX_CHARACTERS,
            holder="a summary",
            widget=forms.Textarea(attrs={"rows": 6}),
            required=False,
        )

    def domains(self):
        """(label, grade field, findings field) for each domain, for the page."""
        return [(d.label, self[f"{d}_grade"], self[f"{d}_findings"]) for d in AuditDomain]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "domain_grades": {d.value: data.get(f"{d}_grade", "") for d in AuditDomain},
            "findings": {d.value: data.get(f"{d}_findings", "") for d in AuditDomain},
            "grade": data.get("grade", ""),
            "summary": data.get("summary", ""),
        }


class ModerationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    grade = _grade_field("Your grade for the file")
    reason = LongTextField(
        label="Reason",
        help_text="Needed if you change the grade: what in the file leads you to a different grade",
        max_length=REASON_MAX_CHARACTERS,
        holder="a reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class ActionForm(forms.Form):
    action = LongTextField(
        label="Action for the worker",
        max_length=ACTION_MAX_CHARACTERS,
        holder="an action",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    due_on = GovukDateField(label="Due by", label_for_errors="date the action is due", required=False)


class ActionAnswerForm(forms.Form):
    response = LongTextField(
        label="What was done",
        max_length=RESPONSE_MAX_CHARACTERS,
        holder="an answer",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class ProgrammeForm(forms.Form):
    title = forms.CharField(label="Name of the programme", max_length=TITLE_MAX_CHARACTERS, required=False)
    teams = forms.ModelMultipleChoiceField(
        label="Teams", queryset=Team.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    per_team = forms.IntegerField(
        label="Files to draw from each team",
        help_text=f"Drawn at random from the team's children with open statutory work (at most {MOST_PER_TEAM})",
        required=False,
        error_messages={"invalid": f"Files from each team must be a number from 1 to {MOST_PER_TEAM}"},
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams
