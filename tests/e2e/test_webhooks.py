"""Webhooks, in the browser: an admin makes a webhook to a local receiver, copies its secret
(shown once), sends a test event and sees it succeed in the delivery log with its response
code; the receiver verified the delivery's signature with that secret."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.people.models import Role, Workspace
from tests.conftest import Persona, _member
from tests.e2e.test_accessibility import AND_DARK, audited, check
from tests.e2e.test_accessibility import sign_in as accessibility_sign_in
from tests.e2e.test_backlog import sign_in
from tests.interop.webhooks.receiver import running_receiver
from tests.interop.webhooks.test_signing import documented_verifier

__all__ = ["audited"]

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


def test_webhook_pages_have_no_accessibility_violations(
    audited: Any, demo: None, settings: Any
) -> None:
    """The list, the form, and a webhook's page with a succeeded, a failed and a redelivered
    delivery in its log, and its secret shown once; light and dark, both widths."""
    from lodestar.interop.webhooks import services
    from lodestar.interop.webhooks.delivery import attempt
    from lodestar.people.models import Membership
    from lodestar.people.policy import Actor

    settings.WEBHOOK_ALLOWED_NETWORKS = "127.0.0.1/32"
    priya = Membership.objects.get(workspace__slug="acme", user__email="priya@acme.example")
    actor = Actor(user=priya.user, membership=priya)
    with running_receiver() as receiver:
        webhook = services.webhook_create(
            actor=actor, url=receiver.url, events=["item.*"], description="Deploy bot"
        )
        first = services.webhook_test(actor=actor, webhook=webhook)
        attempt(first.pk)
        receiver.status = 500
        failed = services.webhook_test(actor=actor, webhook=webhook)
        attempt(failed.pk)
        services.delivery_redeliver(actor=actor, delivery=first)
    off = services.webhook_create(actor=actor, url="https://old.example.com/in", events=["*"])
    services.webhook_disable(actor=actor, webhook=off, reason="The old receiver is gone.")
    page = audited
    accessibility_sign_in(page, "priya@acme.example")
    problems: list[str] = []
    base = "/w/acme/settings/webhooks"
    for scheme, name, size in AND_DARK:
        page.emulate_media(color_scheme=scheme)
        page.set_viewport_size(size)
        for path in (base, f"{base}/new", f"{base}/{webhook.pk}", f"{base}/{off.pk}", "/w/acme/"):
            page.goto(path)
            check(page, f"{name} {scheme} {path}", problems)
        page.goto(f"{base}/{webhook.pk}")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Rotate secret").click()
        expect(page.get_by_role("textbox", name="New signing secret")).to_be_visible()
        check(page, f"{name} {scheme} the new secret", problems)
    assert not problems, "axe-core found:\n" + "\n".join(problems)
