"""The registry of document types (kinds.py): every type has its kind and every record link its type; a document
starts from its record with what the record already knows carried forward; the child's page of records that can
take a document starts the one chosen and refuses one that cannot, writing nothing."""

from django.urls import reverse

from opencsc.documents import kinds, services
from opencsc.documents.models import DocumentType, DocumentVersion, PracticeDocument
from tests.documents.conftest import COMPLETE_ANSWERS
from tests.documents.test_document_services import protection_next_assessment


def test_every_document_type_has_its_kind_and_every_record_link_its_type():
    assert set(kinds.KINDS) == set(DocumentType.values)
    links = {
        f.name
        for f in PracticeDocument._meta.get_fields()
        if f.one_to_one and f.related_model._meta.app_label != "documents"
    }
    assert set(kinds.record_fields()) == links
    for kind in kinds.KINDS.values():
        assert PracticeDocument._meta.get_field(kind.record_field).related_model is kind.record_model
        assert set(kind.statutory) <= set(kinds.statutory_kinds())


def _authorised_assessment_document(world) -> PracticeDocument:
    document = services.document_start(actor=world.worker, assessment=world.assessment)
    document = services.document_submit(
        actor=world.worker, document=document, answers=COMPLETE_ANSWERS, expected_version=document.version
    )
    return services.document_authorise(
        actor=world.manager, document=document, expected_version=document.version
    )


def test_the_next_assessment_starts_from_the_family_as_the_last_one_found_it(world):
    _authorised_assessment_document(world)
    second = protection_next_assessment(world)
    document = services.document_start(actor=world.worker, assessment=second)
    assert document.answers == {"family_environment": COMPLETE_ANSWERS["family_environment"]}
    assert document.versions.get().answers == document.answers  # the carried-forward start is version 1


def test_the_childs_page_lists_the_open_assessment_and_starts_its_document(world, client_for):
    worker = client_for(world.worker)
    page = worker.get(reverse("documents:write", args=[world.child.pk])).content.decode()
    assert f'data-testid="start-child_and_family_assessment-{world.assessment.pk}"' in page
    answer = worker.post(
        reverse("documents:write", args=[world.child.pk]),
        {"document_type": DocumentType.CHILD_AND_FAMILY_ASSESSMENT, "record": world.assessment.pk},
    )
    document = PracticeDocument.objects.get(assessment=world.assessment)
    assert answer.status_code == 302 and answer["Location"] == reverse("documents:edit", args=[document.pk])
    page = worker.get(reverse("documents:write", args=[world.child.pk])).content.decode()
    assert 'data-testid="nothing"' in page  # the assessment has its document now


def test_a_record_that_cannot_take_a_document_is_refused_and_nothing_written(world, client_for):
    worker = client_for(world.worker)
    before = (PracticeDocument.objects.count(), DocumentVersion.objects.count())
    for posted in (
        {"document_type": DocumentType.CHILD_AND_FAMILY_ASSESSMENT, "record": world.assessment.pk + 999},
        {"document_type": "no_such_type", "record": world.assessment.pk},
        {"document_type": DocumentType.CHILD_AND_FAMILY_ASSESSMENT, "record": "x"},
    ):
        answer = worker.post(reverse("documents:write", args=[world.child.pk]), posted)
        assert answer.status_code == 200
        assert "Choose a record from the list" in answer.content.decode()
    assert (PracticeDocument.objects.count(), DocumentVersion.objects.count()) == before
