"""The comments API: a thread on every commentable kind, replies, edits with If-Match, deletion,
reactions, and bad input answered with the field to fix and nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.comments.models import Comment, Reaction
from lodestar.decisions import services as decisions
from lodestar.discovery import services as discovery
from lodestar.discovery.models import Problem
from lodestar.strategy.models import Product
from lodestar.strategy.services import goal_set
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

W = "/api/v1/workspaces/acme"
Clients = Callable[[Persona], Client]


def _send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    return client.generic(
        method,
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=headers,
    )


def _fields(response: Any) -> list[str]:
    assert response["Content-Type"] == "application/problem+json"
    return [error["field"] for error in response.json().get("errors") or []]


@pytest.fixture
def dev(api_client: Clients, developer: Persona) -> Client:
    return api_client(developer)


def test_a_thread_on_an_item(
    dev: Client, api_client: Clients, owner: Persona, viewer: Persona, item: BacklogItem
) -> None:
    thread = f"{W}/items/{item.key}/comments"
    made = _send(dev, "POST", thread, {"body": "Is **CSV** enough?"})
    assert made.status_code == 201, made.content
    assert made["ETag"] == '"1"'
    root = made.json()
    assert root["body_html"].strip() == "<p>Is <strong>CSV</strong> enough?</p>"
    assert root["internal"] is True
    assert root["author"] == "dev@acme.test"
    assert root["replies"] == []
    boss = api_client(owner)
    reply = _send(boss, "POST", thread, {"body": "Excel too", "parent": root["id"]})
    assert reply.status_code == 201, reply.content
    public = _send(boss, "POST", thread, {"body": "Shipped soon", "internal": False})
    assert public.json()["internal"] is False
    reacted = _send(boss, "PUT", f"{W}/comments/{root['id']}/reactions/thumbs_up")
    assert reacted.status_code == 200
    assert reacted.json()["reactions"] == [
        {"emoji": "thumbs_up", "symbol": "👍", "count": 1, "mine": True}
    ]
    listed = api_client(viewer).get(thread)
    assert listed.status_code == 200
    body = listed.json()
    assert body["next_cursor"] is None
    assert [c["body"] for c in body["items"]] == ["Is **CSV** enough?", "Shipped soon"]
    assert [r["body"] for r in body["items"][0]["replies"]] == ["Excel too"]
    assert body["items"][0]["reactions"][0]["mine"] is False
    paged = api_client(viewer).get(thread + "?limit=1")
    assert len(paged.json()["items"]) == 1
    rest = api_client(viewer).get(thread + f"?limit=1&cursor={paged.json()['next_cursor']}")
    assert [c["body"] for c in rest.json()["items"]] == ["Shipped soon"]


def test_every_commentable_kind_takes_comments(
    dev: Client, owner: Persona, problem: Problem, product: Product
) -> None:
    feedback = discovery.feedback_create(actor=owner.actor, text="Exports time out")
    decision = decisions.decision_create(actor=owner.actor, product=product, title="CSV first")
    goal = goal_set(actor=owner.actor, product=product, statement="Exports in one minute")
    for path in [
        f"goals/{goal.pk}",
        f"problems/{problem.pk}",
        f"feedback/{feedback.pk}",
        f"decisions/{decision.key}",
        f"problem/{problem.pk}",
    ]:
        made = _send(dev, "POST", f"{W}/{path}/comments", {"body": "Seen this too"})
        assert made.status_code == 201, (path, made.content)
        assert dev.get(f"{W}/{path}/comments").json()["items"][0]["body"] == "Seen this too"


def test_unknown_foreign_and_uncommentable_objects_are_not_found(
    dev: Client, item: BacklogItem, foreign_item: BacklogItem, product: Product
) -> None:
    for path in [
        f"items/{foreign_item.key}",
        "items/ACME-999",
        "problems/abc",
        "widgets/1",
        "goals/999999",
        "goals/first",
        f"products/{product.key}",
        "teams/core",
        "comments/1",
    ]:
        for method in ["GET", "POST"]:
            answer = _send(dev, method, f"{W}/{path}/comments", {"body": "Hi"})
            assert answer.status_code == 404, (path, method, answer.content)
            assert answer["Content-Type"] == "application/problem+json"
    assert Comment.objects.count() == 0


def test_bad_input_names_the_field_and_writes_nothing(
    dev: Client, owner: Persona, api_client: Clients, item: BacklogItem, problem: Problem
) -> None:
    thread = f"{W}/items/{item.key}/comments"
    root = _send(dev, "POST", thread, {"body": "Root"}).json()
    reply = _send(dev, "POST", thread, {"body": "Re", "parent": root["id"]}).json()
    other = _send(dev, "POST", f"{W}/problems/{problem.pk}/comments", {"body": "Elsewhere"}).json()
    before = Comment.objects.count()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"body": "Re re", "parent": reply["id"]}, "parent"),
        ({"body": "Re", "parent": other["id"]}, "parent"),
        ({"body": "Re", "parent": 999_999}, "parent"),
        ({"body": "Hi", "internal": "no"}, "internal"),
        ({"body": "Hi", "author": "someone"}, "author"),
    ]
    for payload, field in cases:
        answer = _send(dev, "POST", thread, payload)
        assert answer.status_code == 422, (payload, answer.content)
        assert field in ",".join(_fields(answer)), (payload, answer.json())
    assert Comment.objects.count() == before
    huge = _send(dev, "POST", thread, {"body": "x" * 1_000_000})
    assert huge.status_code in (413, 422)
    assert huge["Content-Type"] == "application/problem+json"
    assert Comment.objects.count() == before


def test_script_and_javascript_links_are_stripped(dev: Client, item: BacklogItem) -> None:
    body = "<script>alert(1)</script>hi <a href='javascript:alert(2)'>x</a> [y](javascript:z)"
    made = _send(dev, "POST", f"{W}/items/{item.key}/comments", {"body": body}).json()
    assert "<script" not in made["body_html"]
    assert "href" not in made["body_html"].replace('rel="', "")


def test_edit_with_if_match_only_by_the_author(
    dev: Client, api_client: Clients, owner: Persona, admin: Persona, item: BacklogItem
) -> None:
    made = _send(dev, "POST", f"{W}/items/{item.key}/comments", {"body": "Frist"}).json()
    one = f"{W}/comments/{made['id']}"
    stale = _send(dev, "PATCH", one, {"body": "First"}, **{"If-Match": '"9"'})
    assert stale.status_code == 412
    for persona in (owner, admin):
        refused = _send(api_client(persona), "PATCH", one, {"body": "Theirs"})
        assert refused.status_code == 403
    edited = _send(dev, "PATCH", one, {"body": "First"}, **{"If-Match": '"1"'})
    assert edited.status_code == 200, edited.content
    assert edited["ETag"] == '"2"'
    assert edited.json()["edited_at"] is not None
    assert Comment.objects.get().body == "First"
    empty = _send(dev, "PATCH", one, {"body": ""})
    assert _fields(empty) == ["body"]


def test_delete_by_the_author_or_an_admin(
    dev: Client, api_client: Clients, pm: Persona, admin: Persona, item: BacklogItem
) -> None:
    thread = f"{W}/items/{item.key}/comments"
    mine = _send(dev, "POST", thread, {"body": "Mine"}).json()
    theirs = _send(api_client(pm), "POST", thread, {"body": "Theirs"}).json()
    assert _send(dev, "DELETE", f"{W}/comments/{theirs['id']}").status_code == 403
    stale = _send(dev, "DELETE", f"{W}/comments/{mine['id']}", **{"If-Match": '"4"'})
    assert stale.status_code == 412
    assert _send(dev, "DELETE", f"{W}/comments/{mine['id']}").status_code == 204
    assert _send(dev, "DELETE", f"{W}/comments/{mine['id']}").status_code == 404
    assert _send(api_client(admin), "DELETE", f"{W}/comments/{theirs['id']}").status_code == 204
    assert dev.get(thread).json()["items"] == []


def test_reactions(dev: Client, viewer: Persona, api_client: Clients, item: BacklogItem) -> None:
    made = _send(dev, "POST", f"{W}/items/{item.key}/comments", {"body": "Ship"}).json()
    reactions = f"{W}/comments/{made['id']}/reactions"
    assert _send(dev, "PUT", reactions + "/🚀").json()["reactions"][0]["emoji"] == "rocket"
    assert _send(dev, "PUT", reactions + "/rocket").json()["reactions"][0]["count"] == 1
    unknown = _send(dev, "PUT", reactions + "/pizza")
    assert unknown.status_code == 422
    assert _fields(unknown) == ["emoji"]
    assert _send(api_client(viewer), "PUT", reactions + "/rocket").status_code == 403
    assert _send(dev, "DELETE", reactions + "/rocket").status_code == 204
    assert _send(dev, "DELETE", reactions + "/rocket").status_code == 204
    assert Reaction.objects.count() == 0


def test_the_list_answers_in_a_constant_number_of_queries(
    dev: Client, item: BacklogItem, django_assert_max_num_queries: Any
) -> None:
    thread = f"{W}/items/{item.key}/comments"
    for index in range(3):
        root = _send(dev, "POST", thread, {"body": f"c{index}"}).json()
        _send(dev, "POST", thread, {"body": "re", "parent": root["id"]})
        _send(dev, "PUT", f"{W}/comments/{root['id']}/reactions/eyes")
    with django_assert_max_num_queries(30) as few:
        dev.get(thread)
    budget = len(few)
    for index in range(15):
        root = _send(dev, "POST", thread, {"body": f"d{index}"}).json()
        _send(dev, "POST", thread, {"body": "re", "parent": root["id"]})
        _send(dev, "PUT", f"{W}/comments/{root['id']}/reactions/eyes")
    with django_assert_max_num_queries(budget):
        assert len(dev.get(thread).json()["items"]) == 18
