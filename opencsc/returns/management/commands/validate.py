from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencsc.returns.registry import get_kind, kinds


class Command(BaseCommand):
    help = (
        "Check a statutory return file against the DfE rules: opencsc validate cin PATH --year Y. "
        "Prints errors and queries with counts by rule; exits 1 when there are errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", help="Which return: " + ", ".join(sorted(kinds())))
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--year", type=int, required=True, help="Collection year Y (the one ending 31 March Y)"
        )
        parser.add_argument(
            "--save", action="store_true", help="Keep the findings as the data-quality worklist"
        )
        parser.add_argument(
            "--limit", type=int, default=20, help="Findings to list for each rule (0 for none)"
        )

    def handle(self, *args, kind: str, path: Path, year: int, save: bool, limit: int, **options):
        try:
            return_kind = get_kind(kind)
        except LookupError as error:
            raise CommandError(str(error)) from None
        if return_kind.validate is None:
            raise CommandError(f"The {return_kind.title} cannot be validated yet")
        try:
            result = return_kind.validate(path, year)
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from None
        counts = Counter((f.severity, f.rule) for f in result.findings)
        messages = {f.rule: f.message for f in result.findings}
        for severity, heading in (("error", "ERRORS"), ("query", "QUERIES")):
            rules = sorted(rule for sev, rule in counts if sev == severity)
            total = sum(counts[(severity, rule)] for rule in rules)
            self.stdout.write(f"{heading}: {total}")
            for rule in rules:
                self.stdout.write(f"  {rule:>12} {counts[(severity, rule)]:6}  {messages[rule]}")
                listed = [f for f in result.findings if f.rule == rule][:limit]
                for finding in listed:
                    self.stdout.write(f"{'':16}{finding.la_child_id or '(whole return)'}  {finding.fields}")
        for note in result.notes:
            self.stdout.write(f"NOTE: {note}")
        if save:
            from opencsc.returns.services import validation_run_save

            run = validation_run_save(actor=None, result=result, source=str(path))
            self.stdout.write(f"Saved as validation run {run.pk}: see /returns/{kind}/")
        if result.errors:
            raise CommandError(f"{len(result.errors)} errors", returncode=1)
