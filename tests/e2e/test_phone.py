"""Quinn, the demo's product owner, on a phone (390 x 844): finds an item with the folded
filters, reads it in the full-screen sheet, edits its status, and moves it with the keyboard;
no page scrolls sideways and titles keep the row's width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.people.demo import DEMO_PASSWORD
from lodestar.strategy.models import Product
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
BACKLOG = "/w/acme/products/ACME/backlog"
FITS = "() => document.scrollingElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def snap(page: Any, name: str) -> None:
    """A screenshot of the phone's screen under ``SCREENSHOTS``, to be looked at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def fits(page: Any) -> bool:
    fitting: bool = page.evaluate(FITS)
    return fitting


def order(product: Product) -> list[str]:
    return list(
        BacklogItem.objects.filter(product=product)
        .exclude(status__in=[ItemStatus.DONE, ItemStatus.WONT_DO])
        .order_by("rank")
        .values_list("key", flat=True)
    )


def test_quinn_finds_reads_edits_and_reorders_an_item_on_a_phone(phone: Any, demo: None) -> None:
    page = phone
    page.goto("/signin")
    page.get_by_label("Email").fill("quinn@acme.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    assert fits(page)

    # The sidebar folds into a menu button.
    sidebar_link = page.locator("#sidebar").get_by_role("link", name="Products")
    expect(sidebar_link).not_to_be_in_viewport()
    menu = page.get_by_role("button", name="Open navigation")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(sidebar_link).to_be_in_viewport()
    sidebar_link.click()
    expect(page).to_have_url(re.compile(r"/w/acme/products$"))
    assert fits(page)

    page.goto(BACKLOG)
    assert fits(page)
    row = page.locator("#row-ACME-3")
    title_cell = row.locator(".bl-main-cell").bounding_box()
    assert title_cell is not None
    assert title_cell["width"] > 200, title_cell
    # Key and status sit under the title, not beside it.
    assert row.locator(".bl-status").bounding_box()["y"] > title_cell["y"] + 10
    snap(page, "phone-backlog")

    # Find: the filters fold into one button; opened, they filter the list.
    status_filter = page.locator("#bl-filters select[name='status']")
    expect(status_filter).to_be_hidden()
    filters = page.get_by_role("button", name="Filters")
    filters.click()
    expect(filters).to_have_attribute("aria-expanded", "true")
    status_filter.select_option("ready")
    expect(page.get_by_test_id("filtered")).to_be_visible()
    expect(filters).to_contain_text("1")
    page.get_by_placeholder(re.compile("Search")).fill("email domain")
    expect(page.locator("#backlog-rows > .bl-row")).to_have_count(1)
    expect(row).to_be_visible()
    assert fits(page)
    snap(page, "phone-backlog-filtered")

    # Read: the item opens as a sheet over the whole screen, with a close button.
    row.get_by_role("link", name="Restrict a shared link to one email domain").click()
    panel = page.locator("#item-panel")
    expect(panel.get_by_role("heading", name="Restrict a shared link")).to_be_visible()
    box = panel.bounding_box()
    assert box == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}, box
    close = panel.get_by_role("button", name="Close the panel")
    expect(close).to_be_in_viewport()
    assert fits(page)
    snap(page, "phone-item-sheet")

    # Edit: the status, from the sheet.
    panel.get_by_label("Status").select_option("in_progress")
    expect(page.locator("#row-ACME-3 .bl-status")).to_have_text(re.compile("In progress"))
    assert BacklogItem.objects.get(key="ACME-3").status == ItemStatus.IN_PROGRESS
    panel.get_by_label("Status").select_option("ready")
    expect(page.locator("#row-ACME-3 .bl-status")).to_have_text(re.compile("Ready"))
    close.click()
    expect(panel).to_be_hidden()

    # Reorder: with the filters cleared, the title's keyboard move.
    page.get_by_test_id("filtered").get_by_role("link", name="Clear filters").click()
    expect(page.locator("#row-ACME-1")).to_be_visible()
    product = Product.objects.get(key="ACME")
    before = order(product)
    rows = page.locator("#backlog-rows > .bl-row")
    shown = [key for key in rows.evaluate_all("rows => rows.map(r => r.dataset.key)")]
    link = page.locator("#row-ACME-3 [data-item-link]")
    link.focus()
    page.keyboard.press("Alt+ArrowUp")
    # One place up among its siblings; the announcement says where it now sits in the list.
    expect(page.locator("#bl-announce")).to_have_text(re.compile(r"^Moved ACME-3 to position"))
    now = rows.evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert now.index("ACME-3") < shown.index("ACME-3"), (shown, now)
    expect(page.locator("#bl-announce")).to_have_text(
        f"Moved ACME-3 to position {now.index('ACME-3') + 1}."
    )
    after = order(product)
    assert after.index("ACME-3") < before.index("ACME-3"), (before, after)
    expect(link).to_be_focused()
    assert fits(page)
    snap(page, "phone-after-the-move")
