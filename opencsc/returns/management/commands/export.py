import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencsc.returns.registry import get_kind, kinds


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--on '{value}' is not a date in the form YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Write a statutory return for collection year Y (1 April Y-1 to 31 March Y): "
        "opencsc export cin --year Y --out PATH. Annex A is drawn up for 31 March Y, or for --on DATE."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", help="Which return: " + ", ".join(sorted(kinds())))
        parser.add_argument(
            "--year",
            type=int,
            required=True,
            help="Collection year Y: the one ending 31 March Y (CSWW: the year to 30 September Y, its reference date)",
        )
        parser.add_argument("--out", type=Path, required=True, help="The file to write")
        parser.add_argument(
            "--serial", default="001", help="Submission serial number (CIN: 3 or more digits)"
        )
        parser.add_argument(
            "--on",
            help="Annex A: the reference date (YYYY-MM-DD) the lists look back from; default 31 March Y",
        )

    def handle(self, *args, kind: str, year: int, out: Path, serial: str, on: str | None, **options):
        try:
            return_kind = get_kind(kind)
        except LookupError as error:
            raise CommandError(str(error)) from None
        if return_kind.export is None:
            raise CommandError(f"The {return_kind.title} cannot be exported yet")
        if not serial.isdigit() or len(serial) < 3:
            raise CommandError("--serial must be 3 or more digits, like 001")
        extra = {}
        if on is not None:
            if not return_kind.export_takes_reference_date:
                raise CommandError(f"--on does not apply to the {return_kind.title}")
            extra["on"] = _day(on)
        return_kind.export(year, out, serial=serial, **extra)
        if "on" in extra:
            self.stdout.write(f"Wrote the {return_kind.title} for {extra['on']:%d/%m/%Y} to {out}")
        else:
            self.stdout.write(f"Wrote the {return_kind.title} for {year - 1}-{year % 100:02d} to {out}")
