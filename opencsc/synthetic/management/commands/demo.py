import datetime as dt
import io
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opencsc.people.models import Child
from opencsc.synthetic.demo_accounts import DEMO_PASSWORD
from opencsc.synthetic.demo_users import ensure_demo_users

SWEEP_DAYS = 28


class Command(BaseCommand):
    help = "Set up the database, a synthetic authority and demo logins, then serve OpenCSC on this computer."

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=2014)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="set everything up, print the logins, then stop"
        )

    def handle(self, *args, children: int, seed: int, port: int, no_serve: bool, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo sets a known password: it will not run in production")
        call_command("migrate", interactive=False, verbosity=0)
        if not Child.objects.exists():
            self.stdout.write(f"Generating a synthetic authority of {children:,} children (seed {seed})...")
            call_command("generate", children=children, seed=seed, stdout=self.stdout)
            self._sweep_recent_days()
        accounts = ensure_demo_users()
        self._print_logins(accounts, port)
        if not no_serve:
            worker = start_background_worker()
            # Stopped by a signal (kill, a terminal closing, a service manager) as by Ctrl-C: the worker goes too.
            signal.signal(signal.SIGTERM, _exit_on_signal)
            signal.signal(signal.SIGHUP, _exit_on_signal)
            try:
                # People trying the demo see the service's error pages, never Django's debug pages (not even for
                # a missing static file, which runserver answers before any middleware). insecure_serving:
                # runserver serves the static files with DEBUG off.
                settings.DEBUG = False
                call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, insecure_serving=True)
            finally:
                worker.terminate()

    def _sweep_recent_days(self) -> None:
        """Run the daily deadline sweep over the last four weeks, as the scheduled job would have done, so the
        demo has escalations that have climbed their chains unanswered."""
        today = timezone.localdate()
        self.stdout.write(f"Running the daily sweep for the {SWEEP_DAYS} days to {today:%d %B %Y}...")
        for days_ago in range(SWEEP_DAYS - 1, -1, -1):
            day = today - dt.timedelta(days=days_ago)
            call_command("sweep", date=day.isoformat(), stdout=io.StringIO())

    def _print_logins(self, accounts, port: int) -> None:
        write = self.stdout.write
        write("")
        write(f"OpenCSC demo: open http://127.0.0.1:{port}")
        write(f"Every demo login has the password: {DEMO_PASSWORD}")
        write(
            "For the two-factor code, run this in a new terminal (or add the secret below to an authenticator app):"
        )
        write(f"    {totp_command()} <username>")
        write("")
        rows = [("username", "role", "team", "secret")] + [
            (user.username, user.get_role_display(), str(user.team or ""), account.totp_secret)
            for account, user in accounts
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        for row in rows:
            write(
                "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=False))
                + "  "
                + row[3]
            )
        write("")


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def totp_command() -> str:
    """`opencsc totp` as it runs from a fresh shell: the venv's own script, with the demo's settings."""
    script = Path(sys.prefix) / "bin" / "opencsc"
    return f"OPENCSC_ENV=development {script if script.exists() else 'opencsc'} totp"


def start_background_worker() -> subprocess.Popen:
    """`opencsc db_worker` beside the demo's web server, so that what the service queues (return checks asked
    for on the web, emails to referrers) runs as it would in production."""
    return subprocess.Popen(
        [sys.executable, "-c", "from opencsc.cli import main; main()", "db_worker", "--no-reload"],
        stdout=subprocess.DEVNULL,
    )
