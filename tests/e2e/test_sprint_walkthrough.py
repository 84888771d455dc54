"""Sprints and forecasts, tried as a new user would, on the demo: Dana, a developer of Checkout,
plans the next sprint against her capacity, sees the running sprint's chance of meeting its
goal, moves a card across the board and watches the burndown follow, closes the sprint
carrying its unfinished work into the sprint she planned, and reads "85%: by <date>" for the
rest of an epic with what the team's record says of such forecasts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.people.demo import DEMO_PASSWORD
from lodestar.sprints.models import Sprint, SprintItem, SprintState
from tests.e2e.test_sprint_pages import drag

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, email: str) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))


def test_a_team_plans_runs_and_closes_a_sprint_and_reads_its_forecast(
    page: Any, screenshot: Any, demo: dict[str, object]
) -> None:
    running = Sprint.objects.get(team__slug="checkout", state=SprintState.ACTIVE)
    _sign_in(page, "dana@acme.example")

    # Plan the next sprint: its dates follow the running one; capacity, then two items.
    page.goto("/w/acme/teams/checkout/sprints")
    page.get_by_label("Name").fill("Faster checkout")
    page.get_by_role("button", name="Plan sprint").click()
    expect(page).to_have_url(re.compile(r"/sprints/\d+/plan$"))
    planned = Sprint.objects.get(team__slug="checkout", name="Faster checkout")
    assert planned.state == SprintState.PLANNED
    page.get_by_label("Dana Kim: points").fill("8")
    page.get_by_role("button", name="Save capacity").click()
    bar = page.locator(".sp-bar")
    expect(bar).to_have_attribute("aria-label", re.compile(r"capacity 8 points"))
    expect(page.get_by_test_id("committed")).to_contain_text("0 points")
    for _ in range(2):
        key = page.locator("#sp-backlog [data-key]").first.get_attribute("data-key")
        page.get_by_role("button", name=f"Add {key} to the sprint").click()
        expect(page.locator(f"#sp-sprint [data-key='{key}']")).to_be_visible()
    expect(page.get_by_test_id("committed")).not_to_contain_text("0 points ·")
    assert SprintItem.objects.filter(sprint=planned).count() == 2
    screenshot("walkthrough-planning")

    # The running sprint: its chance of meeting the goal, and its burndown today.
    page.goto(f"/w/acme/sprints/{running.pk}")
    expect(page.get_by_test_id("sprint-chance-words")).to_contain_text("chance of finishing")
    summary = page.locator("[data-chart='burndown'] .chart-summary")
    before = summary.inner_text()

    # On the board, a card in progress is dragged to done.
    page.goto(f"/w/acme/sprints/{running.pk}/board")
    card = page.locator(".sp-drop[data-status='in_progress'] .sp-board-card").first
    key = card.get_attribute("data-key")
    drag(page, card, page.locator(".sp-drop[data-status='done']"))
    expect(page.locator("#sp-announce")).to_have_text(f"{key} moved to Done.")
    screenshot("walkthrough-board")

    # The burndown follows: more done, less remaining, today.
    page.goto(f"/w/acme/sprints/{running.pk}")
    expect(summary).not_to_have_text(before)
    screenshot("walkthrough-burndown")

    # Closing: every unfinished item goes into the sprint just planned; the goal was missed.
    page.get_by_text("Close the sprint").click()
    for select in page.locator("select[name^='decision-']").all():
        select.select_option("next_sprint")
    page.get_by_label("Next sprint").select_option(str(planned.pk))
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Close sprint").click()
    expect(page.locator(".flash-success")).to_contain_text("is closed")
    running.refresh_from_db()
    assert running.state == SprintState.CLOSED
    carried = SprintItem.objects.filter(sprint=planned, carried_from=running)
    assert carried.exists()
    expect(page.get_by_role("cell", name="Into the next sprint").first).to_be_visible()

    # The rest of an epic, forecast from the team's own throughput, with its record in words.
    page.goto("/w/acme/teams/checkout/flow")
    forecast = page.get_by_test_id("epic-forecast").first
    expect(forecast.get_by_test_id("forecast-85")).to_contain_text(
        re.compile(r"85%: by \d{1,2} \w{3} \d{4}")
    )
    # With how often this team's plain 85% forecasts came true in its own history
    # (docs/FORECASTING.md), and whether the answer shown is adjusted for it.
    expect(forecast.get_by_test_id("calibration")).to_contain_text(
        re.compile(
            r"For this team: Plain 85% forecasts came true \d+% of the time over \d+ backtests"
        )
    )
    screenshot("walkthrough-forecast")
