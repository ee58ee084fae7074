"""The public partner referral form: what a police officer, teacher, nurse or other professional tells the
front door. The form checks shape only; what is saved is decided by the front-door services."""

import datetime as dt
import re

from django import forms
from django.utils import timezone

from opencsc.core.codes import ReferralSource
from opencsc.people.identifiers import format_postcode, postcode_problem
from opencsc.ui.govuk_forms import GovukDateField, LongTextField

CHILD_SLOTS = 4
CONCERNS_MIN = 20
CONCERNS_MAX = 10_000
CHILD_PARTS = ("first_name", "last_name", "date_of_birth", "age_note", "address", "postcode")


AGENCY_TYPES: list[tuple[str, str, str]] = [
    # (form value, what the referrer sees, DfE referral source code)
    ("police", "Police", ReferralSource.POLICE),
    ("school", "School", ReferralSource.SCHOOLS),
    ("gp", "GP", ReferralSource.GP),
    ("health_visitor", "Health visitor", ReferralSource.HEALTH_VISITOR),
    ("school_nurse", "School nurse", ReferralSource.SCHOOL_NURSE),
    ("a_and_e", "A&E", ReferralSource.A_AND_E),
    ("other_health", "Other health service", ReferralSource.HEALTH_OTHER),
    ("housing", "Housing", ReferralSource.HOUSING),
    ("early_help", "Early help", ReferralSource.EARLY_HELP),
    ("other_la", "Other local authority service", ReferralSource.LA_OTHER_INTERNAL),
    ("legal", "Probation, courts or other legal agency", ReferralSource.LEGAL_AGENCY),
    ("voluntary", "Voluntary or other organisation", ReferralSource.OTHER),
]
AGENCY_SOURCE = {value: str(code) for value, _, code in AGENCY_TYPES}

YES, NO = "yes", "no"
YES_NO = [(YES, "Yes"), (NO, "No")]

_PHONE_ALLOWED = re.compile(r"^[0-9 +()\-.]+$")


def _text(label: str, max_length: int, *, required: bool = True, required_message: str = "", **kwargs):
    messages = {"max_length": f"{label} must be {max_length:,} characters or less"}
    if required_message:
        messages["required"] = required_message
    return forms.CharField(
        label=label, max_length=max_length, required=required, error_messages=messages, **kwargs
    )


