"""Forms for the IRO, the review's recommendations and the placement plan's agreement. They check only the shape
of what was typed; `iro.py` and `placement_plans.py` check the rules."""

from django import forms

from opencsc.looked_after.fields import date_field
from opencsc.looked_after.iro import REASON_MAX_LENGTH, RECOMMENDATION_MAX_LENGTH
from opencsc.looked_after.models import RecommendationAnswer


class IroAssignForm(forms.Form):
    iro = forms.ModelChoiceField(
        label="Independent reviewing officer",
        queryset=None,
        empty_label="Select",
        error_messages={"required": "Select the independent reviewing officer"},
    )
    started_on = date_field("Date the IRO starts", "date the IRO starts")

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["iro"].queryset = officers
        self.fields["iro"].label_from_instance = lambda user: user.display_name


class PlacementPlanAgreeForm(forms.Form):
    agreed_on = date_field("Date the placement plan was agreed", "date the placement plan was agreed")


def _limited_text(label: str, what: str, limit: int, *, required: bool = True, help_text: str = ""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": f"Enter the {what}",
            "max_length": f"Too long: the most the {what} can hold is {limit:,} characters",
        },
    )


class RecommendationForm(forms.Form):
    text = _limited_text("Recommendation", "recommendation", RECOMMENDATION_MAX_LENGTH)
    due_on = date_field("Due by", "date the recommendation is due by")


class RecommendationAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="Answer",
        choices=RecommendationAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the recommendation is accepted, done or disagreed with"},
    )
    reason = _limited_text(
        "Reason", "reason", REASON_MAX_LENGTH, required=False, help_text="Required if you disagree"
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
