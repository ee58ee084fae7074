"""Runs OpenCSC as a council would and loads it with a day's mix of staff: prints p50, p95 and errors per page.

    createdb -h 127.0.0.1 -U postgres opencsc_load
    .venv/bin/python benchmarks/load_test.py [--reuse] [--children 20000] [--users 200] [--run-time 5m]

What it does, in order:

1. Builds a generated authority in the PostgreSQL database (`opencsc generate --children N`), unless --reuse
   finds one there.
2. Gives about --users staff of the generated workforce (more made in the right teams if the workforce is too
   small) one known password and a fresh two-factor key: social workers with their caseloads, front-door workers,
   team managers and leaders (heads of service, the director, performance analysts). Writes them to a JSON file
   for the locustfile. The accounts of earlier runs are reused; every two-factor key in the database is replaced.
3. Starts the service with the documented production start, `scripts/serve-production` (production settings,
   migrate, collectstatic, the background worker, gunicorn with --workers and --threads).
4. Runs locust headless (benchmarks/load/locustfile.py) with --users people joining at --spawn-rate a second for
   --run-time, sampling the machine's load average every 10 seconds.
5. Stops the service, checks that every note locust was told was finalised is in the database, final, with its
   title and author, and that no note was made twice, then prints the table: page, requests, p50, p95, errors.

Exit status 1 if a note is lost or a page failed; the figures themselves are never judged here.
Don't point it at a database you care about: without --reuse it replaces every child in it.
"""

import argparse
import base64
import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/opencsc_load"
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # the setup; the service itself runs in production
os.environ.setdefault("OPENCSC_DEBUG", "0")
# One key for the two-factor secrets, shared by this process (which writes them) and the service (which reads).
os.environ.setdefault("OPENCSC_TOTP_KEY", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count, Q  # noqa: E402

from opencsc.accounts.models import Role, Team, TeamKind, User  # noqa: E402
from opencsc.casework.models import Allocation, CaseNote, NoteStatus  # noqa: E402
from opencsc.people.models import Child  # noqa: E402

PASSWORD = "load-test-" + "staff-password-2026"
# Of 100 people at work: which kind of user they are (the locustfile's weights say the same).
MIX = {"social_worker": 65, "front_door": 15, "team_manager": 12, "leader": 8}
LEADER_ROLES = (Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST)
CASELOAD_SAMPLE = 25


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", action="store_true", help="use the authority already in the database")
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--run-time", default="5m")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--offices", type=int, default=4, help="office addresses the staff come from")
    parser.add_argument("--think", default="3,12", help="seconds between pages, low,high")
    parser.add_argument("--typing", default="20,60", help="seconds spent writing a note, low,high")
    parser.add_argument("--out", type=Path, default=Path("/tmp/opencsc-load"))
    return parser.parse_args()


# -- 1. the authority --------------------------------------------------------------------------------------------


def prepare_authority(arguments: argparse.Namespace) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    existing = Child.objects.count()
    if arguments.reuse and existing:
        print(f"Reusing the authority in the database: {existing:,} children")
        return
    started = time.perf_counter()
    call_command("generate", children=arguments.children, seed=arguments.seed, replace=True, verbosity=0)
    print(f"Generated {arguments.children:,} children in {time.perf_counter() - started:.0f}s")


# -- 2. the staff ------------------------------------------------------------------------------------------------


