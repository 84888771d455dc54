"""A product's settings in the browser: an admin renames the product and gives it a shorter
estimate scale (a typo first, explained), and its product owner drops a readiness check; an
item's Definition of Ready checklist and estimate choices follow."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, make_item, product
from tests.conftest import Persona
from tests.e2e.test_backlog import sign_in

__all__ = ["make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_admin_and_the_product_owner_change_the_product_settings(
    page: Any,
    screenshot: Any,
    admin: Persona,
    po: Persona,
    product: Product,
    make_item: MakeItem,
) -> None:
    item = make_item("Stream CSV exports")
    sign_in(page, admin)
    page.goto(f"/w/acme/products/{product.key}")
    page.get_by_role("navigation", name=re.compile("Product pages")).get_by_role(
        "link", name="Settings"
    ).click()
    expect(page).to_have_url(f"/w/acme/products/{product.key}/settings")

    # A typo in the scale is named, and nothing is saved.
    general = page.get_by_test_id("general-settings")
    general.get_by_label("Name").fill("Acme Insights")
    general.get_by_label("Estimate scale").fill("1, 2, 3, 5, 8, 13, 2l, ?")
    general.get_by_role("button", name="Save name and scale").click()
    expect(page.get_by_test_id("general-settings")).to_contain_text(
        '"2l" must be a number of points'
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(product.name)

    general = page.get_by_test_id("general-settings")
    general.get_by_label("Estimate scale").fill("1, 2, 3, 5, 8, 13, ?")
    general.get_by_role("button", name="Save name and scale").click()
    expect(page.locator(".flash-success")).to_contain_text("Name and estimate scale saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Insights")
    expect(page.get_by_test_id("general-settings").get_by_label("Estimate scale")).to_have_value(
        "1, 2, 3, 5, 8, 13, ?"
    )
    screenshot("product-settings")

    # The product owner drops the goal check (and may not rename the product).
    page.context.clear_cookies()
    sign_in(page, po)
    page.goto(f"/w/acme/products/{product.key}/settings")
    expect(page.get_by_test_id("general-settings").get_by_label("Name")).to_be_disabled()
    readiness = page.get_by_test_id("readiness-settings")
    expect(readiness.get_by_label("Serves the active Product Goal")).to_be_checked()
    readiness.get_by_label("Serves the active Product Goal").uncheck()
    readiness.get_by_role("button", name="Save the Definition of Ready").click()
    expect(page.locator(".flash-success")).to_contain_text("Definition of Ready saved")
    expect(
        page.get_by_test_id("readiness-settings").get_by_label("Serves the active Product Goal")
    ).not_to_be_checked()

    # The item's checklist no longer asks for the goal; its estimate offers the new scale.
    page.goto(f"/w/acme/items/{item.key}")
    expect(page.get_by_test_id("readiness")).to_contain_text("Has an estimate")
    expect(page.get_by_test_id("readiness")).not_to_contain_text("Serves the Product Goal")
    choices = page.locator("#item-view select[name=estimate] option")
    values = choices.evaluate_all("options => options.map(o => o.value)")
    assert "13" in values, values
    assert "21" not in values, values
    product.refresh_from_db()
    assert product.name == "Acme Insights"
    assert product.estimate_scale == ["1", "2", "3", "5", "8", "13", "?"]
    assert product.definition_of_ready["serves_goal"] is False
