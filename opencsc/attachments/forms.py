from django import forms

from opencsc.attachments.file_types import ALLOWED_IN_WORDS
from opencsc.attachments.letters import CHAIR_MAX_CHARACTERS, PLACE_MAX_CHARACTERS
from opencsc.attachments.models import DESCRIPTION_MAX_CHARACTERS, AttachmentCategory
from opencsc.attachments.services import CHOOSE_A_FILE, EMPTY_FILE
from opencsc.casework.models import ConferenceKind
from opencsc.ui.govuk_forms import GovukDateField, LongTextField


class AttachmentForm(forms.Form):
    """The file box comes last, so that what was typed above it is read even when the file is too large; its name
    is the one the size limit watches (uploads.FIELD)."""

    category = forms.ChoiceField(
        label="What kind of file is it?",
        choices=[("", "Choose the kind of file"), *AttachmentCategory.choices],
        required=False,
    )
    description = forms.CharField(
        label="Description",
        help_text="What the file is and who it is from, like 'School report, spring term'",
        max_length=DESCRIPTION_MAX_CHARACTERS,
        required=False,
    )
    attachment_file = forms.FileField(
        label="File",
        required=False,
        error_messages={"empty": EMPTY_FILE, "invalid": CHOOSE_A_FILE, "missing": CHOOSE_A_FILE},
    )

    def __init__(self, *args, limit_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment_file"].help_text = f"{ALLOWED_IN_WORDS}; at most {limit_mb} MB"
        self.fields["description"].error_messages["max_length"] = (
            f"Too long: the most a description can hold is {DESCRIPTION_MAX_CHARACTERS} characters"
        )


class RemoveForm(forms.Form):
    reason = LongTextField(
        label="Why is the file being removed?",
        help_text="For example, attached to the wrong record, or a copy of a file already here",
        max_length=DESCRIPTION_MAX_CHARACTERS,
        holder="a reason",
        required=False,
        widget=forms.TextInput,
    )


class ConferenceInvitationForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which conference?", choices=ConferenceKind.choices, widget=forms.RadioSelect, required=False
    )
    meeting_on = GovukDateField(
        label="Date of the conference", label_for_errors="date of the conference", required=False
    )
    meeting_at = forms.TimeField(
        label="Time",
        help_text="For example, 10:00 or 14:30",
        input_formats=["%H:%M", "%H.%M", "%I:%M%p", "%I.%M%p", "%I%p"],
        required=False,
        error_messages={"invalid": "Enter the time of the conference, like 10:00 or 14:30"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    place = forms.CharField(
        label="Where",
        help_text="The address and room, or 'Online: the link will be sent to you by email'",
        max_length=PLACE_MAX_CHARACTERS,
        required=False,
    )
    chair = forms.CharField(label="Conference chair", max_length=CHAIR_MAX_CHARACTERS, required=False)
    recipients = forms.MultipleChoiceField(
        label="Who to invite", widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, invitees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = [
            (str(r.pk), f"{r.related_person} ({r.get_kind_display().lower()})") for r in invitees
        ]

    def clean_recipients(self):
        return [int(pk) for pk in self.cleaned_data["recipients"]]
