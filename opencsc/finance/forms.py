"""Forms for the finance pages: they check shape; the services check the rules and name the field refused."""

from django import forms

from opencsc.finance.codes import CostChange, ProviderKind, PurchaseRoute, ScenarioKind
from opencsc.finance.models import CATEGORY_CHOICES
from opencsc.insight.forecast import CATEGORIES, CATEGORY_LABELS
from opencsc.ui.govuk_forms import GovukDateField

MONEY = {"max_length": 14, "widget": forms.TextInput(attrs={"inputmode": "decimal"})}


def _money(label: str, **extra) -> forms.CharField:
    return forms.CharField(label=label, **MONEY, **extra)


class ProviderForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the provider's name"}
    )
    kind = forms.ChoiceField(label="Kind of provider", choices=ProviderKind.choices)
    urn = forms.CharField(
        label="Ofsted URN",
        max_length=8,
        required=False,
        help_text="SC and 6 digits, like SC123456, or 6 or 7 digits; needed for homes, agencies, supported "
        "accommodation and secure homes",
    )
    postcode = forms.CharField(label="Postcode", max_length=8, required=False)
    purchase_route = forms.ChoiceField(
        label="How places are bought", choices=PurchaseRoute.choices, widget=forms.RadioSelect
    )


class ApprovalForm(forms.Form):
    places = forms.IntegerField(label="Approved places", min_value=0, max_value=99)
    youngest = forms.IntegerField(label="Youngest age approved for", min_value=0, max_value=99)
    oldest = forms.IntegerField(label="Oldest age approved for", min_value=0, max_value=99)
    approved_on = GovukDateField(label="Approved on", label_for_errors="approval date")


class CostForm(forms.Form):
    weekly_cost = _money("Weekly cost (£)", error_messages={"required": "Enter the weekly cost"})
    social_care_share = _money("Social care share (%)", initial="100")
    education_share = _money("Education share (%)", initial="0")
    health_share = _money("Health share (%)", initial="0")


class AgreeCostForm(CostForm):
    provider = forms.ModelChoiceField(
        label="Provider", queryset=None, error_messages={"required": "Choose the provider"}
    )
    field_order = ["provider", "weekly_cost", "social_care_share", "education_share", "health_share"]

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers


class ChangeCostForm(CostForm):
    effective_from = GovukDateField(
        label="Takes effect from", label_for_errors="date the change takes effect"
    )
    change = forms.ChoiceField(
        label="Kind of change", choices=[c for c in CostChange.choices if c[0] != CostChange.AGREED]
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    field_order = [
        "effective_from",
        "change",
        "weekly_cost",
        "social_care_share",
        "education_share",
        "health_share",
    ]


class BudgetForm(forms.Form):
    year = forms.IntegerField(
        label="Financial year ending in",
        help_text="2026 for April 2025 to March 2026",
        min_value=0,
        max_value=9999,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in CATEGORIES:
            label = CATEGORY_LABELS[category]
            self.fields[f"{category}_amount"] = _money(f"{label}: budget for the year (£)", required=False)
            self.fields[f"{category}_children"] = _money(
                f"{label}: children planned for (average placed)", required=False
            )

    def lines(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            category: (data.get(f"{category}_amount") or "0", data.get(f"{category}_children") or "0")
            for category in CATEGORIES
        }


class ScenarioForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=120, error_messages={"required": "Enter a name for the scenario"}
    )
    kind = forms.ChoiceField(label="What changes", choices=ScenarioKind.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(label="Placement category (from)", choices=CATEGORY_CHOICES)
    to_category = forms.ChoiceField(
        label="Moved to (for children moved a month)",
        choices=[("", "Not a move")] + CATEGORY_CHOICES,
        required=False,
    )
    number = forms.CharField(
        label="How many children", max_length=8, error_messages={"required": "Enter how many"}
    )
