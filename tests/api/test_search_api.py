"""GET /api/v1/workspaces/{slug}/search: hits in the API's shape, and bad input named."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.backlog.conftest import MakeItem, make_item, product
from tests.conftest import Persona
from tests.strategy.conftest import goal

__all__ = ["goal", "make_item", "product"]

pytestmark = pytest.mark.django_db

URL = "/api/v1/workspaces/acme/search"


@pytest.fixture
def client(owner: Persona, api_client: Callable[[Persona], Client]) -> Client:
    return api_client(owner)


def test_hits_carry_kind_title_snippet_url_and_date(client: Client, make_item: MakeItem) -> None:
    item = make_item("Export <b>invoices</b>", description="Finance asks for invoices monthly")
    response = client.get(URL, {"q": "invoices"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next_cursor"] is None
    (hit,) = body["items"]
    assert hit["kind"] == "item"
    assert hit["label"] == "backlog item"
    assert hit["id"] == item.pk
    assert hit["title"] == f"{item.key} Export <b>invoices</b>"
    assert hit["title_html"] == f"{item.key} Export &lt;b&gt;<mark>invoices</mark>&lt;/b&gt;"
    assert "<mark>invoices</mark>" in hit["snippet"]
    assert hit["url"].endswith(f"/w/acme/items/{item.key}")
    assert hit["score"] is None
    assert hit["at"]


def test_relevance_kind_filters_and_pages(client: Client, make_item: MakeItem) -> None:
    for n in range(3):
        make_item(f"Sync issue {n}")
    first = client.get(URL, {"q": "sync", "limit": 2, "sort": "relevance", "kind": "item"}).json()
    assert len(first["items"]) == 2
    assert first["items"][0]["score"] is not None
    rest = client.get(
        URL, {"q": "sync", "limit": 2, "sort": "relevance", "cursor": first["next_cursor"]}
    ).json()
    assert len(rest["items"]) == 1
    assert client.get(URL, {"q": "sync", "kind": "product,goal"}).json()["items"] == []
    assert client.get(URL, {"q": "sync", "from": "2000-01-01", "to": "2999-12-31"}).json()["items"]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({}, "q", "required"),
        ({"q": ""}, "q", "empty"),
        ({"q": "   "}, "q", "empty"),
        ({"q": "x" * 501}, "q", "longer than 500"),
        ({"q": "a", "kind": "widget"}, "kind", "widget"),
        ({"q": "a", "from": "2026-13-01"}, "from", ""),
        ({"q": "a", "to": "yesterday"}, "to", ""),
        ({"q": "a", "from": "2026-02-01", "to": "2026-01-01"}, "to", "before"),
        ({"q": "a", "sort": "oldest"}, "sort", ""),
        ({"q": "a", "limit": "0"}, "limit", ""),
        ({"q": "a", "limit": "101"}, "limit", ""),
        ({"q": "a", "cursor": "nonsense"}, "cursor", "cursor"),
        ({"q": "a", "tag": ""}, "tag", "empty"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: Client, params: dict[str, str], field: str, words: str
) -> None:
    response = client.get(URL, params)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [error["field"] for error in errors] == [field], errors
    assert words in errors[0]["message"]


@pytest.mark.parametrize(
    "q", ['"unbalanced', "NEAR(a b", "a AND", "-x", "title:x", "^x", "🙂", "((((", "*", "x" * 500]
)
def test_any_query_text_answers(client: Client, make_item: MakeItem, q: str) -> None:
    make_item("Anything")
    assert client.get(URL, {"q": q}).status_code == 200


def test_other_workspaces_items_are_not_found(
    outsider: Persona, api_client: Callable[[Persona], Client], make_item: MakeItem
) -> None:
    make_item("Top secret plan")
    response = api_client(outsider).get("/api/v1/workspaces/globex/search", {"q": "secret"})
    assert response.status_code == 200
    assert response.json()["items"] == []
