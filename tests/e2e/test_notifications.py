"""Being told, in the browser: Quinn comments on an item mentioning @diego; once the worker has
delivered the event, Diego's unread count in the sidebar changes without a reload; he opens the
item from his inbox and replies."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem
from lodestar.core import events
from lodestar.people.models import Role, Workspace
from lodestar.strategy.models import ProductGoal
from tests.backlog.conftest import MakeItem, goal, make_item, product
from tests.conftest import Persona, _member
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_backlog import sign_in

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def item(make_item: MakeItem, goal: ProductGoal) -> BacklogItem:
    return make_item("Checkout fails on Safari", goal=goal)


def test_a_mention_reaches_the_inbox_without_a_reload(
    browser: Any,
    live_server: Any,
    page: Any,
    screenshot: Any,
    workspace: Workspace,
    item: BacklogItem,
) -> None:
    quinn: Persona = _member(workspace, "quinn@acme.test", Role.MEMBER, "QA Engineer")
    diego: Persona = _member(workspace, "diego@acme.test", Role.MEMBER, "Engineer")
    events.deliver_pending()  # the worker's subscriber starts here
    address = f"/w/acme/items/{item.key}"

    # Diego is on his home page in a browser of his own: nothing unread.
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    tab = other.new_page()
    sign_in(tab, diego)
    badge = tab.locator('[data-nav-badge="inbox"]')
    expect(badge).to_be_hidden()

    sign_in(page, quinn)
    page.goto(address)
    section = page.get_by_test_id("object-comments")
    section.get_by_label("Add a comment (Markdown)").fill("@diego can you reproduce this one?")
    section.get_by_role("button", name="Comment").click()
    expect(page.get_by_text("Comment posted.")).to_be_visible()
    # Quinn watches what she commented on; the Watch bar says so after the worker's round.
    events.deliver_pending()

    # The badge polls every 15 seconds: it shows 1 without a reload.
    expect(badge).to_have_text("1", timeout=25_000)
    expect(badge).to_be_visible()
    tab.get_by_role("link", name="Inbox").click()
    row = tab.get_by_test_id("inbox").locator("li").first
    expect(row).to_contain_text(
        f"mentioned you in a comment of {item.key} Checkout fails on Safari"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "notifications-inbox.png"), full_page=True)
    row.get_by_role("link").first.click()
    expect(tab).to_have_url(f"{live_server.url}{address}")
    thread = tab.get_by_test_id("object-comments")
    thread.locator(".cm-reply summary").click()
    thread.locator(".cm-reply textarea").fill("Yes: Safari 17 only. @quinn on it.")
    thread.locator(".cm-reply").get_by_role("button", name="Reply").click()
    expect(tab.locator(".cm-replies").get_by_test_id("comment")).to_contain_text("Safari 17 only")
    # Read on open: the badge is gone after the reply's page load.
    expect(tab.locator('[data-nav-badge="inbox"]')).to_be_hidden()
    other.close()

    events.deliver_pending()
    page.reload()
    expect(page.locator('[data-nav-badge="inbox"]')).to_have_text("1")
