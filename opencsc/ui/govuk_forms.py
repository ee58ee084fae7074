"""Renders Django form fields as GOV.UK Frontend components.

`govuk_field(bound_field)` returns the component name and the parameters for its macro; the `field` macro in
`ui/forms.html` calls the macro. Values typed by the user come back from the bound field, so a form with
errors shows exactly what was entered.
"""

import datetime as dt

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms.boundfield import BoundField
from markupsafe import Markup, escape

from opencsc.core.text_limits import too_long


class GovukDateWidget(forms.Widget):
    """Three boxes (day, month, year), named as the GOV.UK date input names them."""

    parts = ("day", "month", "year")

    def value_from_datadict(self, data, files, name):
        values = [data.get(f"{name}-{part}", "").strip() for part in self.parts]
        return values if any(values) else None

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}-{part}" in data for part in self.parts)

    def format_parts(self, value) -> list[str]:
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, list | tuple):
            return [str(part or "") for part in value]
        return ["", "", ""]


class GovukDateField(forms.Field):
    """A date from three boxes, with the GOV.UK wording for each way it can be wrong."""

    widget = GovukDateWidget

    def __init__(self, *, label_for_errors: str = "date", **kwargs):
        self.label_for_errors = label_for_errors
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, "", [], ["", "", ""]):
            return None
        if isinstance(value, dt.date):
            return value
        day, month, year = value
        what = self.label_for_errors
        missing = [part for part, text in zip(GovukDateWidget.parts, value, strict=True) if not text]
        if missing:
            raise forms.ValidationError(f"{what.capitalize()} must include a {' and '.join(missing)}")
        if not all(text.isdigit() for text in value):
            raise forms.ValidationError(f"{what.capitalize()} must be a real date, in numbers")
        if len(year) != 4:
            raise forms.ValidationError(f"Year of the {what} must include 4 numbers")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError as invalid:
            raise forms.ValidationError(f"{what.capitalize()} must be a real date") from invalid


class TooLongValidator(MaxLengthValidator):
    def __init__(self, limit_value: int, holder: str):
        super().__init__(limit_value)
        self.holder = holder

    def __call__(self, value):
        if len(value) > self.limit_value:
            raise forms.ValidationError(
                too_long(self.holder, self.limit_value, len(value)), code="max_length"
            )


class LongTextField(forms.CharField):
    """A text box whose limit is said in words: "Too long: the most a note can hold is 100,000 characters".
    `holder` names what holds the text ("a note", "the concerns"). The text stays in the box to be shortened."""

    def __init__(self, *, max_length: int, holder: str, **kwargs):
        kwargs.setdefault("widget", forms.Textarea)
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]
        self.validators.append(TooLongValidator(max_length, holder))


def _label(bound_field: BoundField, label_size: str | None, is_page_heading: bool) -> dict:
    label = {"text": str(bound_field.label)}
    if label_size:
        label["classes"] = f"govuk-label--{label_size}"
    if is_page_heading:
        label["isPageHeading"] = True
    return label


def _error(bound_field: BoundField) -> dict | None:
    return {"text": " ".join(str(e) for e in bound_field.errors)} if bound_field.errors else None


def _hint(bound_field: BoundField) -> dict | None:
    return {"text": str(bound_field.help_text)} if bound_field.help_text else None


def _selected_values(bound_field: BoundField) -> set[str]:
    value = bound_field.value()
    if value is None:
        return set()
    if isinstance(value, list | tuple | set):
        return {str(v) for v in value}
    return {str(value)}


def _choice_items(bound_field: BoundField, selected: set[str], conditional: dict | None) -> list[dict]:
    items = []
    for value, text in bound_field.field.choices:
        if value == "" and isinstance(bound_field.field.widget, forms.RadioSelect):
            continue
        item = {"value": str(value), "text": str(text), "checked": str(value) in selected}
        if conditional and str(value) in conditional:
            item["conditional"] = {"html": conditional[str(value)]}
        items.append(item)
    return items


def _fieldset(bound_field: BoundField, legend_size: str | None, is_page_heading: bool) -> dict:
    legend = {"text": str(bound_field.label)}
    if legend_size:
        legend["classes"] = f"govuk-fieldset__legend--{legend_size}"
    if is_page_heading:
        legend["isPageHeading"] = True
    return {"legend": legend}


