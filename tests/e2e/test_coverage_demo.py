"""Who carries product management, tried as a new user would, on the demo: a founder opens the
coverage page, puts the two teams side by side and can tell from the facts shown that
Checkout's product owner (a QA engineer) keeps the backlog ordered while nobody there has talked
to a customer or checked an outcome in months, and that Insights, with its product manager,
covers every duty; then follows one customer's complaint from the feedback to the release that
addressed it and to the outcome that says whether it worked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.coverage.duties import DUTY_KEYS
from lodestar.discovery.models import Feedback
from tests.e2e.test_accessibility import AXE, sign_in, violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SLOW = "Dashboards take forever to load"


def _bring_the_trace_in(page: Any) -> None:
    """Scroll the trace into view: its slot loads it when seen (or already has, when the page
    opened with it in view, and is gone). In one step in the page, so a swap cannot come
    between finding the slot and scrolling to it."""
    page.evaluate(
        "(document.querySelector('[data-testid=trace-slot]')"
        " || document.querySelector('[data-testid=trace]')).scrollIntoView()"
    )


def test_a_founder_tells_the_teams_apart_and_follows_a_complaint_to_its_outcome(
    page: Any, screenshot: Any, demo: dict[str, object]
) -> None:
    page.context.add_init_script(path=str(AXE))
    sign_in(page, "olivia@acme.example")
    page.get_by_role("link", name="Coverage").click()
    expect(page.get_by_role("heading", name="Who carries product management")).to_be_visible()
    page.get_by_test_id("coverage-side-link").click()
    expect(page).to_have_url(re.compile(r"scope=teams&days=90"))
    side = page.get_by_test_id("coverage-side-by-side")
    checkout, insights = (
        side.locator(f'th[data-team="{slug}"]') for slug in ("checkout", "insights")
    )
    expect(checkout).to_contain_text("Checkout")
    expect(insights).to_contain_text("Insights")

    def cell(duty: str, column: int) -> Any:
        return side.locator(f'tr[data-duty="{duty}"] td').nth(column)

    # Checkout: its product owner orders the backlog and splits work; nobody talks to
    # customers, analyses data or measures an outcome.
    expect(cell("order_backlog", 0)).to_contain_text("Quinn Alvarez")
    expect(cell("order_backlog", 0)).to_contain_text("QA Engineer")
    expect(cell("break_work_down", 0)).to_contain_text("Quinn Alvarez")
    for duty in ("talk_to_customers", "analyse_data", "measure_success"):
        expect(cell(duty, 0)).to_have_text("Nobody in 90 days none on record")
    # Insights: every duty carried, the customer and outcome work by its product manager.
    for duty in DUTY_KEYS:
        expect(cell(duty, 1)).not_to_contain_text("Nobody")
    expect(cell("talk_to_customers", 1)).to_contain_text("Priya Raman")
    expect(cell("measure_success", 1)).to_contain_text("Product Manager")
    summaries = page.get_by_test_id("coverage-team-summary")
    checkout_summary = summaries.and_(page.locator('[data-team="checkout"]'))
    expect(checkout_summary.locator('[data-rule="product_managers"]')).to_have_text(
        re.compile("Nobody in the team Checkout holds the job of product manager")
    )
    expect(checkout_summary.locator('[data-rule="outcome_reviews"]')).to_contain_text(
        "Outcome reviews: 0 of the 1 release"
    )
    expect(checkout_summary.locator('[data-rule="discovery_gap"]')).to_be_visible()
    insights_summary = summaries.and_(page.locator('[data-team="insights"]'))
    expect(insights_summary.locator('[data-rule="nobody"]')).to_have_count(0)
    expect(insights_summary.locator('[data-rule="outcome_reviews"]')).to_contain_text(
        "Outcome reviews: 1 of the 1 release"
    )
    # Months, not weeks: half a year shows Checkout the same.
    page.get_by_label("Period").select_option(label="The last 180 days")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"scope=teams&days=180"))
    for duty in ("talk_to_customers", "measure_success"):
        expect(cell(duty, 0)).to_have_text("Nobody in 180 days none on record")
    assert violations(page) == []
    screenshot("coverage-teams")

    # One customer's complaint, from the problem's evidence to the feedback, then down the
    # chain to the release that addressed it and the outcome that says whether it worked.
    page.get_by_role("link", name="Discovery").click()
    page.get_by_role("link", name="Problems", exact=True).first.click()
    page.get_by_role("link", name=SLOW).first.click()
    expect(page.get_by_role("heading", name=SLOW)).to_be_visible()
    quote = page.locator(".dv-insight").filter(has_text="freezes the browser tab").first
    quote.locator('a[href*="/feedback/"]').click()
    expect(page).to_have_url(re.compile(r"/feedback/\d+"))
    feedback_id = int(re.search(r"/feedback/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    assert Feedback.objects.get(pk=feedback_id).insights.filter(problems__title=SLOW).exists()
    _bring_the_trace_in(page)
    trace = page.get_by_test_id("trace")
    expect(trace.locator('[data-stage="problem"]')).to_contain_text(SLOW)
    expect(trace.locator('[data-stage="release"]')).to_contain_text("2025.4 Dashboard speed-up")
    expect(trace.locator('[data-stage="outcome"]')).to_contain_text("Missed")
    assert violations(page) == []
    trace.locator('[data-stage="release"] a').first.click()
    expect(page.get_by_role("heading", name=re.compile("Dashboard speed-up")).first).to_be_visible()
    _bring_the_trace_in(page)
    release_trace = page.get_by_test_id("trace")
    expect(release_trace.locator('[data-stage="feedback"]')).not_to_contain_text("None")
    release_trace.locator('[data-stage="outcome"] a').first.click()
    expect(page.get_by_text("Missed").first).to_be_visible()
    expect(page.get_by_text("The p95 stayed near 820 ms").first).to_be_visible()
    screenshot("coverage-outcome")
