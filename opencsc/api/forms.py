from django import forms

from opencsc.api.models import Scope
from opencsc.api.services import MAX_RATE_LIMIT, RATE_LIMIT_RANGE


class NewApiClientForm(forms.Form):
    name = forms.CharField(
        label="Name of the system",
        help_text="For example, Shire Hospitals CP-IS",
        max_length=120,
        error_messages={
            "required": "Enter the name of the system",
            "max_length": "Too long: the most a name can hold is 120 characters",
        },
    )
    organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        error_messages={
            "required": "Enter the organisation",
            "max_length": "Too long: the most an organisation can hold is 200 characters",
        },
    )
    contact_email = forms.EmailField(
        label="Technical contact's email address",
        max_length=254,
        error_messages={
            "required": "Enter the technical contact's email address",
            "invalid": "Enter an email address like name@trust.nhs.uk",
            "max_length": "Too long: the most an email address can hold is 254 characters",
        },
    )
    scopes = forms.MultipleChoiceField(
        label="What it may do",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one scope",
            "invalid_choice": "Choose scopes from the list",
        },
    )
    rate_limit_per_minute = forms.IntegerField(
        label="Calls allowed a minute",
        initial=60,
        min_value=1,
        max_value=MAX_RATE_LIMIT,
        error_messages={
            "required": "Enter the calls allowed a minute",
            "invalid": "Enter the calls allowed a minute as a whole number",
            "min_value": RATE_LIMIT_RANGE,
            "max_value": RATE_LIMIT_RANGE,
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )
