"""Forms for recording care. They check only the shape of what was typed; the services in `services.py` check
the rules (overlapping episodes, dates in the future, URN for the placement type, and so on)."""

import datetime as dt

from django import forms
from django.utils import timezone

from opencsc.looked_after.codes import (
    CategoryOfNeed,
    LegalStatus,
    MissingKind,
    PlacementProvider,
    PlacementType,
    PreviousPermanence,
    ReasonEpisodeCeased,
    ReasonPlacementChange,
    ReviewParticipation,
    SdqReason,
)
from opencsc.looked_after.fields import YES_NO, coded_choices, date_field
from opencsc.looked_after.models import HealthCheckKind


def _time(label: str, what: str, *, required: bool = True):
    return forms.TimeField(
        label=label,
        required=required,
        help_text="Use the 24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": f"Enter the {what}", "invalid": f"Enter the {what} like 14:30"},
    )


def _select(label: str, choices, message: str, *, required: bool = True, blank: str = "Select", **kwargs):
    return forms.ChoiceField(
        label=label,
        choices=coded_choices(choices, blank=blank),
        required=required,
        error_messages={"required": message},
        **kwargs,
    )


def _yes_no(label: str, message: str, help_text: str = ""):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": message},
    )


class PlacementFields(forms.Form):
    placement_type = _select("Type of placement", PlacementType.choices, "Select the type of placement")
    placement_provider = _select(
        "Placement provider",
        PlacementProvider.choices,
        "Select the placement provider",
        required=False,
        blank="Not needed for this placement",
    )
    urn = forms.CharField(
        label="Ofsted URN of the provider",
        required=False,
        max_length=8,
        help_text="SC followed by 6 numbers, or 7 numbers. Not needed for placements with parents, temporary "
        "moves and some others.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    carer_name = forms.CharField(label="Carer or provider name", required=False, max_length=200)
    placement_postcode = forms.CharField(
        label="Placement postcode",
        max_length=10,
        error_messages={"required": "Enter the placement postcode"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    home_postcode = forms.CharField(
        label="Child's home postcode",
        required=False,
        max_length=10,
        help_text="The home the child came into care from. Leave blank to use their current address.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class StartCareForm(forms.Form):
    started_on = date_field(
        "Date the child started to be looked after", "date the child started to be looked after"
    )
    legal_status = _select("Legal status", LegalStatus.choices, "Select the legal status")
    category_of_need = _select("Category of need", CategoryOfNeed.choices, "Select the category of need")
    field_order = ["started_on", "legal_status", "category_of_need"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(PlacementFields().fields)


class LegalStatusForm(forms.Form):
    changed_on = date_field("Date the legal status changed", "date the legal status changed")
    legal_status = _select("New legal status", LegalStatus.choices, "Select the new legal status")
    category_of_need = _select(
        "Category of need",
        CategoryOfNeed.choices,
        "Select the category of need",
        required=False,
        blank="Unchanged",
    )


class MovePlacementForm(forms.Form):
    moved_on = date_field("Date of the move", "date of the move")
    same_carers = _yes_no(
        "Is the child staying with the same carers?",
        "Select whether the child is staying with the same carers",
        help_text="Yes for a change of placement with the same carers, such as becoming long-term",
    )
    reason_placement_changed = _select(
        "Reason the placement changed",
        ReasonPlacementChange.choices,
        "Select the reason the placement changed",
        required=False,
        help_text="Not needed for a temporary move (T0 to T4)",
    )
    legal_status = _select(
        "Legal status",
        LegalStatus.choices,
        "",
        required=False,
        blank="Unchanged",
        help_text="Only if it changes",
    )
    category_of_need = _select(
        "Category of need", CategoryOfNeed.choices, "", required=False, blank="Unchanged"
    )
    field_order = ["moved_on", "same_carers", "reason_placement_changed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        legal_status = self.fields.pop("legal_status")
        category = self.fields.pop("category_of_need")
        self.fields.update(PlacementFields().fields)
        self.fields["legal_status"] = legal_status
        self.fields["category_of_need"] = category
        self.fields["home_postcode"].help_text = "Leave blank to keep the home postcode already recorded."


class EndCareForm(forms.Form):
    ended_on = date_field("Date care ended", "date care ended")
    reason_ceased = _select(
        "Reason care ended",
        [(code, label) for code, label in ReasonEpisodeCeased.choices if code != "X1"],
        "Select why care ended",
    )


class ReviewForm(forms.Form):
    held_on = date_field("Date of the review", "date of the review")
    participation = forms.ChoiceField(
        label="How the child took part",
        choices=coded_choices(ReviewParticipation.choices),
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the child took part"},
    )
    reviewing_officer = forms.ModelChoiceField(
        label="Independent reviewing officer who chaired the review",
        help_text="Leave as it is for the child's IRO on the day of the review",
        queryset=None,
        required=False,
        empty_label="The child's IRO on the day",
    )

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewing_officer"].queryset = officers
        self.fields["reviewing_officer"].label_from_instance = lambda user: user.display_name


def _at(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    if day is None or time is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, time))


class _InterviewFields(forms.Form):
    returned_on = date_field("Date the child returned", "date the child returned", required=False)
    returned_time = _time("Time the child returned", "time the child returned", required=False)
    interview_offered_on = date_field(
        "Date the return home interview was offered", "date the interview was offered", required=False
    )
    interview_offered_time = _time("Time it was offered", "time the interview was offered", required=False)
    interview_done_on = date_field(
        "Date the return home interview was done", "date the interview was done", required=False
    )
    interview_done_time = _time("Time it was done", "time the interview was done", required=False)
    interview_declined = forms.BooleanField(
        label="The child declined the return home interview", required=False
    )

    PAIRS = (
        ("returned_on", "returned_time", "returned_at", "time the child returned", "date the child returned"),
        (
            "interview_offered_on",
            "interview_offered_time",
            "interview_offered_at",
            "time the interview was offered",
            "date the interview was offered",
        ),
        (
            "interview_done_on",
            "interview_done_time",
            "interview_done_at",
            "time the interview was done",
            "date the interview was done",
        ),
    )

    def clean(self):
        data = super().clean()
        for day_field, time_field, target, time_what, day_what in self.PAIRS:
            day, time = data.get(day_field), data.get(time_field)
            if day and time is None and time_field not in self.errors:
                self.add_error(time_field, f"Enter the {time_what}")
            if time and day is None and day_field not in self.errors:
                self.add_error(day_field, f"Enter the {day_what}")
            data[target] = _at(day, time)
        return data


class MissingEpisodeForm(_InterviewFields):
    kind = forms.ChoiceField(
        label="Was the child missing or away?",
        choices=MissingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the child was missing or away without authorisation"},
    )
    started_on = date_field("Date the child went missing", "date the child went missing")
    started_time = _time("Time the child went missing", "time the child went missing")
    field_order = ["kind", "started_on", "started_time"]

    def clean(self):
        data = super().clean()
        data["started_at"] = _at(data.get("started_on"), data.get("started_time"))
        return data


class MissingUpdateForm(_InterviewFields):
    missing_episode = forms.TypedChoiceField(
        label="Which episode", coerce=int, error_messages={"required": "Select the missing episode"}
    )
    field_order = ["missing_episode"]

    def __init__(self, *args, episodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["missing_episode"].choices = [
            (
                episode.pk,
                f"{episode.get_kind_display()} from {timezone.localtime(episode.started_at):%-d %B %Y %H:%M}"
                + (" (returned)" if episode.returned_at else " (not returned)"),
            )
            for episode in episodes
        ]
        self.fields["missing_episode"].widget = forms.RadioSelect(
            choices=self.fields["missing_episode"].choices
        )


class CareCheckForm(forms.Form):
    kind = forms.ChoiceField(
        label="What was done",
        choices=HealthCheckKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what was done"},
    )
    done_on = date_field("Date it was done", "date it was done")
    sdq_score = forms.IntegerField(
        label="SDQ score (0 to 40)",
        required=False,
        min_value=0,
        max_value=40,
        help_text="Only for a strengths and difficulties questionnaire",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the SDQ score as a whole number",
            "min_value": "The SDQ score must be between 0 and 40",
            "max_value": "The SDQ score must be between 0 and 40",
        },
    )
    sdq_reason = _select(
        "Reason there is no SDQ score", SdqReason.choices, "", required=False, blank="Not applicable"
    )


class UascForm(forms.Form):
    ceased_on = date_field(
        "Date UASC status ceased",
        "date UASC status ceased",
        required=False,
        help_text="Leave blank while the child is still an unaccompanied asylum-seeking child",
    )


class PreviousPermanenceForm(forms.Form):
    kind = forms.ChoiceField(
        label="Previous permanence order",
        choices=coded_choices(PreviousPermanence.choices),
        widget=forms.RadioSelect,
        error_messages={"required": "Select the previous permanence order, or Z1 if there was none"},
    )
    order_date = forms.CharField(
        label="Date of the order",
        required=False,
        max_length=10,
        help_text="dd/mm/yyyy. Use 00 for a day or month that is not known, for example 00/05/2019",
    )
    la_code = forms.CharField(
        label="Authority that made the order",
        required=False,
        max_length=3,
        help_text="Usually left blank. The 3-digit DfE number, or WAL, SCO, NIR or NUK",
    )
