from decimal import Decimal

from django import forms

from opencsc.core.codes import Ethnicity
from opencsc.ui.govuk_forms import GovukDateField
from opencsc.workforce.codes import (
    AbsenceReason,
    ContractType,
    GenderCurrent,
    LeaverDestination,
    OrgRole,
    QualificationLevel,
    ReasonLeave,
    StartOrigin,
)

NOT_GIVEN = [("", "Not given")]


class StaffRecordForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter the first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter the last name"}
    )
    user = forms.ModelChoiceField(
        label="OpenCSC account",
        queryset=None,
        required=False,
        empty_label="No account (for example an agency worker who does not sign in)",
        help_text="Link the account so the person's caseload counts in the caseload per full-time equivalent",
    )
    team = forms.ModelChoiceField(label="Team", queryset=None, error_messages={"required": "Select a team"})
    job_title = forms.CharField(
        label="Job title", max_length=120, error_messages={"required": "Enter the job title"}
    )
    org_role = forms.ChoiceField(
        label="Role in the workforce census",
        choices=[("", "Not a social work post")] + OrgRole.choices,
        required=False,
    )
    contract = forms.ChoiceField(
        label="Contract",
        choices=ContractType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the contract: permanent, interim or agency"},
    )
    agency_name = forms.CharField(
        label="Agency", max_length=120, required=False, help_text="For agency workers"
    )
    fte = forms.DecimalField(
        label="Full-time equivalent",
        help_text="1 for full time, 0.6 for three days a week",
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("1"),
        error_messages={
            "required": "Enter the full-time equivalent, like 1 or 0.6",
            "invalid": "Full-time equivalent must be a number, like 1 or 0.6",
            "min_value": "Full-time equivalent must be more than 0",
            "max_value": "Full-time equivalent must be no more than 1",
            "max_decimal_places": "Full-time equivalent must have no more than 2 decimal places, like 0.75",
            "max_digits": "Full-time equivalent must be no more than 1",
        },
    )
    swe_number = forms.CharField(
        label="Social Work England registration number",
        max_length=12,
        required=False,
        help_text="Like SW123456. Needed for a social work post",
    )
    start_date = GovukDateField(
        label="Start date", label_for_errors="start date", error_messages={"required": "Enter the start date"}
    )
    start_origin = forms.ChoiceField(
        label="Where they came from", choices=NOT_GIVEN + StartOrigin.choices, required=False
    )
    birth_date = GovukDateField(label="Date of birth", label_for_errors="date of birth", required=False)
    gender = forms.ChoiceField(label="Gender", choices=NOT_GIVEN + GenderCurrent.choices, required=False)
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=NOT_GIVEN + Ethnicity.choices, required=False)
    qualification_institution = forms.CharField(
        label="Where they qualified", max_length=200, required=False, help_text="The university or college"
    )
    qualification_level = forms.ChoiceField(
        label="Qualification level", choices=NOT_GIVEN + QualificationLevel.choices, required=False
    )
    step_up_graduate = forms.BooleanField(label="Qualified through Step Up to Social Work", required=False)
    frontline_graduate = forms.BooleanField(label="Qualified through Frontline", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        from opencsc.accounts.models import Team, User

        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["user"].queryset = User.objects.order_by("last_name", "first_name")
        self.fields["user"].label_from_instance = lambda user: f"{user.display_name} ({user.username})"

    def clean_swe_number(self):
        return "".join(self.cleaned_data["swe_number"].split()).upper()

    def record_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class LeaverForm(forms.Form):
    leaving_date = GovukDateField(
        label="Leaving date",
        help_text="Their last day of employment. Someone leaving on 30 September counts as a leaver of the "
        "census year ending that day, not as in post on it",
        label_for_errors="leaving date",
        error_messages={"required": "Enter the leaving date"},
    )
    leaving_reason = forms.ChoiceField(
        label="Reason for leaving",
        choices=ReasonLeave.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the reason for leaving"},
    )
    leaver_destination = forms.ChoiceField(
        label="Where they are going", choices=NOT_GIVEN + LeaverDestination.choices, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PostForm(forms.Form):
    team = forms.ModelChoiceField(label="Team", queryset=None, error_messages={"required": "Select a team"})
    title = forms.CharField(
        label="Post title", max_length=120, error_messages={"required": "Enter the post title"}
    )
    org_role = forms.ChoiceField(
        label="Role in the workforce census",
        choices=OrgRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the role in the workforce census"},
    )
    funded_fte = forms.DecimalField(
        label="Funded full-time equivalent",
        help_text="How many full-time posts this line funds, like 6 or 4.5",
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={
            "required": "Enter the funded full-time equivalent, like 6 or 4.5",
            "invalid": "Funded full-time equivalent must be a number, like 6 or 4.5",
            "min_value": "Funded full-time equivalent must be more than 0",
            "max_decimal_places": "Funded full-time equivalent must have no more than 2 decimal places",
            "max_digits": "Funded full-time equivalent must be less than 10,000",
        },
    )
    funded_from = GovukDateField(
        label="Funded from",
        label_for_errors="date funding starts",
        error_messages={"required": "Enter the date funding starts"},
    )

    def __init__(self, *args, **kwargs):
        from opencsc.accounts.models import Team

        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")


class AbsenceForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason",
        choices=AbsenceReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the reason for the absence"},
    )
    starts_on = GovukDateField(
        label="First day of absence",
        label_for_errors="first day of absence",
        error_messages={"required": "Enter the first day of absence"},
    )
    ends_on = GovukDateField(
        label="Last day of absence",
        help_text="Leave blank while they are still away",
        label_for_errors="last day of absence",
        required=False,
    )
