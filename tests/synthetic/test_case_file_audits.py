"""The synthetic authority's case file audits follow the services' rules, and adding them changes nothing else a
seed produces (they draw from a random stream of their own)."""

import pytest
from django.db.models import F

from opencsc.casework.models import ChronologyCategory, ChronologyEntry
from opencsc.quality.models import AuditDomain, AuditProgramme, FileAudit, FileAuditAction, ProgrammeChild
from opencsc.quality.services import AUDITING_ROLES
from opencsc.synthetic import generator
from tests.synthetic.test_generate import TODAY, generate, snapshot

QUALITY_TABLES = {
    "quality.FileAudit",
    "quality.FileAuditDomainGrade",
    "quality.FileAuditAction",
    "quality.AuditProgramme",
    "quality.ProgrammeChild",
}


def _without_audits(tables: dict) -> dict:
    tables = {label: rows for label, rows in tables.items() if label not in QUALITY_TABLES}
    tables["casework.ChronologyEntry"] = [
        row for row in tables["casework.ChronologyEntry"] if not row["source_key"].startswith("file-audit-")
    ]
    return tables


@pytest.mark.django_db
def test_audits_change_nothing_else_a_seed_produces(monkeypatch):
    generate(seed=7)
    with_audits = snapshot()
    assert with_audits["quality.FileAudit"], "the generated authority has no audits"
    monkeypatch.setattr(generator, "write_case_file_audits", lambda sim, workforce: 0)
    generate(seed=7, replace=True)
    assert not FileAudit.objects.exists()
    assert _without_audits(snapshot()) == _without_audits(with_audits)


@pytest.mark.django_db
def test_generated_audits_follow_the_rules():
    generate(seed=7)
    audits = FileAudit.objects.select_related("child", "auditor", "moderated_by")
    assert audits.count() >= 12
    for audit in audits:
        assert audit.child.date_of_birth <= audit.audited_on <= TODAY
        assert audit.auditor.role in AUDITING_ROLES
        assert audit.domain_grades.count() == len(AuditDomain)
        assert not audit.child.allocations.filter(worker=audit.auditor, ended_on__isnull=True).exists()
        if audit.is_moderated:
            assert audit.moderated_by != audit.auditor and audit.moderated_by.role in AUDITING_ROLES
            assert audit.audited_on <= audit.moderated_on <= TODAY
            assert bool(audit.moderation_reason) == audit.grade_changed
    assert (
        audits.filter(moderated_by__isnull=True).exists()
        and audits.filter(moderated_by__isnull=False).exists()
    )
    lines = ChronologyEntry.objects.filter(
        category=ChronologyCategory.OVERSIGHT, source_key__startswith="file-audit-"
    )
    assert lines.count() == audits.count() + audits.filter(moderated_by__isnull=False).count()
    assert not FileAuditAction.objects.filter(answered_on__lt=F("added_on")).exists()
    assert not FileAuditAction.objects.filter(due_on__lt=F("added_on")).exists()
    programme = AuditProgramme.objects.get()
    assert ProgrammeChild.objects.filter(programme=programme, audit__isnull=False).exists()
    assert ProgrammeChild.objects.filter(programme=programme, audit__isnull=True).exists()
