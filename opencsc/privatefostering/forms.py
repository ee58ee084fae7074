"""Forms for private fostering. They check only the shape of what was typed; `services.py` checks the rules
(dates after the notification, the child's age, one open arrangement, a decision after the first visit)."""

from django import forms

from opencsc.looked_after.fields import YES_NO, date_field
from opencsc.privatefostering.models import ArrangementEnd, Decision, Notifier

TEXT_MAX_CHARACTERS = 5_000


def yes_no(label: str, required_message: str, help_text: str = ""):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": required_message},
    )


class NotificationForm(forms.Form):
    notified_on = date_field("Date the notification was received", "date the notification was received")
    notified_by = forms.ChoiceField(
        label="Who notified the arrangement?",
        choices=Notifier.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who notified the arrangement"},
    )
    notifier_name = forms.CharField(
        label="Name of the person who notified",
        max_length=200,
        help_text="With their organisation if they notified for an agency",
        error_messages={"required": "Enter the name of the person who notified the arrangement"},
    )
    carer_name = forms.CharField(
        label="Private foster carer's name",
        max_length=200,
        error_messages={"required": "Enter the private foster carer's name"},
    )
    carer_address = forms.CharField(
        label="Address where the child is, or will be, living",
        max_length=300,
        error_messages={"required": "Enter the address where the child is, or will be, living"},
    )
    household = forms.CharField(
        label="Others in the carer's household",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX_CHARACTERS,
        required=False,
        help_text="Names, ages and relationship to the carer",
    )
    starts_on = date_field(
        "Date the arrangement began or is to begin",
        "date the arrangement began or is to begin",
        help_text="If it began before the notification, it was notified late. For example, 27 3 2026",
    )
    child_is_disabled = yes_no(
        "Is the child disabled?",
        "Select whether the child is disabled",
        help_text="A disabled child of 16 or 17 can be privately fostered",
    )


class VisitForm(forms.Form):
    visited_on = date_field("Date of the visit", "date of the visit")
    seen_alone = yes_no("Was the child seen alone?", "Select whether the child was seen alone")
    on_request = yes_no(
        "Was the visit asked for?",
        "Select whether the visit was asked for",
        help_text="By the child, the carer or a parent (reg 8(2)); the first visit is always the reg 4 visit",
    )
    summary = forms.CharField(
        label="What the officer found",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX_CHARACTERS,
        required=False,
    )


class DecisionForm(forms.Form):
    decided_on = date_field("Date of the decision", "date of the decision")
    decision = forms.ChoiceField(
        label="Is the arrangement suitable?",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision on the arrangement"},
    )
    decision_detail = forms.CharField(
        label="Requirements or prohibition",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX_CHARACTERS,
        required=False,
        help_text="What the carer must do and by when, or what the prohibition covers and why",
    )


class EndForm(forms.Form):
    ended_on = date_field("Date the arrangement ended", "date the arrangement ended")
    end_reason = forms.ChoiceField(
        label="Why did it end?",
        choices=ArrangementEnd.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the arrangement ended"},
    )
