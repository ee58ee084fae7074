"""Issue 7's board journey: an improvement board member signs in to a synthetic authority, sees the dashboard, the
improvement plan and the escalations, is refused a child's record (and the refusal is logged), and reads the board
pack as a page and as a PDF. Screenshots of the pack go to test-artifacts/."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.oversight.models import Escalation, Level
from opencsc.oversight.services import escalation_close, escalations_sweep
from opencsc.people.models import Child
from tests.e2e.conftest import ARTIFACTS, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _authority_with_escalations() -> None:
    """A small synthetic county whose late work has been swept daily for a fortnight, so escalations climbed to
    the director and the chief executive; the director answered one."""
    call_command("generate", children=300, seed=11, verbosity=0)
    today = timezone.localdate()
    for back in (14, 10, 6, 3, 0):
        escalations_sweep(today=today - dt.timedelta(days=back))
    senior = Escalation.objects.filter(level__in=[Level.DIRECTOR, Level.CHIEF_EXECUTIVE]).order_by("pk")
    first = senior.first()
    if first is not None and first.assigned_to is not None:
        escalation_close(
            actor=first.assigned_to,
            escalation=first,
            response="Visit made and the child seen alone; visits booked fortnightly.",
        )


def test_board_member_sees_the_numbers_never_a_child(page, live_user):
    _authority_with_escalations()
    board_member = live_user(Role.IMPROVEMENT_BOARD, first_name="Bea", last_name="Boardman")
    child = Child.objects.filter(is_restricted=False).order_by("pk").first()
    today = timezone.localdate()
    sign_in(page, board_member)

    navigation = page.locator(".govuk-service-navigation")
    expect(navigation).to_contain_text("Today's work")  # the escalations that reach the board
    expect(page.locator(".govuk-service-navigation__list")).not_to_contain_text("Children")
    page.click(".govuk-service-navigation >> text=Leadership")
    expect(page.locator("[data-testid='section-pages']")).to_contain_text("Improvement plan")
    expect(page.locator("[data-testid='section-pages']")).to_contain_text("Board pack")
    expect(page.locator("[data-testid='section-pages']")).not_to_contain_text("Find a child")

    page.click(".govuk-service-navigation >> text=Dashboard")
    expect(page.locator("h1")).to_contain_text("How the service is doing")
    expect(page.locator("[data-testid='kpi-summary']")).to_be_visible()
    expect(page.locator("[data-testid^='drill-']")).to_have_count(0)  # numbers, never the children
    screenshot(page, "board-member-dashboard")

    page.click(".govuk-service-navigation >> text=Improvement plan")
    expect(page.locator("h1")).to_contain_text("Inspection of services for children")
    expect(page.locator("[data-testid='recommendations'] tbody tr")).to_have_count(7)
    page.click("text=Board-meeting view")
    expect(page.locator("h1")).to_contain_text("The plan for the meeting on")
    expect(page.locator("text=Add evidence")).to_have_count(0)
    screenshot(page, "board-meeting-view")

    page.goto("/oversight/escalations/all/")
    expect(page.locator("h1")).to_contain_text("scalation")
    names = [
        f"{c.first_name} {c.last_name}" for c in Child.objects.filter(escalations__isnull=False).distinct()
    ]
    body = page.locator("main").inner_text()
    assert names and not any(name in body for name in names)

    response = page.goto(f"/children/{child.pk}/")
    assert response.status == 403
    expect(page.locator("h1")).to_contain_text("You do not have access")
    assert RecordAccess.objects.filter(user=board_member, child=child, kind=AccessKind.REFUSED).exists()

    page.goto(f"/board/pack/?on={today.isoformat()}")
    expect(page.locator("h1")).to_contain_text("Improvement board pack")
    expect(page.locator("[data-testid='senior-escalations']")).to_contain_text("Answered")
    expect(page.locator("[data-testid='senior-escalations']")).to_contain_text("Not answered")
    pack_text = page.locator("main").inner_text()
    assert not any(name in pack_text for name in names)
    screenshot(page, "board-pack")
    page.emulate_media(media="print")
    screenshot(page, "board-pack-print")
    page.emulate_media(media="screen")

    pdf = page.request.get(f"/board/pack.pdf?on={today.isoformat()}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "board-pack.pdf").write_bytes(pdf.body())
    reader = PdfReader(io.BytesIO(pdf.body()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Improvement board pack" in text and "Escalations that reached the director" in text
    assert not any(name in text for name in names)
    assert AuditEvent.objects.filter(actor=board_member, verb="board_pack.viewed").exists()
    assert AuditEvent.objects.filter(actor=board_member, verb="board_pack.downloaded").exists()