def wanted(users: int) -> dict[str, int]:
    """How many accounts of each kind: locust splits users by weight, rounding; a few spare of each."""
    return {kind: users * share // 100 + 3 for kind, share in MIX.items()}


def _caseload(children) -> list[dict]:
    return [
        {"id": child.pk, "first_name": child.first_name, "surname": child.last_name}
        for child in children[:CASELOAD_SAMPLE]
    ]


def _open_allocations():
    return Allocation.objects.filter(ended_on__isnull=True, child__is_restricted=False)


def _extra_accounts(kind: str, count: int, role: str, team: Team) -> list[User]:
    made = []
    for number in range(1, count + 1):
        user, _ = User.objects.get_or_create(
            username=f"load.{kind}.{number}",
            defaults={"first_name": "Load", "last_name": f"{kind.replace('_', ' ').title()} {number}"},
        )
        user.role, user.team, user.is_active = role, team, True
        user.save()
        made.append(user)
    return made


def _pick(kind: str, count: int) -> list[User]:
    """Generated staff of the kind first (they hold real caseloads), then made-up ones in the right team."""
    active = User.objects.filter(is_active=True).exclude(username__startswith="load.")
    front_door = Q(team__kind=TeamKind.FRONT_DOOR)
    if kind == "social_worker":
        holders = _open_allocations().values("worker")
        found = active.filter(role=Role.SOCIAL_WORKER, pk__in=holders).exclude(front_door)
        found = found.annotate(held=Count("allocations")).order_by("-held", "pk")
        role, team = Role.SOCIAL_WORKER, _busiest_team()
    elif kind == "team_manager":
        found = active.filter(role=Role.TEAM_MANAGER).exclude(front_door).order_by("pk")
        role, team = Role.TEAM_MANAGER, _busiest_team()
    elif kind == "front_door":
        found = active.filter(role=Role.SOCIAL_WORKER).filter(front_door).order_by("pk")
        role, team = Role.SOCIAL_WORKER, Team.objects.filter(kind=TeamKind.FRONT_DOOR).order_by("pk").first()
    else:
        found = active.filter(role__in=LEADER_ROLES).order_by("role", "pk")
        role, team = (
            Role.HEAD_OF_SERVICE,
            Team.objects.filter(kind=TeamKind.MANAGEMENT).order_by("pk").first(),
        )
    chosen = list(found[:count])
    return chosen + _extra_accounts(kind, count - len(chosen), role, team)


def _busiest_team() -> Team:
    busiest = _open_allocations().values("team").annotate(n=Count("id")).order_by("-n").first()
    return Team.objects.get(pk=busiest["team"])


def _children_for(kind: str, user: User, surnames: list[str]) -> dict:
    if kind == "social_worker":
        held = Child.objects.filter(pk__in=_open_allocations().filter(worker=user).values("child"))
        if not held.exists():  # a made-up worker: the team's children, which they may open and write on
            held = Child.objects.filter(pk__in=_open_allocations().filter(team=user.team).values("child"))
        return {"children": _caseload(held.order_by("?"))}
    if kind == "team_manager":
        team_children = _open_allocations().filter(team=user.team).values("child")
        return {"children": _caseload(Child.objects.filter(pk__in=team_children).order_by("?"))}
    return {"surnames": surnames}


def prepare_staff(users: int) -> dict[str, list[dict]]:
    import pyotp
    from django.utils import timezone

    # Each run has a new key for the two-factor secrets (OPENCSC_TOTP_KEY), so the secrets written under an
    # earlier run's key are cleared first: they could no longer be read. Nobody else signs in to this database.
    User.objects.exclude(totp_secret="").update(totp_secret="", totp_confirmed_at=None)
    hashed = make_password(PASSWORD)  # one hash (the production hasher) for every account: one slow hash
    surnames = list(
        Child.objects.filter(is_restricted=False).order_by("?").values_list("last_name", flat=True)[:400]
    )
    accounts: dict[str, list[dict]] = {}
    for kind, count in wanted(users).items():
        accounts[kind] = []
        for user in _pick(kind, count):
            user.password, user.password_change_required = hashed, False
            user.totp_secret = pyotp.random_base32()
            user.totp_confirmed_at, user.totp_last_used_step = timezone.now(), None
            user.save()
            accounts[kind].append(
                {
                    "username": user.username,
                    "password": PASSWORD,
                    "totp_secret": user.totp_secret,
                    "role": user.role,
                    **_children_for(kind, user, surnames),
                }
            )
    return accounts


# -- 3. the service ----------------------------------------------------------------------------------------------


def start_service(arguments: argparse.Namespace) -> subprocess.Popen:
    environment = {
        **os.environ,
        "OPENCSC_ENV": "production",
        "OPENCSC_SECRET_KEY": secrets.token_urlsafe(48),
        "OPENCSC_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "OPENCSC_TRUSTED_PROXIES": "1",
        "OPENCSC_BIND": f"127.0.0.1:{arguments.port}",
        "OPENCSC_WORKERS": str(arguments.workers),
        "OPENCSC_THREADS": str(arguments.threads),
        "OPENCSC_STATIC_ROOT": str(arguments.out / "static"),
    }
    environment.pop("OPENCSC_DEBUG", None)
    with open(arguments.out / "service.log", "w") as log:
        service = subprocess.Popen(
            [str(ROOT / "scripts" / "serve-production")],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one, gunicorn and the worker together
        )
    _wait_until_answering(arguments.port, service)
    return service


def _wait_until_answering(port: int, service: subprocess.Popen) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/accounts/sign-in/", headers={"X-Forwarded-Proto": "https"}
    )
    for _ in range(180):
        if service.poll() is not None:
            raise SystemExit("The service stopped while starting: see service.log")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise SystemExit("The service did not answer within 3 minutes")


def stop_service(service: subprocess.Popen) -> None:
    os.killpg(service.pid, signal.SIGTERM)
    try:
        service.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(service.pid, signal.SIGKILL)


# -- 4. locust ---------------------------------------------------------------------------------------------------


class LoadSampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.wait(10):
            self.samples.append(os.getloadavg()[0])


