"""The `opencsc` command: Django's management commands under one name."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["opencsc", *(argv if argv is not None else sys.argv[1:])])
    return 0
