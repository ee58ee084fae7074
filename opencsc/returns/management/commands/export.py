import datetime as dt
import getpass
import socket
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from opencsc.returns.registry import get_kind, kinds
from opencsc.returns.selectors import can_export_annexa
from opencsc.returns.services import return_export_record


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--on '{value}' is not a date in the form YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Write a statutory return for collection year Y (1 April Y-1 to 31 March Y): "
        "opencsc export cin --year Y --out PATH. The standard safeguarding dataset takes no year and writes a "
        "folder of CSV tables: opencsc export ssd --out DIR. Annex A is drawn up for 31 March Y, or for --on DATE. "
        "Every child written is logged as exported on their record, as for a download: against the member of "
        "staff named by --as, or else against the command line and the operating-system account that ran it."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", help="Which return: " + ", ".join(sorted(kinds())))
        parser.add_argument(
            "--year",
            type=int,
            help="Collection year Y: the one ending 31 March Y (CSWW: the year to 30 September Y, its reference "
            "date); required for every return but the SSD",
        )
        parser.add_argument(
            "--out",
            type=Path,
            required=True,
            help="The file to write (SSD: the folder to write its tables in)",
        )
        parser.add_argument(
            "--serial", default="001", help="Submission serial number (CIN: 3 or more digits)"
        )
        parser.add_argument(
            "--on",
            help="Annex A: the reference date (YYYY-MM-DD) the lists look back from; default 31 March Y",
        )
        parser.add_argument(
            "--as",
            dest="operator",
            metavar="USERNAME",
            help="The member of staff the export is for (an analyst, head of service or the director)",
        )

    def handle(
        self,
        *args,
        kind: str,
        year: int | None,
        out: Path,
        serial: str,
        on: str | None,
        operator: str | None,
        **options,
    ):
        try:
            return_kind = get_kind(kind)
        except LookupError as error:
            raise CommandError(str(error)) from None
        if return_kind.export is None:
            raise CommandError(f"The {return_kind.title} cannot be exported yet")
        if return_kind.export_is_a_folder and year is not None:
            raise CommandError(
                f"--year does not apply to the {return_kind.title}: it holds the whole history"
            )
        if not return_kind.export_is_a_folder and year is None:
            raise CommandError(f"--year is required for the {return_kind.title}")
        if not serial.isdigit() or len(serial) < 3:
            raise CommandError("--serial must be 3 or more digits, like 001")
        extra = {}
        if on is not None:
            if not return_kind.export_takes_reference_date:
                raise CommandError(f"--on does not apply to the {return_kind.title}")
            extra["on"] = _day(on)
        actor = _operator(operator)
        children = return_kind.export(year, out, serial=serial, **extra)
        logged = return_export_record(
            actor=actor,
            kind=kind,
            la_child_ids=children or (),
            path=_command_line(kind, year, out, extra, actor),
            payload={"year": year, "out": str(out)} | {k: v.isoformat() for k, v in extra.items()},
        )
        if year is None:
            self.stdout.write(f"Wrote the {return_kind.title} to {out}")
        elif "on" in extra:
            self.stdout.write(f"Wrote the {return_kind.title} for {extra['on']:%d/%m/%Y} to {out}")
        else:
            self.stdout.write(f"Wrote the {return_kind.title} for {year - 1}-{year % 100:02d} to {out}")
        if logged:
            self.stdout.write(f"Logged as an export on the records of {logged} children")


def _operator(username: str | None):
    """The member of staff named by --as, who must be one who may download returns; None without --as."""
    if username is None:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--as: there is no active member of staff with the username '{username}'")
    if not can_export_annexa(user):
        raise CommandError(
            f"--as: {username} may not export returns (only analysts, heads of service and the director may)"
        )
    return user


def _command_line(kind: str, year: int | None, out: Path, extra: dict, actor) -> str:
    """What the access log shows in its Page column: the command, and who ran it when no one is named."""
    on = f" --on {extra['on'].isoformat()}" if "on" in extra else ""
    in_year = f" --year {year}" if year is not None else ""
    command = f"opencsc export {kind}{in_year}{on} --out {out}"
    if actor is not None:
        return f"{command} --as {actor.username}"
    return f"{command} (command line: {getpass.getuser()} on {socket.gethostname()})"
