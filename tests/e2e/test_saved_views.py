"""Saved views with the keyboard alone: filter the backlog, save it as a shared view, find it
in the sidebar; another member sees the shared view but not the first one's personal view."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem, ItemKind
from lodestar.backlog.saved_views import services as saved_views
from lodestar.backlog.saved_views.models import SavedView
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, goal, make_item, product
from tests.conftest import Persona
from tests.e2e.test_backlog import BACKLOG, shown_keys, sign_in

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def tab_to(page: Any, target: Any, *, limit: int = 60) -> None:
    """Press Tab until ``target`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


@pytest.fixture
def backlog(make_item: MakeItem, goal: ProductGoal) -> list[BacklogItem]:
    return [
        make_item("Dashboard templates", goal=goal),
        make_item("Chart tooltip shows UTC", kind=ItemKind.BUG),
        make_item("CSV export drops rows", kind=ItemKind.BUG),
        make_item("Weekly digest email"),
    ]


def test_a_member_saves_a_shared_view_with_the_keyboard_and_another_sees_it(
    page: Any,
    browser: Any,
    live_server: Any,
    screenshot: Any,
    developer: Persona,
    po: Persona,
    product: Product,
    backlog: list[BacklogItem],
) -> None:
    sign_in(page, developer)
    page.goto(BACKLOG)
    expect(page.locator("#backlog-rows > .bl-row")).to_have_count(4)

    # Filter: "/" focuses the search; Tab reaches the kind menu; the arrows pick "Bug".
    page.locator("body").press("/")
    expect(page.locator("#bl-q")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#filter-kind")).to_be_focused()
    page.keyboard.press("ArrowDown")  # All kinds -> Epic
    page.keyboard.press("ArrowDown")  # -> Story
    page.keyboard.press("ArrowDown")  # -> Task
    page.keyboard.press("ArrowDown")  # -> Bug
    expect(page).to_have_url(re.compile(r"kind=bug"))
    expect(page.locator("#backlog-rows > .bl-row")).to_have_count(2)
    bugs = [item.key for item in backlog if item.kind == ItemKind.BUG]
    assert shown_keys(page) == bugs

    # Save it: the button, the dialog, a name, "share", Enter.
    tab_to(page, page.get_by_role("button", name="Save view"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Save this view")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Name")).to_be_focused()
    page.keyboard.type("Open bugs")
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Share with the workspace")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("current-view")).to_contain_text("Open bugs")
    view = SavedView.objects.get()
    assert (view.shared, view.filters) == (True, {"kind": "bug"})
    expect(page).to_have_url(re.compile(rf"kind=bug.*view={view.pk}"))
    assert shown_keys(page) == bugs

    # A personal view of the same member, for the check below.
    saved_views.saved_view_create(
        actor=developer.actor, product=product, name="My digest", filters={"q": "digest"}
    )
    page.goto("/w/acme/")
    sidebar = page.get_by_role("navigation", name="Workspace pages")
    link = sidebar.get_by_role("link", name=re.compile("^Open bugs"))
    expect(link).to_be_visible()
    expect(sidebar.get_by_role("link", name=re.compile("^My digest"))).to_be_visible()
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"view={view.pk}"))
    expect(page.locator("#backlog-rows > .bl-row")).to_have_count(2)
    expect(link).to_have_attribute("aria-current", "page")
    screenshot("saved-view-open")

    # Narrow it further: the page says the list differs from the view; its owner updates it.
    page.locator("body").press("/")
    page.keyboard.type("CSV")
    expect(page.locator("#backlog-rows > .bl-row")).to_have_count(1)
    expect(page.get_by_test_id("view-changed")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Update view"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"\?q=CSV&kind=bug&view={view.pk}$"))
    expect(page.get_by_test_id("view-changed")).to_have_count(0)
    view.refresh_from_db()
    assert view.filters == {"kind": "bug", "q": "CSV"}

    # Another member sees the shared view, not the personal one.
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    try:
        theirs = other.new_page()
        sign_in(theirs, po)
        their_sidebar = theirs.get_by_role("navigation", name="Workspace pages")
        expect(their_sidebar.get_by_role("link", name=re.compile("^Open bugs"))).to_be_visible()
        expect(their_sidebar.get_by_role("link", name=re.compile("^My digest"))).to_have_count(0)
    finally:
        other.close()


def test_a_bad_name_is_refused_in_the_dialog_and_nothing_is_saved(
    page: Any, developer: Persona, product: Product, backlog: list[BacklogItem]
) -> None:
    sign_in(page, developer)
    page.goto(BACKLOG)
    page.get_by_role("button", name="Save view").click()
    dialog = page.get_by_role("dialog", name="Save this view")
    dialog.get_by_label("Name").fill("x" * 80)
    dialog.get_by_label("Name").press("Enter")
    expect(dialog.get_by_text("Must be at most 60 characters.")).to_be_visible()
    expect(dialog.get_by_label("Name")).to_be_focused()
    expect(dialog.get_by_label("Name")).to_have_value("x" * 80)
    assert not SavedView.objects.exists()


def test_the_column_chooser_hides_columns_and_the_address_keeps_them(
    page: Any, screenshot: Any, developer: Persona, product: Product, backlog: list[BacklogItem]
) -> None:
    sign_in(page, developer)
    page.goto(BACKLOG)
    goal_cell = page.locator("#backlog-rows > .bl-row").first.locator(".bl-goal")
    expect(goal_cell).to_be_visible()
    columns = page.locator("summary", has_text="Columns")
    tab_to(page, columns)
    page.keyboard.press("Enter")
    chooser = page.get_by_role("group", name="Show columns")
    tab_to(page, chooser.get_by_label("Goal"))
    page.keyboard.press("Space")
    tab_to(page, chooser.get_by_label("Scores"))
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"columns=estimate%2Cassignee"))
    expect(goal_cell).to_be_hidden()
    page.keyboard.press("Escape")
    expect(chooser).to_be_hidden()
    screenshot("saved-view-columns")

    # Saved with the view, and opened again from its address.
    page.get_by_role("button", name="Save view").click()
    page.get_by_role("dialog", name="Save this view").get_by_label("Name").fill("Lean")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("current-view")).to_contain_text("Lean")
    assert SavedView.objects.get().columns == ["estimate", "assignee"]
    page.goto(BACKLOG)
    page.get_by_role("link", name=re.compile("^Lean")).click()
    expect(page.locator("#backlog-rows > .bl-row").first.locator(".bl-goal")).to_be_hidden()
    expect(page.locator("#backlog-rows > .bl-row").first.locator(".bl-est")).to_be_visible()
