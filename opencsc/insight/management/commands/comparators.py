"""`opencsc comparators load FILE... --year YYYY [--as USERNAME]`: load the DfE's published files (the Explore
Education Statistics data sets and the statistical neighbours list) for one reporting year, as the analyst's
page does (opencsc.insight.comparators, ADR 0022). All the files or none: a file refused stores nothing, and
the command exits 1 naming each file and what is wrong with it."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from opencsc.accounts.models import Role
from opencsc.insight.comparators import LoadRefused, command_line_origin, comparators_load


class Command(BaseCommand):
    help = "Load the DfE's published files (EES data sets, statistical neighbours) for one reporting year"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="load published files for a reporting year")
        load.add_argument("files", nargs="+", metavar="FILE")
        load.add_argument("--year", type=int, required=True, help="the reporting year, e.g. 2025")
        load.add_argument(
            "--as", dest="username", help="the performance analyst the load is recorded against"
        )

    def handle(self, *args, action: str, files: list[str], year: int, username: str | None, **options):
        actor = _analyst(username) if username else None
        contents = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            contents.append((path.name, path.read_bytes()))
        try:
            load = comparators_load(actor=actor, files=contents, year=year, loaded_from=command_line_origin())
        except LoadRefused as refused:
            raise CommandError(
                "Nothing was loaded:\n" + "\n".join(f"  {problem}" for problem in refused.problems)
            ) from None
        for item in load.files:
            self.stdout.write(f"{item['name']}: {item['data_set']}, {item['rows']} rows")
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(load.files)} file(s) for {year}"))


def _analyst(username: str):
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or user.role != Role.PERFORMANCE_ANALYST:
        raise CommandError(f"--as: {username} is not an active performance analyst")
    return user
