"""The OpenAPI document states every limit the server enforces, and the server refuses one
past it with a 422 naming the field, writing nothing: the document and the server agree."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.core.models import HistoryEntry
from lodestar.strategy.models import Product, ProductGoal
from tests.conftest import Persona
from tests.strategy.conftest import goal, product

__all__ = ["goal", "product"]

API = "/api/v1/workspaces/acme"


def _document() -> dict[str, Any]:
    from lodestar.api.urls import api

    return json.loads(json.dumps(api.get_openapi_schema()))


def _property(schema: str, name: str) -> dict[str, Any]:
    """A request schema's property, its ``null`` alternative taken away."""
    found: dict[str, Any] = _document()["components"]["schemas"][schema]["properties"][name]
    for option in found.get("anyOf", []):
        if option.get("type") != "null":
            return {**found, **option}
    return found


ITEM = f"{API}/products/ACME/backlog"
TOO_MANY = [f"label {n}" for n in range(21)]

# (schema, property, what the document states, method, path, body or query, field named)
LIMITS = [
    ("ItemIn", "title", {"maxLength": 255}, "post", ITEM, {"title": "x" * 256}, "title"),
    ("ItemPatch", "title", {"maxLength": 255}, "patch", "item", {"title": "x" * 256}, "title"),
    (
        "ItemIn",
        "acceptance_criteria",
        {"maxItems": 50},
        "post",
        ITEM,
        {"title": "t", "acceptance_criteria": ["c"] * 51},
        "acceptance_criteria",
    ),
    (
        "ItemIn",
        "labels",
        {"maxItems": 20},
        "post",
        ITEM,
        {"title": "t", "labels": TOO_MANY},
        "labels",
    ),
    (
        "ItemPatch",
        "labels",
        {"maxItems": 20},
        "patch",
        "item",
        {"labels": ["a,b"]},
        "labels.0",
    ),
    ("ItemIn", "goal", {"minimum": 1}, "post", ITEM, {"title": "t", "goal": 0}, "goal"),
    (
        "SplitIn",
        "children",
        {"minItems": 1, "maxItems": 50},
        "post",
        "children",
        {"children": [{"title": "c"}] * 51},
        "children",
    ),
    (
        "ProductIn",
        "key",
        {"pattern": r"^\s*[A-Z]{2,10}\s*$"},
        "post",
        f"{API}/products",
        {"key": "AC1", "name": "N"},
        "key",
    ),
    (
        "ProductIn",
        "name",
        {"maxLength": 100},
        "post",
        f"{API}/products",
        {"key": "NEW", "name": "n" * 101},
        "name",
    ),
    (
        "ProductPatch",
        "estimate_scale",
        {"minItems": 1, "maxItems": 20},
        "patch",
        f"{API}/products/ACME",
        {"estimate_scale": list(range(21))},
        "estimate_scale",
    ),
    (
        "GoalIn",
        "statement",
        {"maxLength": 300},
        "post",
        f"{API}/products/ACME/goals",
        {"statement": "s" * 301},
        "statement",
    ),
]


@pytest.fixture
def client(
    owner: Persona, product: Product, goal: ProductGoal, api_client: Callable[[Persona], Client]
) -> Client:
    return api_client(owner)


def _path(path: str, item: BacklogItem) -> str:
    return {"item": f"{API}/items/{item.key}", "children": f"{API}/items/{item.key}/children"}.get(
        path, path
    )


@pytest.mark.parametrize(
    ("schema", "name", "stated", "method", "path", "body", "field"),
    LIMITS,
    ids=[f"{limit[0]}.{limit[1]}" for limit in LIMITS],
)
@pytest.mark.django_db
def test_the_document_states_the_limit_and_the_server_holds_it(
    client: Client,
    owner: Persona,
    product: Product,
    schema: str,
    name: str,
    stated: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    prop = _property(schema, name)
    assert {key: prop.get(key) for key in stated} == stated, prop

    from lodestar.backlog import services

    item = services.item_create(actor=owner.actor, product=product, title="An item")
    before = (HistoryEntry.objects.count(), BacklogItem.all_objects.count())
    response = getattr(client, method)(
        _path(path, item), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert (HistoryEntry.objects.count(), BacklogItem.all_objects.count()) == before


def test_a_label_states_its_length_and_that_it_has_no_comma() -> None:
    label = _property("ItemIn", "labels")["items"]
    assert (label["minLength"], label["maxLength"], label["pattern"]) == (1, 40, "^[^,]*$")
    criterion = _property("ItemIn", "acceptance_criteria")["items"]
    assert criterion["maxLength"] == 2000


@pytest.mark.parametrize(
    "operation",
    [
        "backlog_list",
        "item_history_list",
        "member_list",
        "invitation_list",
        "product_list",
        "score_list",
        "team_list",
        "team_member_list",
        "token_list",
        "trash_list",
    ],
)
def test_every_page_size_states_its_range(operation: str) -> None:
    parameters = [
        parameter
        for path in _document()["paths"].values()
        for candidate in path.values()
        if candidate["operationId"] == operation
        for parameter in candidate["parameters"]
        if parameter["name"] == "limit"
    ]
    assert len(parameters) == 1
    (limit,) = [option for option in parameters[0]["schema"]["anyOf"] if option["type"] != "null"]
    assert (limit["minimum"], limit["maximum"]) == (1, 500)
