from django import forms

from opencsc.ui.govuk_forms import GovukDateField


class AllocateForm(forms.Form):
    worker = forms.ChoiceField(
        label="Who will hold this child's case?",
        choices=[],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a worker"},
    )
    started_on = GovukDateField(
        label="Allocated from",
        label_for_errors="allocation date",
        error_messages={"required": "Enter the date the allocation starts"},
    )
    reason = forms.CharField(
        label="Reason for reallocating (when the child already has a worker)", max_length=300, required=False
    )
    confirm_over_limit = forms.BooleanField(
        label="I know this takes the worker over their caseload limit", required=False
    )

    def __init__(self, *args, worker_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = worker_choices
