from django import forms

from opencsc.accounts.models import Team, TeamKind
from opencsc.core.codes import ReferralSource
from opencsc.frontdoor.models import Agency, Channel, Decision, Rag
from opencsc.people.identifiers import postcode_problem
from opencsc.ui.govuk_forms import GovukDateField, LongTextField

CHILD_SLOTS = 3
CONCERNS_MAX_CHARACTERS = 20_000


class ContactForm(forms.Form):
    """A contact taken by phone, email or in person by a front-door worker."""

    channel = forms.ChoiceField(
        label="How did it arrive?",
        # A step-up from early help is sent from the early help episode, not typed in here.
        choices=[choice for choice in Channel.choices if choice[0] != Channel.EARLY_HELP],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the contact arrived"},
    )
    received_on = GovukDateField(
        label="Date received",
        label_for_errors="date received",
        error_messages={"required": "Enter the date the contact was received"},
    )
    received_time = forms.TimeField(
        label="Time received",
        help_text="For example, 09:45",
        input_formats=["%H:%M", "%H.%M"],
        error_messages={
            "required": "Enter the time the contact was received",
            "invalid": "Enter a time like 09:45",
        },
    )
    source = forms.ChoiceField(
        label="Who referred? (DfE referral source)",
        choices=[("", "Choose"), *ReferralSource.choices],
        error_messages={"required": "Select who referred"},
    )
    referrer_name = forms.CharField(label="Referrer's name", max_length=200, required=False)
    referrer_role = forms.CharField(label="Referrer's role", max_length=200, required=False)
    referrer_organisation = forms.CharField(label="Referrer's organisation", max_length=200, required=False)
    referrer_email = forms.EmailField(
        label="Referrer's email",
        required=False,
        help_text="The referrer is told the decision by email",
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )
    referrer_phone = forms.CharField(label="Referrer's phone", max_length=40, required=False)
    concerns = LongTextField(
        label="What are the concerns?",
        max_length=CONCERNS_MAX_CHARACTERS,
        holder="the concerns",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the concerns"},
    )
    parents_aware = forms.CharField(
        label="Do the parents know about this contact?", max_length=200, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for slot in range(1, CHILD_SLOTS + 1):
            self.fields[f"child_{slot}_first_name"] = forms.CharField(
                label=f"Child {slot}: first name", max_length=100, required=False
            )
            self.fields[f"child_{slot}_last_name"] = forms.CharField(
                label=f"Child {slot}: last name", max_length=100, required=False
            )
            self.fields[f"child_{slot}_date_of_birth"] = GovukDateField(
                label=f"Child {slot}: date of birth",
                label_for_errors=f"child {slot}'s date of birth",
                required=False,
            )
            self.fields[f"child_{slot}_postcode"] = forms.CharField(
                label=f"Child {slot}: postcode", max_length=10, required=False
            )

    def clean(self):
        data = super().clean()
        children = []
        for slot in range(1, CHILD_SLOTS + 1):
            first, last = data.get(f"child_{slot}_first_name"), data.get(f"child_{slot}_last_name")
            postcode = data.get(f"child_{slot}_postcode") or ""
            if postcode and (problem := postcode_problem(postcode)):
                self.add_error(f"child_{slot}_postcode", problem)
            if first or last:
                if not last:
                    self.add_error(f"child_{slot}_last_name", f"Enter child {slot}'s last name")
                children.append(
                    {
                        "given_first_name": first or "",
                        "given_last_name": last or "",
                        "given_date_of_birth": data.get(f"child_{slot}_date_of_birth"),
                        "given_postcode": postcode.upper(),
                    }
                )
        if not children:
            self.add_error("child_1_first_name", "Enter the name of at least one child")
        data["children"] = children
        return data

    def child_slots(self):
        return [
            [
                self[f"child_{slot}_{part}"]
                for part in ("first_name", "last_name", "date_of_birth", "postcode")
            ]
            for slot in range(1, CHILD_SLOTS + 1)
        ]


class TriageForm(forms.Form):
    rag = forms.ChoiceField(
        label="Priority (RAG)",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a priority"},
    )


class PartnerCheckForm(forms.Form):
    agency = forms.ChoiceField(
        label="Agency", choices=Agency.choices, error_messages={"required": "Select the agency"}
    )


class PartnerCheckResponseForm(forms.Form):
    check_id = forms.IntegerField(widget=forms.HiddenInput)
    response = LongTextField(
        label="What did the agency say?",
        max_length=10_000,
        holder="an agency's answer",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what the agency said"},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a decision"},
    )
    decision_reason = LongTextField(
        label="Reason for the decision",
        max_length=10_000,
        holder="the reason for a decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason for the decision"},
    )
    team = forms.ModelChoiceField(
        label="Team the referral goes to (for a referral or strategy discussion)",
        queryset=Team.objects.none(),
        required=False,
        empty_label="Choose a team",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.exclude(
            kind__in=[TeamKind.MANAGEMENT, TeamKind.DESIGNATED_OFFICER]
        )
