"""One-time form tokens: a form that creates a record, sent twice, creates it once.

Back and send again, a double click or a second tab used to create a second case note (final, so never deleted) or
a second contact. Now every POST form carries a token beside its CSRF field (`{{ csrf_input }}` renders both, see
`form_token_input`), and a view that creates records is wrapped in `creates_record`, which

- answers a token already used, by this person at this address, with the page of what it made ("This form was
  sent before..."), creating nothing;
- otherwise runs the view in one transaction and, if the view redirects (the record was made), writes the used
  token with the redirect's address in that same transaction. The unique constraint on FormSubmission means two
  posts of one form at the same moment cannot both commit: the second rolls back whatever it created and is
  shown the first one's record.

Browsers do not bring hidden fields back with Back when they fetch the page again (Chromium fetches it again and
restores only what was typed), so form-token.js also writes the token into the page's address (`?form=...`): the
page fetched again carries the same token, and says the form has been sent.

A POST without a token (a script, an old test) is processed as before: the token protects people's browsers, it
is not an access control.
"""

import datetime as dt
import re
import secrets
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils import timezone
from markupsafe import Markup

from opencsc.ui.models import FormSubmission

FIELD = "form_token"
QUERY = "form"
SENT_BEFORE = "This form was sent before, so nothing new was recorded. This is what it recorded."
KEEP_DAYS = 30
_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")


def _well_formed(candidate: str | None) -> str | None:
    return candidate if candidate and _SHAPE.fullmatch(candidate) else None


def posted_token(request) -> str | None:
    return _well_formed(request.POST.get(FIELD)) if request.method == "POST" else None


def page_token(request) -> str:
    """The token this page's forms carry: the one sent with the form being shown again, the one in the address
    (the page fetched again after Back), or a new one."""
    if not hasattr(request, "_form_token"):
        request._form_token = (
            posted_token(request) or _well_formed(request.GET.get(QUERY)) or secrets.token_urlsafe(24)
        )
    return request._form_token


def _holder(request) -> str:
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else "anonymous"


def earlier_submission(
    request, *, token: str | None = None, path: str | None = None
) -> FormSubmission | None:
    token = token or posted_token(request)
    if token is None:
        return None
    return FormSubmission.objects.filter(
        holder=_holder(request), token=token, path=path or request.path
    ).first()


def claim(request, *, result_url: str, path: str | None = None) -> None:
    """Inside the caller's transaction: this form's token made what is at `result_url`. A second claim of the same
    token raises IntegrityError (at once, or when the first commits)."""
    token = posted_token(request)
    if token is None:
        return
    holder = _holder(request)
    FormSubmission.objects.filter(
        holder=holder, created_at__lt=timezone.now() - dt.timedelta(days=KEEP_DAYS)
    ).delete()
    FormSubmission.objects.create(
        holder=holder, token=token, path=path or request.path, result_url=result_url
    )


def show_earlier(request, earlier: FormSubmission):
    for _ in messages.get_messages(request):
        pass  # drops what a rolled-back attempt said ("Contact recorded"): it recorded nothing
    messages.info(request, SENT_BEFORE)
    return redirect(earlier.result_url)


def creates_record(view):
    """For a view that creates records and redirects to what it made. Put it next to the view function, inside the
    access decorators, so that a refusal is logged outside the transaction."""

    @wraps(view)
    def once(request, *args, **kwargs):
        request.form_creates_record = True
        if request.method != "POST" or posted_token(request) is None:
            return view(request, *args, **kwargs)
        earlier = earlier_submission(request)
        if earlier is not None:
            return show_earlier(request, earlier)
        try:
            with transaction.atomic():
                response = view(request, *args, **kwargs)
                if response.status_code in (301, 302, 303):
                    claim(request, result_url=response["Location"])
        except IntegrityError:
            earlier = earlier_submission(request)
            if earlier is None:
                raise
            return show_earlier(request, earlier)
        return response

    once.creates_record = True
    return once


class FormTokenInput:
    """What `{{ csrf_input }}` renders: the CSRF field, the page's form token and the script that keeps the token
    in the address; if this page's form has already been sent, a banner saying so. Rendered only when used."""

    def __init__(self, request):
        self.request = request

    def __html__(self) -> str:
        token = page_token(self.request)
        parts = [
            Markup('<input type="hidden" name="csrfmiddlewaretoken" value="{}">').format(
                get_token(self.request)
            ),
            Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token),
        ]
        if self._keeps_token_in_address():
            parts.append(
                Markup('<script type="module" src="{}"></script>').format(static("opencsc/form-token.js"))
            )
        if self._first_form_of_a_page_fetched_again(token):
            earlier = earlier_submission(self.request, token=token)
            if earlier is not None:
                parts.insert(0, _sent_banner(earlier.result_url))
        return Markup("").join(parts)

    def _keeps_token_in_address(self) -> bool:
        """Staff pages, and public pages whose form creates a record (the partner form); not the sign-in pages,
        whose addresses stay as they are."""
        user = getattr(self.request, "user", None)
        return getattr(self.request, "form_creates_record", False) or bool(user and user.is_authenticated)

    def _first_form_of_a_page_fetched_again(self, token: str) -> bool:
        if self.request.method != "GET" or self.request.GET.get(QUERY) != token:
            return False
        first = not getattr(self.request, "_form_sent_checked", False)
        self.request._form_sent_checked = True
        return first

    __str__ = __html__


def _sent_banner(result_url: str) -> Markup:
    return Markup(
        '<div class="govuk-notification-banner" role="region" aria-labelledby="form-sent-title" '
        'data-testid="form-already-sent"><div class="govuk-notification-banner__header">'
        '<h2 class="govuk-notification-banner__title" id="form-sent-title">Important</h2></div>'
        '<div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">'
        'You have already sent this form. <a class="govuk-notification-banner__link" href="{}">See what it '
        "recorded</a>. Sending it again will not record anything twice.</p></div></div>"
    ).format(result_url)


def form_token_input(request) -> dict:
    """Context processor: `{{ csrf_input }}`, which every POST form renders, carries the form token too."""
    return {"csrf_input": FormTokenInput(request)} if request is not None else {}
