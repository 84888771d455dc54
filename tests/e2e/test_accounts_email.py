"""Accounts by email, in a browser: a new member is invited by email and joins from the
emailed link; a forgotten password is reset by email. The live server runs in this process, so
its email goes to the test's SMTP server (``smtp_server``), where the links are read back."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lodestar.people.models import ApiToken
from tests.conftest import PASSWORD, Persona
from tests.smtp import SmtpServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-much-longer-passphrase-42"


def _link(smtp_server: SmtpServer, address: str, pattern: str) -> str:
    (message,) = smtp_server.to(address)
    found = re.search(pattern, message.part("text/plain"))
    assert found, message.part("text/plain")
    return found.group(0)


def _sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_new_member_is_invited_by_email_and_joins_from_the_link(
    page: Any, browser: Any, screenshot: Any, owner: Persona, smtp_server: SmtpServer
) -> None:
    _sign_in(page, owner.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    page.goto("/w/acme/members")
    page.get_by_label("Email").fill("newbie@example.test")
    page.get_by_role("button", name="Invite").click()
    expect(page.locator("#flash")).to_contain_text("created and emailed to them")
    link = _link(smtp_server, "newbie@example.test", r"http://[^\s]+/invitations/[\w-]+")
    expect(page.get_by_label("Invitation link")).to_have_value(link)
    screenshot("accounts-invited-by-email")

    # The invitee, in a browser of their own, opens the emailed link and creates an account.
    context = browser.new_context(base_url=page.url.split("/w/")[0])
    tab = context.new_page()
    try:
        tab.goto(link)
        tab.get_by_label("Your name").fill("Newbie Person")
        tab.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        tab.get_by_label("Repeat the password").fill(NEW_PASSWORD)
        tab.get_by_role("button", name="Create account and join").click()
        expect(tab).to_have_url(re.compile(r"/w/acme/$"))
        expect(tab.locator("#flash")).to_contain_text("Welcome to Acme")
        # Signed out and in again with the new account.
        tab.get_by_role("button", name="Sign out").click()
        _sign_in(tab, "newbie@example.test", NEW_PASSWORD)
        expect(tab).to_have_url(re.compile(r"/w/acme/$"))
    finally:
        context.close()


def test_a_forgotten_password_is_reset_by_email(
    page: Any, screenshot: Any, developer: Persona, smtp_server: SmtpServer
) -> None:
    page.goto("/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(developer.email)
    page.get_by_role("button", name="Send a reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    link = _link(smtp_server, developer.email, r"http://[^\s]+/account/reset/[^\s]+")

    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat the new password").fill("short")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("main")).to_contain_text("too short")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page).to_have_url(re.compile(r"/signin$"))
    expect(page.locator("#flash")).to_contain_text("Your password has been changed")
    screenshot("accounts-password-reset")

    # The old password no longer works; the new one does; the link is spent.
    _sign_in(page, developer.email, PASSWORD)
    expect(page.locator("main")).to_contain_text("do not match")
    _sign_in(page, developer.email, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    page.goto(link)
    expect(page.get_by_role("heading", name="This reset link no longer works")).to_be_visible()


def test_a_viewer_makes_a_read_only_token_from_the_account_page(
    page: Any, screenshot: Any, viewer: Persona
) -> None:
    _sign_in(page, viewer.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()
    screenshot("accounts-account-page")
    page.get_by_role("link", name="Manage tokens in Acme").click()
    page.get_by_label("Name").fill("Roadmap script")
    expect(page.get_by_label("Works for")).to_have_value("90")
    page.get_by_label("Works for").select_option("30")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("New API token").input_value()
    assert secret.startswith("lsk_")
    # The token works for the 30 days chosen, and the list says until when.
    ends = ApiToken.objects.get(name="Roadmap script").expires_at
    assert ends is not None
    expect(page.locator("main table")).to_contain_text(f"{timezone.localtime(ends):%-d %b %Y}")
    expect(page.locator("main")).to_contain_text("as a viewer, your tokens only read")
    screenshot("accounts-token-created")

    # Revoking asks first; the token then shows as revoked.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke Roadmap script").click()
    expect(page.locator("#flash")).to_contain_text("revoked: it no longer works")
    expect(page.locator("main")).to_contain_text("revoked")
    assert page.get_by_label("New API token").count() == 0
