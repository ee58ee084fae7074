"""The child's record page and a long assessment's edit page for a child with ten years of history: prints p50 and
p95 latencies and the queries each page makes.

    OPENCSC_DATA_DIR=/tmp/opencsc-practice .venv/bin/python benchmarks/practice_record.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opencsc_practice .venv/bin/python benchmarks/practice_record.py

Builds (each run, in the database given: use one of its own) a child born in 2009 with ten years of history: 40
referrals each answered by an assessment with its written document (39 authorised, the last in progress), 500
final case notes with their chronology lines, and 100 files attached (40 of them to documents), kept in a
temporary folder. The assessment in progress is long: every text answer about 2,000 words, 150 saved versions.
A second child with no history is timed too: the queries of a page should not grow with the history.
It prints figures; it asserts nothing about them.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-practice")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")
os.environ.setdefault(
    "OPENCSC_ATTACHMENT_STORAGE_OPTIONS",
    f'{{"location": "{tempfile.mkdtemp(prefix="opencsc-practice-files-")}"}}',
)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY  # noqa: E402
from opencsc.accounts.models import Role, Team, TeamKind, User  # noqa: E402
from opencsc.attachments.models import Attachment, AttachmentCategory  # noqa: E402
from opencsc.attachments.storage import attachments_storage  # noqa: E402
from opencsc.casework.models import (  # noqa: E402
    Allocation,
    Assessment,
    CaseNote,
    ChronologyCategory,
    ChronologyEntry,
    NoteStatus,
    NoteType,
)
from opencsc.documents.models import DocumentStatus, DocumentVersion, PracticeDocument, QuestionKind  # noqa: E402
from opencsc.documents.services import published_template  # noqa: E402
from opencsc.documents.shipped_templates import load_shipped_templates  # noqa: E402
from opencsc.frontdoor.models import Referral  # noqa: E402
from opencsc.people.models import Child  # noqa: E402

YEARS = 10
REFERRALS = 40
NOTES = 500
FILES = 100
VERSIONS = 150
WORDS_PER_ANSWER = 2_000
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
WORDS = [
    "the",
    "family",
    "said",
    "that",
    "school",
    "has",
    "been",
    "going",
    "better",
    "since",
    "the",
    "new",
    "routine",
    "started",
    "and",
]


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=60, help="requests timed per page")
    return parser.parse_args()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def prose(words: int, seed: int) -> str:
    return " ".join(WORDS[(seed + i) % len(WORDS)] for i in range(words))


def _child(team: Team, number: int, first_name: str) -> Child:
    return Child.objects.create(
        la_child_id=f"B{number:06d}-{time.time_ns() % 10**9}",
        first_name=first_name,
        last_name="Benchmark",
        first_name_key=first_name.lower(),
        last_name_key="benchmark",
        date_of_birth=dt.date(2009, 9, 1),
        sex="F",
        responsible_team=team,
    )


@transaction.atomic
def build_history() -> tuple[User, Child, Child, PracticeDocument]:
    load_shipped_templates()
    stamp = time.time_ns() % 10**9
    team = Team.objects.create(name=f"Benchmark team {stamp}", kind=TeamKind.ASSESSMENT)
    worker = User.objects.create_user(
        username=f"bench.worker.{stamp}",
        password="a long benchmark password",
        role=Role.SOCIAL_WORKER,
        team=team,
    )
    child = _child(team, 1, "Long")
    fresh = _child(team, 2, "New")
    today = timezone.localdate()
    first_day = today - dt.timedelta(days=365 * YEARS)
    for someone in (child, fresh):
        Allocation.objects.create(child=someone, worker=worker, team=team, started_on=first_day)

    step = (today - first_day) / REFERRALS
    referrals = Referral.objects.bulk_create(
        Referral(
            child=child,
            referral_date=first_day + step * i,
            source="3A",
            route="assessment",
            team=team,
            closed_on=None if i == REFERRALS - 1 else first_day + step * i + dt.timedelta(days=60),
            closure_reason="" if i == REFERRALS - 1 else "RC1",
        )
        for i in range(REFERRALS)
    )
    last = REFERRALS - 1
    assessments = Assessment.objects.bulk_create(
        Assessment(
            child=child,
            referral=referral,
            worker=worker,
            started_on=referral.referral_date,
            outcome="" if i == last else "support",
            completed_on=None if i == last else referral.referral_date + dt.timedelta(days=30),
            authorised_on=None if i == last else referral.referral_date + dt.timedelta(days=35),
            authorised_by=None if i == last else worker,
        )
        for i, referral in enumerate(referrals)
    )
    template = published_template("child_and_family_assessment")
    text_keys = [q.key for q in template.questions() if q.kind == QuestionKind.TEXT]
    long_answers = {key: prose(WORDS_PER_ANSWER, n) for n, key in enumerate(text_keys)}
    documents = PracticeDocument.objects.bulk_create(
        PracticeDocument(
            document_type="child_and_family_assessment",
            template=template,
            child=child,
            assessment=assessment,
            status=DocumentStatus.DRAFT if i == last else DocumentStatus.AUTHORISED,
            answers=long_answers if i == last else {key: prose(300, n) for n, key in enumerate(text_keys)},
            version=VERSIONS if i == last else 3,
            author=worker,
            authorised_on=None if i == last else assessment.authorised_on,
            authorised_by=None if i == last else worker,
        )
        for i, assessment in enumerate(assessments)
    )
    long_document = documents[last]
    DocumentVersion.objects.bulk_create(
        DocumentVersion(
            document=long_document,
            number=n,
            answers=long_answers,
            status=DocumentStatus.DRAFT,
            event="Draft saved",
            saved_by=worker,
        )
        for n in range(1, VERSIONS + 1)
    )

    note_step = (today - first_day) / NOTES
    notes = CaseNote.objects.bulk_create(
        CaseNote(
            note_type=NoteType.VISIT if i % 3 == 0 else NoteType.PHONE_CALL,
            title=f"Note {i + 1}",
            body=prose(250, i),
            event_on=first_day + note_step * i,
            status=NoteStatus.FINAL,
            finalised_at=timezone.now(),
            author=worker,
        )
        for i in range(NOTES)
    )
    CaseNote.children.through.objects.bulk_create(
        CaseNote.children.through(casenote_id=note.pk, child_id=child.pk) for note in notes
    )
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            child=child,
            occurred_on=note.event_on,
            category=ChronologyCategory.CASE_NOTE,
            summary=note.title,
            is_significant=i % 10 == 0,
            source_key=f"bench-note-{note.pk}",
            recorded_by=worker,
        )
        for i, note in enumerate(notes)
    )
    for i in range(FILES):
        name = attachments_storage.save(f"bench/{stamp}/{i}.pdf", django_file(PDF))
        Attachment.objects.create(
            child=child,
            document=documents[i % REFERRALS] if i < REFERRALS else None,
            category=AttachmentCategory.REPORT,
            description=f"Report {i + 1}",
            file=name,
            original_name=f"Report {i + 1}.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256="0" * 64,
            uploaded_by=worker,
        )
    return worker, child, fresh, long_document


def django_file(content: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(content)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[TWO_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def timed(request: Callable[[], object], times: int) -> tuple[list[float], int, set[int]]:
    """Durations of `times` requests after a first one, whose queries are counted (an execute wrapper, as Django
    empties its own query log at each request's start)."""
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        first = request()
    durations, statuses = [], {first.status_code}
    for _ in range(times):
        started = time.perf_counter()
        statuses.add(request().status_code)
        durations.append((time.perf_counter() - started) * 1000)
    return durations, len(queries), statuses


def main() -> None:
    arguments = parse_arguments()
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    worker, child, fresh, document = build_history()
    print(
        f"{connection.vendor}: built ten years of history in {time.perf_counter() - started:.1f}s "
        f"({NOTES} notes, {REFERRALS} documents, {FILES} files; the long assessment "
        f"{len(str(document.answers)):,} characters, {VERSIONS} versions)"
    )
    client = signed_in(worker)
    pages = [
        ("child record page, ten years", f"/children/{child.pk}/"),
        ("child record page, no history", f"/children/{fresh.pk}/"),
        ("long assessment, edit page", f"/documents/{document.pk}/edit/"),
        ("child's files page (100 files)", f"/children/{child.pk}/files/"),
    ]
    print(f"{'page':34} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}  status")
    for label, url in pages:
        durations, queries, statuses = timed(lambda url=url: client.get(url), arguments.pages)
        print(
            f"{label:34} {len(durations):>4} {percentile(durations, 0.5):>8.1f} "
            f"{percentile(durations, 0.95):>8.1f} {queries:>8}  {sorted(statuses)}"
        )
    print(f"mean of all requests: {statistics.mean(durations):.1f} ms (last page)")


if __name__ == "__main__":
    main()
