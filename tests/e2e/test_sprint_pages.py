"""A Scrum team's sprint in the browser: planning by dragging items from the backlog into the
sprint (the capacity bar follows), starting it, moving cards on the board by dragging and by
keyboard, the burndown on the sprint page, and closing with an item carried into the next
sprint."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem
from lodestar.people.models import Team
from lodestar.sprints import services
from lodestar.sprints.models import Sprint, SprintItem, SprintState
from lodestar.strategy.models import ProductGoal
from tests.conftest import PASSWORD, Persona
from tests.sprints.conftest import MakeItem, goal, make_item, product

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, persona: Persona) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(persona.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))


def drag(page: Any, source: Any, target: Any) -> None:
    """Press on ``source``'s key, move into ``target`` and let go."""
    start = source.bounding_box()
    end = target.bounding_box()
    x, y = start["x"] + 12, start["y"] + 12
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 4, y + 6, steps=4)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] - 10, steps=20)
    page.mouse.up()


@pytest.fixture
def planned(
    owner: Persona, developer: Persona, team: Team, goal: ProductGoal, make_item: MakeItem
) -> tuple[Sprint, Sprint, list[BacklogItem]]:
    items = [make_item(f"Story {n}", estimate=e) for n, e in enumerate((2, 3, 5))]
    # Running now, so its snapshots fall on its days and the burndown draws them.
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=3), today + dt.timedelta(days=10)
    sprint = services.sprint_create(
        actor=owner.actor, team=team, name="Sprint 1", start_date=start, end_date=end
    )
    nxt = services.sprint_create(
        actor=owner.actor, team=team, name="Sprint 2", start_date=end, end_date=end
    )
    return sprint, nxt, items


def test_a_sprint_planned_run_and_closed_in_the_browser(
    page: Any, screenshot: Any, developer: Persona, po: Persona, planned: Any
) -> None:
    sprint, nxt, items = planned
    sign_in(page, po)
    page.get_by_role("link", name="Sprints").first.click()
    page.get_by_role("link", name="Sprint 1").click()
    expect(page).to_have_url(re.compile(rf"/sprints/{sprint.pk}/plan$"))
    fill = page.get_by_test_id("bar-fill")
    expect(fill).to_have_attribute("width", "0.0")

    # Two items dragged from the backlog into the sprint: the bar grows each time.
    for number, (item, points) in enumerate(((items[0], "2"), (items[1], "5"))):
        source = page.locator(f"#sp-backlog [data-key='{item.key}']")
        drag(page, source, page.locator("#sp-sprint"))
        expect(page.locator(f"#sp-sprint [data-key='{item.key}']")).to_be_visible()
        expect(page.get_by_test_id("committed")).to_contain_text(f"{points} points")
        assert SprintItem.objects.filter(sprint=sprint).count() == number + 1
    expect(page.locator("#sp-announce")).to_contain_text(f"{items[1].key} moved into the sprint")
    expect(fill).not_to_have_attribute("width", "0.0")
    screenshot("sprint-planning")

    # The start is refused without a goal, in one sentence; then the goal is given.
    page.get_by_role("button", name="Start sprint").click()
    expect(page.locator(".flash-error")).to_contain_text("A sprint starts with a sprint goal")
    page.get_by_label("Why this sprint is worth doing").fill("Dashboards load in a second")
    page.get_by_role("button", name="Save goal").click()
    expect(page.locator(".flash-success")).to_contain_text("Sprint goal saved")
    page.get_by_role("button", name="Start sprint").click()
    expect(page).to_have_url(re.compile(rf"/sprints/{sprint.pk}/board$"))

    # The board: a card dragged to in progress, then to done; another moved by keyboard.
    first = items[0].key
    drag(
        page,
        page.locator(f".sp-board-card[data-key='{first}']"),
        page.locator(".sp-drop[data-status='in_progress']"),
    )
    expect(page.locator("#sp-announce")).to_have_text(f"{first} moved to In progress.")
    drag(
        page,
        page.locator(f".sp-board-card[data-key='{first}']"),
        page.locator(".sp-drop[data-status='done']"),
    )
    expect(page.locator("#sp-announce")).to_have_text(f"{first} moved to Done.")
    expect(page.locator(f".sp-drop[data-status='done'] [data-key='{first}']")).to_be_visible()
    # By keyboard: back to in progress, and on to done again, the card keeping the focus.
    page.locator(f".sp-board-card[data-key='{first}']").focus()
    page.keyboard.press("Alt+ArrowLeft")
    moved = page.locator(f".sp-drop[data-status='in_progress'] [data-key='{first}']")
    expect(moved).to_be_focused()
    expect(page.locator("#sp-announce")).to_have_text(f"{first} moved to In progress.")
    page.keyboard.press("Alt+ArrowRight")
    expect(page.locator(f".sp-drop[data-status='done'] [data-key='{first}']")).to_be_focused()
    expect(page.locator("#sp-announce")).to_have_text(f"{first} moved to Done.")
    assert BacklogItem.objects.get(pk=items[0].pk).status == "done"
    screenshot("sprint-board")

    # The sprint page: the burndown, then the close carrying the unfinished item.
    page.get_by_role("link", name="Sprint report").click()
    expect(page.locator("[data-chart='burndown'] svg")).to_be_visible()
    expect(page.locator("[data-chart='burnup'] svg")).to_be_visible()
    page.get_by_text("Close the sprint").click()
    page.get_by_label(f"{items[1].key} Story 1").select_option("next_sprint")
    page.get_by_role("radio", name="No").check()
    page.get_by_label("Review notes (Markdown)").first.fill("Demoed the *dashboards*")
    screenshot("sprint-close")
    page.get_by_role("button", name="Close sprint").click()
    expect(page.locator(".flash-success")).to_contain_text("Sprint 1 is closed")
    expect(page.get_by_role("cell", name="Into the next sprint")).to_be_visible()
    sprint.refresh_from_db()
    assert sprint.state == SprintState.CLOSED
    assert SprintItem.objects.filter(sprint=nxt, item=items[1]).exists()
    screenshot("sprint-report")


def test_the_board_shows_a_card_someone_else_moved(
    page: Any, owner: Persona, developer: Persona, planned: Any
) -> None:
    from lodestar.backlog import services as backlog

    sprint, _, items = planned
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=items)
    services.sprint_start(actor=owner.actor, sprint=sprint, goal="Ship it")
    sign_in(page, developer)
    page.goto(f"/w/acme/sprints/{sprint.pk}/board")
    card = page.locator(f".sp-board-card[data-key='{items[2].key}']")
    expect(card).to_have_attribute("data-status", "new")
    stale = BacklogItem.objects.get(pk=items[2].pk)
    backlog.item_update(actor=owner.actor, item=stale, status="in_progress")
    # A move from this page with the version it showed is refused and explained.
    card.focus()
    page.keyboard.press("Alt+ArrowRight")
    expect(page.locator(".flash-error")).to_contain_text(f"{items[2].key} was changed by Owner at")
    expect(
        page.locator(f".sp-drop[data-status='in_progress'] [data-key='{items[2].key}']")
    ).to_be_visible()
    # Another person's move appears on its own (the board's poll, every ten seconds or when the
    # window gets the focus back, says it changed).
    backlog.item_update(
        actor=owner.actor, item=BacklogItem.objects.get(pk=items[0].pk), status="done"
    )
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    # The focus asks at once, unless a poll is already on its way; the next round comes within
    # the interval either way.
    expect(page.locator(f".sp-drop[data-status='done'] [data-key='{items[0].key}']")).to_be_visible(
        timeout=15_000
    )
