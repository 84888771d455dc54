"""An owner invites someone who already has an account; they join only when they accept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.people.models import Membership, Role, User, Workspace
from tests.conftest import PASSWORD, Persona
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, email: str) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_invited_user_accepts_in_the_app(
    page: Any, browser: Any, screenshot: Any, owner: Persona
) -> None:
    ada = User.objects.create_user("ada@example.test", PASSWORD, full_name="Ada Lovelace")
    other = Workspace.objects.create(slug="engines", name="Engines")
    Membership.objects.create(workspace=other, user=ada, role=Role.OWNER)

    # The owner invites Ada's address: the page names nobody and adds nobody.
    sign_in(page, owner.email)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    page.goto("/w/acme/members")
    page.get_by_label("Email").fill("ada@example.test")
    page.get_by_label("Role").select_option("admin")
    page.get_by_role("button", name="Invite").click()
    expect(page.locator("#flash")).to_contain_text("Invitation for ada@example.test created")
    expect(page.get_by_label("Invitation link")).to_have_value(re.compile("/invitations/"))
    expect(page.locator("main")).not_to_contain_text("Lovelace")
    screenshot("joining-invited")
    assert not Membership.objects.filter(workspace__slug="acme", user=ada).exists()

    # Ada, in her own browser, sees the invitation waiting and accepts it.
    context = browser.new_context(base_url=page.url.split("/w/")[0])
    tab = context.new_page()
    try:
        sign_in(tab, ada.email)
        expect(tab).to_have_url(re.compile(r"/w/engines/$"))
        tab.get_by_role("link", name=re.compile("Invitations")).click()
        expect(tab.get_by_role("heading", name="Your invitations")).to_be_visible()
        expect(tab.locator("main")).to_contain_text("Owner invited you as admin")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / "joining-invitations.png"), full_page=True)
        tab.get_by_role("button", name="Accept and join Acme").click()
        expect(tab).to_have_url(re.compile(r"/w/acme/$"))
        expect(tab.locator("#flash")).to_contain_text("Welcome to Acme. You joined as admin.")
        expect(tab.get_by_role("link", name=re.compile("Invitations"))).to_have_count(0)
    finally:
        context.close()
    assert Membership.objects.get(workspace__slug="acme", user=ada).role == Role.ADMIN
