"""Who carries product management, and the loop from a customer to an outcome, in the
browser: a founder opens the coverage page and reads who carried each duty and what that
shows; then follows one customer's complaint from the release that addressed it down to the
outcome that says it was missed, and up to the feedback, from the release's own page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.backlog.conftest import make_item
from tests.conftest import Persona
from tests.coverage.test_trace import Loop, loop
from tests.e2e.test_accessibility import AXE, violations
from tests.e2e.test_backlog import sign_in
from tests.strategy.conftest import product

__all__ = ["loop", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_founder_reads_the_coverage_and_follows_a_complaint_to_its_outcome(
    page: Any, screenshot: Any, owner: Persona, loop: Loop
) -> None:
    page.context.add_init_script(path=str(AXE))
    sign_in(page, owner)
    page.get_by_role("link", name="Coverage").click()
    expect(page.get_by_role("heading", name="Who carries product management")).to_be_visible()
    page.get_by_label("Where").select_option(label="ACME · Acme Analytics")
    page.get_by_label("Period").select_option(label="The last 180 days")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"scope=product%3AACME&days=180"))
    summary = page.get_by_test_id("coverage-summary")
    expect(summary.locator('[data-rule="product_owner_hat"]')).to_be_visible()
    expect(summary.locator('[data-rule="nobody"]')).to_contain_text("Nobody covered")
    summary.locator('[data-rule="nobody"]').get_by_text("The rule").click()
    expect(summary.locator('[data-rule="nobody"]')).to_contain_text(
        "A duty with no recorded activity in the last 180 days; in brackets, how long it has "
        "been since anyone last did it"
    )
    duties = page.get_by_test_id("coverage-duties")
    expect(duties.locator('tr[data-duty="talk_to_customers"]')).to_contain_text("Owner")
    expect(duties.locator('tr[data-duty="make_product_decisions"]')).to_contain_text(
        "Nobody in 180 days none on record"
    )
    assert violations(page) == []
    screenshot("coverage")

    page.goto(loop.release_url)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # it loads when seen
    trace = page.get_by_test_id("trace")
    expect(trace).to_contain_text("we lose carts")  # the customer's words, up the chain
    expect(trace.locator('[data-stage="problem"]')).to_contain_text("Mobile checkout is slow")
    expect(trace.locator('[data-stage="outcome"]')).to_contain_text("Missed")
    expect(trace.get_by_test_id("trace-gaps")).to_contain_text(
        "The outcome was missed and nothing followed"
    )
    assert violations(page) == []
    trace.get_by_test_id("trace-open").click()
    expect(page.get_by_role("heading", name=re.compile("2026.6"))).to_be_visible()
    feedback = page.locator('[data-stage="feedback"] a').first
    expect(feedback).to_contain_text("Checkout takes forever on mobile")
    screenshot("trace")
    feedback.click()
    expect(
        page.get_by_text("Checkout takes forever on mobile, we lose carts.").first
    ).to_be_visible()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(page.get_by_test_id("trace")).to_contain_text("ACME 2026.6")
