"""Forms for pre-proceedings, proceedings and orders. They check only the shape of what was typed; the services
check the rules (order of the steps, dates, the 8-week limit of an extension)."""

from django import forms

from opencsc.legal.models import GatewayDecision, HearingKind, OrderKind, PreProceedingsOutcome
from opencsc.looked_after.fields import date_field


def _choice(label: str, choices, message: str, **kwargs):
    return forms.ChoiceField(
        label=label, choices=[("", "Select"), *choices], error_messages={"required": message}, **kwargs
    )


class GatewayMeetingForm(forms.Form):
    held_on = date_field("Date of the legal gateway or planning meeting", "date of the legal gateway meeting")
    decision = forms.ChoiceField(
        label="Decision",
        choices=GatewayDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision of the meeting"},
    )


class LetterForm(forms.Form):
    sent_on = date_field(
        "Date the letter before proceedings was sent", "date the letter before proceedings was sent"
    )


class PreProceedingsMeetingForm(forms.Form):
    held_on = date_field("Date of the pre-proceedings meeting", "date of the pre-proceedings meeting")


class PreProceedingsEndForm(forms.Form):
    ended_on = date_field("Date pre-proceedings ended", "date pre-proceedings ended")
    outcome = forms.ChoiceField(
        label="Why did pre-proceedings end?",
        choices=[
            (PreProceedingsOutcome.STEPPED_DOWN, PreProceedingsOutcome.STEPPED_DOWN.label),
            (PreProceedingsOutcome.OTHER, PreProceedingsOutcome.OTHER.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select why pre-proceedings ended"},
    )


class IssueForm(forms.Form):
    issued_on = date_field("Date proceedings were issued", "date proceedings were issued")
    case_number = forms.CharField(label="Court case number", max_length=40, required=False)


class ExtensionForm(forms.Form):
    granted_on = date_field("Date the extension was granted", "date the extension was granted")
    weeks = forms.TypedChoiceField(
        label="Weeks of the extension",
        choices=[("", "Select"), *[(str(n), str(n)) for n in range(1, 9)]],
        coerce=int,
        error_messages={"required": "Select the weeks of the extension"},
        help_text="Up to 8 weeks at a time (Children Act 1989 s32(5) to (8))",
    )
    reason = forms.CharField(
        label="The court's reasons",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter the court's reasons for the extension"},
    )


class HearingForm(forms.Form):
    kind = _choice("Kind of hearing", HearingKind.choices, "Select the kind of hearing")
    listed_for = date_field(
        "Date the hearing is listed for", "date the hearing is listed for", help_text="It may be ahead"
    )


class HearingOutcomeForm(forms.Form):
    hearing = forms.TypedChoiceField(
        label="Hearing", coerce=int, error_messages={"required": "Select the hearing"}, choices=()
    )
    outcome = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter what happened at the hearing"},
    )

    def __init__(self, *args, hearings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hearing"].choices = [
            ("", "Select"),
            *[(str(h.pk), f"{h.get_kind_display()}, {h.listed_for:%-d %B %Y}") for h in hearings],
        ]


class OrderForm(forms.Form):
    kind = _choice("Order made", OrderKind.choices, "Select the order the court made")
    made_on = date_field("Date the order was made", "date the order was made")


class ConcludeForm(forms.Form):
    concluded_on = date_field("Date the proceedings concluded", "date the proceedings concluded")
