"""The API rate limit: 429 with Retry-After beyond the limit, per token or session."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, override_settings

from lodestar.people.models import Team
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/workspaces/acme/teams"


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_beyond_the_limit_a_token_gets_429_with_retry_after(
    admin: Persona, api_client: Callable[[Persona], Client]
) -> None:
    client = api_client(admin)
    assert [client.get(TEAMS).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(TEAMS)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    write = client.post(TEAMS, {"name": "Web"}, content_type="application/json")
    assert write.status_code == 429
    assert not Team.objects.exists()


@override_settings(API_RATE_LIMIT_PER_MINUTE=2)
def test_each_token_has_its_own_budget(
    admin: Persona, owner: Persona, api_client: Callable[[Persona], Client]
) -> None:
    busy = api_client(admin)
    for _ in range(3):
        busy.get(TEAMS)
    assert busy.get(TEAMS).status_code == 429
    assert api_client(owner).get(TEAMS).status_code == 200


@override_settings(API_RATE_LIMIT_PER_MINUTE=2)
def test_the_session_is_limited_too(admin: Persona) -> None:
    client = Client()
    client.force_login(admin.user)
    assert [client.get(TEAMS).status_code for _ in range(3)] == [200, 200, 429]
    assert "Retry-After" in client.get(TEAMS)