class PartnerReferralForm(forms.Form):
    # About you
    referrer_name = _text("Your full name", 200, required_message="Enter your full name")
    referrer_role = _text("Your job title or role", 200, required_message="Enter your job title or role")
    referrer_organisation = _text(
        "Your organisation", 200, required_message="Enter the name of your organisation"
    )
    agency_type = forms.ChoiceField(
        label="Which type of organisation do you work for?",
        choices=[(value, text) for value, text, _ in AGENCY_TYPES],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the type of organisation you work for",
            "invalid_choice": "Select the type of organisation you work for",
        },
    )
    referrer_email = forms.EmailField(
        label="Your work email address",
        max_length=254,
        help_text="We will send the reference number and the decision to this address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": False}),
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or less",
        },
    )
    referrer_phone = forms.CharField(
        label="Your work telephone number (optional)",
        max_length=40,
        required=False,
        help_text="For a call back if the front door team needs to ask you more",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"max_length": "Telephone number must be 40 characters or less"},
    )

    # The concerns
    concerns = LongTextField(
        label="What are your concerns about the child or children?",
        max_length=CONCERNS_MAX,
        holder="the concerns",
        help_text="Say what has happened, when, what the child has said, and who else is involved",
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "Enter the concerns about the child"},
    )
    immediate_danger = forms.ChoiceField(
        label="Is a child in immediate danger?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if a child is in immediate danger"},
    )
    parents_aware = forms.ChoiceField(
        label="Do the parents or carers know about this referral?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the parents or carers know about this referral"},
    )
    parents_not_aware_reason = _text(
        "Why do the parents or carers not know?",
        180,
        required=False,
        help_text="For example, telling them could put the child at risk",
    )
    consent = forms.ChoiceField(
        label="Have the parents or carers agreed to this referral?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the parents or carers have agreed to this referral"},
    )
    no_consent_reason = _text(
        "Why have you not got their agreement?",
        2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    # Spam trap: hidden from people (and screen readers); automated form fillers complete it.
    website = forms.CharField(
        label="Leave this box empty",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for slot in range(1, CHILD_SLOTS + 1):
            self.fields[f"child_{slot}_first_name"] = _text("First name", 100, required=False)
            self.fields[f"child_{slot}_last_name"] = _text("Last name", 100, required=False)
            self.fields[f"child_{slot}_date_of_birth"] = GovukDateField(
                label="Date of birth",
                label_for_errors=f"date of birth of child {slot}",
                help_text="For example, 27 3 2014",
                required=False,
            )
            self.fields[f"child_{slot}_age_note"] = _text(
                "If you do not know their date of birth, their approximate age",
                100,
                required=False,
                help_text="For example, 'about 7' or 'unborn, due in June'",
            )
            self.fields[f"child_{slot}_address"] = _text("Address", 300, required=False)
            self.fields[f"child_{slot}_postcode"] = forms.CharField(
                label="Postcode",
                max_length=10,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
                error_messages={"max_length": f"Enter a full UK postcode for child {slot}, like HP19 8FF"},
            )
        # The error summary lists problems in the order the page shows the fields.
        about_you = [name for name in self.fields if name.startswith("referrer_") or name == "agency_type"]
        children = [name for name in self.fields if name.startswith("child_")]
        self.order_fields([*about_you, *children, "immediate_danger", "concerns"])
        # Name the child in every child field's messages, so the error summary says which child is meant.
        for slot in range(1, CHILD_SLOTS + 1):
            for part in ("first_name", "last_name", "age_note", "address"):
                field = self.fields[f"child_{slot}_{part}"]
                field.error_messages["max_length"] = field.error_messages["max_length"].replace(
                    " must be", f" of child {slot} must be", 1
                )

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def child_slots(self) -> list[dict]:
        return [
            {"number": slot, **{part: self[f"child_{slot}_{part}"] for part in CHILD_PARTS}}
            for slot in range(1, CHILD_SLOTS + 1)
        ]

    def entered(self) -> list[tuple[str, str]]:
        """What was typed, labelled so it can be read back (on the page that refuses a flood, say)."""
        rows = []
        for bound_field in self:
            if bound_field.name == "website":
                continue
            value = bound_field.value()
            if isinstance(value, list | tuple):
                value = "/".join(part for part in value if part)
            value = str(value or "").strip()
            if not value:
                continue
            choices = dict(getattr(bound_field.field, "choices", []) or [])
            label = str(bound_field.label)
            if bound_field.name.startswith("child_"):
                label = f"Child {bound_field.name.split('_')[1]}: {label[0].lower()}{label[1:]}"
            rows.append((label, str(choices.get(value, value))))
        return rows

    def shows_danger_warning(self) -> bool:
        return self["immediate_danger"].value() == YES

    def clean_referrer_phone(self) -> str:
        phone = self.cleaned_data["referrer_phone"].strip()
        digits = re.sub(r"\D", "", phone)
        if phone and (not _PHONE_ALLOWED.match(phone) or not 10 <= len(digits) <= 15):
            raise forms.ValidationError(
                "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
            )
        return phone

    def clean_concerns(self) -> str:
        concerns = self.cleaned_data["concerns"].strip()
        if len(concerns) < CONCERNS_MIN:
            raise forms.ValidationError(f"Concerns must be {CONCERNS_MIN} characters or more")
        return concerns

    def clean(self):
        data = super().clean()
        reasons = [
            (
                "parents_aware",
                "parents_not_aware_reason",
                "Enter why the parents or carers do not know about this referral",
            ),
            ("consent", "no_consent_reason", "Enter why you have not got the parents' or carers' agreement"),
        ]
        for answer, reason, message in reasons:
            missing = data.get(answer) == NO and not data.get(reason, "").strip()
            if missing and reason not in self.errors:
                self.add_error(reason, message)
        data["children"] = self._clean_children(data)
        return data

    def _clean_children(self, data: dict) -> list[dict]:
        children = []
        today = timezone.localdate()
        for slot in range(1, CHILD_SLOTS + 1):
            value = {part: data.get(f"child_{slot}_{part}") for part in CHILD_PARTS}
            for part in ("first_name", "last_name", "age_note", "address", "postcode"):
                value[part] = (value[part] or "").strip()
            postcode_field = f"child_{slot}_postcode"
            if value["postcode"] and postcode_field not in self.errors:
                if problem := postcode_problem(value["postcode"]):
                    self.add_error(
                        postcode_field, problem.replace("postcode", f"postcode for child {slot}", 1)
                    )
                else:
                    value["postcode"] = format_postcode(value["postcode"])
            born = value["date_of_birth"]
            if isinstance(born, dt.date) and born > today:
                self.add_error(
                    f"child_{slot}_date_of_birth",
                    f"Date of birth of child {slot} must be in the past; for an unborn child, give the due date "
                    "as their approximate age",
                )
            has_name = bool(value["first_name"] or value["last_name"])
            anything_else = any(value[part] for part in ("date_of_birth", "age_note", "address", "postcode"))
            typed_date = any(
                self.data.get(f"child_{slot}_date_of_birth-{part}") for part in ("day", "month", "year")
            )
            if not has_name and (anything_else or typed_date):
                self.add_error(
                    f"child_{slot}_first_name", f"Enter the first name or last name of child {slot}"
                )
            if has_name:
                children.append(value)
        if not children and not self.has_error("child_1_first_name"):
            self.add_error("child_1_first_name", "Enter the name of at least one child")
        return children
