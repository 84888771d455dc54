"""Objects named in input (not in the path): an unknown one is a 422 naming the field, whether
it comes from the HTTP API, a page or the command line, through each context's ``refs``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.refs import item_ref, item_ref_or_none
from lodestar.core.errors import Invalid
from lodestar.people.models import Team
from lodestar.people.refs import member_ref, member_ref_or_none
from lodestar.strategy.models import Product, ProductGoal
from lodestar.strategy.refs import goal_ref, product_ref, product_ref_or_none
from tests.backlog.conftest import MakeItem
from tests.cli.support import error_line, run
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme"
ClientFor = Callable[[Persona], Client]


def _field(caught: pytest.ExceptionInfo[Invalid]) -> str:
    return caught.value.errors[0].field


# -- the refs themselves -----------------------------------------------------------------------


def test_members_resolve_by_email_and_strangers_name_the_field(
    owner: Persona, developer: Persona, outsider: Persona
) -> None:
    assert member_ref(owner.actor, " DEV@acme.test ") == developer.membership
    assert member_ref_or_none(owner.actor, None, field="assignee") is None
    with pytest.raises(Invalid) as caught:
        member_ref(owner.actor, outsider.email, field="assignee")
    assert _field(caught) == "assignee"
    assert caught.value.code == "not_a_member"


def test_products_and_goals_resolve_or_name_the_field(
    owner: Persona, outsider: Persona, product: Product, goal: ProductGoal
) -> None:
    assert product_ref(owner.actor, "acme") == product
    assert product_ref_or_none(owner.actor, None) is None
    with pytest.raises(Invalid) as caught:
        product_ref(owner.actor, "NOPE", field="product")
    assert _field(caught) == "product"
    assert goal_ref(owner.actor, product, goal.pk) == goal
    assert goal_ref(owner.actor, product, str(goal.pk)) == goal
    assert goal_ref(owner.actor, product, None) is None
    for bad in (goal.pk + 1000, "twelve"):
        with pytest.raises(Invalid) as caught:
            goal_ref(owner.actor, product, bad)
        assert _field(caught) == "goal"
    # Another workspace's product is as unknown as a missing one.
    other = Product.objects.create(workspace=outsider.membership.workspace, key="GLOB", name="G")
    with pytest.raises(Invalid):
        product_ref(owner.actor, other.key)


def test_items_resolve_light_or_full_and_trashed_ones_say_so(
    owner: Persona, make_item: MakeItem
) -> None:
    item = make_item("One")
    full = item_ref(owner.actor, "acme-1", field="parent")
    assert full == item
    assert full.title == "One"
    light = item_ref(owner.actor, "ACME-1", field="before", light=True)
    assert light.pk == item.pk
    assert "title" in light.get_deferred_fields()
    assert item_ref_or_none(owner.actor, None, field="parent") is None
    with pytest.raises(Invalid) as caught:
        item_ref(owner.actor, "ACME-99", field="parent")
    assert (_field(caught), "no item 'ACME-99'" in caught.value.detail) == ("parent", True)
    services.item_delete(actor=owner.actor, item=item)
    with pytest.raises(Invalid) as caught:
        item_ref(owner.actor, "ACME-1", field="after", light=True)
    assert _field(caught) == "after"
    assert "trash" in caught.value.detail


# -- through the HTTP API ----------------------------------------------------------------------


def _send(client: Client, method: str, url: str, body: Any) -> Any:
    return client.generic(method, url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "X", "assignee": "boss@globex.test"}, "assignee"),
        ({"title": "X", "parent": "ACME-99"}, "parent"),
        ({"title": "X", "after": "ACME-99"}, "after"),
        ({"title": "X", "goal": 999999}, "goal"),
    ],
)
def test_the_api_names_the_field_of_an_unknown_reference(
    api_client: ClientFor,
    owner: Persona,
    outsider: Persona,
    product: Product,
    body: dict[str, Any],
    field: str,
) -> None:
    response = _send(api_client(owner), "POST", f"{API}/products/ACME/backlog", body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not BacklogItem.objects.exists()


def test_the_api_names_a_stranger_and_an_unknown_product(
    api_client: ClientFor, owner: Persona, outsider: Persona, team: Team
) -> None:
    client = api_client(owner)
    body = {"member": outsider.email, "role": "developer"}
    hat = _send(client, "POST", f"{API}/teams/core/members", body)
    assert hat.status_code == 422
    assert (hat.json()["code"], hat.json()["errors"][0]["field"]) == ("not_a_member", "member")
    po = _send(client, "PUT", f"{API}/teams/core/roles/product-owner", {"member": "x@y.test"})
    assert po.status_code == 422
    assert po.json()["errors"][0]["field"] == "member"
    product = _send(client, "PUT", f"{API}/teams/core/product", {"product": "NOPE"})
    assert product.status_code == 422
    assert product.json()["errors"][0]["field"] == "product"


# -- through the pages -------------------------------------------------------------------------


def test_a_page_names_the_field_of_an_unknown_item(
    client: Client, po: Persona, make_item: MakeItem
) -> None:
    item = make_item("One")
    client.force_login(po.user)
    moved = client.post("/w/acme/items/ACME-1/move", {"after": "ACME-99", "version": item.version})
    assert moved.status_code == 422
    assert json.loads(moved.content)["detail"].startswith("After: no item 'ACME-99'")
    edited = client.post(
        "/w/acme/items/ACME-1/edit",
        {"parent": "ACME-42", "version": item.version},
        headers={"HX-Request": "true"},
    )
    assert edited.status_code == 422
    assert "Parent: no item &#x27;ACME-42&#x27;" in edited.content.decode()


# -- through the command line ------------------------------------------------------------------


def test_the_cli_names_the_option_of_an_unknown_reference(
    owner: Persona, product: Product, make_item: MakeItem
) -> None:
    make_item("One")
    line = error_line(run("backlog", "add", "X", "-w", "acme", "-p", "NOPE"))
    assert line == "Error: Product: no product 'NOPE' in this workspace."
    line = error_line(run("backlog", "add", "X", "-w", "acme", "-p", "ACME", "--parent", "ACME-9"))
    assert line == "Error: Parent: no item 'ACME-9' in this workspace's backlog."
    line = error_line(run("backlog", "move", "ACME-1", "-w", "acme", "--before", "ACME-7"))
    assert line.startswith("Error: Before: no item 'ACME-7'")
    assert BacklogItem.objects.count() == 1
