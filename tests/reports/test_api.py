"""The reports API: the report of a period as JSON, and bad input answered with the field to
fix; another workspace's product or an unknown one is a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.reports.conftest import World

pytestmark = pytest.mark.django_db

URL = "/api/v1/workspaces/acme/products/ACME/reports"
Clients = Callable[[Persona], Client]


def _problem(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def test_a_viewer_reads_the_report_of_a_period(
    api_client: Clients, viewer: Persona, world: World
) -> None:
    response = api_client(viewer).get(URL, {"since": "2026-10-01", "until": "2026-12-31"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["since"], body["until"]) == ("2026-10-01", "2026-12-31")
    assert [s["name"] for s in body["sprints"]] == ["Sprint | 1"]
    assert body["goals_met"] == 1
    assert [r["name"] for r in body["live"]] == ["2026.1 | Faster"]
    assert body["planned"][0]["forecast"]["remaining"] == 2
    assert body["decisions"][0]["key"] == "ACME-D1"
    assert body["problems"][0]["customers"] == 1
    assert body["goals"][0]["percent"] == 33


def test_without_a_period_it_is_the_last_90_days(
    api_client: Clients, owner: Persona, world: World
) -> None:
    body = api_client(owner).get(URL).json()
    import datetime as dt

    since, until = dt.date.fromisoformat(body["since"]), dt.date.fromisoformat(body["until"])
    assert (until - since).days + 1 == 90


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"since": "2026-13-01"}, "since", "must be a date like 2026-10-01"),
        ({"until": "yesterday"}, "until", "must be a date like 2026-10-01"),
        ({"since": "2026-12-01", "until": "2026-10-01"}, "since", "on or before until"),
        ({"since": "2025-01-01", "until": "2026-12-31"}, "since", "at most 366"),
        ({"since": "1066-10-14"}, "since", "between 2000 and 2100"),
    ],
)
def test_a_bad_period_is_a_422_naming_the_field(
    api_client: Clients,
    owner: Persona,
    product: Product,
    query: dict[str, str],
    field: str,
    words: str,
) -> None:
    response = api_client(owner).get(URL, query)
    assert response.status_code == 422
    body = _problem(response)
    assert body["code"] == "report_period_invalid"
    assert [e["field"] for e in body["errors"]] == [field]
    assert words in body["errors"][0]["message"]


def test_an_unknown_or_foreign_product_is_a_404(
    api_client: Clients, owner: Persona, product: Product, foreign_product: Product
) -> None:
    client = api_client(owner)
    unknown = client.get("/api/v1/workspaces/acme/products/NOPE/reports")
    assert unknown.status_code == 404
    assert _problem(unknown)["code"] == "product_not_found"
    foreign = client.get("/api/v1/workspaces/acme/products/GLOB/reports")
    assert foreign.status_code == 404
    # Nor through the other workspace's path, where the caller is no member.
    assert client.get("/api/v1/workspaces/globex/products/GLOB/reports").status_code == 404
