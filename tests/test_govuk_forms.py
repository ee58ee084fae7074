"""The adapter from Django form fields to GOV.UK components."""

import datetime as dt

from django import forms

from opencsc.ui.govuk_forms import GovukDateField, error_summary, govuk_field


class Example(forms.Form):
    children = forms.MultipleChoiceField(
        label="Which children?", choices=[("1", "Amy"), ("2", "Ben")], widget=forms.CheckboxSelectMultiple
    )
    seen = forms.ChoiceField(label="Seen?", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect)
    born = GovukDateField(label="Date of birth", label_for_errors="date of birth")
    agreed = forms.BooleanField(label="Agreed", required=False)


def test_a_multiple_choice_renders_as_checkboxes_and_a_single_choice_as_radios():
    form = Example(data={"children": ["1", "2"], "seen": "yes"})
    component, params = govuk_field(form["children"])
    assert component == "checkboxes"
    assert [item["checked"] for item in params["items"]] == [True, True]
    assert govuk_field(form["seen"])[0] == "radios"
    assert govuk_field(form["agreed"])[0] == "checkboxes"


def test_a_date_keeps_what_was_typed_and_names_the_problem():
    form = Example(
        data={"children": ["1"], "seen": "no", "born-day": "31", "born-month": "2", "born-year": "2015"}
    )
    assert not form.is_valid()
    assert form.errors["born"] == ["Date of birth must be a real date"]
    component, params = govuk_field(form["born"])
    assert component == "date"
    assert [item["value"] for item in params["items"]] == ["31", "2", "2015"]
    summary = error_summary(form)
    assert {"text": "Date of birth must be a real date", "href": "#id_born-day"} in summary["errorList"]


def test_a_missing_part_of_a_date_is_named():
    form = Example(
        data={"children": ["1"], "seen": "no", "born-day": "3", "born-month": "", "born-year": "2015"}
    )
    assert not form.is_valid()
    assert form.errors["born"] == ["Date of birth must include a month"]
    assert Example(
        data={"children": ["1"], "seen": "no", "born-day": "3", "born-month": "4", "born-year": "2015"}
    ).is_valid()
    assert GovukDateField().to_python(["3", "4", "2015"]) == dt.date(2015, 4, 3)
