"""The roadmap in a browser: the product owner puts an epic in Next with its lane's move form
(the address dragging also posts to), is stopped at a place of 0, makes a share link, opens it
signed out and sees the roadmap with no customer data; revoked, the link answers 404."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog.models import BacklogItem
from lodestar.discovery import services as discovery
from lodestar.releases import roadmap
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, make_item
from tests.conftest import Persona
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_release_pages import sign_in
from tests.strategy.conftest import product

__all__ = ["make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER, FEEDBACK = "Initech Holdings", "Our CFO cannot read the exported PDF at all"


@pytest.fixture
def epic(owner: Persona, product: Product, make_item: MakeItem) -> BacklogItem:
    problem = discovery.problem_create(
        actor=owner.actor, title="Reports are hard to share", product=product
    )
    customer = discovery.customer_create(actor=owner.actor, name=CUSTOMER, arr="987654")
    feedback = discovery.feedback_create(actor=owner.actor, text=FEEDBACK, customer=customer)
    discovery.insight_create(
        actor=owner.actor, feedback=feedback, quote="cannot read", problems=[problem]
    )
    roadmap.roadmap_entry_add(
        actor=owner.actor, product=product, type="problem", target=str(problem.pk), lane="now"
    )
    return make_item("Self-serve reporting", kind="epic")


def test_an_epic_in_next_shared_then_revoked(
    page: Any, browser: Any, live_server: Any, screenshot: Any, po: Persona, epic: BacklogItem
) -> None:
    sign_in(page, po)
    page.goto("/w/acme/releases/ACME")
    page.get_by_role("link", name="Roadmap").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roadmap of Acme Analytics")

    # A bad reference is refused in words next to the form, nothing added.
    page.get_by_label("Which one").fill("ACME-404")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#add-error")).to_contain_text("no backlog item ACME-404")
    page.get_by_label("Which one").fill(epic.key)
    page.locator("#add-lane").select_option("later")
    page.get_by_role("button", name="Add", exact=True).click()
    later = page.locator('.rm-list[data-lane="later"]')
    expect(later).to_contain_text("Self-serve reporting")

    # Moved to Next with its lane's form (what a drop sends too): the card, the lane, a place.
    form = page.get_by_role("form", name="Move a card of Later")
    form.get_by_label("Card").select_option(label=f"1. {epic.key} Self-serve reporting")
    form.get_by_label("To lane").select_option("next")
    form.get_by_role("button", name="Move", exact=True).click()
    following = page.locator('.rm-list[data-lane="next"]')
    expect(following).to_contain_text("Self-serve reporting")
    expect(page.locator("#roadmap-timeline")).to_be_visible()
    screenshot("roadmap-lanes")

    # A place of 0 is refused by the browser already (the server refuses it in words too).
    form = page.get_by_role("form", name="Move a card of Next")
    place = form.get_by_label(re.compile("At place"))
    place.fill("0")
    form.get_by_role("button", name="Move", exact=True).click()
    assert place.evaluate("input => input.validity.rangeUnderflow")
    expect(following).to_contain_text("Self-serve reporting")

    page.get_by_label("For whom").fill("Board")
    page.get_by_role("button", name="Make a link").click()
    link = page.locator("#new-link").input_value()
    assert "/share/roadmap/rm_" in link

    visitor = browser.new_context(base_url=live_server.url)
    try:
        public = visitor.new_page()
        answer = public.goto(link)
        assert answer is not None
        assert answer.status == 200
        expect(public.locator('.rm-list[data-lane="next"]')).to_contain_text("Self-serve reporting")
        expect(public.locator('.rm-list[data-lane="now"]')).to_contain_text(
            "Reports are hard to share"
        )
        html = public.content()
        for secret in (CUSTOMER, FEEDBACK, "987,654", "987654"):
            assert secret not in html, secret
        expect(public.get_by_role("button")).to_have_count(0)
        public.screenshot(path=str(SCREENSHOTS / "roadmap-shared.png"), full_page=True)

        page.get_by_role("button", name="Revoke the link for Board").click()
        expect(page.locator(".flash-success")).to_contain_text("Revoked the link")
        gone = public.goto(link)
        assert gone is not None
        assert gone.status == 404
    finally:
        visitor.close()
