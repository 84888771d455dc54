"""The team's flow page in a browser, on the demo: each chart with its table, the epics'
"85%: by" forecasts with the words of their record, the period selector, and the link from the
team page; wide and at phone width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.people.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHARTS = ("velocity", "throughput", "cycle-time", "aging-wip", "cumulative-flow", "forecast")


def _sign_in(page: Any, email: str) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))


def test_the_demo_teams_flow_page(page: Any, demo: dict[str, object], screenshot: Any) -> None:
    # A stakeholder, not a developer: any member reads the flow.
    _sign_in(page, "victor@acme.example")
    page.goto("/w/acme/teams/checkout")
    page.get_by_role("link", name="Flow and forecasts").click()
    expect(page).to_have_url(re.compile(r"/w/acme/teams/checkout/flow$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Flow and forecasts")
    for kind in CHARTS:
        chart = page.locator(f'figure[data-chart="{kind}"]')
        expect(chart).to_be_visible()
        expect(chart.locator("svg")).to_be_visible()
        expect(chart.locator(".chart-summary")).not_to_be_empty()
    expect(page.get_by_test_id("velocity-words")).to_contain_text("points on average")
    first = page.get_by_test_id("epic-forecast").first
    expect(first.get_by_test_id("forecast-85")).to_contain_text(
        re.compile(r"85%: by \d{1,2} \w{3} \d{4}")
    )
    expect(first.get_by_test_id("calibration")).to_contain_text(
        re.compile(r"For this team: (Plain 85% forecasts came true|Not calibrated: only)")
    )
    expect(first.get_by_test_id("calibration")).to_contain_text("backtests")
    # The data behind a chart, as a table.
    page.locator('figure[data-chart="throughput"] summary').click()
    expect(page.locator('figure[data-chart="throughput"] table')).to_be_visible()
    screenshot("flow-page")
    # The period selector.
    page.get_by_role("link", name="30 days").click()
    expect(page).to_have_url(re.compile(r"days=30"))
    expect(page.get_by_role("link", name="30 days")).to_have_attribute("aria-current", "page")
    # One epic, chosen.
    option = page.locator("#f-epic option").nth(1)
    key = option.get_attribute("value")
    page.locator("#f-epic").select_option(key)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("epic-forecast")).to_have_count(1)
    expect(page.get_by_test_id("epic-forecast")).to_contain_text(key)
    # At phone width nothing overflows sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/w/acme/teams/checkout/flow")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    screenshot("flow-page-phone")
