"""The backlog API: the ordered backlog of a product and its items."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem, ordered_keys
from tests.conftest import Persona

ApiClient = Callable[[Persona], Client]
BASE = "/api/v1/workspaces/acme"


def _send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    if body is None:
        return client.generic(method, url, headers=headers)
    return client.generic(
        method, url, json.dumps(body), content_type="application/json", headers=headers
    )


def test_create_and_read_an_item(
    api_client: ApiClient, developer: Persona, product: Product, goal: ProductGoal
) -> None:
    client = api_client(developer)
    response = _send(
        client,
        "POST",
        f"{BASE}/products/ACME/backlog",
        {
            "title": "Export a dashboard as PDF",
            "kind": "story",
            "description": "So that *finance* can file it",
            "acceptance_criteria": ["Charts render as vectors", "  "],
            "estimate": 5,
            "labels": ["reports", "pdf"],
            "assignee": "dev@acme.test",
            "goal": goal.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key"] == "ACME-1"
    assert body["estimate"] == 5
    assert body["acceptance_criteria"] == ["Charts render as vectors"]
    assert body["description_html"] == "<p>So that <em>finance</em> can file it</p>\n"
    assert body["labels"] == ["pdf", "reports"]
    assert body["assignee"] == {"email": "dev@acme.test", "name": "Dev"}
    assert body["goal"]["id"] == goal.pk
    assert body["flagged"] is False
    assert body["flag_reason"] is None
    assert response["ETag"] == '"1"'
    got = client.get(f"{BASE}/items/acme-1")
    assert got.status_code == 200
    assert got["ETag"] == '"1"'
    assert got.json()["title"] == "Export a dashboard as PDF"


def test_unknown_references_are_bad_input(
    api_client: ApiClient, owner: Persona, product: Product
) -> None:
    client = api_client(owner)
    url = f"{BASE}/products/ACME/backlog"
    for field, value in (("assignee", "nobody@x.test"), ("parent", "ACME-99"), ("goal", 12345)):
        response = _send(client, "POST", url, {"title": "T", field: value})
        assert response.status_code == 422, field
        assert response.json()["errors"][0]["field"] == field
    extra = _send(client, "POST", url, {"title": "T", "priority": "high"})
    assert extra.status_code == 422
    assert extra.json()["errors"][0]["field"] == "priority"
    assert not BacklogItem.all_objects.exists()


def test_orphan_items_are_flagged_with_a_reason(
    api_client: ApiClient, owner: Persona, product: Product
) -> None:
    response = _send(api_client(owner), "POST", f"{BASE}/products/ACME/backlog", {"title": "X"})
    body = response.json()
    assert body["flagged"] is True
    assert body["flag_reason"] == "serves no Product Goal and solves no customer problem"


def test_backlog_pages_in_rank_order_with_constant_queries(
    api_client: ApiClient,
    owner: Persona,
    developer: Persona,
    make_item: MakeItem,
    goal: ProductGoal,
    django_assert_max_num_queries: Any,
) -> None:
    epic = make_item("Epic", kind="epic", goal=goal)
    for n in range(30):
        make_item(
            f"Item {n}",
            labels=["a", "b"],
            assignee=developer.membership,
            parent=epic if n % 2 else None,
            goal=goal if n % 3 else None,
        )
    client = api_client(owner)
    client.get(f"{BASE}/products/ACME/backlog?limit=1")  # the token's last-used write
    with django_assert_max_num_queries(8):
        small = client.get(f"{BASE}/products/ACME/backlog?limit=5")
    with django_assert_max_num_queries(8):
        large = client.get(f"{BASE}/products/ACME/backlog?limit=25")
    assert len(small.json()["items"]) == 5
    assert len(large.json()["items"]) == 25
    keys: list[str] = []
    cursor = ""
    while True:
        page = client.get(f"{BASE}/products/ACME/backlog?limit=7{cursor}").json()
        keys += [item["key"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert keys == ordered_keys(epic.product)
    assert len(keys) == 31


def test_backlog_filters(
    api_client: ApiClient, owner: Persona, make_item: MakeItem, goal: ProductGoal
) -> None:
    bug = make_item("Legend overlaps the chart", kind="bug", labels=["charts"])
    story = make_item("Share a link", goal=goal)
    client = api_client(owner)

    def keys(query: str) -> list[str]:
        response = client.get(f"{BASE}/products/ACME/backlog?{query}")
        assert response.status_code == 200, response.content
        return [item["key"] for item in response.json()["items"]]

    assert keys("kind=bug") == [bug.key]
    assert keys("label=charts") == [bug.key]
    assert keys("flagged=true") == [bug.key]
    assert keys("flagged=false") == [story.key]
    assert keys(f"goal={goal.pk}") == [story.key]
    assert keys("q=LINK") == [story.key]
    done = make_item("Shipped", goal=goal, status="done")
    assert keys("") == [bug.key, story.key, done.key]  # every item unless asked otherwise
    assert keys("finished=false") == [bug.key, story.key]
    assert keys("finished=true") == [done.key]
    bad = client.get(f"{BASE}/products/ACME/backlog?status=doing")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "status"
    assert client.get(f"{BASE}/products/ACME/backlog?limit=0").status_code == 422
    assert client.get(f"{BASE}/products/ACME/backlog?cursor=zzz").status_code == 422


def test_patch_with_if_match(api_client: ApiClient, owner: Persona, make_item: MakeItem) -> None:
    item = make_item("Old")
    client = api_client(owner)
    url = f"{BASE}/items/{item.key}"
    ok = _send(client, "PATCH", url, {"title": "New", "estimate": "?"}, **{"If-Match": '"1"'})
    assert ok.status_code == 200, ok.content
    assert ok["ETag"] == '"2"'
    assert ok.json()["estimate"] == "?"
    stale = _send(client, "PATCH", url, {"title": "Lost"}, **{"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale_version"
    item.refresh_from_db()
    assert item.title == "New"
    cleared = _send(client, "PATCH", url, {"estimate": None})
    assert cleared.json()["estimate"] is None
    null_title = _send(client, "PATCH", url, {"title": None})
    assert null_title.status_code == 422
    assert null_title.json()["errors"][0]["field"] == "title"


def test_ready_is_refused_with_the_failing_checks(
    api_client: ApiClient, owner: Persona, make_item: MakeItem
) -> None:
    item = make_item("Vague")
    response = _send(api_client(owner), "PATCH", f"{BASE}/items/{item.key}", {"status": "ready"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "not_ready"
    messages = [e["message"] for e in problem["errors"]]
    assert any(m.startswith("Has acceptance criteria") for m in messages)
    assert any(m.startswith("Has an estimate") for m in messages)
    assert any(m.startswith("Serves the Product Goal") for m in messages)
    item.refresh_from_db()
    assert item.status == "new"


def test_readiness_checklist(
    api_client: ApiClient, owner: Persona, make_item: MakeItem, goal: ProductGoal
) -> None:
    item = make_item("Clear", acceptance_criteria=["Given..."], estimate=3, goal=goal)
    body = api_client(owner).get(f"{BASE}/items/{item.key}/readiness").json()
    assert body["ready"] is True
    assert [(c["code"], c["status"]) for c in body["checks"]] == [
        ("acceptance_criteria", "passed"),
        ("estimate", "passed"),
        ("serves_goal", "passed"),
        ("size", "not_measurable"),
    ]
    assert body["checks"][3]["detail"] == "not measurable yet: no velocity history"


def test_delete_restore_and_history(
    api_client: ApiClient, owner: Persona, make_item: MakeItem
) -> None:
    item = make_item("Temporary")
    client = api_client(owner)
    url = f"{BASE}/items/{item.key}"
    assert _send(client, "DELETE", url).status_code == 204
    gone = client.get(url)
    assert gone.status_code == 404
    assert gone.json()["code"] == "item_in_trash"
    restored = _send(client, "POST", f"{url}/restore")
    assert restored.status_code == 200
    assert restored.json()["in_trash"] is False
    again = _send(client, "POST", f"{url}/restore")
    assert again.status_code == 422
    history = client.get(f"{url}/history").json()["items"]
    assert [h["action"] for h in history] == ["created", "deleted", "restored"]
    assert history[0]["actor"] == "owner@acme.test"


def test_split_convert_duplicate(
    api_client: ApiClient, owner: Persona, make_item: MakeItem, goal: ProductGoal
) -> None:
    epic = make_item("Dashboards", kind="epic", goal=goal, labels=["dash"])
    client = api_client(owner)
    url = f"{BASE}/items/{epic.key}"
    split = _send(
        client,
        "POST",
        f"{url}/children",
        {"children": [{"title": "Drag widgets", "estimate": 3}, {"title": "Resize"}]},
    )
    assert split.status_code == 201, split.content
    children = split.json()["items"]
    assert [(c["kind"], c["parent"], c["labels"]) for c in children] == [
        ("story", epic.key, ["dash"]),
        ("story", epic.key, ["dash"]),
    ]
    listed = client.get(f"{url}/children").json()["items"]
    assert [c["key"] for c in listed] == [c["key"] for c in children]
    bad = _send(client, "POST", f"{url}/children", {"children": [{"title": "X", "kind": "epic"}]})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "children[0].kind"
    story_url = f"{BASE}/items/{children[0]['key']}"
    converted = _send(client, "POST", f"{story_url}/convert", {"kind": "bug"})
    assert converted.status_code == 200
    assert converted.json()["kind"] == "bug"
    copy = _send(client, "POST", f"{story_url}/duplicate")
    assert copy.status_code == 201
    assert copy.json()["title"] == "Drag widgets (copy)"


def test_hostile_markdown_is_rendered_harmless(
    api_client: ApiClient, owner: Persona, product: Product
) -> None:
    payload = {
        "title": "<b>Title</b>",
        "description": (
            '<script>alert(1)</script>\n\n<p onclick="alert(2)">hi</p>\n\n'
            '[link](javascript:alert(3)) <a href="javascript:alert(4)">raw</a>'
        ),
        "acceptance_criteria": ['<img src=x onerror="alert(5)">'],
    }
    body = _send(api_client(owner), "POST", f"{BASE}/products/ACME/backlog", payload).json()
    html = body["description_html"] + "".join(body["acceptance_criteria_html"])
    for dangerous in ("<script", "onclick", "onerror", 'href="javascript'):
        assert dangerous not in html
    assert body["title"] == "<b>Title</b>"  # plain text: the pages escape it


def test_items_of_another_workspace_are_404(
    api_client: ApiClient, outsider: Persona, make_item: MakeItem
) -> None:
    item = make_item()
    client = api_client(outsider)
    assert client.get(f"/api/v1/workspaces/globex/items/{item.key}").status_code == 404
    assert client.get(f"{BASE}/items/{item.key}").status_code == 404


@pytest.mark.parametrize("persona", ["viewer", "developer"])
def test_refused_writes_change_nothing(
    api_client: ApiClient, persona: str, make_item: MakeItem, request: pytest.FixtureRequest
) -> None:
    item = make_item()
    who: Persona = request.getfixturevalue(persona)
    client = api_client(who)
    before = list(BacklogItem.all_objects.values())
    moved = _send(client, "POST", f"{BASE}/items/{item.key}/move", {"position": "top"})
    assert moved.status_code == 403
    if persona == "viewer":
        assert _send(client, "PATCH", f"{BASE}/items/{item.key}", {"title": "x"}).status_code == 403
    assert list(BacklogItem.all_objects.values()) == before


def test_services_and_api_agree_on_order(
    api_client: ApiClient, owner: Persona, make_item: MakeItem, product: Product
) -> None:
    first, second = make_item("First"), make_item("Second")
    services.item_move(actor=owner.actor, item=second, position="top")
    page = api_client(owner).get(f"{BASE}/products/ACME/backlog").json()
    assert [i["key"] for i in page["items"]] == [second.key, first.key]
