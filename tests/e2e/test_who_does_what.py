"""An admin moves a team's product owner hat in the browser and finds it on "who does what"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.people.models import Team, TeamMembership, TeamRole
from tests.conftest import PASSWORD, Persona

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, persona: Persona) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(persona.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))


def test_moving_the_product_owner_hat_shows_on_who_does_what(
    page: Any, screenshot: Any, admin: Persona, po: Persona, developer: Persona, team: Team
) -> None:
    sign_in(page, admin)
    page.get_by_role("link", name="Teams").first.click()
    page.get_by_role("link", name=re.compile("Core")).click()
    expect(page.locator("#product-owner")).to_contain_text("Po")

    page.get_by_label("Give the hat to").select_option("dev@acme.test")
    page.get_by_role("button", name="Move hat").click()

    # htmx swaps the team in place and says what happened.
    expect(page.locator("#product-owner")).to_contain_text("Dev")
    expect(page.locator("#flash")).to_contain_text("Dev now wears the product owner hat of Core.")
    expect(page).to_have_url(re.compile(r"/w/acme/teams/core$"))
    current = TeamMembership.objects.get(
        team=team, role=TeamRole.PRODUCT_OWNER, ended_at__isnull=True
    )
    assert current.member == developer.membership

    page.get_by_role("navigation").get_by_role("link", name="Who does what").click()
    card = page.locator("#team-core")
    expect(card.get_by_test_id("product-owner")).to_contain_text("Dev")
    expect(card.get_by_test_id("product-owner")).to_contain_text("since")
    expect(card.get_by_test_id("previous-product-owners")).to_contain_text("Po")
    expect(card.get_by_test_id("previous-product-owners")).to_contain_text("wore it")
    screenshot("who-does-what-after-the-move")


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
