"""The workspace search with the keyboard: "/" on any page, the words, Enter, the results
with their matches marked, and the hit opened; on a phone, through the top bar."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem
from lodestar.strategy.models import ProductGoal
from tests.backlog.conftest import MakeItem, goal, make_item, product
from tests.conftest import Persona
from tests.e2e.test_backlog import BACKLOG, sign_in

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def items(make_item: MakeItem, goal: ProductGoal) -> list[BacklogItem]:
    return [
        make_item("Export invoices as PDF", description="Finance closes the month with them"),
        make_item("Weekly digest <b>email</b>", description="Summarise the invoices of the week"),
        make_item("Dark mode"),
    ]


def test_slash_then_words_then_enter_then_open_a_hit(
    page: Any, screenshot: Any, developer: Persona, items: list[BacklogItem]
) -> None:
    sign_in(page, developer)
    page.keyboard.press("/")
    box = page.get_by_role("searchbox", name="Search this workspace")
    expect(box).to_be_focused()
    page.keyboard.type("invoices")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/w/acme/search\?q=invoices$"))
    hits = page.get_by_test_id("search-hits").get_by_role("listitem")
    expect(hits).to_have_count(2)
    # Newest first: the digest was created last; its title's tags are text, its match marked.
    expect(hits.nth(0)).to_contain_text("Weekly digest <b>email</b>")
    expect(hits.nth(0).locator("mark")).to_have_text("invoices")
    expect(hits.nth(0)).to_contain_text("Backlog item")
    screenshot("search-results")
    # On the results page "/" goes to its own field, with the words selected.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search for")).to_be_focused()
    page.get_by_role("link", name=re.compile("Export invoices as PDF")).click()
    expect(page).to_have_url(re.compile(rf"/items/{items[0].key}$"))


def test_the_backlog_keeps_its_own_slash_and_ctrl_k_still_opens_the_palette(
    page: Any, developer: Persona, items: list[BacklogItem]
) -> None:
    sign_in(page, developer)
    page.goto(BACKLOG)
    page.keyboard.press("/")
    expect(page.locator("#bl-q")).to_be_focused()
    page.locator("#bl-q").blur()
    page.keyboard.press("Control+k")
    expect(page.get_by_role("dialog", name="Command palette")).to_be_visible()


def test_on_a_phone_the_top_bar_leads_to_search(
    page: Any, screenshot: Any, developer: Persona, items: list[BacklogItem]
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, developer)
    page.get_by_role("link", name="Search this workspace").click()
    field = page.get_by_role("searchbox", name="Search for")
    field.fill("dark")
    field.press("Enter")
    hits = page.get_by_test_id("search-hits").get_by_role("listitem")
    expect(hits).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at 390"
    screenshot("search-phone")
