"""The trash API: listing and restoring, with every refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.core.registry import ObjectType
from lodestar.core.trash import trash_move, trashable_types
from lodestar.people.models import Workspace
from tests.conftest import Persona
from tests.core.conftest import MakeItem, days_ago

pytestmark = pytest.mark.django_db

ApiClient = Callable[[Persona], Client]
BASE = "/api/v1/workspaces/acme/trash"


@pytest.fixture(autouse=True)
def _registry(trash_registry: Callable[..., ObjectType]) -> None:
    """Every test here sees backlog items as type ``item`` and nothing else."""


def test_list_shows_the_trash_newest_first(
    workspace: Workspace,
    owner: Persona,
    viewer: Persona,
    make_item: MakeItem,
    api_client: ApiClient,
) -> None:
    old = make_item(workspace, "Old idea", deleted_at=days_ago(3), deleted_by=owner.user)
    new = make_item(workspace, "Newer idea")
    trash_move(actor=owner.actor, obj=new)
    make_item(workspace, "Still live")

    response = api_client(viewer).get(BASE)

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["items"]] == [new.pk, old.pk]
    first = body["items"][0]
    assert first["type"] == "item"
    assert first["label"] == "ACME-2 Newer idea"
    assert first["deleted_by"] == {"email": owner.email, "full_name": owner.user.full_name}
    assert first["restorable"] is True
    assert first["restore_until"] > first["deleted_at"]
    assert body["next_cursor"] is None


def test_list_pages_with_a_cursor(
    workspace: Workspace, owner: Persona, make_item: MakeItem, api_client: ApiClient
) -> None:
    items = [make_item(workspace, f"i{i}", deleted_at=days_ago(1 + i)) for i in range(5)]
    client = api_client(owner)
    first = client.get(BASE, {"limit": 2}).json()
    second = client.get(BASE, {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = client.get(BASE, {"limit": 2, "cursor": second["next_cursor"]}).json()
    ids = [row["id"] for page in (first, second, third) for row in page["items"]]
    assert ids == [item.pk for item in items]
    assert third["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "field"), [({"limit": 0}, "limit"), ({"cursor": "garbage!"}, "cursor")]
)
def test_list_refuses_bad_paging(
    owner: Persona, api_client: ApiClient, params: dict[str, Any], field: str
) -> None:
    response = api_client(owner).get(BASE, params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field


def test_list_query_count_is_flat(
    workspace: Workspace,
    owner: Persona,
    make_item: MakeItem,
    api_client: ApiClient,
    django_assert_max_num_queries: Any,
) -> None:
    for i in range(40):
        make_item(workspace, f"i{i}", deleted_at=days_ago(1), deleted_by=owner.user)
    client = api_client(owner)
    client.get(BASE)  # token bookkeeping happens on first use
    # Token lookup, membership, one query per trashable type; nothing per row.
    with django_assert_max_num_queries(3 + len(trashable_types())):
        response = client.get(BASE, {"limit": 40})
    assert len(response.json()["items"]) == 40


def test_restore_brings_an_item_back(
    workspace: Workspace,
    owner: Persona,
    developer: Persona,
    make_item: MakeItem,
    api_client: ApiClient,
) -> None:
    item = make_item(workspace, "Comeback")
    trash_move(actor=owner.actor, obj=item)

    response = api_client(developer).post(f"{BASE}/item/{item.pk}/restore")

    assert response.status_code == 200
    assert response.json() == {
        "type": "item",
        "id": item.pk,
        "label": "ACME-1 Comeback",
        "version": 3,
    }
    assert response["ETag"] == '"3"'
    assert BacklogItem.objects.filter(pk=item.pk).exists()


def test_restore_checks_if_match(
    workspace: Workspace, owner: Persona, make_item: MakeItem, api_client: ApiClient
) -> None:
    item = make_item(workspace)
    trash_move(actor=owner.actor, obj=item)
    client = api_client(owner)

    stale = client.post(f"{BASE}/item/{item.pk}/restore", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert not BacklogItem.objects.filter(pk=item.pk).exists()

    fresh = client.post(f"{BASE}/item/{item.pk}/restore", headers={"If-Match": '"2"'})
    assert fresh.status_code == 200


def test_a_viewer_cannot_restore(
    workspace: Workspace,
    owner: Persona,
    viewer: Persona,
    make_item: MakeItem,
    api_client: ApiClient,
) -> None:
    item = make_item(workspace, deleted_at=days_ago(1), deleted_by=owner.user)
    response = api_client(viewer).post(f"{BASE}/item/{item.pk}/restore")
    assert response.status_code == 403
    assert BacklogItem.all_objects.get(pk=item.pk).deleted_at is not None


@pytest.mark.parametrize(
    ("deleted_days_ago", "code"), [(None, "not_in_trash"), (31, "trash_expired")]
)
def test_restore_refuses_live_and_expired_items(
    workspace: Workspace,
    owner: Persona,
    make_item: MakeItem,
    api_client: ApiClient,
    deleted_days_ago: int | None,
    code: str,
) -> None:
    deleted_at = days_ago(deleted_days_ago) if deleted_days_ago else None
    item = make_item(workspace, deleted_at=deleted_at)
    response = api_client(owner).post(f"{BASE}/item/{item.pk}/restore")
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == code
    assert problem["errors"][0]["field"] == "id"
    assert BacklogItem.all_objects.get(pk=item.pk).version == 1


def test_restore_across_workspaces_or_types_is_not_found(
    workspace: Workspace,
    other_workspace: Workspace,
    owner: Persona,
    outsider: Persona,
    make_item: MakeItem,
    api_client: ApiClient,
) -> None:
    foreign = make_item(other_workspace, deleted_at=days_ago(1))
    mine = make_item(workspace, deleted_at=days_ago(1))
    client = api_client(owner)
    assert client.post(f"{BASE}/item/{foreign.pk}/restore").status_code == 404
    assert client.post(f"{BASE}/sprint/{mine.pk}/restore").status_code == 404
    assert client.post(f"{BASE}/item/999999/restore").status_code == 404
    assert api_client(outsider).post(f"{BASE}/item/{mine.pk}/restore").status_code == 404
    assert api_client(outsider).get(BASE).status_code == 404
    assert BacklogItem.objects.count() == 0


def test_restore_needs_a_numeric_id(owner: Persona, api_client: ApiClient) -> None:
    response = api_client(owner).post(f"{BASE}/item/abc/restore")
    assert response.status_code == 422


def test_anonymous_is_unauthenticated() -> None:
    assert Client().get(BASE).status_code == 401
