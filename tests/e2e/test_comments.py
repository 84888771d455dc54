"""Comments in the browser: one member comments on an item's page, another replies under it,
the author edits; a script in the Markdown never runs, and a viewer reads without forms."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem
from lodestar.strategy.models import ProductGoal
from tests.backlog.conftest import MakeItem, goal, make_item, product
from tests.conftest import Persona
from tests.e2e.test_backlog import sign_in

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def item(make_item: MakeItem, goal: ProductGoal) -> BacklogItem:
    return make_item("Weekly digest email", goal=goal)


def test_a_thread_on_an_item(
    browser: Any,
    live_server: Any,
    page: Any,
    screenshot: Any,
    po: Persona,
    developer: Persona,
    viewer: Persona,
    item: BacklogItem,
) -> None:
    address = f"/w/acme/items/{item.key}"
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, po)
    page.goto(address)
    section = page.get_by_test_id("object-comments")
    expect(section).to_contain_text("No comments on this backlog item yet.")
    section.get_by_label("Add a comment (Markdown)").fill(
        "Can we **ship** this Friday? <script>alert('x')</script>"
    )
    section.get_by_role("button", name="Comment").click()
    expect(page.get_by_text("Comment posted.")).to_be_visible()
    first = section.get_by_test_id("comment").first
    expect(first.locator("strong", has_text="ship")).to_be_visible()
    # The script is gone from what is shown (the edit form keeps the source as written).
    expect(first.locator(".md")).not_to_contain_text("alert")
    expect(section.locator(".md script")).to_have_count(0)

    # Another member replies under it, in a browser of their own.
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    tab = other.new_page()
    sign_in(tab, developer)
    tab.goto(address)
    thread = tab.get_by_test_id("object-comments")
    thread.locator(".cm-reply summary").click()
    thread.locator(".cm-reply textarea").fill("Yes, if the copy is ready by Thursday.")
    thread.locator(".cm-reply").get_by_role("button", name="Reply").click()
    reply = tab.locator(".cm-replies").get_by_test_id("comment")
    expect(reply).to_contain_text("Yes, if the copy is ready by Thursday.")
    other.close()

    # The author edits their comment: it says so.
    page.reload()
    first = section.get_by_test_id("comment").first
    first.locator("summary", has_text="Edit").click()
    first.get_by_label("Comment text").fill("Can we **ship** this Thursday?")
    first.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Comment changed.")).to_be_visible()
    first = section.get_by_test_id("comment").first
    expect(first).to_contain_text("Thursday")
    expect(first).to_contain_text("edited")
    expect(section.locator(".cm-replies")).to_contain_text("copy is ready")
    screenshot("comments-thread")
    assert dialogs == []

    # A viewer reads the thread and has no form to write.
    reader = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    tab = reader.new_page()
    sign_in(tab, viewer)
    tab.goto(address)
    expect(tab.get_by_test_id("object-comments")).to_contain_text("copy is ready")
    expect(tab.get_by_test_id("object-comments").locator("textarea")).to_have_count(0)
    reader.close()
