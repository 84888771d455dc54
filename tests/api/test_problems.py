"""Bad input answers a problem+json that names what to fix; never a 500, never a write."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.core.models import HistoryEntry
from lodestar.people.models import Invitation, Team
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme"
PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "instance"}


@pytest.fixture
def client(owner: Persona, team: Team, api_client: Callable[[Persona], Client]) -> Client:
    return api_client(owner)


def post(client: Client, url: str, raw: str) -> Any:
    return client.post(url, raw, content_type="application/json")


def assert_problem(response: Any, status: int, fields: list[str] | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"] == f"urn:lodestar:problem:{body['code']}"
    assert body["detail"]
    if fields is not None:
        assert [error["field"] for error in body["errors"]] == fields
    return body


def test_an_unknown_field_is_named(client: Client) -> None:
    body = assert_problem(
        post(client, f"{API}/teams", json.dumps({"name": "Web", "colour": "red"})), 422, ["colour"]
    )
    assert "remove it" in body["errors"][0]["message"]
    assert not Team.objects.filter(name="Web").exists()


def test_an_unknown_field_in_a_patch_is_named(client: Client) -> None:
    response = client.patch(
        f"{API}/teams/core", json.dumps({"slug": "renamed"}), content_type="application/json"
    )
    assert_problem(response, 422, ["slug"])
    assert Team.objects.get().slug == "core"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 5}, "name"),
        ({"name": ["Web"]}, "name"),
        ({"name": None}, "name"),
        ({}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "Web", "description": {"text": "x"}}, "description"),
    ],
)
def test_a_malformed_field_is_named(client: Client, body: dict[str, Any], field: str) -> None:
    assert_problem(post(client, f"{API}/teams", json.dumps(body)), 422, [field])
    assert Team.objects.count() == 1


def test_an_enum_field_lists_what_it_accepts(client: Client) -> None:
    response = post(client, f"{API}/members", json.dumps({"email": "a@b.test", "role": "king"}))
    body = assert_problem(response, 422, ["role"])
    assert "owner" in body["errors"][0]["message"]
    assert not Invitation.objects.exists()


def test_every_wrong_field_is_named_at_once(client: Client) -> None:
    response = post(client, f"{API}/members", json.dumps({"role": "king", "extra": 1}))
    body = assert_problem(response, 422)
    assert sorted(error["field"] for error in body["errors"]) == ["email", "extra", "role"]


@pytest.mark.parametrize("raw", ["{not json", '{"name": "Web",}', "\xff"])
def test_a_body_that_is_not_json_is_refused(client: Client, raw: str) -> None:
    history = HistoryEntry.objects.count()
    body = assert_problem(post(client, f"{API}/teams", raw), 400)
    assert "parse" in body["detail"]
    assert HistoryEntry.objects.count() == history


def test_an_empty_body_is_refused(client: Client) -> None:
    response = post(client, f"{API}/teams", "")
    assert_problem(response, response.status_code)
    assert response.status_code in {400, 422}
    assert Team.objects.count() == 1


@pytest.mark.parametrize("raw", ["[]", '"Web"', "42", "null"])
def test_a_body_that_is_not_an_object_is_refused(client: Client, raw: str) -> None:
    assert_problem(post(client, f"{API}/teams", raw), 422, ["body"])
    assert Team.objects.count() == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=-3", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=%25%25%25", "cursor"),
        ("cursor=WyJhIiwiYiJd", "cursor"),  # a valid encoding of the wrong shape
    ],
)
def test_a_bad_cursor_or_limit_is_named(client: Client, query: str, field: str) -> None:
    for path in ("members", "teams", "tokens", "teams/core/members"):
        assert_problem(client.get(f"{API}/{path}?{query}"), 422, [field])


def test_a_bad_if_match_is_named(client: Client) -> None:
    response = client.patch(
        f"{API}/teams/core",
        json.dumps({"name": "X"}),
        content_type="application/json",
        headers={"If-Match": "yesterday"},
    )
    assert_problem(response, 422, ["If-Match"])
    assert Team.objects.get().name == "Core"


def test_a_bad_path_parameter_is_named(client: Client) -> None:
    assert_problem(client.delete(f"{API}/tokens/abc"), 422, ["token_id"])


def test_unknown_routes_and_missing_credentials(client: Client) -> None:
    body = assert_problem(client.get("/api/v1/workspaces/acme/nothing-here"), 404)
    assert body["code"] == "not_found"
    assert_problem(
        Client().post("/api/v1/no/such/thing", "{}", content_type="application/json"), 404
    )
    response = Client().get(f"{API}/teams")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="lodestar"'
    assert_problem(Client(headers={"Authorization": "Bearer lsk_wrong"}).get(f"{API}/teams"), 401)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"title": "a\\u0000b"}', "title"),
        ('{"title": "ok", "labels": ["fine", "bad\\ud800"]}', "labels[1]"),
        ('{"title": "ok", "acceptance_criteria": ["x\\u0000"]}', "acceptance_criteria[0]"),
    ],
)
def test_text_no_database_can_store_is_a_422_naming_the_field(
    api_client: Any, owner: Any, body: str, field: str
) -> None:
    from lodestar.backlog.models import BacklogItem
    from lodestar.strategy.models import Product

    Product.objects.create(workspace=owner.membership.workspace, key="ACME", name="Acme")
    response = api_client(owner).post(
        "/api/v1/workspaces/acme/products/ACME/backlog", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    problem = response.json()
    assert problem["code"] == "text_invalid"
    assert [error["field"] for error in problem["errors"]] == [field]
    assert not BacklogItem.objects.exists()


@pytest.mark.django_db
def test_bad_requests_are_problems_never_500s_or_html(api_client: Any, owner: Any) -> None:
    """Issue 7, defect 5: each of these was a 500, an HTML page or an accepted body."""
    from lodestar.backlog import services
    from lodestar.backlog.models import BacklogItem
    from lodestar.strategy.models import Product

    product = Product.objects.create(workspace=owner.membership.workspace, key="ACME", name="A")
    item = services.item_create(actor=owner.actor, product=product, title="x")
    client = api_client(owner)
    base = "/api/v1/workspaces/acme"
    backlog = f"{base}/products/ACME/backlog"
    body = json.dumps({"title": "t"})
    cases = [
        (
            client.patch(
                f"{base}/items/{item.key}",
                json.dumps({"title": "y"}),
                content_type="application/json",
                headers={"If-Match": '"' + "9" * 5000 + '"'},
            ),
            422,
            "bad_if_match",
        ),
        (client.get(f"{backlog}?goal=9223372036854775808"), 422, "validation_error"),
        (client.delete(backlog), 405, "method_not_allowed"),
        (client.post(backlog, body, content_type="text/plain"), 415, "unsupported_media_type"),
        (client.generic("POST", backlog, body), 415, "unsupported_media_type"),
        (
            client.post(
                backlog,
                json.dumps({"title": "t", "description": "x" * 3_000_000}),
                content_type="application/json",
                headers={"Idempotency-Key": "big-one"},
            ),
            413,
            "body_too_large",
        ),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.content
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        assert (problem["status"], problem["code"]) == (status, code)
    assert "GET" in cases[2][0]["Allow"]
    assert BacklogItem.objects.count() == 1
    assert BacklogItem.objects.get().title == "x"
    # A JSON type with a suffix is JSON.
    ok = client.post(backlog, body, content_type="application/merge-patch+json")
    assert ok.status_code == 201, ok.content


@pytest.mark.django_db
def test_an_id_no_column_can_hold_is_not_found_not_a_server_error(
    api_client: Any, owner: Any
) -> None:
    response = api_client(owner).post(f"/api/v1/workspaces/acme/trash/item/{2**64}/restore")
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "trash_not_found"


def test_a_number_the_database_refuses_is_a_422() -> None:
    """The safety net behind the schemas' limits: the database's refusal is bad input."""
    from lodestar.api.errors import _out_of_range

    assert _out_of_range(OverflowError("Python int too large to convert to SQLite INTEGER"))
    from django.db import DataError

    assert _out_of_range(DataError("value out of range for type bigint"))
    assert not _out_of_range(DataError("invalid input syntax"))
    assert not _out_of_range(ValueError("out of range"))


@pytest.mark.django_db
def test_a_field_name_no_database_can_store_is_a_422(api_client: Any, owner: Any) -> None:
    response = api_client(owner).post(
        "/api/v1/workspaces/acme/teams",
        '{"name": "T", "x\\u0000": 1}',
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [
        {
            "field": "body",
            "message": "has a field name that must not contain the NUL character (\\u0000)",
        }
    ]


def test_a_form_body_without_a_boundary_is_a_415_problem(client: Client) -> None:
    """Found by the fuzzing test: Django's form parser refused it first, as a plain-text 400."""
    response = client.post(f"{API}/teams", b'{"name": "T"}', content_type="multipart/form-data")
    body = assert_problem(response, 415)
    assert body["code"] == "unsupported_media_type"
    assert not Team.objects.filter(name="T").exists()
