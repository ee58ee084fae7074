"""The returns pages for analysts: downloads of the CIN census (and the 903, in test_903.py) logged like Annex A,
command-line exports logged like downloads, each year's latest check kept, and return checks run by the
background worker behind an upload limit (issues 11.6 and 12.9)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.returns.cin.export import cin_census_bytes
from opencsc.returns.models import CheckStatus, ReturnCheck, ReturnCheckFile, ValidationRun
from opencsc.returns.registry import Finding, ValidationResult
from opencsc.returns.services import validation_run_save

NOW = dt.datetime(2026, 4, 10, 9, 30, tzinfo=ZoneInfo("Europe/London"))
CENSUS_CHILDREN = {"C100001", "C100002", "C100003", "C100004", "C100005"}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


def _exported(user=None) -> set[str]:
    rows = RecordAccess.objects.filter(kind=AccessKind.EXPORT, user=user)
    return set(rows.values_list("child__la_child_id", flat=True))


def test_an_analyst_downloads_the_cin_census_and_each_child_is_logged(
    census_authority, make_user, client_for
):
    analyst = make_user(Role.PERFORMANCE_ANALYST)
    client = client_for(analyst)
    page = client.get("/returns/cin/").content.decode()
    assert 'data-testid="return-download"' in page and 'action="/returns/cin/download/"' in page
    response = client.get("/returns/cin/download/", {"download_year": "2026"})
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert 'filename="cin-census-2026.xml"' in response["Content-Disposition"]
    census = etree.fromstring(response.content)
    written = {element.text for element in census.iter("LAchildID")}
    assert written == CENSUS_CHILDREN
    assert _exported(analyst) == written
    event = AuditEvent.objects.get(verb="export.cin", actor=analyst)
    assert event.payload["year"] == 2026 and event.payload["children"] == len(written)


def _download_refused(client, year, *, status: int, message: str):
    before = (RecordAccess.objects.count(), AuditEvent.objects.count())
    response = client.get("/returns/cin/download/", {"download_year": year})
    assert response.status_code == status
    if message:
        html = response.content.decode()
        assert message in html and f'value="{year}"' in html
    assert (RecordAccess.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("year", ["", "twenty", "1999", "2031"])
def test_a_bad_download_year_is_explained_and_kept(census_authority, make_user, client_for, year):
    client = client_for(make_user(Role.HEAD_OF_SERVICE))
    _download_refused(client, year, status=400, message="Collection year: enter a year from 2015 to 2027")


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.AUDITOR, Role.ADMINISTRATOR])
def test_only_analysts_and_leaders_download_returns(census_authority, make_user, client_for, role):
    _download_refused(client_for(make_user(role)), "2026", status=403, message="")


def test_a_command_line_export_is_logged_against_the_named_analyst(census_authority, make_user, tmp_path):
    analyst = make_user(Role.PERFORMANCE_ANALYST, username="ana")
    call_command("export", "cin", year=2026, out=tmp_path / "cin.xml", operator="ana", verbosity=0)
    assert _exported(analyst) == CENSUS_CHILDREN
    access = RecordAccess.objects.filter(user=analyst).first()
    assert access.path.startswith("opencsc export cin --year 2026") and access.path.endswith("--as ana")
    event = AuditEvent.objects.get(verb="export.cin", actor=analyst)
    assert event.payload["children"] == len(CENSUS_CHILDREN)


def test_a_command_line_export_without_as_names_the_account_that_ran_it(
    census_authority, tmp_path, make_user, client_for
):
    call_command("export", "annexa", year=2026, out=tmp_path / "a.xlsx", verbosity=0)
    rows = RecordAccess.objects.filter(kind=AccessKind.EXPORT, user=None)
    assert rows.exists() and all("(command line: " in row.path for row in rows)
    assert AuditEvent.objects.filter(verb="export.annexa", actor=None).exists()
    log = (
        client_for(make_user(Role.AUDITOR)).get(f"/children/{rows[0].child_id}/access-log/").content.decode()
    )
    assert "The command line (see Page)" in log and "opencsc export annexa --year 2026" in log


@pytest.mark.parametrize(
    "username, problem",
    [("nobody", "no active member of staff"), ("worker", "may not export returns")],
)
def test_as_must_name_someone_who_may_export(census_authority, make_user, tmp_path, username, problem):
    make_user(Role.SOCIAL_WORKER, username="worker")
    with pytest.raises(CommandError, match=problem):
        call_command("export", "cin", year=2026, out=tmp_path / "cin.xml", operator=username)
    assert not (tmp_path / "cin.xml").exists()
    assert not RecordAccess.objects.exists() and not AuditEvent.objects.filter(verb="export.cin").exists()


def _run(year: int, rule: str) -> ValidationRun:
    finding = Finding(rule=rule, severity="error", message=f"Rule of {year}", la_child_id="C100001")
    return validation_run_save(
        actor=None, result=ValidationResult(kind="cin", year=year, findings=[finding]), source=f"{year}.xml"
    )


def test_each_years_latest_check_is_kept(census_authority, make_user, client_for):
    """Checking 2025-26 no longer hides the findings of the 2024-25 check (issue 12.9)."""
    _run(2025, "OLD2025")
    _run(2025, "R2025")
    _run(2026, "R2026")
    client = client_for(make_user(Role.PERFORMANCE_ANALYST))
    latest = client.get("/returns/cin/").content.decode()
    assert "R2026" in latest and "R2025" not in latest
    assert 'href="/returns/cin/?year=2025"' in latest
    earlier = client.get("/returns/cin/", {"year": "2025"}).content.decode()
    assert "R2025" in earlier and "R2026" not in earlier and "OLD2025" not in earlier
    assert "2025.xml for 2024-25" in earlier
    never = client.get("/returns/cin/", {"year": "2024"}).content.decode()
    assert "The 2023-24 return has not been checked yet" in never


def _census_upload(year: int = 2026) -> SimpleUploadedFile:
    return SimpleUploadedFile("census.xml", cin_census_bytes(year, now=NOW.replace(tzinfo=None)))


def test_an_upload_over_the_limit_is_refused_with_the_limit(
    census_authority, make_user, client_for, settings
):
    settings.RETURN_UPLOAD_LIMIT_MB = 0.001  # about 1 KB, smaller than the census
    client = client_for(make_user(Role.PERFORMANCE_ANALYST))
    response = client.post("/returns/cin/check/", {"year": "2026", "files": [_census_upload()]})
    assert response.status_code == 413
    html = response.content.decode()
    assert "The files are too large: together they can be at most 0.001 MB" in html
    assert (
        'id="id_files-error"' in html and 'name="year" type="text" inputmode="numeric" value="2026"' in html
    )
    assert not ReturnCheck.objects.exists() and not ValidationRun.objects.exists()


def test_a_file_within_the_limit_is_checked(census_authority, make_user, client_for, settings):
    settings.RETURN_UPLOAD_LIMIT_MB = 1
    client = client_for(make_user(Role.PERFORMANCE_ANALYST))
    response = client.post("/returns/cin/check/", {"year": "2026", "files": [_census_upload()]})
    assert response.status_code == 302 and ValidationRun.objects.get().year == 2026


@pytest.mark.django_db(transaction=True)  # the worker closes its database connection, as in production
def test_a_check_runs_in_the_background_worker_with_its_progress_on_a_page(
    census_authority, make_user, client_for, settings
):
    """The request only queues the check; `opencsc db_worker` runs it; the status page follows it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    analyst = make_user(Role.PERFORMANCE_ANALYST)
    client = client_for(analyst)
    response = client.post("/returns/cin/check/", {"year": "2026", "files": [_census_upload()]})
    check = ReturnCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/returns/cin/checks/{check.pk}/"
    assert check.status == CheckStatus.QUEUED and check.requested_by == analyst
    assert not ValidationRun.objects.exists() and ReturnCheckFile.objects.filter(check_request=check).exists()

    waiting = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in waiting
    assert "Step 1 of 3: Waiting for the background worker" in waiting
    assert f'href="/returns/cin/checks/{check.pk}/"' in client.get("/returns/cin/").content.decode()

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    check.refresh_from_db()
    assert check.status == CheckStatus.DONE and check.run.year == 2026 and check.run.run_by == analyst
    assert not ReturnCheckFile.objects.exists()
    finished = client.get(response["Location"]).content.decode()
    assert "http-equiv" not in finished and "Check finished" in finished
    assert 'href="/returns/cin/?year=2026"' in finished


def test_a_file_that_cannot_be_read_fails_its_check_with_the_reason(census_authority, make_user, client_for):
    client = client_for(make_user(Role.PERFORMANCE_ANALYST))
    bad = SimpleUploadedFile("census.xml", b"this is not XML")
    response = client.post("/returns/cin/check/", {"year": "2026", "files": [bad]}, follow=True)
    html = response.content.decode()
    assert "The files could not be checked" in html and 'data-testid="check-problem"' in html
    assert ReturnCheck.objects.get().status == CheckStatus.FAILED and not ValidationRun.objects.exists()


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.AUDITOR])
def test_only_analysts_and_leaders_see_a_check(census_authority, make_user, client_for, role):
    check = ReturnCheck.objects.create(
        kind="cin", year=2026, requested_by=make_user(Role.PERFORMANCE_ANALYST)
    )
    assert client_for(make_user(role)).get(f"/returns/cin/checks/{check.pk}/").status_code == 403
