"""Forms for adoption milestones and care leavers. They check only the shape of what was typed; the services in
`adoption.py` and `care_leavers.py` check the rules (order, dates in the future, ages)."""

from django import forms

from opencsc.looked_after.adoption import milestone_words
from opencsc.looked_after.codes import Accommodation, Activity, InTouch, ReasonPlacedForAdoptionCeased
from opencsc.looked_after.models import CareLeaverEligibility
from opencsc.ui.govuk_forms import GovukDateField

ADOPTERS_SEX = [
    ("M1", "M1: one male adopter"),
    ("F1", "F1: one female adopter"),
    ("MM", "MM: male couple"),
    ("FF", "FF: female couple"),
    ("MF", "MF: male and female couple"),
]
ADOPTERS_LEGAL_STATUS = [
    ("L0", "L0: single person"),
    ("L11", "L11: married couple, different gender"),
    ("L12", "L12: married couple, same gender"),
    ("L2", "L2: civil partners"),
    ("L3", "L3: unmarried couple, different gender"),
    ("L4", "L4: unmarried couple, same gender"),
]
UNKNOWN_YES_NO = [("yes", "Yes"), ("no", "No")]


def _coded(choices, blank: str | None = None):
    coded = [(code, f"{code}: {label}") for code, label in choices]
    return [("", blank), *coded] if blank is not None else coded


def _date(label: str, what: str, help_text: str = "For example, 27 3 2026"):
    return GovukDateField(
        label=label,
        label_for_errors=what,
        help_text=help_text,
        error_messages={"required": f"Enter the {what}"},
    )


def _optional_yes_no(label: str, help_text: str = ""):
    return forms.TypedChoiceField(
        label=label,
        choices=UNKNOWN_YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=help_text,
    )


class AdoptionMilestoneForm(forms.Form):
    """One milestone: its date field is named after the milestone (such as `matched_on`), so a refusal from the
    service lands on it; the match also asks for the AD1 details of the adopters."""

    milestone = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args, milestone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone = milestone
        self.fields["milestone"].initial = milestone
        words = milestone_words(milestone)
        self.fields[milestone] = _date(f"Date of the {words}", f"date of the {words}")
        if milestone == "matched_on":
            self.fields["foster_carer_adopting"] = _optional_yes_no(
                "Are the child's foster carers adopting?", "AD1 FOSTER_CARE"
            )
            self.fields["number_of_adopters"] = forms.TypedChoiceField(
                label="Number of adopters",
                choices=[("", "Not recorded yet"), ("1", "1"), ("2", "2")],
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields["adopters_sex"] = forms.ChoiceField(
                label="Sex of the adopters", choices=[("", "Not recorded yet"), *ADOPTERS_SEX], required=False
            )
            self.fields["adopters_legal_status"] = forms.ChoiceField(
                label="Legal status of the adopters",
                choices=[("", "Not recorded yet"), *ADOPTERS_LEGAL_STATUS],
                required=False,
            )

    def clean_milestone(self):
        if self.cleaned_data["milestone"] != self.milestone:
            raise forms.ValidationError(
                "Someone else has recorded a milestone since this page opened: check the dates and try again"
            )
        return self.milestone


class AdoptionCeaseForm(forms.Form):
    ceased_on = _date("Date adoption stopped being the plan", "date adoption stopped being the plan")
    reason_ceased = forms.ChoiceField(
        label="Why adoption is no longer the plan",
        choices=_coded(ReasonPlacedForAdoptionCeased.choices),
        widget=forms.RadioSelect,
        error_messages={"required": "Select why adoption is no longer the plan"},
    )


class CareLeaverContactForm(forms.Form):
    contacted_on = _date("Date of the contact", "date of the contact")
    eligibility = forms.ChoiceField(
        label="Eligibility category",
        choices=CareLeaverEligibility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the young person's eligibility category"},
    )
    in_touch = forms.ChoiceField(
        label="In touch",
        choices=_coded(InTouch.choices),
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the authority is in touch with the young person"},
    )
    accommodation = forms.ChoiceField(
        label="Accommodation", choices=_coded(Accommodation.choices, blank="Not known"), required=False
    )
    accommodation_suitable = _optional_yes_no("Is the accommodation suitable?", "Leave blank if not known")
    activity = forms.ChoiceField(
        label="Main activity", choices=_coded(Activity.choices, blank="Not recorded"), required=False
    )
    personal_adviser = forms.ModelChoiceField(
        label="Personal adviser", queryset=None, required=False, empty_label="None named"
    )

    def __init__(self, *args, advisers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["personal_adviser"].queryset = advisers
        self.fields["personal_adviser"].label_from_instance = lambda user: user.display_name


class PathwayPlanReviewForm(forms.Form):
    reviewed_on = _date("Date of the pathway plan review", "date of the pathway plan review")
