"""``Idempotency-Key`` on creating POSTs: a retry replays the first answer, never a new object."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.people.models import ApiToken, Team
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/workspaces/acme/teams"


def create(client: Client, body: dict[str, Any], key: str | None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(TEAMS, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def client(admin: Persona, api_client: Callable[[Persona], Client]) -> Client:
    return api_client(admin)


def test_a_retry_gets_the_first_answer_and_creates_nothing(client: Client) -> None:
    first = create(client, {"name": "Web"}, "key-1")
    retry = create(client, {"name": "Web"}, "key-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Team.objects.filter(name="Web").count() == 1


def test_without_a_key_each_post_creates(client: Client) -> None:
    assert create(client, {"name": "Web"}, None).json()["slug"] == "web"
    assert create(client, {"name": "Web"}, None).json()["slug"] == "web-2"


def test_another_key_is_another_request(client: Client) -> None:
    create(client, {"name": "Web"}, "key-1")
    create(client, {"name": "Web"}, "key-2")
    assert Team.objects.filter(name="Web").count() == 2


def test_the_same_key_with_another_body_is_refused(client: Client) -> None:
    create(client, {"name": "Web"}, "key-1")
    response = create(client, {"name": "Mobile"}, "key-1")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Team.objects.filter(name="Mobile").exists()


def test_keys_belong_to_their_caller(
    client: Client, owner: Persona, api_client: Callable[[Persona], Client]
) -> None:
    create(client, {"name": "Web"}, "shared-key")
    other = create(api_client(owner), {"name": "Web"}, "shared-key")
    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert Team.objects.filter(name="Web").count() == 2


def test_a_refused_request_is_not_remembered(
    viewer: Persona, api_client: Callable[[Persona], Client], make_token: Any
) -> None:
    secret = make_token(viewer)
    as_viewer = Client(headers={"Authorization": f"Bearer {secret}"})
    assert create(as_viewer, {"name": "Web"}, "key-1").status_code == 403
    assert create(as_viewer, {"name": "Web"}, "key-1").status_code == 403
    assert not Team.objects.exists()


def test_an_invalid_key_is_named(client: Client) -> None:
    for key in ("", "k" * 256):
        response = create(client, {"name": "Web"}, key)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Team.objects.exists()


def test_creating_a_token_twice_with_one_key_shows_the_same_secret_once_made(
    developer: Persona, api_client: Callable[[Persona], Client]
) -> None:
    client = api_client(developer)
    url = "/api/v1/workspaces/acme/tokens"
    headers = {"Idempotency-Key": "token-1"}
    first = client.post(url, {"name": "ci"}, content_type="application/json", headers=headers)
    again = client.post(url, {"name": "ci"}, content_type="application/json", headers=headers)
    assert first.json()["token"] == again.json()["token"]
    assert ApiToken.objects.filter(name="ci").count() == 1
