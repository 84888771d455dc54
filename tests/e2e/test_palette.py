"""The command palette with the keyboard alone: Ctrl+K finds an item by its key and by words
of its title and opens it, jumps to a page, and runs an action on the open item."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, goal, make_item, product
from tests.conftest import Persona
from tests.e2e.test_backlog import BACKLOG, sign_in

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def backlog(make_item: MakeItem, goal: ProductGoal) -> list[BacklogItem]:
    return [
        make_item("Sample dataset on first sign-in", goal=goal),
        make_item("Connect Stripe in two clicks", goal=goal),
        make_item("Weekly digest email"),
    ]


def palette(page: Any) -> tuple[Any, Any]:
    """Open the palette with Ctrl+K: its dialog and its combobox (which has the focus). Once
    the page has loaded: right after a navigation its URL is there before its scripts are."""
    page.wait_for_load_state("load")
    page.keyboard.press("Control+k")
    dialog = page.get_by_role("dialog", name="Command palette")
    expect(dialog).to_be_visible()
    box = dialog.get_by_role("combobox")
    expect(box).to_be_focused()
    return dialog, box


def chosen(dialog: Any) -> Any:
    return dialog.locator("[role=option][aria-selected=true]")


def test_ctrl_k_finds_items_by_key_and_by_title_and_jumps_to_pages(
    page: Any, screenshot: Any, developer: Persona, product: Product, backlog: list[BacklogItem]
) -> None:
    sign_in(page, developer)
    page.goto(BACKLOG)
    stripe = backlog[1]

    dialog, box = palette(page)
    expect(box).to_have_attribute("aria-controls", "palette-list")
    page.keyboard.type(stripe.key.lower())
    expect(chosen(dialog)).to_contain_text(f"{stripe.key} {stripe.title}")
    expect(box).to_have_attribute("aria-activedescendant", re.compile("palette-option-"))
    screenshot("palette-by-key")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/items/{stripe.key}$"))

    dialog, box = palette(page)
    page.keyboard.type("weekly email")
    expect(chosen(dialog)).to_contain_text("Weekly digest email")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/items/{backlog[2].key}$"))

    # Escape closes it and gives the page back.
    dialog, box = palette(page)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Pages: the sidebar's, chosen with the arrows.
    dialog, box = palette(page)
    page.keyboard.type("who does")
    option = dialog.get_by_role("option", name="Who does what")
    expect(option).to_be_visible()
    while chosen(dialog).inner_text() != option.inner_text():
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/w/acme/who"))


def test_ctrl_k_runs_an_action_on_the_open_item(
    page: Any, screenshot: Any, developer: Persona, product: Product, backlog: list[BacklogItem]
) -> None:
    item = backlog[0]
    sign_in(page, developer)
    page.goto(f"/w/acme/items/{item.key}")
    expect(page.locator("#item-view")).to_have_attribute("data-key", item.key)

    dialog, _ = palette(page)
    expect(chosen(dialog)).to_have_text(f"Open {item.key} as a page")
    page.keyboard.type("status done")
    expect(chosen(dialog)).to_have_text(f"Set the status of {item.key} to Done")
    screenshot("palette-action")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"{item.key}: status set to Done.")).to_be_visible()
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE

    dialog, _ = palette(page)
    page.keyboard.type("assign me")
    expect(chosen(dialog)).to_have_text(f"Assign {item.key} to me")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"{item.key}: assigned to you.")).to_be_visible()
    item.refresh_from_db()
    assert item.assignee is not None
    assert item.assignee.user == developer.user


def test_a_viewer_is_offered_no_changes(
    page: Any, viewer: Persona, product: Product, backlog: list[BacklogItem]
) -> None:
    item = backlog[0]
    sign_in(page, viewer)
    page.goto(f"/w/acme/items/{item.key}")
    dialog, _ = palette(page)
    options = dialog.get_by_role("group", name="Actions").get_by_role("option")
    expect(options).to_have_text([f"Open {item.key} as a page", f"Copy the link to {item.key}"])
