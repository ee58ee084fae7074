"""Adding and removing files: what is kept, what is written beside it, and every refusal leaving nothing behind
(no row, no stored file, no audit event, no chronology line)."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencsc.attachments import services
from opencsc.attachments.models import Attachment
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import ChronologyEntry
from tests.attachments.conftest import EXE, PDF, counts, docx, stored_files, upload


def _add(world, **overrides):
    call = {
        "actor": world.worker,
        "child": world.child,
        "category": "report",
        "description": "School report, spring term",
        "upload": upload("Spring report.pdf", PDF),
    }
    return services.attachment_add(**{**call, **overrides})


def test_a_file_is_stored_under_a_random_name_with_its_audit_event_and_chronology_line(world, file_store):
    attachment = _add(world)

    assert attachment.original_name == "Spring report.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    [stored] = stored_files(file_store)
    assert stored.read_bytes() == PDF
    assert "Spring" not in stored.name and "Ella" not in str(stored)
    event = AuditEvent.objects.get(verb="attachment.added")
    assert event.child == world.child and event.actor == world.worker
    line = ChronologyEntry.objects.get(source_key=f"attachment-{attachment.pk}")
    assert line.summary == "File attached: Report from another agency, School report, spring term"
    assert not line.is_significant


def _refused(world, file_store, field: str, words: str, **overrides):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        _add(world, **overrides)
    assert any(words in message for message in refused.value.message_dict[field]), refused.value.message_dict
    assert counts() == before
    assert stored_files(file_store) == []


def test_an_exe_renamed_pdf_is_refused_and_nothing_is_stored(world, file_store):
    _refused(world, file_store, "attachment_file", "is not a PDF", upload=upload("court order.pdf", EXE))


def test_an_empty_file_is_refused_and_nothing_is_stored(world, file_store):
    _refused(world, file_store, "attachment_file", "The file is empty", upload=upload("empty.pdf", b""))


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(world, file_store, settings):
    settings.ATTACHMENT_MAX_MB = 0.0001  # about 100 bytes
    _refused(
        world, file_store, "attachment_file", "at most 0.0001 MB", upload=upload("big.pdf", PDF + bytes(200))
    )


def test_a_word_file_with_macros_is_refused(world, file_store):
    _refused(world, file_store, "attachment_file", "macros", upload=upload("report.docx", docx(macros=True)))


def test_no_file_no_category_and_no_description_are_each_named(world, file_store):
    _refused(world, file_store, "attachment_file", "Choose a file", upload=None)
    _refused(world, file_store, "category", "Choose what kind of file", category="")
    _refused(world, file_store, "description", "Enter a description", description="   ")
    _refused(
        world, file_store, "description", "the most a description can hold is 300", description="x" * 301
    )


def test_a_read_only_role_cannot_attach(world, file_store):
    before = counts()
    with pytest.raises(PermissionDenied):
        _add(world, actor=world.auditor)
    assert counts() == before and stored_files(file_store) == []


def test_a_failed_save_after_storing_deletes_the_stored_file(world, file_store, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Attachment, "save", refuse)
    with pytest.raises(RuntimeError):
        _add(world)
    assert stored_files(file_store) == []


def test_removing_deletes_the_file_and_keeps_who_and_why(
    world, file_store, django_capture_on_commit_callbacks
):
    attachment = _add(world)
    with pytest.raises(ValidationError) as refused:
        services.attachment_remove(actor=world.worker, attachment=attachment, reason=" ")
    assert "reason" in refused.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(actor=world.manager, attachment=attachment, reason="Wrong child's report")
    attachment.refresh_from_db()
    assert attachment.is_removed and attachment.removed_by == world.manager
    assert attachment.removal_reason == "Wrong child's report"
    assert stored_files(file_store) == []
    assert AuditEvent.objects.filter(verb="attachment.removed", child=world.child).count() == 1
    with pytest.raises(ValidationError):
        services.attachment_remove(actor=world.manager, attachment=attachment, reason="Again")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("C:\\Users\\ama\\Desktop\\letter.pdf", "letter.pdf"),
        ('bad"name\r\n.pdf', "bad_name_.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        ("...", "file"),
    ],
)
def test_the_name_a_file_came_with_is_cleaned(given, kept):
    assert services.clean_file_name(given) == kept
