"""Forms for the statutory casework steps. They check only the shape of what was typed; the services in
`protection.py` check the rules (order of dates, dates in the future, '21' alone, and so on)."""

from django import forms

from opencsc.casework.models import AssessmentFactor, AssessmentOutcome, CategoryOfAbuse, Section47Outcome
from opencsc.core.codes import ReasonForClosure
from opencsc.core.dates import long_date
from opencsc.ui.govuk_forms import GovukDateField, LongTextField

YES_NO = [("yes", "Yes"), ("no", "No")]


def _date(label: str, what: str, *, required: bool = True, help_text: str = "For example, 27 3 2026"):
    return GovukDateField(
        label=label,
        label_for_errors=what,
        required=required,
        help_text=help_text,
        error_messages={"required": f"Enter the {what}"},
    )


def _yes_no(label: str, required_message: str):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


def referral_label(referral) -> str:
    """'referral of 3 March 2026 (Schools)': how a referral is named where an assessment is started."""
    return f"referral of {long_date(referral.referral_date)} ({referral.get_source_display()})"


class AssessmentStartForm(forms.Form):
    """Offers the referrals awaiting an assessment when there are several; with one, the page names it."""

    referral = forms.ChoiceField(
        label="Which referral does this assessment answer?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the referral this assessment answers"},
    )
    started_on = _date(
        "Date the assessment started",
        "date the assessment started",
        required=False,
        help_text="Leave blank for today. For example, 27 3 2026",
    )

    def __init__(self, *args, referrals=(), **kwargs):
        super().__init__(*args, **kwargs)
        if len(referrals) > 1:
            self.fields["referral"].choices = [(str(r.pk), "R" + referral_label(r)[1:]) for r in referrals]
        else:
            del self.fields["referral"]


class ChildSeenForm(forms.Form):
    seen_on = _date("Date the child was seen", "date the child was seen")


class FactorsForm(forms.Form):
    factors = forms.MultipleChoiceField(
        label="Factors identified at assessment",
        help_text="Select all that apply. '21 No factors identified' cannot be combined with others.",
        choices=[(code, f"{code} {label}") for code, label in AssessmentFactor.choices],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the factors identified, or '21 No factors identified'"},
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome of the assessment",
        choices=AssessmentOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of the assessment"},
    )


class SubmitForm(forms.Form):
    completed_on = _date("Date the assessment was completed", "date the assessment was completed")


class AuthoriseForm(forms.Form):
    authorised_on = _date("Date of authorisation", "date of authorisation")


class CloseCaseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason for closure",
        choices=[(code, f"{code} {label}") for code, label in ReasonForClosure.choices],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the reason the case is closing"},
    )
    closed_on = _date("Date the case closed", "date the case closed")


class StrategyDiscussionForm(forms.Form):
    held_on = _date("Date of the strategy discussion", "date of the strategy discussion")
    attendees = forms.CharField(
        label="Who took part",
        help_text="Names and agencies: at least the local authority, police and health",
        max_length=500,
        error_messages={"required": "Enter who took part"},
    )
    summary = LongTextField(
        label="Summary (optional)", max_length=20_000, holder="a discussion's summary", required=False
    )
    section_47_agreed = _yes_no(
        "Was a section 47 enquiry agreed?", "Say whether a section 47 enquiry was agreed"
    )
    section_47_started_on = _date(
        "Date the section 47 enquiry started (if not the day of the discussion)",
        "date the section 47 enquiry started",
        required=False,
        help_text="Leave blank if it started on the day of the discussion",
    )


class Section47OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome of the enquiry",
        choices=Section47Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of the enquiry"},
    )
    completed_on = _date("Date the enquiry was completed", "date the enquiry was completed")


class InitialConferenceForm(forms.Form):
    held_on = _date("Date of the conference", "date of the conference")
    chair = forms.CharField(label="Chair (optional)", max_length=200, required=False)
    plan_decided = _yes_no(
        "Did the conference decide on a child protection plan?",
        "Say whether the conference decided on a child protection plan",
    )
    category = forms.ChoiceField(
        label="Category of abuse (if a plan was decided)",
        choices=[("", "Choose"), *CategoryOfAbuse.choices],
        required=False,
    )
    previous_plans = forms.IntegerField(
        label="Previous child protection plans, anywhere (optional)",
        help_text="Only if the child had plans with another authority; plans recorded here are counted for you",
        min_value=0,
        max_value=50,
        required=False,
        error_messages={"invalid": "Enter the number of previous plans as a whole number"},
    )


class CoreGroupForm(forms.Form):
    held_on = _date("Date of the core group meeting", "date of the core group meeting")


class ReviewConferenceForm(forms.Form):
    held_on = _date("Date of the review conference", "date of the review conference")
    chair = forms.CharField(label="Chair (optional)", max_length=200, required=False)
    plan_continues = _yes_no("Does the plan continue?", "Say whether the plan continues")
    category = forms.ChoiceField(
        label="Category of abuse, if it changes (optional)",
        choices=[("", "No change"), *CategoryOfAbuse.choices],
        required=False,
    )


class EndPlanForm(forms.Form):
    ended_on = _date("Date the plan ended", "date the plan ended")


class ChildInNeedPlanForm(forms.Form):
    started_on = _date("Date the plan started", "date the plan started")


class ChildInNeedReviewForm(forms.Form):
    held_on = _date("Date of the review", "date of the review")
