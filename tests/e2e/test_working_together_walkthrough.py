"""Working together, as a new team would try it (issue 12's walk-through):

Quinn comments on an item mentioning ``@diego``, picking him from the autocomplete; Diego, in a
browser of his own, sees his unread count change without a reload, opens the item from his
inbox and replies, and Quinn's page shows the reply without a reload; Priya, who watches the
product, gets one digest email on the local SMTP server that lists both. Invitations and
password resets by email are walked through in ``test_accounts_email.py``.

The worker's two jobs run where it would: ``events.deliver_pending`` (the outbox pump feeding
notifications) and ``send_notification_digests`` (the hourly periodic task)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem
from lodestar.core import events
from lodestar.notifications import services as notifications
from lodestar.notifications.access import access_target
from lodestar.notifications.tasks import send_notification_digests
from lodestar.people.models import Role, Workspace
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, goal, make_item, product
from tests.conftest import Persona, _member
from tests.e2e.test_backlog import sign_in
from tests.smtp import SmtpServer

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def item(make_item: MakeItem, goal: ProductGoal) -> BacklogItem:
    return make_item("Checkout fails on Safari", goal=goal)


def test_a_mention_a_reply_and_a_digest(
    browser: Any,
    live_server: Any,
    page: Any,
    screenshot: Any,
    workspace: Workspace,
    product: Product,
    item: BacklogItem,
    smtp_server: SmtpServer,
) -> None:
    quinn = _member(workspace, "quinn@acme.test", Role.MEMBER, "QA Engineer")
    diego = _member(workspace, "diego@acme.test", Role.MEMBER, "Engineer")
    priya: Persona = _member(workspace, "priya@acme.test", Role.ADMIN, "Product Manager")
    notifications.watch_start(
        actor=priya.actor, target=access_target(priya.actor, "products", product.key)
    )
    events.deliver_pending()  # the worker has read everything so far
    address = f"/w/acme/items/{item.key}"

    # Diego is on his home page in a browser of his own: nothing unread.
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    tab = other.new_page()
    try:
        sign_in(tab, diego)
        badge = tab.locator('[data-nav-badge="inbox"]')
        expect(badge).to_be_hidden()

        # Quinn writes "@di" and picks Diego from the list with the keyboard.
        sign_in(page, quinn)
        page.goto(address)
        box = page.get_by_test_id("object-comments").get_by_label("Add a comment (Markdown)")
        box.click()
        box.press_sequentially("@di")
        option = page.get_by_role("option", name=re.compile(r"@diego"))
        expect(option).to_be_visible()
        expect(option).to_have_attribute("aria-selected", "true")
        screenshot("walkthrough-mention-autocomplete")
        box.press("Enter")
        expect(box).to_have_value("@diego ")
        box.press_sequentially("can you reproduce this one?")
        page.get_by_test_id("object-comments").get_by_role("button", name="Comment").click()
        expect(page.get_by_text("Comment posted.")).to_be_visible()
        expect(page.get_by_test_id("comment")).to_contain_text("@diego can you reproduce")

        # The worker's round; Diego's count changes without a reload (it polls every 15 s).
        events.deliver_pending()
        expect(badge).to_have_text("1", timeout=25_000)
        tab.get_by_role("link", name="Inbox").click()
        row = tab.get_by_test_id("inbox").locator("li").first
        expect(row).to_contain_text(f"mentioned you in a comment of {item.key}")
        row.get_by_role("link").first.click()
        expect(tab).to_have_url(f"{live_server.url}{address}")

        # He replies under Quinn's comment.
        thread = tab.get_by_test_id("object-comments")
        thread.locator(".cm-reply summary").click()
        thread.locator(".cm-reply textarea").fill("Yes: Safari 17 only, on the payment step.")
        thread.locator(".cm-reply").get_by_role("button", name="Reply").click()
        expect(tab.locator(".cm-replies").get_by_test_id("comment")).to_contain_text(
            "Safari 17 only"
        )
        expect(tab.locator('[data-nav-badge="inbox"]')).to_be_hidden()  # read on open
        # Quinn's page shows the reply without a reload (it polls every 10 s).
        expect(page.locator(".cm-replies").get_by_test_id("comment")).to_contain_text(
            "Safari 17 only", timeout=25_000
        )
        screenshot("walkthrough-reply")
    finally:
        other.close()

    # The worker again: the reply's notifications, then the hourly digest run.
    events.deliver_pending()
    assert smtp_server.to(priya.email) == []  # comments come to her in a digest, not at once
    send_notification_digests.call()
    (digest,) = smtp_server.to(priya.email)
    assert "digest" in digest.subject.lower()
    text = digest.part("text/plain")
    assert "Quinn" in text
    assert "Diego" in text
    assert item.key in text
    assert str(digest.message["List-Unsubscribe"]).strip().startswith("<http")
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Safari" in digest.part("text/html")
    # A second run sends nothing more: each notification is emailed once.
    send_notification_digests.call()
    assert len(smtp_server.to(priya.email)) == 1
