"""Issue 13 point 6's journey: an auditor grades a child's file (a missing grade refused with the findings kept)
and sets an action; a head of service moderates it, changing the grade with a reason; the director's audit page
shows the share graded good or better and drills to the audits, a restricted child among them unnamed, and from
the audit to the child."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opencsc.accounts.models import Role
from opencsc.quality.models import AuditDomain, FileAudit, Grade
from tests.e2e.conftest import screenshot, sign_in
from tests.quality import builders

pytestmark = pytest.mark.django_db(transaction=True)


def _grade(page, domain_label: str, grade: str) -> None:
    page.locator("fieldset", has_text=f"Grade: {domain_label}").get_by_label(grade, exact=True).check()


def test_an_audit_is_graded_moderated_and_counted_for_leaders(page, signed_in_page, live_user, teams):
    north = teams["north"]
    worker = live_user(Role.SOCIAL_WORKER, north, first_name="Wendy", last_name="Worker")
    auditor = live_user(Role.AUDITOR, first_name="Alex", last_name="Auditor")
    head = live_user(Role.HEAD_OF_SERVICE, first_name="Hana", last_name="Head")
    director = live_user(Role.DIRECTOR, first_name="Dev", last_name="Director")
    amara = builders.child(worker, north, "Amara")
    builders.allocate(amara, worker)
    earlier = builders.child(worker, north, "Bilal")
    builders.record(head, earlier, Grade.GOOD)
    hidden = builders.child(worker, north, "Secretname", restricted=True)
    from opencsc.people.models import ChildAccessGrant

    ChildAccessGrant.objects.create(child=hidden, user=auditor, granted_by=head)
    builders.record(auditor, hidden, Grade.OUTSTANDING)

    sign_in(page, auditor)
    page.goto(f"/children/{amara.pk}/")
    page.click("main >> text=Case file audits")
    page.click("text=Audit this file")
    domains = list(AuditDomain)
    for domain in domains[1:]:
        _grade(page, domain.label.lower(), "Good")
    for domain in domains:
        page.fill(f"#id_{domain.value}_findings", f"{domain.label}: seen in the file.")
    page.locator("fieldset", has_text="Overall grade for the file").get_by_label("Good", exact=True).check()
    page.get_by_label("Summary").fill("Amara's voice is clear; the plan is reviewed on time.")
    page.click("button:has-text('Record the audit')")

    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the grade for the child's voice and lived experience"
    )
    expect(page.locator("#id_recording_findings")).to_have_value(
        "Recording: the file tells the child's story: seen in the file."
    )
    _grade(page, domains[0].label.lower(), "Good")
    page.click("button:has-text('Record the audit')")
    expect(page.locator("[data-testid='moderation']")).to_contain_text("Awaiting moderation")
    audit = FileAudit.objects.get(child=amara)

    page.click("text=Add an action for the worker")
    due = timezone.localdate() + dt.timedelta(days=14)
    page.get_by_label("Action for the worker").fill("Add Amara's own words to the plan")
    page.fill("#id_due_on-day", str(due.day))
    page.fill("#id_due_on-month", str(due.month))
    page.fill("#id_due_on-year", str(due.year))
    page.click("button:has-text('Add the action')")
    expect(page.locator("[data-testid='actions']")).to_contain_text("Wendy Worker")

    moderator = signed_in_page(head)
    moderator.click(".govuk-service-navigation >> text=Leadership")
    moderator.click(".govuk-service-navigation >> text=Case file audits")
    moderator.click("text=Audits waiting for moderation")
    moderator.locator("[data-testid='audits'] tr", has_text="Amara").locator("a").first.click()
    moderator.click("text=Moderate this audit")
    moderator.get_by_label("Requires improvement", exact=True).check()
    moderator.click("button:has-text('Record the moderation')")
    expect(moderator.locator(".govuk-error-summary")).to_contain_text("Say why you changed the grade")
    moderator.get_by_label("Reason").fill("No visit recorded for eight weeks.")
    moderator.click("button:has-text('Record the moderation')")
    expect(moderator.locator("[data-testid='moderation']")).to_contain_text("Grade changed to")
    expect(moderator.locator("[data-testid='moderation']")).to_contain_text("Requires improvement")
    audit.refresh_from_db()
    assert audit.final_grade == Grade.REQUIRES_IMPROVEMENT
    moderator.goto(f"/children/{amara.pk}/chronology/")
    expect(moderator.locator("main")).to_contain_text("Case file audit moderated by Hana Head")

    leader = signed_in_page(director)
    leader.click(".govuk-service-navigation >> text=Leadership")
    leader.click(".govuk-service-navigation >> text=Case file audits")
    # Bilal good, the restricted child outstanding, Amara moderated to requires improvement: 2 of 3.
    expect(leader.locator("[data-testid='headline']")).to_contain_text("66.7% of 3 files")
    this_month = leader.locator("[data-testid='over-time'] tbody tr").first
    expect(this_month).to_contain_text("66.7%")
    screenshot(leader, "case-file-audit-figures")
    this_month.locator("a").first.click()
    listed = leader.locator("[data-testid='audits']")
    expect(listed).to_contain_text("Amara Audited")
    expect(listed).to_contain_text("A restricted record")
    expect(leader.locator("main")).not_to_contain_text("Secretname")
    listed.locator("tr", has_text="Amara").locator("a").first.click()
    expect(leader.locator("h1")).to_have_text("Case file audit")
    expect(leader.locator("[data-testid='domains']")).to_contain_text("Management oversight and supervision")
    leader.click("main >> text=Amara Audited")
    expect(leader).to_have_url(f"{leader.url.split('/children/')[0]}/children/{amara.pk}/")
