"""The product owner's day in the browser: ordering by drag and drop and by keyboard, the item
side panel with its explained scores, splitting an epic, finding flagged work; and a developer
who reads the same backlog but cannot reorder it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem, ItemKind
from lodestar.backlog.prioritization import services as scoring
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, goal, make_item, ordered_keys, product
from tests.conftest import PASSWORD, Persona

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BACKLOG = "/w/acme/products/ACME/backlog"


def sign_in(page: Any, persona: Persona) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(persona.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))


def shown_keys(page: Any) -> list[str]:
    keys: list[str] = page.locator("#backlog-rows > .bl-row").evaluate_all(
        "rows => rows.map(row => row.dataset.key)"
    )
    return keys


def drag(page: Any, source: Any, target: Any, *, above: bool) -> None:
    """Press on ``source``, move over ``target`` (its top or bottom edge) and let go, once the
    backlog's focus strip has loaded above the rows (it moves them down when it comes)."""
    expect(page.locator('[data-testid="focus-slot"]')).to_have_count(0)
    start = source.bounding_box()
    end = target.bounding_box()
    x = start["x"] + 120
    page.mouse.move(x, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(x, start["y"] + start["height"] / 2 + 6, steps=4)
    y = end["y"] + (3 if above else end["height"] - 3)
    page.mouse.move(x, y, steps=20)
    page.mouse.up()


@pytest.fixture
def backlog(make_item: MakeItem, goal: ProductGoal, po: Persona) -> list[BacklogItem]:
    """ACME-1..4 serving the goal, ACME-5 an epic, ACME-6 flagged orphan work."""
    items = [
        make_item("Sample dataset on first sign-in", goal=goal),
        make_item("Dashboard templates for SaaS metrics", goal=goal),
        make_item("Connect Stripe in two clicks", goal=goal, labels=["billing"]),
        make_item("Weekly digest email", goal=goal),
        make_item("Guided onboarding", kind=ItemKind.EPIC, goal=goal, labels=["onboarding"]),
        make_item("Rewrite the build scripts"),
    ]
    scoring.score_set(
        actor=po.actor,
        item=items[0],
        framework="rice",
        inputs={"reach": 2000, "impact": 2, "confidence": 80, "effort": 4},
    )
    return items


def test_the_product_owner_drags_an_item_and_the_order_stays(
    page: Any, screenshot: Any, po: Persona, backlog: list[BacklogItem], product: Product
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    expect(page.locator("#bl-layout")).to_have_attribute("data-can-order", "1")
    assert shown_keys(page)[:4] == ["ACME-1", "ACME-2", "ACME-3", "ACME-4"]

    drag(page, page.locator("#row-ACME-3"), page.locator("#row-ACME-1"), above=True)

    expect(page.locator("#flash")).to_contain_text("Moved ACME-3 before ACME-1.")
    assert shown_keys(page)[:4] == ["ACME-3", "ACME-1", "ACME-2", "ACME-4"]
    assert ordered_keys(product)[:4] == ["ACME-3", "ACME-1", "ACME-2", "ACME-4"]
    page.reload()
    assert shown_keys(page)[:4] == ["ACME-3", "ACME-1", "ACME-2", "ACME-4"]
    screenshot("backlog-after-drag")


def test_a_refused_drop_puts_the_row_back_and_says_why(
    page: Any, po: Persona, owner: Persona, backlog: list[BacklogItem], product: Product
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    expect(page.locator('[data-testid="focus-slot"]')).to_have_count(0)  # the page has loaded
    # Someone else changes ACME-3 after the page loaded: the drop carries a stale version.
    services.item_update(actor=owner.actor, item=backlog[2], title="Connect Stripe in one click")

    drag(page, page.locator("#row-ACME-3"), page.locator("#row-ACME-1"), above=True)

    expect(page.locator("#flash")).to_contain_text("ACME-3 went back to its place.")
    expect(page.locator("#flash")).to_contain_text("ACME-3 was changed by Owner at")
    assert shown_keys(page)[:3] == ["ACME-1", "ACME-2", "ACME-3"]
    assert ordered_keys(product)[:3] == ["ACME-1", "ACME-2", "ACME-3"]


def test_the_product_owner_orders_with_the_keyboard(
    page: Any, po: Persona, backlog: list[BacklogItem], product: Product
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("#row-ACME-2")).to_have_class(re.compile("is-selected"))
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#flash")).to_contain_text("Moved ACME-2 before ACME-1.")
    assert ordered_keys(product)[:2] == ["ACME-2", "ACME-1"]
    page.keyboard.press("Enter")
    expect(page.locator("#item-panel .iv-title")).to_have_text(
        "Dashboard templates for SaaS metrics"
    )
    page.keyboard.press("Escape")
    expect(page.locator("#item-panel")).to_be_hidden()


def test_the_side_panel_explains_a_rice_score(
    page: Any, screenshot: Any, po: Persona, backlog: list[BacklogItem]
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    page.locator("#row-ACME-1").get_by_role("link").click()

    panel = page.locator("#item-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#backlog-rows")).to_be_visible()  # the backlog stays in view
    explain = panel.get_by_test_id("explain-rice")
    expect(explain).to_contain_text("reach x impact x confidence / effort")
    expect(explain).to_contain_text("2000 x 2 x 80% / 4 = 800")
    expect(explain).to_contain_text("entered by Po on")
    # The open item is in the address (so it can be shared and reopened with Back).
    expect(page).to_have_url(re.compile(r"/backlog\?item=ACME-1$"))
    screenshot("backlog-side-panel")

    # Scoring WSJF from the panel explains it at once, and the row shows the score.
    panel.get_by_text("Score with WSJF").click()
    panel.get_by_label("Business value").fill("8")
    panel.get_by_label("Time criticality").fill("5")
    panel.get_by_label("Risk reduction / opportunity enablement").fill("3")
    panel.get_by_label("Job size").fill("4")
    panel.get_by_role("button", name="Save WSJF").click()
    expect(panel.get_by_test_id("explain-wsjf")).to_contain_text("(8 + 5 + 3) / 4 = 4")
    expect(page.locator("#row-ACME-1 .bl-score-2")).to_have_text("4")


def test_the_product_owner_splits_an_epic(
    page: Any, po: Persona, backlog: list[BacklogItem], product: Product
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    page.locator("#row-ACME-5").get_by_role("link").click()
    panel = page.locator("#item-panel")
    panel.get_by_text("Split into children").click()
    panel.get_by_label("New children, one title per line").fill(
        "Sample data on sign-up\nA guided tour of the first dashboard"
    )
    panel.get_by_role("button", name="Split", exact=True).click()

    expect(page.locator("#flash")).to_contain_text("ACME-5 split into ACME-7, ACME-8.")
    expect(panel.get_by_test_id("children")).to_contain_text("A guided tour of the first dashboard")
    # The list reloads with the children right after their epic.
    expect(page.locator("#row-ACME-8")).to_be_visible()
    assert shown_keys(page)[4:7] == ["ACME-5", "ACME-7", "ACME-8"]
    child = BacklogItem.objects.get(key="ACME-8")
    assert child.parent is not None
    assert child.parent.key == "ACME-5"
    assert [label.name for label in child.labels.all()] == ["onboarding"]


def test_filtering_finds_the_flagged_work(
    page: Any, screenshot: Any, po: Persona, backlog: list[BacklogItem]
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    expect(page.locator("#row-ACME-6").get_by_test_id("flag")).to_be_visible()
    page.get_by_label("Flagged").select_option("1")
    expect(page).to_have_url(re.compile(r"flagged=1"))
    expect(page.locator("#row-ACME-1")).to_have_count(0)
    assert shown_keys(page) == ["ACME-6"]
    expect(page.get_by_test_id("filtered")).to_be_visible()
    screenshot("backlog-flagged-only")

    # Back restores the whole list, which still drags, with each shortcut handled once.
    page.go_back()
    expect(page.locator("#row-ACME-1")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/backlog$"))
    assert page.evaluate("() => !!Sortable.get(document.getElementById('backlog-rows'))")
    page.keyboard.press("j")
    expect(page.locator("#row-ACME-1")).to_have_class(re.compile("is-selected"))


def test_a_developer_sees_a_list_that_does_not_drag(
    page: Any, screenshot: Any, developer: Persona, backlog: list[BacklogItem], product: Product
) -> None:
    sign_in(page, developer)
    page.goto(BACKLOG)
    expect(page.get_by_test_id("order-hint")).to_contain_text(
        "Only the product owner orders the backlog"
    )
    expect(page.locator("#bl-layout")).to_have_attribute("data-can-order", "0")
    attached = page.evaluate("() => !!Sortable.get(document.getElementById('backlog-rows'))")
    assert attached is False

    drag(page, page.locator("#row-ACME-3"), page.locator("#row-ACME-1"), above=True)
    assert shown_keys(page)[:3] == ["ACME-1", "ACME-2", "ACME-3"]
    page.keyboard.press("Escape")
    page.locator("#row-ACME-3").get_by_role("link").click()
    page.keyboard.press("Escape")
    page.keyboard.press("k")
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#flash")).to_contain_text("Only the product owner orders the backlog")
    assert ordered_keys(product)[:3] == ["ACME-1", "ACME-2", "ACME-3"]
    screenshot("backlog-developer")


def test_applying_a_whole_suggested_order_asks_first(
    page: Any, po: Persona, backlog: list[BacklogItem], product: Product
) -> None:
    """Suggest order's "Apply all" says how many items it moves before it moves any."""
    scoring.score_set(
        actor=po.actor,
        item=backlog[3],
        framework="rice",
        inputs={"reach": 9000, "impact": 3, "confidence": 100, "effort": 1},
    )
    before = ordered_keys(product)
    sign_in(page, po)
    page.goto(BACKLOG + "/suggest?framework=rice")
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        if len(asked) == 1:
            dialog.dismiss()
        else:
            dialog.accept()

    page.on("dialog", answer)
    apply_all = page.get_by_role("button", name=re.compile(r"Apply all \(\d+ moves?\)"))
    apply_all.click()
    assert asked
    assert asked[0].startswith("Move ")
    assert "RICE suggests?" in asked[0]
    assert ordered_keys(product) == before  # dismissed: nothing moved
    apply_all.click()
    expect(page.locator("#flash")).to_be_visible()
    assert ordered_keys(product) != before


def test_done_work_is_out_of_the_way_until_the_toggle_shows_it(
    page: Any, po: Persona, backlog: list[BacklogItem]
) -> None:
    services.item_update(actor=po.actor, item=backlog[3], status="done")
    sign_in(page, po)
    page.goto(BACKLOG)
    expect(page.locator("#row-ACME-4")).to_have_count(0)
    page.get_by_label("Show done and won't do").check()
    expect(page.locator("#row-ACME-4")).to_be_visible()
    expect(page).to_have_url(re.compile(r"finished=on"))  # a link to this view shows it too
    assert shown_keys(page)[:4] == ["ACME-1", "ACME-2", "ACME-3", "ACME-4"]
    page.get_by_label("Show done and won't do").uncheck()
    expect(page.locator("#row-ACME-4")).to_have_count(0)


def test_a_refused_create_keeps_focus_and_its_error_goes_once_it_works(
    page: Any, po: Persona, backlog: list[BacklogItem]
) -> None:
    sign_in(page, po)
    page.goto(BACKLOG)
    title = page.get_by_label("Title of the new item")
    title.fill("x" * 300)  # as a paste would: the page must not cut it silently
    title.press("Enter")
    errors = page.locator(".bl-create-errors")
    expect(errors).to_contain_text("at most 255 characters")
    expect(page.get_by_label("Title of the new item")).to_be_focused()
    expect(page.get_by_label("Title of the new item")).to_have_value("x" * 300)
    page.get_by_label("Title of the new item").fill("Export a chart as SVG")
    page.get_by_label("Title of the new item").press("Enter")
    expect(page.locator(".bl-row", has_text="Export a chart as SVG")).to_be_visible()
    expect(page.locator(".bl-create-errors")).to_have_count(0)
    expect(page.get_by_label("Title of the new item")).to_be_focused()


def test_a_second_item_opens_at_its_top(page: Any, po: Persona, backlog: list[BacklogItem]) -> None:
    page.set_viewport_size({"width": 1280, "height": 500})  # a panel taller than the screen
    sign_in(page, po)
    page.goto(BACKLOG)
    page.locator("#row-ACME-1").get_by_role("link").click()
    panel = page.locator("#item-panel")
    expect(panel.get_by_test_id("explain-rice")).to_be_visible()
    panel.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    assert panel.evaluate("el => el.scrollTop") > 0
    page.locator("#row-ACME-2").get_by_role("link").click()
    expect(panel).to_contain_text("Dashboard templates for SaaS metrics")
    for _ in range(50):  # the panel's answer settles, then its scroll is reset
        if panel.evaluate("el => el.scrollTop") == 0:
            break
        page.wait_for_timeout(100)
    assert panel.evaluate("el => el.scrollTop") == 0
