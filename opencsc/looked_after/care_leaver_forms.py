"""Forms for care leavers: contacts (SSDA903 OC3) and pathway plan reviews. They check only the shape of what was
typed; the services in `care_leavers.py` check the rules (ages, dates in the future)."""

from django import forms

from opencsc.looked_after.codes import Accommodation, Activity, InTouch
from opencsc.looked_after.fields import coded_choices, date_field, optional_yes_no
from opencsc.looked_after.models import CareLeaverEligibility


class CareLeaverContactForm(forms.Form):
    contacted_on = date_field("Date of the contact", "date of the contact")
    eligibility = forms.ChoiceField(
        label="Eligibility category",
        choices=CareLeaverEligibility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the young person's eligibility category"},
    )
    in_touch = forms.ChoiceField(
        label="In touch",
        choices=coded_choices(InTouch.choices),
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the authority is in touch with the young person"},
    )
    accommodation = forms.ChoiceField(
        label="Accommodation", choices=coded_choices(Accommodation.choices, blank="Not known"), required=False
    )
    accommodation_suitable = optional_yes_no("Is the accommodation suitable?", "Leave blank if not known")
    activity = forms.ChoiceField(
        label="Main activity", choices=coded_choices(Activity.choices, blank="Not recorded"), required=False
    )
    personal_adviser = forms.ModelChoiceField(
        label="Personal adviser", queryset=None, required=False, empty_label="None named"
    )

    def __init__(self, *args, advisers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["personal_adviser"].queryset = advisers
        self.fields["personal_adviser"].label_from_instance = lambda user: user.display_name


class PathwayPlanReviewForm(forms.Form):
    reviewed_on = date_field("Date of the pathway plan review", "date of the pathway plan review")
