"""One product owner per product, in the browser: an admin puts a second team on a product,
gives the product's hat to someone else, and finds it on both teams and on "who does what"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.people.models import Team
from lodestar.strategy.models import Product, ProductOwnerHat
from tests.conftest import Persona
from tests.e2e.test_backlog import sign_in
from tests.strategy.conftest import product

__all__ = ["product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_product_with_two_teams_has_one_product_owner_who_orders_its_backlog(
    page: Any,
    screenshot: Any,
    admin: Persona,
    po: Persona,
    developer: Persona,
    team: Team,
    product: Product,
) -> None:
    """Core works from ACME; an admin adds Insights to the same backlog and gives ACME's one
    product owner hat to Dev. Both teams show Dev; Po, who wore it, no longer orders."""
    Team.objects.create(workspace=team.workspace, slug="insights", name="Insights")
    sign_in(page, admin)
    page.goto("/w/acme/products/ACME")
    page.get_by_label("Team", exact=True).select_option("insights")
    page.get_by_role("button", name="Add to this backlog").click()
    expect(page.locator("#flash")).to_contain_text("Insights now works from ACME's backlog")

    owner_card = page.locator("#product-owner")
    expect(owner_card.get_by_test_id("product-owner")).to_contain_text("Po")
    expect(owner_card).to_contain_text("shared by every team on it: Core and Insights")
    page.get_by_label("Give the hat to").select_option("dev@acme.test")
    page.get_by_role("button", name="Move hat").click()
    expect(page.locator("#flash")).to_contain_text(
        "Dev is now the product owner of ACME, for every team that works from it."
    )
    expect(owner_card.get_by_test_id("product-owner")).to_contain_text("Dev")
    expect(owner_card.get_by_test_id("previous-product-owners")).to_contain_text("Po")
    screenshot("product-page-one-product-owner")
    current = ProductOwnerHat.objects.get(product=product, ended_at__isnull=True)
    assert current.member == developer.membership

    for slug, other in (("core", "Insights"), ("insights", "Core")):
        page.goto(f"/w/acme/teams/{slug}")
        expect(page.locator("#product-owner")).to_contain_text("Dev")
        expect(page.get_by_test_id("po-shared")).to_contain_text(f"shared with {other}")

    page.get_by_role("navigation").get_by_role("link", name="Who does what").click()
    card = page.locator("#product-ACME")
    expect(card.get_by_test_id("product-owner")).to_have_count(1)
    expect(card.get_by_test_id("product-owner")).to_contain_text("Dev")
    expect(card).to_contain_text("shared by Core and Insights")
    expect(card.get_by_test_id("previous-product-owners")).to_contain_text("wore it")
    screenshot("who-does-what-one-product-owner")

    # The new product owner orders the one backlog; the former one reads it.
    page.context.clear_cookies()
    sign_in(page, developer)
    page.goto("/w/acme/products/ACME/backlog")
    expect(page.locator("#bl-layout")).to_have_attribute("data-can-order", "1")
    page.context.clear_cookies()
    sign_in(page, po)
    page.goto("/w/acme/products/ACME/backlog")
    expect(page.locator("#bl-layout")).to_have_attribute("data-can-order", "0")
    expect(page.get_by_test_id("order-hint")).to_contain_text(
        "Only the product owner orders the backlog"
    )


def test_keyboard_shortcut_help_opens_with_question_mark(page: Any, developer: Persona) -> None:
    sign_in(page, developer)
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Go to who does what")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("g")
    page.keyboard.press("w")
    expect(page).to_have_url(re.compile(r"/w/acme/who$"))
