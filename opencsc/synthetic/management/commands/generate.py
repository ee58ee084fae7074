import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opencsc.synthetic.generator import clear_generated_data, generate_authority, generated_households_exist


class Command(BaseCommand):
    help = "Build a synthetic county authority: staff, families, children and their casework. Deterministic per seed."

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=3000, help="how many children (default 3000)")
        parser.add_argument(
            "--seed", type=int, default=2014, help="the same seed always gives the same authority"
        )
        parser.add_argument(
            "--start-year", type=int, help="the year the simulated history begins (default: 5 years ago)"
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            help="generate as if today were this date (YYYY-MM-DD); nothing written is later than the day before",
        )
        parser.add_argument(
            "--replace", action="store_true", help="clear the children and generated staff first"
        )

    def handle(self, *args, children: int, seed: int, start_year, today, replace: bool, **options):
        if settings.PRODUCTION:
            raise CommandError("Refusing to write synthetic data into a production database")
        if children < 1:
            raise CommandError("--children must be at least 1")
        if generated_households_exist() and not replace:
            raise CommandError(
                "The database already has children: add --replace to clear them and generate anew"
            )
        started = time.perf_counter()
        clear_generated_data()
        try:
            written = generate_authority(
                children=children,
                seed=seed,
                la_code=settings.AUTHORITY_LA_CODE,
                start_year=start_year,
                today=today,
                progress=self._progress if options["verbosity"] > 1 else None,
            )
        except ValueError as problem:
            raise CommandError(str(problem)) from problem
        seconds = time.perf_counter() - started
        if options["verbosity"] > 0:
            self.stdout.write(f"Generated {settings.AUTHORITY_NAME} (seed {seed}) in {seconds:.1f}s:")
            for what, how_many in sorted(written.items()):
                self.stdout.write(f"  {what:<24} {how_many:>10,}")

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"  {done:,} of {total:,} children")
