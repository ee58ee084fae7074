"""The Jinja2 environment: GOV.UK Frontend macros, Django helpers and the form-field adapter."""

from django.conf import settings
from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, Undefined

from opencsc.ui.formatting import format_date, format_datetime, format_postcode
from opencsc.ui.govuk_forms import error_summary, govuk_field


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    base_loader = options.pop("loader", None)
    govuk_loader = PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})
    options["loader"] = ChoiceLoader([loader for loader in (base_loader, govuk_loader) if loader])
    options["undefined"] = Undefined  # GOV.UK macros test for missing params; DebugUndefined breaks them
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(**options)
    env.globals.update(
        static=static,
        url=url,
        govuk_field=govuk_field,
        error_summary=error_summary,
        get_messages=messages.get_messages,
        authority_name=settings.AUTHORITY_NAME,
    )
    env.filters.update(date=format_date, datetime=format_datetime, postcode=format_postcode)
    return env
