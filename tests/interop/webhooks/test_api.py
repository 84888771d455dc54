"""The webhooks API: the secret shown once, bad URLs and event kinds named, the limit, stale
writes, the delivery log newest first, history without the secret."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.core.models import HistoryEntry
from lodestar.interop.webhooks import services
from lodestar.interop.webhooks.models import Webhook, WebhookDelivery
from lodestar.interop.webhooks.services import MAX_WEBHOOKS
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme/webhooks"
ClientFor = Callable[[Persona], Client]


def send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    if body is None:
        return client.generic(method, url, headers=headers)
    return client.generic(
        method, url, json.dumps(body), content_type="application/json", headers=headers
    )


def test_the_secret_is_shown_once(admin: Persona, api_client: ClientFor) -> None:
    client = api_client(admin)
    made = send(client, "POST", API, {"url": "https://ci.example.com/in", "events": ["item.*"]})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("whsec_")
    assert len(body["secret"]) > 40
    assert body["events"] == ["item.*"]
    assert body["active"] is True
    assert body["created_by"] == admin.email
    assert body["secret_hint"] == body["secret"][:10] + "…"
    one = client.get(f"{API}/{body['id']}")
    assert one.status_code == 200
    assert "secret" not in one.json()
    assert one["ETag"] == '"1"'
    assert all("secret" not in row for row in client.get(API).json())
    rotated = send(client, "POST", f"{API}/{body['id']}/secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in (body["secret"], "")
    # History says it was rotated, never what it is.
    changes = json.dumps(
        list(HistoryEntry.objects.filter(object_type="interop.webhook").values_list("changes"))
    )
    assert body["secret"] not in changes
    assert rotated.json()["secret"] not in changes
    assert "(rotated)" in changes


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://ci.example.com/", "must start with http:// or https://"),
        ("https://bot:hunter2@ci.example.com/", "must not carry a user name or password"),
        ("https://", "must name a host"),
        ("not a url", "must be an http:// or https:// address without spaces"),
    ],
)
def test_a_bad_url_is_named(owner: Persona, api_client: ClientFor, url: str, message: str) -> None:
    answer = send(api_client(owner), "POST", API, {"url": url, "events": ["*"]})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["code"] == "webhook_url_invalid"
    assert problem["errors"] == [{"field": "url", "message": problem["errors"][0]["message"]}]
    assert message in problem["errors"][0]["message"]
    assert not Webhook.objects.exists()


def test_unknown_event_kinds_are_named(owner: Persona, api_client: ClientFor) -> None:
    answer = send(
        api_client(owner),
        "POST",
        API,
        {
            "url": "https://ci.example.com/",
            "events": ["item.created", "itme.created", "item.eaten"],
        },
    )
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["code"] == "webhook_events_invalid"
    assert "'itme.created', 'item.eaten' are not event kinds" in problem["detail"]
    empty = send(api_client(owner), "POST", API, {"url": "https://ci.example.com/", "events": []})
    assert empty.status_code == 422


def test_a_workspace_has_at_most_so_many_webhooks(owner: Persona, api_client: ClientFor) -> None:
    for number in range(MAX_WEBHOOKS):
        services.webhook_create(
            actor=owner.actor, url=f"https://ci.example.com/{number}", events=["*"]
        )
    answer = send(
        api_client(owner), "POST", API, {"url": "https://x.example.com/", "events": ["*"]}
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "webhook_limit_reached"


def test_update_with_a_stale_version_is_refused(owner: Persona, api_client: ClientFor) -> None:
    client = api_client(owner)
    webhook = services.webhook_create(actor=owner.actor, url="https://a.example.com/", events=["*"])
    changed = send(
        client, "PATCH", f"{API}/{webhook.pk}", {"events": ["sprint.*"]}, **{"If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["events"] == ["sprint.*"]
    assert changed["ETag"] == '"2"'
    stale = send(
        client, "PATCH", f"{API}/{webhook.pk}", {"description": "late"}, **{"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    bad = send(client, "PATCH", f"{API}/{webhook.pk}", {"url": "http://a b/"})
    assert bad.status_code == 422
    webhook.refresh_from_db()
    assert (webhook.url, webhook.description) == ("https://a.example.com/", "")


def test_disable_enable_and_delete(owner: Persona, api_client: ClientFor) -> None:
    client = api_client(owner)
    webhook = services.webhook_create(actor=owner.actor, url="https://a.example.com/", events=["*"])
    off = send(client, "POST", f"{API}/{webhook.pk}/disable", {"reason": "Receiver moving"})
    assert off.json()["active"] is False
    assert off.json()["disabled_reason"] == "Receiver moving"
    on = send(client, "POST", f"{API}/{webhook.pk}/enable")
    assert (on.json()["active"], on.json()["disabled_reason"]) == (True, "")
    gone = send(client, "DELETE", f"{API}/{webhook.pk}")
    assert gone.status_code == 204
    assert client.get(f"{API}/{webhook.pk}").status_code == 404
    assert HistoryEntry.objects.filter(object_id=webhook.pk, action="deleted").exists()


def test_the_delivery_log_newest_first_and_one_delivery(
    owner: Persona, api_client: ClientFor
) -> None:
    client = api_client(owner)
    webhook = services.webhook_create(actor=owner.actor, url="https://a.example.com/", events=["*"])
    tested = send(client, "POST", f"{API}/{webhook.pk}/test")
    assert tested.status_code == 202
    assert tested.json()["kind"] == "ping"
    assert tested.json()["state"] == "pending"
    for _ in range(3):
        services.webhook_test(actor=owner.actor, webhook=webhook)
    page = client.get(f"{API}/{webhook.pk}/deliveries?limit=3").json()
    ids = [d["id"] for d in page["items"]]
    assert ids == sorted(ids, reverse=True)
    rest = client.get(f"{API}/{webhook.pk}/deliveries?limit=3&cursor={page['next_cursor']}")
    assert [d["id"] for d in rest.json()["items"]] == [tested.json()["id"]]
    assert client.get(f"{API}/{webhook.pk}/deliveries?state=succeeded").json()["items"] == []
    one = client.get(f"{API}/{webhook.pk}/deliveries/{tested.json()['id']}").json()
    assert one["payload"]["kind"] == "ping"
    assert one["payload"]["id"] == one["event_id"]
    again = send(client, "POST", f"{API}/{webhook.pk}/deliveries/{one['id']}/redeliver")
    assert again.status_code == 202
    assert again.json()["redelivery_of"] == one["id"]


def test_a_delivery_of_another_webhook_is_not_found(owner: Persona, api_client: ClientFor) -> None:
    a = services.webhook_create(actor=owner.actor, url="https://a.example.com/", events=["*"])
    b = services.webhook_create(actor=owner.actor, url="https://b.example.com/", events=["*"])
    ping = services.webhook_test(actor=owner.actor, webhook=a)
    answer = api_client(owner).get(f"{API}/{b.pk}/deliveries/{ping.pk}")
    assert answer.status_code == 404
    assert answer.json()["code"] == "webhook_delivery_not_found"


def test_members_are_told_who_manages_webhooks(
    developer: Persona, owner: Persona, api_client: ClientFor
) -> None:
    answer = api_client(developer).get(API)
    assert answer.status_code == 403
    assert answer.json()["detail"] == "Only workspace owners and admins see and manage webhooks."
    assert not WebhookDelivery.objects.exists()
