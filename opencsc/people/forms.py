"""Forms check the shape of what was typed; services check the rules."""

from django import forms

from opencsc.core.codes import Disability, Ethnicity, Sex, UPNUnknownReason
from opencsc.people.identifiers import normalise_nhs_number
from opencsc.people.models import AlertCategory, RelationshipType
from opencsc.ui.govuk_forms import GovukDateField


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, date of birth, postcode, LA ID, UPN or NHS number",
        help_text="For example, Jones, 14/03/2015, HP19, C100245 or 943 476 5919. Part of a postcode is enough.",
        max_length=100,
        required=False,
    )


def _blank_choice(choices, text="Choose"):
    return [("", text), *choices]


class ChildDetailsForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the first name"}
    )
    middle_names = forms.CharField(label="Middle names", max_length=200, required=False)
    last_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the last name"}
    )
    date_of_birth = GovukDateField(
        label="Date of birth",
        label_for_errors="date of birth",
        required=False,
        help_text="For example, 27 3 2014",
    )
    expected_date_of_birth = GovukDateField(
        label="Expected date of birth (unborn child only)",
        label_for_errors="expected date of birth",
        required=False,
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the sex"},
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity",
        choices=_blank_choice(Ethnicity.choices),
        error_messages={"required": "Select the ethnicity"},
    )
    first_language = forms.CharField(label="First language", max_length=60, required=False)
    nhs_number = forms.CharField(label="NHS number", max_length=14, required=False, help_text="10 digits")
    upn = forms.CharField(label="Unique pupil number (UPN)", max_length=13, required=False)
    upn_unknown_reason = forms.ChoiceField(
        label="If the UPN is not known, why",
        choices=_blank_choice(UPNUnknownReason.choices, "UPN is known"),
        required=False,
    )

    def clean_nhs_number(self):
        return normalise_nhs_number(self.cleaned_data["nhs_number"])

    def clean_upn(self):
        return self.cleaned_data["upn"].replace(" ", "").upper()


class ChildCreateForm(ChildDetailsForm):
    disabilities = forms.MultipleChoiceField(
        label="Disabilities", choices=Disability.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    line_1 = forms.CharField(label="Address line 1", max_length=200, required=False)
    line_2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    confirm_not_duplicate = forms.BooleanField(
        label="I have checked these records and this is a different child", required=False
    )

    def clean(self):
        data = super().clean()
        address = [data.get("line_1"), data.get("town"), data.get("postcode")]
        if any(address) and not all(address):
            for field, message in (
                ("line_1", "Enter address line 1"),
                ("town", "Enter the town or city"),
                ("postcode", "Enter the postcode"),
            ):
                if not data.get(field):
                    self.add_error(field, message)
        return data


class ChildEditForm(ChildDetailsForm):
    date_of_death = GovukDateField(label="Date of death", label_for_errors="date of death", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class AliasForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the last name"}
    )
    kind = forms.ChoiceField(
        label="Type of name",
        choices=[(c, c) for c in ("Also known as", "Previous name", "Birth name", "Alternative spelling")],
        widget=forms.RadioSelect,
        initial="Also known as",
    )


class AddressForm(forms.Form):
    line_1 = forms.CharField(
        label="Address line 1", max_length=200, error_messages={"required": "Enter address line 1"}
    )
    line_2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(
        label="Town or city", max_length=100, error_messages={"required": "Enter the town or city"}
    )
    postcode = forms.CharField(
        label="Postcode", max_length=10, error_messages={"required": "Enter the postcode"}
    )
    moved_in_on = GovukDateField(
        label="Date they moved in",
        label_for_errors="date they moved in",
        error_messages={"required": "Enter the date they moved in"},
    )


class RelationshipForm(forms.Form):
    kind = forms.ChoiceField(
        label="Relationship to the child",
        choices=_blank_choice(RelationshipType.choices),
        error_messages={"required": "Select the relationship"},
    )
    related_child_la_id = forms.CharField(
        label="LA ID of the related child, if they have a record",
        max_length=20,
        required=False,
        help_text="For a sibling or another child known to us",
    )
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    organisation = forms.CharField(label="Organisation (for a professional)", max_length=200, required=False)
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    has_parental_responsibility = forms.BooleanField(label="Has parental responsibility", required=False)
    lives_with_child = forms.BooleanField(label="Lives with the child", required=False)

    def clean(self):
        data = super().clean()
        if not data.get("related_child_la_id") and not data.get("last_name"):
            self.add_error("last_name", "Enter the person's last name, or the LA ID of a child with a record")
        return data


class AlertForm(forms.Form):
    category = forms.ChoiceField(
        label="Type of alert",
        choices=AlertCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of alert"},
    )
    text = forms.CharField(
        label="What people need to know",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what people need to know"},
    )
    review_on = GovukDateField(
        label="Review by",
        label_for_errors="review date",
        error_messages={"required": "Enter the review date"},
    )


class ChronologyEntryForm(forms.Form):
    occurred_on = GovukDateField(
        label="Date of the event",
        label_for_errors="date of the event",
        error_messages={"required": "Enter the date of the event"},
    )
    category = forms.ChoiceField(label="Type of event", choices=[])
    summary = forms.CharField(
        label="What happened",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what happened"},
    )

    def __init__(self, *args, **kwargs):
        from opencsc.casework.models import ChronologyCategory

        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            (value, label)
            for value, label in ChronologyCategory.choices
            if value not in ("record", "case_note", "oversight")
        ]


class RestrictForm(forms.Form):
    named = forms.ModelMultipleChoiceField(
        label="Who may see this record?",
        help_text="Only the people you choose, and you, will be able to find or open it",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one person"},
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named"].queryset = staff
        self.fields["named"].label_from_instance = lambda user: (
            f"{user.display_name}, {user.get_role_display()}"
        )
