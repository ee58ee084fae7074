from django import forms

from opencsc.oversight.models import LEVEL_ORDER


class CloseForm(forms.Form):
    response = forms.CharField(
        label="What was done about it, and by whom",
        help_text="For example: Sam Patel (social worker) visited and saw the child alone on 14 May; visits are "
        "now booked fortnightly.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,  # the service says what is missing, in the service's words
        max_length=5000,
    )


class ChainFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[("open", "Open"), ("closed", "Closed")], required=False
    )
    level = forms.ChoiceField(label="Held by", required=False)
    rule = forms.ChoiceField(label="Timescale", required=False)
    team = forms.TypedChoiceField(label="Team", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "Any level")] + [
            (level.value, level.label) for level in LEVEL_ORDER
        ]
        self.fields["rule"].choices = [("", "Any timescale")] + choices["rules"]
        self.fields["team"].choices = [("", "Any team")] + [(str(pk), name) for pk, name in choices["teams"]]
