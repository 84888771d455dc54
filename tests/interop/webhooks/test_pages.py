"""The webhooks' pages: the list, making one (its secret once), a webhook's page with its
delivery log, its actions, and the home card; members are refused, outsiders get 404."""

from __future__ import annotations

import pytest
from django.test import Client

from lodestar.interop.webhooks import services
from lodestar.interop.webhooks.delivery import attempt
from lodestar.interop.webhooks.models import DeliveryState, Webhook
from tests.conftest import Persona
from tests.interop.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db

PAGES = "/w/acme/settings/webhooks"


def signed_in(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def test_make_a_webhook_and_see_its_secret_once(admin: Persona) -> None:
    client = signed_in(admin)
    # Under Settings in the sidebar, for those who manage webhooks.
    assert f'href="{PAGES}"' in client.get("/w/acme/teams").content.decode()
    assert "No webhooks yet" in client.get(PAGES).content.decode()
    form = client.get(PAGES + "/new").content.decode()
    assert 'name="url"' in form
    assert 'value="item.created"' in form
    bad = client.post(PAGES + "/new", {"url": "ftp://x.example.com", "all_events": "1"})
    assert bad.status_code == 422
    assert "Url: must start with http:// or https://." in bad.content.decode()
    made = client.post(
        PAGES + "/new",
        {"url": "https://ci.example.com/in", "events": ["item.created", "sprint.updated"]},
    )
    assert made.status_code == 302  # then the webhook's page: a reload makes nothing again
    webhook = Webhook.objects.get()
    assert made["Location"] == f"{PAGES}/{webhook.pk}"
    page = client.get(made["Location"]).content.decode()
    assert webhook.secret in page
    assert "Copy the signing secret now" in page
    assert webhook.events == ["item.created", "sprint.updated"]
    again = client.get(f"{PAGES}/{webhook.pk}").content.decode()
    assert webhook.secret not in again
    assert webhook.secret_hint in again
    listing = client.get(PAGES).content.decode()
    assert "https://ci.example.com/in" in listing
    assert "active" in listing


def test_the_delivery_log_and_the_actions(
    owner: Persona, receiver: Receiver, allow_local: None
) -> None:
    client = signed_in(owner)
    webhook = services.webhook_create(actor=owner.actor, url=receiver.url, events=["*"])
    base = f"{PAGES}/{webhook.pk}"
    assert client.post(base + "/test").status_code == 302
    ping = webhook.deliveries.get()
    receiver.status = 418
    attempt(ping.pk)
    page = client.get(base).content.decode()
    assert ">418<" in page
    assert "The receiver answered 418." in page
    assert client.post(f"{base}/deliveries/{ping.pk}/redeliver").status_code == 302
    assert webhook.deliveries.count() == 2
    client.post(base + "/disable", {"reason": "Moving it"})
    webhook.refresh_from_db()
    assert not webhook.active
    assert "Moving it" in client.get(base).content.decode()
    client.post(base + "/enable")
    client.post(base + "/edit", {"url": receiver.url, "description": "CI", "events": ["item.*"]})
    webhook.refresh_from_db()
    assert (webhook.active, webhook.description, webhook.events) == (True, "CI", ["item.*"])
    rotated = client.post(base + "/secret")
    assert rotated.status_code == 302
    webhook.refresh_from_db()
    assert webhook.secret in client.get(rotated["Location"]).content.decode()
    assert webhook.secret not in client.get(base).content.decode()  # once
    home = client.get("/w/acme/").content.decode()
    assert 'data-testid="webhooks-home"' in home
    assert client.post(base + "/delete").status_code == 302
    assert not Webhook.objects.exists()
    assert ping.state == DeliveryState.PENDING  # the row as read before; gone with its webhook


def test_members_are_refused_and_outsiders_get_404(
    owner: Persona, developer: Persona, outsider: Persona
) -> None:
    webhook = services.webhook_create(actor=owner.actor, url="https://a.example.com/", events=["*"])
    refused = signed_in(developer).get(f"{PAGES}/{webhook.pk}")
    assert refused.status_code == 403
    assert "Only workspace owners and admins see and manage webhooks." in refused.content.decode()
    assert signed_in(developer).get(PAGES + "/new").status_code == 403
    assert signed_in(developer).post(f"{PAGES}/{webhook.pk}/test").status_code == 403
    assert (
        'data-testid="webhooks-home"' not in signed_in(developer).get("/w/acme/").content.decode()
    )
    assert f'href="{PAGES}"' not in signed_in(developer).get("/w/acme/teams").content.decode()
    assert signed_in(outsider).get(PAGES).status_code == 404