def run_locust(arguments: argparse.Namespace, accounts_file: Path, notes_file: Path, run_id: str) -> int:
    environment = {
        **os.environ,
        "OPENCSC_LOAD_ACCOUNTS": str(accounts_file),
        "OPENCSC_LOAD_NOTES": str(notes_file),
        "OPENCSC_LOAD_RUN": run_id,
        "OPENCSC_LOAD_OFFICES": str(arguments.offices),
        "OPENCSC_LOAD_BEHIND_TLS_PROXY": "1",
        "OPENCSC_LOAD_THINK": arguments.think,
        "OPENCSC_LOAD_TYPING": arguments.typing,
    }
    command = [
        str(ROOT / ".venv" / "bin" / "locust"),
        "-f", str(ROOT / "benchmarks" / "load" / "locustfile.py"),
        "--headless", "--only-summary",
        "-u", str(arguments.users), "-r", str(arguments.spawn_rate), "--run-time", arguments.run_time,
        "--host", f"http://127.0.0.1:{arguments.port}",
        "--csv", str(arguments.out / "locust"),
        "--stop-timeout", "90",
    ]  # fmt: skip
    with open(arguments.out / "locust.log", "w") as log:
        return subprocess.run(command, env=environment, stdout=log, stderr=subprocess.STDOUT).returncode


# -- 5. the check and the table ----------------------------------------------------------------------------------


def check_notes(notes_file: Path, run_id: str) -> list[str]:
    """Every note reported finalised is in the database as it was sent; none was made twice. Also counts the
    run's notes in the database: one more than reported was saved although its person saw an error."""
    reported = (
        [json.loads(line) for line in notes_file.read_text().splitlines()] if notes_file.exists() else []
    )
    titles = [note["title"] for note in reported]
    stored = {
        note.pk: note
        for note in CaseNote.objects.filter(pk__in=[n["note_id"] for n in reported]).select_related("author")
    }
    problems = []
    for note in reported:
        found = stored.get(note["note_id"])
        if found is None:
            problems.append(f"note {note['note_id']} ({note['title']}) is not in the database")
        elif found.title != note["title"] or found.author.username != note["author"]:
            problems.append(f"note {note['note_id']} holds {found.title!r} by {found.author.username}")
        elif found.status != NoteStatus.FINAL:
            problems.append(f"note {note['note_id']} is not final")
    made = CaseNote.objects.filter(title__in=titles).values("title").annotate(n=Count("id")).filter(n__gt=1)
    problems += [f"{row['n']} notes titled {row['title']!r}" for row in made]
    print(
        f"Notes reported finalised: {len(reported)}; found in the database as sent: {len(reported) - len(problems)}; "
        f"notes of this run in the database: {CaseNote.objects.filter(title__startswith=f'Load {run_id} ').count()}"
    )
    return problems


def print_table(stats_file: Path, failures_file: Path) -> int:
    rows = list(csv.DictReader(stats_file.open()))
    print("\n| page | requests | p50 ms | p95 ms | errors |\n|---|---|---|---|---|")
    failed = 0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all pages**"
        print(f"| {name} | {row['Request Count']} | {row['50%']} | {row['95%']} | {row['Failure Count']} |")
        if row["Name"] != "Aggregated":
            failed += int(row["Failure Count"])
    if failures_file.exists():
        for failure in csv.DictReader(failures_file.open()):
            print(f"  error: {failure['Name']}: {failure['Error']} ({failure['Occurrences']} times)")
    return failed


def main() -> None:
    arguments = parse_arguments()
    arguments.out.mkdir(parents=True, exist_ok=True)
    prepare_authority(arguments)
    accounts = prepare_staff(arguments.users)
    accounts_file, notes_file = arguments.out / "accounts.json", arguments.out / "notes.jsonl"
    accounts_file.write_text(json.dumps(accounts))
    notes_file.unlink(missing_ok=True)
    print("Accounts ready: " + ", ".join(f"{len(v)} {k.replace('_', ' ')}" for k, v in accounts.items()))
    service = start_service(arguments)
    print(
        f"Service: gunicorn, {arguments.workers} processes x {arguments.threads} threads, the background worker"
    )
    sampler = LoadSampler()
    sampler.start()
    run_id = time.strftime("%Y%m%d%H%M%S")
    started = time.perf_counter()
    try:
        run_locust(arguments, accounts_file, notes_file, run_id)
    finally:
        sampler.stopping.set()
        stop_service(service)
    loads = sampler.samples or [os.getloadavg()[0]]
    print(
        f"locust: {arguments.users} users, {arguments.spawn_rate}/s, {arguments.run_time} "
        f"({time.perf_counter() - started:.0f}s); load average (1 min) during the run: "
        f"min {min(loads):.1f}, mean {sum(loads) / len(loads):.1f}, max {max(loads):.1f} on {os.cpu_count()} cores"
    )
    problems = check_notes(notes_file, run_id)
    for problem in problems:
        print(f"  LOST OR WRONG: {problem}")
    failed = print_table(arguments.out / "locust_stats.csv", arguments.out / "locust_failures.csv")
    sys.exit(1 if problems or failed else 0)


if __name__ == "__main__":
    main()
