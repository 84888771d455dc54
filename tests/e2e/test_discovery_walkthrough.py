"""Discovery, tried as a new user would, on the demo: Priya, a product manager, pastes interview
notes; Lodestar offers the existing problem they resemble; she highlights a quote into an
insight on it; the problem's evidence grows (customers, ARR, this week's trend); and the RICE
reach and score of the backlog item that solves it follow, the explanation naming the problem."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem
from lodestar.backlog.prioritization.models import Score
from lodestar.discovery.models import Customer, Problem
from lodestar.discovery.selectors import problem_evidence
from lodestar.people.demo import DEMO_PASSWORD
from tests.e2e.test_discovery_pages import SELECT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOARD = "Our board only ever sees our dashboards as screenshots"
ITEM = "Share a dashboard by link with read-only viewers"
NOTES = (
    "Call with their head of finance, 30 min\n"
    "\n"
    "Every month we paste screenshots of the dashboard into the board deck, and our investors "
    "cannot open a dashboard without an account.\n"
    "They also asked about SSO, but later."
)
QUOTE = "our investors cannot open a dashboard without an account"


def _money(amount: Decimal) -> str:
    return f"${amount:,.0f}"


def test_a_product_manager_turns_interview_notes_into_evidence_and_the_score_follows(
    page: Any, screenshot: Any, demo: None
) -> None:
    problem = Problem.objects.get(title=BOARD)
    before = problem_evidence([problem.pk])[problem.pk]
    item = BacklogItem.objects.get(title=ITEM)
    score = Score.objects.get(item=item, framework="rice")
    assert score.reach_from_evidence
    # A customer with ARR whom nobody has yet heard say this.
    behind = set(
        problem.insights.filter(feedback__customer__isnull=False).values_list(
            "feedback__customer", flat=True
        )
    )
    customer = (
        Customer.objects.filter(workspace=problem.workspace, arr__gt=0)
        .exclude(pk__in=behind)
        .order_by("name")
        .first()
    )
    assert customer is not None
    assert customer.arr is not None

    page.goto("/signin")
    page.get_by_label("Email").fill("priya@acme.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))

    # Paste the notes.
    page.locator(".sidebar [data-nav='discovery']").click()
    page.locator(".page-actions").get_by_role("link", name="Capture feedback").click()
    page.get_by_label("What they said").fill(NOTES)
    page.get_by_label("Customer", exact=True).fill(customer.name)
    page.get_by_label("Source").select_option("interview")
    page.get_by_role("button", name="Capture feedback").click()
    expect(page).to_have_url(re.compile(r"/w/acme/feedback/\d+$"))

    # Lodestar offers the problem they resemble, with the words they share.
    similar = page.get_by_test_id("similar")
    expect(similar.locator(".dv-similar-item").first).to_contain_text(BOARD)
    expect(similar.locator(".dv-similar-item").first).to_contain_text("Shares:")
    screenshot("walkthrough-similar")

    # She highlights the quote; the insight starts on that problem.
    page.evaluate(SELECT, QUOTE)
    page.locator("[data-insight-trigger]").click()
    pop = page.locator("#insight-pop")
    expect(pop.locator("[data-pop-quote]")).to_have_text(QUOTE)
    expect(pop.get_by_label("An existing problem")).to_have_value(f"{BOARD} #{problem.pk}")
    pop.get_by_role("button", name="Make insight").click()
    expect(page.locator("[data-feedback-text] mark")).to_have_text(QUOTE)

    # The problem's evidence grew: one more customer, their ARR, this week's count.
    page.locator(".dv-insights").get_by_role("link", name=BOARD).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(BOARD)
    expect(page.get_by_test_id("evidence-customers")).to_have_text(str(before.customers + 1))
    expect(page.get_by_test_id("evidence-arr")).to_have_text(_money(before.arr + customer.arr))
    this_week = page.locator(".dv-chart + details tbody tr, details tbody tr").last
    expect(this_week.locator("td").last).to_have_text(str(before.trend[-1].insights + 1))
    expect(page.locator(".dv-insights")).to_contain_text(QUOTE)
    screenshot("walkthrough-problem")

    # The backlog item that solves it: reach and score follow, naming the problem.
    reach_before = score.inputs.get("reach")
    page.goto(f"/w/acme/items/{item.key}")
    explain = page.get_by_test_id("explain-rice")
    expect(explain).to_contain_text("from evidence")
    expect(explain).to_contain_text(BOARD)
    score.refresh_from_db()
    assert score.inputs["reach"] == reach_before + 1
    expect(explain).to_contain_text(f"{score.inputs['reach']} customers behind")
    screenshot("walkthrough-item")
