"""Forms for adoption milestones (SSDA903 PLACED_ADOPTION and AD1). They check only the shape of what was typed;
the services in `adoption.py` check the rules (order, dates in the future)."""

from django import forms

from opencsc.looked_after.adoption import milestone_words
from opencsc.looked_after.codes import ReasonPlacedForAdoptionCeased
from opencsc.looked_after.fields import coded_choices, date_field, optional_yes_no

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


class AdoptionMilestoneForm(forms.Form):
    """One milestone: its date field is named after the milestone (such as `matched_on`), so a refusal from the
    service lands on it; the match also asks for the AD1 details of the adopters."""

    milestone = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args, milestone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone = milestone
        self.fields["milestone"].initial = milestone
        words = milestone_words(milestone)
        self.fields[milestone] = date_field(f"Date of the {words}", f"date of the {words}")
        if milestone == "matched_on":
            self.fields["foster_carer_adopting"] = optional_yes_no(
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
    ceased_on = date_field("Date adoption stopped being the plan", "date adoption stopped being the plan")
    reason_ceased = forms.ChoiceField(
        label="Why adoption is no longer the plan",
        choices=coded_choices(ReasonPlacedForAdoptionCeased.choices),
        widget=forms.RadioSelect,
        error_messages={"required": "Select why adoption is no longer the plan"},
    )
