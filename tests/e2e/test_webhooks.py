"""Webhooks, in the browser: an admin makes a webhook to a local receiver, copies its secret
(shown once), sends a test event and sees it succeed in the delivery log with its response
code; the receiver verified the delivery's signature with that secret."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.people.models import Role, Workspace
from tests.conftest import Persona, _member
from tests.e2e.test_backlog import sign_in
from tests.interop.webhooks.receiver import running_receiver
from tests.interop.webhooks.test_signing import documented_verifier

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_webhook_to_a_local_receiver_delivers_a_signed_test_event(
    page: Any, screenshot: Any, workspace: Workspace, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = "127.0.0.1/32"
    admin: Persona = _member(workspace, "ana@acme.test", Role.ADMIN, "Platform Engineer")
    with running_receiver() as receiver:
        sign_in(page, admin)
        page.goto("/w/acme/settings/webhooks")
        expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
        page.get_by_role("link", name="New webhook").click()
        page.get_by_label("Payload URL").fill(receiver.url)
        page.get_by_label("Description (optional)").fill("Our deploy bot")
        expect(page.get_by_label("Every event (new kinds included)")).to_be_checked()
        page.get_by_role("button", name="Create webhook").click()

        expect(page.get_by_text("Copy the signing secret now.")).to_be_visible()
        secret = page.get_by_role("textbox", name="New signing secret").input_value()
        assert secret.startswith("whsec_")
        screenshot("webhook-created")

        page.get_by_role("button", name="Send test event").click()
        expect(page.get_by_text("Test event sent to the worker")).to_be_visible()
        # The secret is not shown again.
        expect(page.get_by_role("textbox", name="New signing secret")).to_have_count(0)
        log = page.get_by_test_id("deliveries")
        expect(log.get_by_text("succeeded")).to_be_visible()
        expect(log.get_by_test_id("response-code")).to_have_text("200")
        expect(log.get_by_text("ping", exact=True)).to_be_visible()
        screenshot("webhook-delivered")

        assert len(receiver.received) == 1
        got = receiver.received[0]
        assert got.headers["lodestar-event"] == "ping"
        assert documented_verifier()(secret, got.body, got.headers["lodestar-signature"])

        page.goto("/w/acme/settings/webhooks")
        row = page.get_by_test_id("webhooks").get_by_role("row").nth(1)
        expect(row).to_contain_text(receiver.url)
        expect(row).to_contain_text("active")
        expect(row).to_contain_text("200")
