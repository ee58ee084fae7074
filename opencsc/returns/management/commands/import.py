from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencsc.returns.registry import get_kind, kinds

FLAGS_SHOWN = 100  # the rest are on the worklist


class Command(BaseCommand):
    help = (
        "Read statutory return files into the records: opencsc import cin FILE... "
        "Records already held are matched, not duplicated; importing a file twice changes nothing. "
        "Every child is kept: what breaks a rule is stored as given (or left blank where it cannot be) and "
        "flagged on the data-quality worklist at /returns/ with its rule, reason, file and line. "
        "Exits 1 when a file was refused (listed with its line and reason)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", help="Which return: " + ", ".join(sorted(kinds())))
        parser.add_argument("files", nargs="+", type=Path)

    def progress(self, done: int, total: int, what: str) -> None:
        """How far the import of a file or set has gone, on stderr (so that stdout stays the report)."""
        self.stderr.write(
            f"  {done:7} of {total} {what} read and checked" + (": writing" if done == total else "")
        )

    def handle(self, *args, kind: str, files: list[Path], **options):
        try:
            return_kind = get_kind(kind)
        except LookupError as error:
            raise CommandError(str(error)) from None
        if return_kind.import_files is None:
            raise CommandError(f"The {return_kind.title} cannot be imported yet")
        report = return_kind.import_files(files, actor=None, progress=self.progress)
        for path in report.files_read:
            self.stdout.write(f"Read {path}")
        for what, count in sorted(report.counts.items()):
            self.stdout.write(f"  {count:7}  {what}")
        if not report.counts and report.files_read:
            self.stdout.write("  Nothing to change: every record was already held")
        for problem in report.files_refused:
            self.stderr.write(f"REFUSED {problem}")
        for problem in report.skipped:
            self.stderr.write(f"SKIPPED {problem}")
        for flag in report.flags[:FLAGS_SHOWN]:
            self.stderr.write(f"FLAGGED {flag}")
        if len(report.flags) > FLAGS_SHOWN:
            self.stderr.write(f"FLAGGED ... and {len(report.flags) - FLAGS_SHOWN} more")
        if report.flags:
            self.stdout.write(
                f"{len(report.flags)} problem(s) flagged: every child was kept; the data-quality worklist is at "
                f"/returns/{kind}/"
            )
        if not report.ok:
            raise CommandError(
                f"{len(report.files_refused)} file(s) refused, {len(report.skipped)} record(s) skipped",
                returncode=1,
            )
