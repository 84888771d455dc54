"""The notifications API: watching, the watchers list, one's own notifications (nobody
else's), marking read, preferences and their bad values."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.comments import services as comments
from lodestar.comments.access import Target
from lodestar.notifications.models import Notification
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme"
ClientFor = Callable[[Persona], Client]


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    if body is None:
        return client.generic(method, url)
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def test_watch_unwatch_and_the_watchers(
    viewer: Persona, developer: Persona, item: BacklogItem, api_client: ClientFor
) -> None:
    url = f"{API}/items/{item.key}"
    answer = send(api_client(viewer), "PUT", url + "/watch")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"target_type": "item", "target_id": item.pk, "watching": True}
    listed = api_client(developer).get(url + "/watchers").json()
    assert listed == {
        "watching": False,
        "watchers": [{"email": viewer.email, "full_name": "Viewer", "handle": "viewer"}],
    }
    assert send(api_client(viewer), "DELETE", url + "/watch").json()["watching"] is False
    assert api_client(viewer).get(url + "/watchers").json() == {"watching": False, "watchers": []}


def test_watching_a_product_and_unknown_or_foreign_things_are_404(
    owner: Persona, item: BacklogItem, foreign_item: BacklogItem, api_client: ClientFor
) -> None:
    client = api_client(owner)
    assert send(client, "PUT", f"{API}/products/ACME/watch").status_code == 200
    for path in (f"items/{foreign_item.key}", "items/ACME-999", "widgets/1", "members/1"):
        answer = send(client, "PUT", f"{API}/{path}/watch")
        assert answer.status_code == 404, path


def test_the_inbox_lists_filters_and_marks_read(
    owner: Persona,
    developer: Persona,
    pm: Persona,
    on_item: Target,
    api_client: ClientFor,
    deliver: Callable[[], int],
) -> None:
    comments.comment_create(actor=owner.actor, target=on_item, body="@dev and @pm: thoughts?")
    deliver()
    client = api_client(developer)
    page = client.get(f"{API}/notifications").json()
    assert [n["kind"] for n in page["items"]] == ["mention"]
    first = page["items"][0]
    assert first["actor"] == owner.email
    assert first["read"] is False
    assert first["url"].startswith("/w/acme/items/")
    assert client.get(f"{API}/notifications?kind=comment").json()["items"] == []
    bad = client.get(f"{API}/notifications?kind=gossip")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["kind"]
    # Another's notification: nothing changes, and it says so (0 marked).
    theirs = Notification.objects.get(recipient=pm.membership)
    marked = send(client, "POST", f"{API}/notifications/read", {"ids": [theirs.pk]})
    assert marked.json() == {"marked": 0, "unread": 1}
    theirs.refresh_from_db()
    assert theirs.read is False
    marked = send(client, "POST", f"{API}/notifications/read", {"ids": [first["id"]]})
    assert marked.json() == {"marked": 1, "unread": 0}
    assert client.get(f"{API}/notifications?unread=true").json()["items"] == []
    assert send(api_client(pm), "POST", f"{API}/notifications/read", {"all": True}).json() == {
        "marked": 1,
        "unread": 0,
    }


def test_reading_nothing_is_a_clear_error(developer: Persona, api_client: ClientFor) -> None:
    answer = send(api_client(developer), "POST", f"{API}/notifications/read", {})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["ids"]


def test_preferences_default_change_and_refuse_bad_values(
    developer: Persona, api_client: ClientFor
) -> None:
    client = api_client(developer)
    url = f"{API}/notification-preferences"
    assert client.get(url).json()["preferences"] == {
        "mention": "immediate",
        "assigned": "immediate",
        "comment": "daily",
        "status": "daily",
        "change": "inbox",
        "created": "daily",
    }
    answer = send(client, "PUT", url, {"comment": "hourly", "change": "off"})
    assert answer.status_code == 200
    assert answer.json()["preferences"]["comment"] == "hourly"
    bad = send(client, "PUT", url, {"comment": "weekly", "status": "daily"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["comment"]
    assert "off, inbox, immediate, hourly, daily" in bad.json()["errors"][0]["message"]
    unknown = send(client, "PUT", url, {"gossip": "off"})
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["gossip"]
    assert client.get(url).json()["preferences"]["status"] == "daily"
    assert client.get(url).json()["preferences"]["comment"] == "hourly"
