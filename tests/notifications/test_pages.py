"""The notifications' pages: the inbox, opening a notification, marking read, the unread count
the sidebar polls (ETag, 304), the mentionables, and the Watch button of an item's page."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.comments import services as comments
from lodestar.comments.access import Target
from lodestar.discovery.models import Problem
from lodestar.notifications import services
from lodestar.notifications.models import Notification, Watch
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def _signed_in(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def test_inbox_unread_count_open_and_mark_all(
    owner: Persona,
    developer: Persona,
    item: BacklogItem,
    on_item: Target,
    deliver: Callable[[], int],
) -> None:
    client = _signed_in(developer)
    first = client.get("/w/acme/inbox/unread")
    assert first.status_code == 200
    assert json.loads(first.content) == {"unread": 0}
    etag = first["ETag"]
    assert client.get("/w/acme/inbox/unread", headers={"If-None-Match": etag}).status_code == 304
    comments.comment_create(actor=owner.actor, target=on_item, body="@dev <script>x</script>")
    comments.comment_create(actor=owner.actor, target=on_item, body="@dev again")
    deliver()
    changed = client.get("/w/acme/inbox/unread", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert json.loads(changed.content) == {"unread": 2}
    page = client.get("/w/acme/inbox")
    assert page.status_code == 200
    assert b"Owner mentioned you in a comment of" in page.content
    assert b"<script>x" not in page.content
    assert b'data-badge-src="/w/acme/inbox/unread"' in page.content  # the sidebar's badge
    newest = Notification.objects.filter(recipient=developer.membership).order_by("-id")[0]
    opened = client.get(f"/w/acme/inbox/{newest.pk}")
    assert opened.status_code == 302
    assert opened["Location"] == f"/w/acme/items/{item.key}"
    newest.refresh_from_db()
    assert newest.read
    assert client.post("/w/acme/inbox/read", {"all": "1"}).status_code == 302
    assert not Notification.objects.filter(read=False).exists()
    filtered = client.get("/w/acme/inbox?kind=gossip", follow=True)
    assert b"Kind: must be one of" in filtered.content


def test_anothers_notification_is_404(
    owner: Persona, developer: Persona, pm: Persona, on_item: Target, deliver: Callable[[], int]
) -> None:
    comments.comment_create(actor=owner.actor, target=on_item, body="@dev look")
    deliver()
    theirs = Notification.objects.get(recipient=developer.membership)
    assert _signed_in(pm).get(f"/w/acme/inbox/{theirs.pk}").status_code == 404
    theirs.refresh_from_db()
    assert not theirs.read


def test_mentionables_complete_handles_and_team_slugs(
    owner: Persona, developer: Persona, pm: Persona, outsider: Persona
) -> None:
    client = _signed_in(owner)
    found = json.loads(client.get("/w/acme/mentionables?q=d").content)["items"]
    assert found == [{"kind": "member", "handle": "dev", "name": "Dev"}]
    teams = json.loads(client.get("/w/acme/mentionables?q=co").content)["items"]
    assert teams == [{"kind": "team", "handle": "core", "name": "Core"}]
    assert json.loads(client.get("/w/acme/mentionables?q=boss").content)["items"] == []
    everyone = json.loads(client.get("/w/acme/mentionables").content)["items"]
    assert len(everyone) <= 8
    assert Client().get("/w/acme/mentionables?q=d").status_code == 302  # sign in first


def test_the_item_page_watches_and_unwatches(viewer: Persona, item: BacklogItem) -> None:
    client = _signed_in(viewer)
    page = client.get(f"/w/acme/items/{item.key}")
    assert b'data-testid="watch"' in page.content
    assert b">Watch</button>" in page.content
    posted = client.post(
        "/w/acme/watch",
        {"target": f"item:{item.key}", "watching": "1", "next": f"/w/acme/items/{item.key}"},
    )
    assert posted.status_code == 302
    assert Watch.objects.get(member=viewer.membership).watching
    assert b">Unwatch</button>" in client.get(f"/w/acme/items/{item.key}").content
    client.post("/w/acme/watch", {"target": f"item:{item.key}", "watching": "0", "next": "//evil"})
    assert not Watch.objects.get(member=viewer.membership).watching
    assert client.post("/w/acme/watch", {"target": "item:ACME-999"}).status_code == 404


def test_the_inbox_sets_how_one_hears_of_each_kind(developer: Persona) -> None:
    client = _signed_in(developer)
    page = client.get("/w/acme/inbox")
    assert b"<title>Inbox \xc2\xb7 Acme \xc2\xb7 Lodestar</title>" in page.content
    assert page.content.count(b"How you hear of each kind") == 1
    saved = client.post("/w/acme/inbox/preferences", {"comment": "hourly", "change": "off"})
    assert saved.status_code == 302
    chosen = services.preferences_of(developer.membership)
    assert (chosen["comment"], chosen["change"]) == ("hourly", "off")
    refused = client.post("/w/acme/inbox/preferences", {"comment": "weekly"}, follow=True)
    assert b"Nothing was saved" in refused.content
    assert services.preferences_of(developer.membership)["comment"] == "hourly"


def test_problem_and_release_pages_have_the_watch_bar(
    owner: Persona, viewer: Persona, problem: Problem
) -> None:
    client = _signed_in(viewer)
    page = client.get(f"/w/acme/problems/{problem.pk}")
    assert page.status_code == 200
    assert b'data-testid="watch"' in page.content
    assert f'value="problem:{problem.pk}"'.encode() in page.content


def test_every_other_watchable_page_has_the_watch_bar(
    owner: Persona, viewer: Persona, product: object, team: object
) -> None:
    """Feedback, customers, decisions, sprints, the Product Goal, a team and a product: the bar
    comes through ``core.extensions.PAGE_SECTIONS``; watching from it works for a viewer."""
    import datetime as dt

    from lodestar.core.registry import registry
    from lodestar.decisions.services import decision_create
    from lodestar.discovery.services import customer_create, feedback_create
    from lodestar.sprints.services import sprint_create
    from lodestar.strategy.services import goal_set

    actor = owner.actor
    start = dt.date(2026, 12, 7)
    objects = {
        "feedback": feedback_create(actor=actor, text="Checkout times out on Safari"),
        "customer": customer_create(actor=actor, name="Initech"),
        "decision": decision_create(actor=actor, product=product, title="Drop IE"),  # type: ignore[arg-type]
        "sprint": sprint_create(
            actor=actor,
            team=team,  # type: ignore[arg-type]
            name="Sprint 9",
            start_date=start,
            end_date=start + dt.timedelta(days=13),
        ),
        "goal": goal_set(actor=actor, product=product, statement="Checkout in a minute"),  # type: ignore[arg-type]
        "team": team,
        "product": product,
    }
    client = _signed_in(viewer)
    for kind, obj in objects.items():
        declared = registry().object_type(kind)
        assert declared is not None
        assert declared.url is not None
        url = declared.url(obj)
        page = client.get(url)
        assert page.status_code == 200, kind
        spelled = f"{kind}:{declared.ref_of(obj)}"
        assert f'value="{spelled}"'.encode() in page.content, kind
        posted = client.post("/w/acme/watch", {"target": spelled, "watching": "1", "next": url})
        assert posted.status_code == 302, kind
        assert b">Unwatch</button>" in client.get(url).content, kind
    assert Watch.objects.filter(member=viewer.membership, watching=True).count() == len(objects)
