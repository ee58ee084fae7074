"""Form fields shared by the looked-after forms (care, adoption, care leavers): DfE-coded choices shown as
"code: label", GOV.UK date fields whose refusal names the date, and an optional yes/no."""

from django import forms

from opencsc.ui.govuk_forms import GovukDateField

YES_NO = [("yes", "Yes"), ("no", "No")]


def coded_choices(choices, *, blank: str | None = None):
    coded = [(code, f"{code}: {label}") for code, label in choices]
    return [("", blank), *coded] if blank is not None else coded


def date_field(label: str, what: str, *, required: bool = True, help_text: str = "For example, 27 3 2026"):
    return GovukDateField(
        label=label,
        label_for_errors=what,
        required=required,
        help_text=help_text,
        error_messages={"required": f"Enter the {what}"},
    )


def optional_yes_no(label: str, help_text: str = ""):
    """Yes, no or not recorded (None)."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=help_text,
    )
