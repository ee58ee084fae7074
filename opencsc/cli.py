"""The `opencsc` command: Django's management commands under one name."""

import os
import sys

# The demo asks for development settings itself (a known password, no HTTPS); everything else defaults to
# production unless OPENCSC_ENV says otherwise.
DEVELOPMENT_COMMANDS = {"demo"}


def main(argv: list[str] | None = None) -> int:
    argv = list(argv if argv is not None else sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if argv and argv[0] in DEVELOPMENT_COMMANDS:
        os.environ.setdefault("OPENCSC_ENV", "development")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["opencsc", *argv])
    return 0
