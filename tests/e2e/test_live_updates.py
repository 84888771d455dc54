"""Live enough, in two browsers: what one person changes shows on another's item page, backlog
and board without a reload; a form in use is not swapped under its writer, a banner says who
changed the item instead."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import expect

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.people.models import Team
from lodestar.sprints import services as sprints
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, goal, make_item, product
from tests.conftest import Persona
from tests.e2e.test_backlog import sign_in

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def quick_polls(settings: Any) -> None:
    """Pages ask every 300 ms instead of every ten seconds."""
    settings.LIVE_POLL_SECONDS = 0.3


@pytest.fixture
def item(make_item: MakeItem, goal: ProductGoal) -> BacklogItem:
    return make_item("Weekly digest email", goal=goal)


@pytest.fixture
def second(browser: Any, live_server: Any) -> Iterator[Any]:
    """Another person's browser: a context with its own cookies."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    with contextlib.suppress(Exception):
        tab.wait_for_load_state("networkidle", timeout=2_000)
    context.close()


def _mark(page: Any) -> None:
    """Leave a mark in the page's window that a reload would wipe."""
    page.evaluate("window.__notReloaded = true")


def _not_reloaded(page: Any) -> None:
    assert page.evaluate("window.__notReloaded === true")


def _elsewhere(write: Callable[[], object]) -> None:
    """Another person's write, made while the open pages poll every 300 ms.

    The tests' database is SQLite in memory with a shared cache, where a poll being answered
    holds a table lock that fails a write at once ("database table is locked": shared-cache
    locks do not wait, unlike a file database's). The write, one transaction that rolled back,
    is made again once the poll is answered.
    """
    for _ in range(100):
        try:
            write()
            return
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.02)
    write()


def test_a_comment_someone_else_posts_appears_without_a_reload(
    page: Any, second: Any, developer: Persona, po: Persona, item: BacklogItem
) -> None:
    address = f"/w/acme/items/{item.key}"
    sign_in(page, developer)
    page.goto(address)
    thread = page.get_by_test_id("object-comments")
    expect(thread).to_contain_text("No comments on this backlog item yet.")
    _mark(page)

    sign_in(second, po)
    second.goto(address)
    theirs = second.get_by_test_id("object-comments")
    theirs.get_by_label("Add a comment (Markdown)").fill("Shipping it on **Friday**")
    theirs.get_by_role("button", name="Comment").click()
    expect(second.get_by_text("Comment posted.")).to_be_visible()

    expect(thread.get_by_test_id("comment").first).to_contain_text("Shipping it on Friday")
    expect(page.locator("#live-announce")).to_have_text(
        re.compile(r"^Po changed this item at \d\d:\d\d( [AP]M)?\.$")
    )
    expect(page.get_by_test_id("live-banner")).to_be_hidden()
    _not_reloaded(page)


def test_a_form_in_use_gets_a_banner_instead_of_a_swap(
    page: Any, second: Any, developer: Persona, po: Persona, item: BacklogItem
) -> None:
    sign_in(page, developer)
    page.goto(f"/w/acme/items/{item.key}")
    box = page.get_by_test_id("object-comments").get_by_label("Add a comment (Markdown)")
    box.fill("Half a thought")
    _mark(page)

    _elsewhere(
        lambda: backlog.item_update(
            actor=po.actor, item=BacklogItem.objects.get(pk=item.pk), title="Monthly digest email"
        )
    )
    banner = page.get_by_test_id("live-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(re.compile(r"Po changed this item at \d\d:\d\d"))
    # Nothing was swapped under the writer: the old title, the draft in place.
    expect(page.locator("h1.iv-title")).to_have_text("Weekly digest email")
    expect(box).to_have_value("Half a thought")
    _not_reloaded(page)
    banner.get_by_role("button", name="Reload").click()
    expect(page.locator("h1.iv-title")).to_have_text("Monthly digest email")
    expect(banner).to_be_hidden()
    _not_reloaded(page)


def test_an_item_trashed_by_someone_else_says_so_and_stays_in_view(
    page: Any, developer: Persona, po: Persona, item: BacklogItem
) -> None:
    sign_in(page, developer)
    page.goto(f"/w/acme/items/{item.key}")
    _mark(page)
    _elsewhere(
        lambda: backlog.item_delete(actor=po.actor, item=BacklogItem.objects.get(pk=item.pk))
    )
    banner = page.get_by_test_id("live-banner")
    expect(banner).to_contain_text(re.compile(r"Po moved this item to the trash at \d\d:\d\d"))
    expect(banner.get_by_role("button", name="Reload")).to_be_hidden()
    expect(page.locator("#live-announce")).to_contain_text("Po moved this item to the trash")
    # What was shown stays, to copy from; nothing was swapped for a "not found".
    expect(page.locator("h1.iv-title")).to_have_text("Weekly digest email")
    _not_reloaded(page)


def test_the_backlog_shows_an_item_someone_else_adds_and_moves(
    page: Any, viewer: Persona, po: Persona, make_item: MakeItem, product: Product
) -> None:
    first = make_item("First")
    make_item("Second")
    sign_in(page, viewer)
    page.goto("/w/acme/products/ACME/backlog")
    rows = page.locator("#backlog-rows > .bl-row")
    expect(rows).to_have_count(2)
    _mark(page)

    _elsewhere(
        lambda: backlog.item_create(actor=po.actor, product=product, title="Third, from elsewhere")
    )
    expect(rows).to_have_count(3)
    expect(page.locator("#backlog-rows")).to_contain_text("Third, from elsewhere")
    _elsewhere(
        lambda: backlog.item_move(
            actor=po.actor,
            item=BacklogItem.objects.get(title="Third, from elsewhere"),
            before=first,
        )
    )
    expect(rows.first).to_contain_text("Third, from elsewhere")
    expect(page.locator("#live-announce")).to_contain_text("Po changed the backlog")
    _not_reloaded(page)


def test_the_board_shows_a_card_someone_else_moves(
    page: Any, owner: Persona, developer: Persona, po: Persona, team: Team, make_item: MakeItem
) -> None:
    items = [make_item(f"Card {n}", estimate=1) for n in (1, 2)]
    today = timezone.localdate()
    sprint = sprints.sprint_create(
        actor=owner.actor,
        team=team,
        name="Sprint 1",
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=10),
    )
    sprints.sprint_items_add(actor=owner.actor, sprint=sprint, items=items)
    sprints.sprint_start(actor=owner.actor, sprint=sprint, goal="Go")
    sign_in(page, developer)
    page.goto(f"/w/acme/sprints/{sprint.pk}/board")
    card = page.locator(f".sp-board-card[data-key='{items[0].key}']")
    expect(card).to_have_attribute("data-status", "new")
    _mark(page)

    _elsewhere(
        lambda: backlog.item_update(
            actor=po.actor, item=BacklogItem.objects.get(pk=items[0].pk), status="in_progress"
        )
    )
    expect(
        page.locator(f".sp-drop[data-status='in_progress'] [data-key='{items[0].key}']")
    ).to_be_visible()
    expect(page.locator("#live-announce")).to_contain_text("Po changed the board")
    _not_reloaded(page)
