"""The coverage API: each duty with its people, counts and last date; bad periods are a 422
naming ``days``; an unknown product or team, or another workspace, is a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog import services as backlog
from lodestar.coverage.duties import DUTY_KEYS
from lodestar.decisions import services as decisions
from lodestar.people.models import Team
from lodestar.strategy.models import Product
from tests.conftest import Persona

URL = "/api/v1/workspaces/acme/coverage"
Clients = Callable[[Persona], Client]


def _problem(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def test_a_viewer_reads_the_coverage_of_a_product(
    api_client: Clients,
    viewer: Persona,
    owner: Persona,
    po: Persona,
    pm: Persona,
    product: Product,
) -> None:
    first, second = (
        backlog.item_create(actor=owner.actor, product=product, title=title)
        for title in ("One", "Two")
    )
    backlog.item_move(actor=po.actor, item=second, before=first)
    decisions.decision_create(actor=pm.actor, product=product, title="Charge per seat")

    response = api_client(viewer).get(URL, {"product": "ACME", "days": "30"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["product"], body["team"], body["days"]) == ("ACME", None, 30)
    assert [d["key"] for d in body["duties"]] == list(DUTY_KEYS)
    duties = {d["key"]: d for d in body["duties"]}
    [carrier] = duties["order_backlog"]["people"]
    assert carrier["email"] == "po@acme.test"
    assert carrier["job_title"] == "QA Engineer"
    assert carrier["hats"] == ["Product owner of ACME"]
    assert carrier["former_member"] is False
    assert carrier["count"] == 1
    assert carrier["activities"] == {"item_moved": 1}
    assert duties["order_backlog"]["total"] == 1
    assert duties["make_product_decisions"]["people"][0]["email"] == "pm@acme.test"
    nobody = duties["talk_to_customers"]
    assert (nobody["total"], nobody["last"], nobody["people"]) == (0, None, [])
    assert "metric samples pushed" in duties["analyse_data"]["unrecorded"]


def test_a_team_and_the_default_period(
    api_client: Clients, owner: Persona, team: Team, product: Product
) -> None:
    body = api_client(owner).get(URL, {"team": "core"}).json()
    assert (body["product"], body["team"], body["days"]) == ("ACME", "core", 90)


@pytest.mark.parametrize("days", ["0", "-3", "1827", "ninety", "2.5", "9" * 15])
def test_a_bad_period_is_a_422_naming_days(api_client: Clients, owner: Persona, days: str) -> None:
    response = api_client(owner).get(URL, {"days": days})
    assert response.status_code == 422, response.content
    body = _problem(response)
    assert body["code"] == "coverage_days_invalid"
    assert body["errors"][0]["field"] == "days"
    assert "from 1 to 1826" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "code"),
    [({"product": "NOPE"}, "product_not_found"), ({"team": "nope"}, "team_not_found")],
)
def test_an_unknown_product_or_team_is_a_404(
    api_client: Clients, owner: Persona, query: dict[str, str], code: str
) -> None:
    response = api_client(owner).get(URL, query)
    assert response.status_code == 404, response.content
    assert _problem(response)["code"] == code


def test_another_workspaces_product_or_coverage_is_a_404(
    api_client: Clients, outsider: Persona, product: Product
) -> None:
    response = api_client(outsider).get("/api/v1/workspaces/globex/coverage", {"product": "ACME"})
    assert response.status_code == 404
    assert api_client(outsider).get(URL).status_code == 404


def test_product_and_team_together_is_a_422(
    api_client: Clients, owner: Persona, team: Team, product: Product
) -> None:
    response = api_client(owner).get(URL, {"product": "ACME", "team": "core"})
    assert response.status_code == 422
    assert _problem(response)["code"] == "coverage_scope_invalid"
