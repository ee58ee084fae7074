from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencsc.returns.registry import get_kind, kinds


class Command(BaseCommand):
    help = "Write a statutory return for collection year Y (1 April Y-1 to 31 March Y): opencsc export cin --year Y --out PATH"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="Which return: " + ", ".join(sorted(kinds())))
        parser.add_argument(
            "--year", type=int, required=True, help="Collection year Y (the one ending 31 March Y)"
        )
        parser.add_argument("--out", type=Path, required=True, help="The file to write")
        parser.add_argument(
            "--serial", default="001", help="Submission serial number (CIN: 3 or more digits)"
        )

    def handle(self, *args, kind: str, year: int, out: Path, serial: str, **options):
        try:
            return_kind = get_kind(kind)
        except LookupError as error:
            raise CommandError(str(error)) from None
        if return_kind.export is None:
            raise CommandError(f"The {return_kind.title} cannot be exported yet")
        if not serial.isdigit() or len(serial) < 3:
            raise CommandError("--serial must be 3 or more digits, like 001")
        return_kind.export(year, out, serial=serial)
        self.stdout.write(f"Wrote the {return_kind.title} for {year - 1}-{year % 100:02d} to {out}")
