"""The backlog as a tree in the browser (issue 8): children under their parent, folded and
unfolded by keyboard and remembered; the "group by epic" view; and the item panel's address
(shared, reloaded, closed and reopened with Back and Forward)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem, ItemKind
from lodestar.strategy.models import ProductGoal
from tests.backlog.conftest import MakeItem, goal, make_item, product
from tests.conftest import Persona
from tests.e2e.test_backlog import drag, sign_in

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BACKLOG = "/w/acme/products/ACME/backlog"


@pytest.fixture
def tree(make_item: MakeItem, goal: ProductGoal) -> dict[str, BacklogItem]:
    """ACME-1 loose, ACME-2 epic "Guided onboarding", ACME-3 loose, ACME-4 story under the
    epic, ACME-5 task under the story, ACME-6 epic "Billing" with ACME-7 under it."""
    loose = make_item("Sample dataset on first sign-in", goal=goal)
    epic = make_item("Guided onboarding", kind=ItemKind.EPIC, goal=goal)
    other = make_item("Weekly digest email", goal=goal)
    story = make_item("Checklist on the home page", parent=epic, goal=goal)
    task = make_item("Write the checklist copy", kind=ItemKind.TASK, parent=story, goal=goal)
    billing = make_item("Billing", kind=ItemKind.EPIC, goal=goal)
    invoice = make_item("Invoices as PDF", parent=billing, goal=goal)
    return {
        "loose": loose,
        "epic": epic,
        "other": other,
        "story": story,
        "task": task,
        "billing": billing,
        "invoice": invoice,
    }


def test_the_panel_is_in_the_address(
    page: Any, screenshot: Any, po: Persona, tree: dict[str, BacklogItem]
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    panel = page.locator("#item-panel")
    expect(panel).to_be_hidden()
    page.locator("#row-ACME-3 .bl-title").click()
    expect(panel.locator("#item-view")).to_have_attribute("data-key", "ACME-3")
    expect(page).to_have_url(re.compile(r"/backlog\?item=ACME-3$"))
    # Another item replaces the address's item (no new history entry for each).
    page.locator("#row-ACME-1 .bl-title").click()
    expect(panel.locator("#item-view")).to_have_attribute("data-key", "ACME-1")
    expect(page).to_have_url(re.compile(r"/backlog\?item=ACME-1$"))
    page.reload()
    expect(panel.locator("#item-view")).to_have_attribute("data-key", "ACME-1")
    expect(page.locator("#row-ACME-1")).to_have_class(re.compile(r"\bis-open\b"))
    screenshot("hierarchy-panel-after-reload")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/backlog$"))
    expect(panel).to_be_hidden()
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/backlog\?item=ACME-1$"))
    expect(panel.locator("#item-view")).to_have_attribute("data-key", "ACME-1")
    # Closing goes back to the plain address; Escape too.
    page.locator("[data-panel-close]").click()
    expect(panel).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/backlog$"))
    page.locator("#row-ACME-3 .bl-title").click()
    expect(page).to_have_url(re.compile(r"/backlog\?item=ACME-3$"))
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/backlog$"))
    page.go_forward()
    expect(panel.locator("#item-view")).to_have_attribute("data-key", "ACME-3")


def test_a_shared_panel_address_keeps_the_filters(
    page: Any, po: Persona, tree: dict[str, BacklogItem]
) -> None:
    sign_in(page, po)
    page.goto(f"{BACKLOG}?q=digest&item=ACME-6")
    # The item is not in the filtered list, and the panel opens all the same.
    expect(page.locator("#item-panel #item-view")).to_have_attribute("data-key", "ACME-6")
    expect(page.locator("#backlog-rows .bl-row:not([hidden])")).to_have_count(1)
    page.locator("#bl-q").fill("checklist")
    expect(page).to_have_url(re.compile(r"q=checklist"))
    expect(page).to_have_url(re.compile(r"item=ACME-6"))
    expect(page.locator("#item-panel #item-view")).to_have_attribute("data-key", "ACME-6")
    # Closing now keeps the new filter: the item leaves the address, nothing else changes.
    page.locator("[data-panel-close]").click()
    expect(page.locator("#item-panel")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/backlog\?q=checklist$"))
    assert shown(page) == ["ACME-4", "ACME-5"]
    # An item opened after a filter change, then closed, goes back to that filtered address.
    page.locator("#row-ACME-5 .bl-title").click()
    expect(page).to_have_url(re.compile(r"/backlog\?q=checklist&item=ACME-5$"))
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"/backlog\?q=checklist$"))
    assert shown(page) == ["ACME-4", "ACME-5"]


def test_a_panel_address_of_a_missing_item_says_so(
    page: Any, po: Persona, tree: dict[str, BacklogItem]
) -> None:
    sign_in(page, po)
    page.goto(f"{BACKLOG}?item=ACME-99")
    expect(page.locator(".flash-error")).to_have_text(re.compile(r"No item 'ACME-99'"))
    expect(page.locator("#item-panel")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/backlog$"))


def shown(page: Any) -> list[str]:
    keys: list[str] = page.locator("#backlog-rows > .bl-row:not([hidden])").evaluate_all(
        "rows => rows.map(row => row.dataset.key)"
    )
    return keys


def test_children_sit_under_their_parent_and_fold_by_keyboard(
    page: Any, screenshot: Any, po: Persona, tree: dict[str, BacklogItem]
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    # In rank order the story and the task sit further down; the list shows them under the epic.
    assert shown(page) == ["ACME-1", "ACME-2", "ACME-4", "ACME-5", "ACME-3", "ACME-6", "ACME-7"]
    expect(page.locator("#row-ACME-4")).to_have_attribute("data-depth", "1")
    expect(page.locator("#row-ACME-5")).to_have_attribute("data-depth", "2")
    toggle = page.get_by_role("button", name="Items under ACME-2")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_attribute("aria-controls", "row-ACME-4")
    screenshot("hierarchy-tree")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#row-ACME-4")).to_be_hidden()
    expect(page.locator("#row-ACME-5")).to_be_hidden()
    assert shown(page) == ["ACME-1", "ACME-2", "ACME-3", "ACME-6", "ACME-7"]
    # Remembered in this browser: a reload keeps the epic folded.
    page.reload()
    toggle = page.get_by_role("button", name="Items under ACME-2")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#row-ACME-4")).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#row-ACME-5")).to_be_visible()
    # On a selected row, ← folds and → unfolds; j and k skip folded rows.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("#row-ACME-2")).to_have_class(re.compile(r"\bis-selected\b"))
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#row-ACME-4")).to_be_hidden()
    page.keyboard.press("j")
    expect(page.locator("#row-ACME-3")).to_have_class(re.compile(r"\bis-selected\b"))
    page.keyboard.press("k")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#row-ACME-4")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def test_a_child_that_matches_a_filter_shows_where_it_sits(
    page: Any, po: Persona, tree: dict[str, BacklogItem]
) -> None:
    sign_in(page, po)
    page.goto(f"{BACKLOG}?q=checklist")
    assert shown(page) == ["ACME-4", "ACME-5"]
    expect(page.locator("#row-ACME-4").get_by_test_id("tree-context")).to_have_text(
        re.compile(r"in ACME-2\s+Guided onboarding")
    )
    expect(page.locator("#row-ACME-5")).to_have_attribute("data-depth", "1")


def test_moving_an_epic_by_keyboard_takes_its_items(
    page: Any, po: Persona, tree: dict[str, BacklogItem]
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("#row-ACME-2")).to_have_class(re.compile(r"\bis-selected\b"))
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator(".flash-success")).to_contain_text("Moved ACME-2 before ACME-1")
    expect(page.locator("#row-ACME-2")).to_have_attribute("data-version", "2")
    assert shown(page) == ["ACME-2", "ACME-4", "ACME-5", "ACME-1", "ACME-3", "ACME-6", "ACME-7"]
    ranked = list(
        BacklogItem.objects.filter(product=tree["epic"].product)
        .order_by("rank")
        .values_list("key", flat=True)
    )
    assert ranked == ["ACME-2", "ACME-4", "ACME-5", "ACME-1", "ACME-3", "ACME-6", "ACME-7"]
    # A child moves among its siblings only: the only story of the epic has nowhere to go.
    page.keyboard.press("j")
    expect(page.locator("#row-ACME-4")).to_have_class(re.compile(r"\bis-selected\b"))
    page.keyboard.press("Alt+ArrowDown")
    assert shown(page)[:3] == ["ACME-2", "ACME-4", "ACME-5"]


def test_the_backlog_grouped_by_epic(
    page: Any, screenshot: Any, po: Persona, tree: dict[str, BacklogItem]
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    page.get_by_text("By epic").click()
    expect(page).to_have_url(re.compile(r"group=epic"))
    heads = page.locator("#backlog-rows > .bl-group-head")
    expect(heads).to_have_count(3)
    expect(heads.nth(0)).to_contain_text("ACME-2 Guided onboarding")
    expect(heads.nth(1)).to_contain_text("ACME-6 Billing")
    expect(heads.nth(2)).to_contain_text("No epic")
    order = page.locator("#backlog-rows > li").evaluate_all(
        "lis => lis.map(li => li.dataset.group ? '#' + li.dataset.group : li.dataset.key)"
    )
    assert order == [
        "#ACME-2",
        "ACME-4",
        "ACME-5",
        "#ACME-6",
        "ACME-7",
        "#none",
        "ACME-1",
        "ACME-3",
    ]
    # Ordering is off here, and says so.
    expect(page.get_by_test_id("group-note")).to_contain_text("Ordering is off")
    page.locator("#row-ACME-1").click(position={"x": 300, "y": 10})
    page.keyboard.press("Escape")
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator(".flash-info")).to_contain_text("grouped by epic")
    screenshot("hierarchy-group-by-epic")
    # Filters still apply, each section keeps its items in backlog order.
    page.locator("#bl-q").fill("invoice")
    expect(heads).to_have_count(1)
    expect(heads.nth(0)).to_contain_text("ACME-6 Billing")
    expect(page).to_have_url(re.compile(r"group=epic"))
    page.reload()
    expect(page.locator("#backlog-rows > .bl-row")).to_have_count(1)
    # A way to group that does not exist is refused with what to do, the list in order.
    page.goto(f"{BACKLOG}?group=owner")
    expect(page.get_by_test_id("group-error")).to_contain_text("use group=epic")
    assert shown(page)[0] == "ACME-1"


def test_dragging_an_epic_takes_its_items_and_a_child_stays_under_its_parent(
    page: Any, po: Persona, tree: dict[str, BacklogItem]
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    # The epic Billing (ACME-6, with ACME-7 under it) dragged above the first row.
    drag(page, page.locator("#row-ACME-6"), page.locator("#row-ACME-1"), above=True)
    expect(page.locator(".flash-success")).to_contain_text("Moved ACME-6 before ACME-1")
    expect(page.locator("#row-ACME-7")).to_have_attribute("data-version", "2")  # list reread
    assert shown(page)[:3] == ["ACME-6", "ACME-7", "ACME-1"]
    ranked = list(
        BacklogItem.objects.filter(product=tree["epic"].product)
        .order_by("rank")
        .values_list("key", flat=True)
    )
    assert ranked[:2] == ["ACME-6", "ACME-7"]
    # The task of ACME-4 dropped among top-level rows goes back, and the page says why.
    drag(page, page.locator("#row-ACME-5"), page.locator("#row-ACME-3"), above=False)
    expect(page.locator(".flash-info")).to_contain_text("ACME-5 stays under ACME-4")
    assert shown(page) == ["ACME-6", "ACME-7", "ACME-1", "ACME-2", "ACME-4", "ACME-5", "ACME-3"]
    assert BacklogItem.objects.get(key="ACME-5").version == 1
