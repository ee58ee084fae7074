from django.db import models
from django.utils import timezone


class FormSubmission(models.Model):
    """A one-time form token that has been used: who sent it, to which address, and the page of what it made.

    A row is written in the same transaction as the record the form creates, and the unique constraint makes a
    second submission of the same form (Back and send again, a double click, two tabs) fail to write one, so it
    creates nothing and is shown the first one's record instead. See opencsc/ui/form_tokens.py.
    """

    holder = models.CharField(max_length=40)  # "user:<id>", or "anonymous" on the public partner form
    token = models.CharField(max_length=64)
    path = models.CharField(max_length=500)
    result_url = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["holder", "token", "path"], name="ui_form_submission_used_once")
        ]
