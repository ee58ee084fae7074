"""Importing return files on the web (issue 15 point 1): an analyst uploads a CIN census, a 903 set or an Annex A
workbook; the background worker imports it while the status page shows how far it has got and then the report
(created, updated, kept with a flag, refused with file, line and reason). A form sent twice imports once; a file of
the wrong kind is refused on the form, naming it; only the roles that check returns may import."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.frontdoor.models import Referral
from opencsc.looked_after.models import Episode
from opencsc.people.models import Child
from opencsc.returns.models import CheckStatus, ReturnImport, ReturnImportFile
from tests.returns.builders import annexa_workbook, cin_census, ssda903_set

NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _may_11_2026():
    with time_machine.travel(NOW, tick=False):
        yield


def _upload(path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def _token(client, url: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode()).group(1)


@pytest.mark.django_db(transaction=True)  # the worker closes its database connection, as in production
def test_an_uploaded_census_is_imported_in_the_background_and_a_second_send_imports_nothing(
    make_user, client_for, settings, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    analyst = make_user(Role.PERFORMANCE_ANALYST)
    client = client_for(analyst)
    census = cin_census(tmp_path / "census.xml", 12)
    token = _token(client, "/returns/cin/import/")

    response = client.post("/returns/cin/import/", {"files": [_upload(census)], "form_token": token})

    record = ReturnImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/returns/cin/imports/{record.pk}/"
    assert (
        record.status == CheckStatus.QUEUED and record.requested_by == analyst and not Child.objects.exists()
    )
    waiting = client.get(response["Location"]).content.decode()
    assert (
        '<meta http-equiv="refresh" content="2">' in waiting
        and "Waiting for the background worker" in waiting
    )
    again = client.post("/returns/cin/import/", {"files": [_upload(census)], "form_token": token})
    assert again.status_code == 302 and ReturnImport.objects.count() == 1  # the same form sent twice

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    record.refresh_from_db()
    assert record.status == CheckStatus.DONE and (record.done, record.total, record.what) == (
        12,
        12,
        "children",
    )
    assert record.report["counts"]["child created"] == 12 and record.report["refused"] == []
    assert Child.objects.count() == 12 and not ReturnImportFile.objects.exists()
    finished = client.get(response["Location"]).content.decode()
    assert "http-equiv" not in finished and "Import finished" in finished
    assert "12 of 12 children" in finished and "Child created" in finished
    assert AuditEvent.objects.filter(verb="import.cin.done", actor=analyst).exists()

    # Sent again as a new form: the same file changes nothing.
    client.post("/returns/cin/import/", {"files": [_upload(census)]})
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    second = ReturnImport.objects.first()
    assert second.status == CheckStatus.DONE and second.report["counts"] == {}
    page = client.get(f"/returns/cin/imports/{second.pk}/").content.decode()
    assert "Nothing to change: every record was already held" in page


def test_a_903_set_as_its_zip_and_an_annex_a_workbook_are_imported(db, make_user, client_for, tmp_path):
    import zipfile

    client = client_for(make_user(Role.HEAD_OF_SERVICE))
    folder = ssda903_set(tmp_path / "903", 5)
    bundle = tmp_path / "ssda903-2026.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, f"ssda903/{path.name}")

    response = client.post("/returns/903/import/", {"files": [_upload(bundle)]}, follow=True)

    html = response.content.decode()
    assert "Import finished" in html and "5 of 5 children" in html
    assert Episode.objects.filter(child__la_child_id__startswith="F").count() == 5
    workbook = annexa_workbook(tmp_path / "annex-a.xlsx", 4, prefix="W")
    response = client.post("/returns/annexa/import/", {"files": [_upload(workbook)]}, follow=True)
    html = response.content.decode()
    assert "Import finished" in html and "26 of 26 rows" in html
    assert Referral.objects.filter(child__la_child_id__startswith="W").count() == 4


def test_bad_files_are_refused_on_the_form_or_in_the_report_with_file_line_and_reason(
    db, make_user, client_for, tmp_path
):
    client = client_for(make_user(Role.PERFORMANCE_ANALYST))
    wrong_kind = SimpleUploadedFile("episodes.csv", b"CHILD,DECOM\n")

    refused = client.post("/returns/cin/import/", {"files": [wrong_kind]})

    assert refused.status_code == 400 and not ReturnImport.objects.exists()
    assert "episodes.csv: not a file of this return (it takes .xml files)" in refused.content.decode()
    assert "Choose the files to import" in client.post("/returns/cin/import/", {}).content.decode()

    census = cin_census(tmp_path / "census.xml", 3).read_bytes()
    cut = SimpleUploadedFile("cut.xml", census[: len(census) // 2])
    whole = SimpleUploadedFile("whole.xml", census)
    html = client.post("/returns/cin/import/", {"files": [cut, whole]}, follow=True).content.decode()
    record = ReturnImport.objects.get()
    (problem,) = record.report["refused"]
    assert (
        problem["file"] == "cut.xml" and problem["line"] and "not well-formed" in problem["reason"] or problem
    )
    assert record.report["files_read"] == ["whole.xml"] and Child.objects.count() == 3
    assert 'data-testid="import-refused"' in html and "cut.xml" in html


@pytest.mark.parametrize(
    "role",
    [
        Role.SOCIAL_WORKER,
        Role.TEAM_MANAGER,
        Role.AUDITOR,
        Role.ADMINISTRATOR,
        Role.CHIEF_EXECUTIVE,
        Role.IMPROVEMENT_BOARD,
        Role.INDEPENDENT_REVIEWING_OFFICER,
    ],
)
def test_only_the_roles_that_check_returns_import_them(db, make_user, client_for, role, tmp_path):
    analyst = make_user(Role.PERFORMANCE_ANALYST)
    record = ReturnImport.objects.create(kind="cin", source="census.xml", requested_by=analyst)
    client = client_for(make_user(role))
    census = cin_census(tmp_path / "census.xml", 2)

    assert client.get("/returns/cin/import/").status_code == 403
    assert client.post("/returns/cin/import/", {"files": [_upload(census)]}).status_code == 403
    assert client.get(f"/returns/cin/imports/{record.pk}/").status_code == 403
    assert ReturnImport.objects.count() == 1 and not Child.objects.exists()
