"""The decision log in the browser, on the demo: a product manager records a decision from a
backlog item's page, finds it in the product's decision log and on the item; the log, a
decision's page and the form refusing bad input pass axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.decisions.models import Decision, DecisionLink
from lodestar.discovery.models import Problem
from lodestar.people.demo import DEMO_PASSWORD
from tests.e2e.test_accessibility import AXE, violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOG = "/w/acme/decisions/ACME"


def sign_in(page: Any, email: str) -> None:
    # axe-core on every page the tab opens from now on (see test_accessibility's ``audited``).
    page.context.add_init_script(path=str(AXE))
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))


def test_record_a_decision_from_an_item_and_find_it_on_the_log(
    page: Any, demo: None, screenshot: Any
) -> None:
    sign_in(page, "priya@acme.example")
    page.goto("/w/acme/items/ACME-2")
    section = page.get_by_test_id("object-decisions")
    before = section.get_by_test_id("object-decision").count()
    section.get_by_text("Record a decision").click()
    section.get_by_label("Title").fill("Ship the export behind a flag first")
    section.get_by_label("The decision").fill("Turn it on for ten accounts, then everyone.")
    section.get_by_label("Record it as").select_option("decided")
    section.get_by_role("button", name="Record decision").click()

    expect(page.locator(".flash-success")).to_contain_text("Ship the export behind a flag first")
    expect(section.get_by_test_id("object-decision")).to_have_count(before + 1)
    screenshot("decisions-item-section")
    made = Decision.objects.get(title="Ship the export behind a flag first")
    assert DecisionLink.objects.filter(decision=made, target_type="item").count() == 1

    page.get_by_role("navigation").get_by_role("link", name="Decisions").first.click()
    expect(page).to_have_url(re.compile(rf"{LOG}$"))
    row = page.get_by_test_id("decision-row").filter(has_text=made.title)
    expect(row).to_contain_text("Decided")
    expect(row).to_contain_text("Priya Raman")
    screenshot("decisions-log")
    assert violations(page) == []

    row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(made.title)
    expect(page.get_by_test_id("decision-link")).to_contain_text("ACME-2")
    expect(page.get_by_test_id("decision-text")).to_contain_text("ten accounts")
    screenshot("decisions-detail")
    assert violations(page) == []

    # The superseded demo decision shows where it went.
    page.goto(f"{LOG}/1")
    expect(page.get_by_test_id("superseded-notice")).to_contain_text("ACME-D2")
    screenshot("decisions-superseded")


def test_the_form_refuses_bad_input_inline(page: Any, demo: None, screenshot: Any) -> None:
    sign_in(page, "quinn@acme.example")
    page.goto(f"{LOG}/new")
    page.get_by_label("Title", exact=True).fill("Weekly digest in Slack")
    page.get_by_label("Status").select_option("decided")
    page.get_by_label("Who decided").fill("nobody@acme.example")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".field.has-error")).to_contain_text("is not a member of this workspace")
    screenshot("decisions-form-refused")
    assert violations(page) == []
    assert not Decision.objects.filter(title="Weekly digest in Slack").exists()


def test_record_a_proposed_decision_from_a_problem(page: Any, demo: None, screenshot: Any) -> None:
    problem = Problem.objects.filter(workspace__slug="acme", product__key="ACME").first()
    assert problem is not None
    sign_in(page, "quinn@acme.example")
    page.goto(f"/w/acme/problems/{problem.pk}")
    section = page.get_by_test_id("object-decisions")
    before = section.get_by_test_id("object-decision").count()
    section.get_by_text("Record a decision").click()
    section.get_by_label("Title").fill("Interview five accounts before building")
    section.get_by_label("Record it as").select_option("proposed")
    section.get_by_role("button", name="Record decision").click()
    expect(section.get_by_test_id("object-decision")).to_have_count(before + 1)
    expect(section.get_by_test_id("object-decision").first).to_contain_text("Proposed")
    screenshot("decisions-problem-section")
    assert violations(page) == []
    made = Decision.objects.get(title="Interview five accounts before building")
    assert made.status == "proposed"
    assert DecisionLink.objects.filter(decision=made, target_type="problem", target_id=problem.pk)