def govuk_field(
    bound_field: BoundField,
    *,
    label_size: str | None = "s",
    is_page_heading: bool = False,
    classes: str = "",
    conditional: dict | None = None,
    inline: bool = False,
    **extra,
) -> tuple[str, dict]:
    widget = bound_field.field.widget
    params: dict = {
        "id": bound_field.auto_id,
        "name": bound_field.html_name,
        "hint": _hint(bound_field),
        "errorMessage": _error(bound_field),
    }
    if classes:
        params["classes"] = classes
    if isinstance(widget, GovukDateWidget):
        day, month, year = widget.format_parts(bound_field.value())
        params.pop("name")
        params["namePrefix"] = bound_field.html_name
        params["fieldset"] = _fieldset(bound_field, label_size, is_page_heading)
        params["items"] = [
            {
                "name": "day",
                "label": "Day",
                "value": day,
                "classes": "govuk-input--width-2" + _err(bound_field),
            },
            {
                "name": "month",
                "label": "Month",
                "value": month,
                "classes": "govuk-input--width-2" + _err(bound_field),
            },
            {
                "name": "year",
                "label": "Year",
                "value": year,
                "classes": "govuk-input--width-4" + _err(bound_field),
            },
        ]
        return "date", {**params, **extra}
    # CheckboxSelectMultiple is a subclass of RadioSelect in Django, so it must be tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        params["fieldset"] = _fieldset(bound_field, label_size, is_page_heading)
        params["items"] = _choice_items(bound_field, _selected_values(bound_field), conditional)
        params["idPrefix"] = params.pop("id")
        return "checkboxes", {**params, **extra}
    if isinstance(widget, forms.RadioSelect):
        params["fieldset"] = _fieldset(bound_field, label_size, is_page_heading)
        params["items"] = _choice_items(bound_field, _selected_values(bound_field), conditional)
        if inline:
            params["classes"] = (params.get("classes", "") + " govuk-radios--inline").strip()
        params["idPrefix"] = params.pop("id")
        return "radios", {**params, **extra}
    if isinstance(widget, forms.CheckboxInput):
        params["idPrefix"] = params.pop("id")
        params["items"] = [
            {"value": "on", "text": str(bound_field.label), "checked": bool(bound_field.value())}
        ]
        return "checkboxes", {**params, **extra}
    params["label"] = _label(bound_field, label_size, is_page_heading)
    if isinstance(widget, forms.Select):
        selected = _selected_values(bound_field)
        params["items"] = [
            {"value": str(v), "text": str(t), "selected": str(v) in selected}
            for v, t in bound_field.field.choices
        ]
        return "select", {**params, **extra}
    value = bound_field.value()
    params["value"] = "" if value is None else str(value)
    if isinstance(widget, forms.Textarea):
        params["rows"] = widget.attrs.get("rows", 6)
        return "textarea", {**params, **extra}
    params["type"] = getattr(widget, "input_type", "text")
    if params["type"] == "password":
        params["value"] = ""
    for attribute in ("autocomplete", "spellcheck", "inputmode"):
        if attribute in widget.attrs:
            params[attribute] = widget.attrs[attribute]
    return "input", {**params, **extra}


def _err(bound_field: BoundField) -> str:
    return " govuk-input--error" if bound_field.errors else ""


def _error_target(bound_field: BoundField) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, GovukDateWidget):
        return f"#{bound_field.auto_id}-day"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
        return f"#{bound_field.auto_id}"
    return f"#{bound_field.auto_id}"


def error_summary(*forms_with_errors) -> dict | None:
    """Parameters for govukErrorSummary, linking each message to its field, or None if all is well."""
    items = []
    for form in forms_with_errors:
        if form is None or not form.errors:
            continue
        items.extend({"text": str(message)} for message in form.non_field_errors())
        for bound_field in form:
            items.extend(
                {"text": str(message), "href": _error_target(bound_field)} for message in bound_field.errors
            )
    if not items:
        return None
    return {"titleText": "There is a problem", "errorList": items}


def field_errors_from_validation(form: forms.Form, error) -> None:
    """Put a service's ValidationError onto the form, field by field where the field exists."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def as_html_paragraphs(text: str) -> Markup:
    paragraphs = [p.strip() for p in (text or "").split("\n\n") if p.strip()]
    return Markup(
        "".join(f'<p class="govuk-body">{escape(p).replace(chr(10), Markup("<br>"))}</p>' for p in paragraphs)
    )
