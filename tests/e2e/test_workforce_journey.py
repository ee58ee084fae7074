"""Issue 7's workforce journey: a head of service adds a social worker's staff record (a mistyped full-time
equivalent is refused with everything typed kept), records them leaving, and sees the leaver and the vacancy in
the team's figures on the workforce page."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opencsc.accounts.models import Role
from opencsc.workforce.models import StaffRecord
from tests.e2e.conftest import fill_date, screenshot, sign_in
from tests.workforce.builders import post

pytestmark = pytest.mark.django_db(transaction=True)


def test_head_of_service_adds_a_worker_records_them_leaving_and_sees_the_vacancy(page, live_user, teams):
    team = teams["north"]
    post(team, "2")
    head = live_user(Role.HEAD_OF_SERVICE)
    today = timezone.localdate()
    started, left = today - dt.timedelta(days=400), today - dt.timedelta(days=10)
    sign_in(page, head)

    page.click(".govuk-service-navigation >> text=Leadership")
    page.click(".govuk-service-navigation >> text=Workforce")
    expect(page.locator("h1")).to_be_visible()
    page.goto("/workforce/staff/new/")
    page.get_by_label("First name").fill("Asha")
    page.get_by_label("Last name").fill("Patel")
    page.get_by_label("Team").select_option(label=team.name)
    page.get_by_label("Job title").fill("Social worker")
    page.get_by_label("Role in the workforce census").select_option(index=1)
    page.get_by_label("Permanent", exact=True).check()
    page.get_by_label("Full-time equivalent").fill("1.5")
    page.get_by_label("Social Work England registration number").fill("SW123456")
    fill_date(page, "start_date", started)
    page.click("button:has-text('Save')")

    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Full-time equivalent must be no more than 1"
    )
    expect(page.get_by_label("First name")).to_have_value("Asha")
    expect(page.get_by_label("Social Work England registration number")).to_have_value("SW123456")
    page.get_by_label("Full-time equivalent").fill("1")
    page.click("button:has-text('Save')")

    record = StaffRecord.objects.get(last_name="Patel")
    page.goto(f"/workforce/staff/{record.pk}/leaver/")
    fill_date(page, "leaving_date", left)
    page.locator("input[name=leaving_reason]").first.check()
    page.click("button:has-text('Save')")
    record.refresh_from_db()
    assert record.leaving_date == left

    page.goto("/workforce/staff/?show=all")  # leavers are listed with everyone, not among current staff
    expect(page.locator("main")).to_contain_text("Asha Patel")
    expect(page.locator("main")).to_contain_text(f"{left:%-d %b %Y}")

    page.goto(f"/workforce/?team={team.pk}")
    by_team = page.locator("table", has_text="Leavers FTE").locator("tr", has_text="All teams")
    expect(by_team).to_contain_text("1.0")  # the leaver's FTE in the last 12 months
    expect(by_team).to_contain_text("100.0%")  # both funded posts now vacant
    screenshot(page, "workforce-team")
