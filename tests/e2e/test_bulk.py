"""Bulk edit in the browser, with the keyboard alone: check three items (j/k move, x checks,
shift+j checks a range), set their status and assignee from the action bar, read the
selection's total, move them to the top; a refused batch changes nothing and says why. Also
the list's totals and its reading sorts, which never change the backlog order."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.core.models import HistoryEntry
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, goal, make_item, ordered_keys, product
from tests.conftest import Persona
from tests.e2e.test_backlog import BACKLOG, shown_keys, sign_in

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def backlog(make_item: MakeItem, goal: ProductGoal) -> list[BacklogItem]:
    """ACME-1..6 serving the goal, estimated 1, 2, 3, 5, 8 and not at all."""
    estimates = ["1", "2", "3", "5", "8", None]
    return [
        make_item(f"Item number {n}", goal=goal, estimate=estimate)
        for n, estimate in enumerate(estimates, start=1)
    ]


def _state(product: Product) -> list[tuple[Any, ...]]:
    rows = BacklogItem.all_objects.filter(product=product).order_by("pk")
    values = rows.values_list("key", "status", "assignee_id", "rank", "version", "deleted_at")
    return [*values, ("history", HistoryEntry.objects.count())]


def test_the_product_owner_changes_three_items_with_the_keyboard_alone(
    page: Any, screenshot: Any, po: Persona, backlog: list[BacklogItem], product: Product
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    bar = page.locator("#bl-bulk")
    expect(bar).to_be_hidden()

    # ACME-2 with x; then ACME-4 and, with shift+j, ACME-5 as well.
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("Shift+J")
    for key in ("ACME-2", "ACME-4", "ACME-5"):
        expect(page.locator(f"#row-{key}")).to_have_class(re.compile("is-checked"))
    expect(page.locator("#row-ACME-3")).not_to_have_class(re.compile("is-checked"))
    expect(bar).to_be_visible()
    # 2 + 5 + 8 points.
    expect(page.get_by_test_id("selection")).to_have_text("3 selected · 15 pts")
    screenshot("bulk-three-checked")

    # "e" goes to the action bar; typing picks a menu entry, Tab goes on, Enter applies.
    page.keyboard.press("e")
    expect(page.locator("#bulk-status")).to_be_focused()
    page.keyboard.type("In progress")
    page.keyboard.press("Tab")
    expect(page.locator("#bulk-assignee")).to_be_focused()
    page.keyboard.type("Po")
    expect(page.locator("#bulk-status")).to_have_value("in_progress")
    expect(page.locator("#bulk-assignee")).to_have_value("po@acme.test")
    for _ in range(5):  # goal, estimate, labels to add, labels to remove, Apply
        page.keyboard.press("Tab")
    expect(page.locator("[data-bulk-apply]")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#flash")).to_contain_text("3 items: status In progress; assigned to Po.")
    expect(page.locator("#row-ACME-4 .bl-status")).to_contain_text("In progress")
    changed = BacklogItem.objects.filter(key__in=["ACME-2", "ACME-4", "ACME-5"])
    assert {(item.status, item.assignee.user.email) for item in changed} == {
        (ItemStatus.IN_PROGRESS, "po@acme.test")
    }
    assert BacklogItem.objects.get(key="ACME-3").status == ItemStatus.NEW
    # The selection survives the change, ready for the next one.
    expect(page.get_by_test_id("selection")).to_have_text("3 selected · 15 pts")

    page.keyboard.press("e")
    for _ in range(7):  # past the menus, the label fields and Apply
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Move to top")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text("3 items: moved to the top.")
    expect(page.locator("#backlog-rows > .bl-row").first).to_have_id("row-ACME-2")
    assert ordered_keys(product)[:4] == ["ACME-2", "ACME-4", "ACME-5", "ACME-1"]
    assert shown_keys(page)[:4] == ["ACME-2", "ACME-4", "ACME-5", "ACME-1"]
    screenshot("bulk-moved-to-top")

    # Escape clears the selection and hides the bar.
    page.locator("body").focus()
    page.keyboard.press("Escape")
    expect(bar).to_be_hidden()
    expect(page.locator(".bl-row.is-checked")).to_have_count(0)


def test_a_refused_batch_changes_nothing_and_names_the_item(
    page: Any, owner: Persona, backlog: list[BacklogItem], product: Product
) -> None:
    sign_in(page, owner)
    page.goto(BACKLOG)
    page.locator("#row-ACME-1 [data-check]").click()
    page.locator("#row-ACME-3 [data-check]").click(modifiers=["Shift"])
    expect(page.get_by_test_id("selection")).to_have_text("3 selected · 6 pts")
    before = _state(product)

    # Ready needs the Definition of Ready (acceptance criteria, among others): none passes it.
    page.locator("#bulk-status").select_option("ready")
    page.locator("[data-bulk-apply]").click()

    expect(page.locator("#flash")).to_contain_text("ACME-1 status: Has acceptance criteria")
    assert _state(product) == before
    expect(page.get_by_test_id("selection")).to_have_text("3 selected · 6 pts")


def test_a_developer_cannot_move_many_and_a_stale_row_refuses_the_batch(
    page: Any, developer: Persona, owner: Persona, backlog: list[BacklogItem], product: Product
) -> None:
    sign_in(page, developer)
    page.goto(BACKLOG)
    # Ordering is the product owner's: the developer's bar has no move buttons.
    page.locator("#row-ACME-2 [data-check]").click()
    page.locator("#row-ACME-6 [data-check]").click()
    expect(page.get_by_role("button", name="Move to top")).to_have_count(0)
    # Someone changes ACME-6 after the page was read: the batch carries its old version.
    from lodestar.backlog import services

    services.item_update(actor=owner.actor, item=backlog[5], title="Renamed meanwhile")
    before = _state(product)
    page.locator("#bulk-status").select_option("done")
    page.locator("[data-bulk-apply]").click()
    expect(page.locator("#flash")).to_contain_text("ACME-6 was changed by someone else")
    assert _state(product) == before


def test_totals_and_a_reading_sort_that_leaves_the_order_alone(
    page: Any, screenshot: Any, po: Persona, backlog: list[BacklogItem], product: Product
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    totals = page.get_by_test_id("totals")
    expect(totals).to_contain_text("6 items · 19 points (1 not estimated)")
    expect(totals).to_contain_text("ready: 0 items, 0 points")
    order = ordered_keys(product)

    page.locator("#bl-head").get_by_text("Est.").click()
    expect(page).to_have_url(re.compile(r"sort=-estimate"))
    expect(page.get_by_test_id("sorted")).to_contain_text(
        "Sorted by estimate — the backlog order is unchanged."
    )
    assert shown_keys(page) == ["ACME-5", "ACME-4", "ACME-3", "ACME-2", "ACME-1", "ACME-6"]
    expect(page.locator("#bl-sort")).to_have_value("-estimate")
    # While sorted, the keyboard does not move items.
    page.keyboard.press("j")
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("#flash")).to_contain_text("sorted for reading")
    assert ordered_keys(product) == order
    screenshot("bulk-sorted-by-estimate")

    # A second click turns the direction around; the address is a link to the same view.
    page.locator("#bl-head").get_by_text("Est.").click()
    expect(page).to_have_url(re.compile(r"sort=estimate"))
    page.reload()
    # Smallest first, the item without an estimate last.
    assert shown_keys(page) == ["ACME-1", "ACME-2", "ACME-3", "ACME-4", "ACME-5", "ACME-6"]
    expect(page.locator("#bl-sort")).to_have_value("estimate")
    page.get_by_role("link", name="Back to backlog order").click()
    expect(page.get_by_test_id("sorted")).to_have_count(0)
    expect(page).not_to_have_url(re.compile(r"sort="))
    assert shown_keys(page) == order
