"""The API of product risks and experiments: a PM's loop from a risk to an experiment and
back, ETags and If-Match, problem+json for bad input, other workspaces."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog import services as backlog
from lodestar.discovery import services as discovery
from lodestar.discovery.models import Problem
from lodestar.discovery.risk_models import Experiment, ProductRisk
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.conftest import Persona

ApiClient = Callable[[Persona], Client]
BASE = "/api/v1/workspaces/acme"


def _send(client: Client, method: str, url: str, body: Any, **headers: str) -> Any:
    return client.generic(
        method, url, json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.fixture
def product(owner: Persona) -> Product:
    return strategy.product_create(actor=owner.actor, key="ACME", name="Acme Analytics")


@pytest.fixture
def problem(pm: Persona, product: Product) -> Problem:
    return discovery.problem_create(actor=pm.actor, title="Exports are slow", product=product)


def _errors(response: Any) -> list[str]:
    assert response["Content-Type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


def test_a_risk_addressed_by_a_validated_experiment(
    api_client: ApiClient, pm: Persona, problem: Problem
) -> None:
    client = api_client(pm)
    risks = client.get(f"{BASE}/problems/{problem.pk}/risks").json()
    assert (risks[0]["kind"], risks[0]["status"], risks[0]["version"]) == ("value", "unknown", 0)
    testing = _send(
        client,
        "PUT",
        f"{BASE}/problems/{problem.pk}/risks/value",
        {"status": "testing"},
        **{"If-Match": '"0"'},
    )
    assert testing.status_code == 200, testing.content
    assert testing["ETag"] == '"1"'
    created = _send(
        client,
        "POST",
        f"{BASE}/experiments",
        {
            "product": "ACME",
            "title": "Pricing page fake door",
            "hypothesis": "Admins will pay for faster exports",
            "method": "fake_door",
            "success_signal": "5% click through",
            "problems": [problem.pk],
        },
    )
    assert created.status_code == 201, created.content
    experiment = created.json()
    assert experiment["problems"] == [problem.pk]
    assert experiment["status"] == "planned"
    concluded = _send(
        client,
        "PATCH",
        f"{BASE}/experiments/{experiment['id']}",
        {"status": "concluded", "result": "validated", "result_text": "9% clicked"},
        **{"If-Match": created["ETag"]},
    )
    assert concluded.status_code == 200, concluded.content
    assert concluded.json()["result"] == "validated"
    addressed = _send(
        client,
        "PUT",
        f"{BASE}/problems/{problem.pk}/risks/value",
        {"status": "addressed", "experiment": experiment["id"]},
        **{"If-Match": testing["ETag"]},
    )
    assert addressed.status_code == 200, addressed.content
    assert addressed.json()["experiment"]["result"] == "validated"
    evidence = client.get(f"{BASE}/problems/{problem.pk}").json()["evidence"]["experiments"]
    assert (evidence["total"], evidence["validated"]) == (1, 1)
    listed = client.get(f"{BASE}/experiments?problem={problem.pk}&status=concluded").json()
    assert [e["id"] for e in listed["items"]] == [experiment["id"]]


def test_a_stale_if_match_answers_412_and_writes_nothing(
    api_client: ApiClient, pm: Persona, problem: Problem
) -> None:
    client = api_client(pm)
    url = f"{BASE}/problems/{problem.pk}/risks/value"
    assert _send(client, "PUT", url, {"status": "testing"}).status_code == 200
    stale = _send(client, "PUT", url, {"status": "unknown"}, **{"If-Match": '"0"'})
    assert stale.status_code == 412
    assert ProductRisk.objects.get().status == "testing"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/problems/{problem}/risks/price", {"status": "testing"}, "kind"),
        ("/problems/{problem}/risks/value", {"status": "done"}, "status"),
        ("/problems/{problem}/risks/value", {"status": "addressed"}, "note"),
        ("/problems/{problem}/risks/value", {"experiment": 999999}, "experiment"),
        ("/items/ACME-1/risks/value", {"status": "testing"}, "item"),
        ("/experiments", {"product": "ACME", "title": "T", "method": "guess"}, "method"),
        ("/experiments", {"product": "ACME", "title": "T", "result": "great"}, "result"),
        ("/experiments", {"product": "ACME", "title": "T", "status": "concluded"}, "result"),
        ("/experiments", {"product": "NOPE", "title": "T"}, "product"),
        ("/experiments", {"product": "ACME", "title": "T", "problems": [999999]}, "problems[0]"),
        (
            "/experiments",
            {"product": "ACME", "title": "T", "started_on": "2026-03-02", "ended_on": "2026-03-01"},
            "ended_on",
        ),
    ],
)
def test_bad_input_names_the_field(
    api_client: ApiClient,
    pm: Persona,
    product: Product,
    problem: Problem,
    url: str,
    body: dict[str, Any],
    field: str,
) -> None:
    backlog.item_create(actor=pm.actor, product=product, title="A story")
    method = "POST" if url == "/experiments" else "PUT"
    response = _send(api_client(pm), method, BASE + url.format(problem=problem.pk), body)
    assert response.status_code == 422, response.content
    assert field in _errors(response)
    assert not ProductRisk.objects.exists()
    assert not Experiment.all_objects.exists()


def test_another_workspace_answers_404(
    api_client: ApiClient, pm: Persona, outsider: Persona, product: Product, problem: Problem
) -> None:
    experiment = _send(
        api_client(pm), "POST", f"{BASE}/experiments", {"product": "ACME", "title": "T"}
    ).json()
    client = api_client(outsider)
    other = "/api/v1/workspaces/globex"
    assert client.get(f"{other}/problems/{problem.pk}/risks").status_code == 404
    assert client.get(f"{other}/experiments/{experiment['id']}").status_code == 404
    response = _send(
        client, "PUT", f"{other}/problems/{problem.pk}/risks/value", {"status": "testing"}
    )
    assert response.status_code == 404
    assert not ProductRisk.objects.exists()


def test_experiment_links_and_trash(
    api_client: ApiClient, pm: Persona, product: Product, problem: Problem
) -> None:
    client = api_client(pm)
    epic = backlog.item_create(actor=pm.actor, product=product, title="Exports", kind="epic")
    experiment = _send(
        client, "POST", f"{BASE}/experiments", {"product": "ACME", "title": "Survey"}
    ).json()
    url = f"{BASE}/experiments/{experiment['id']}"
    linked = _send(client, "POST", url + "/links", {"problems": [problem.pk], "items": [epic.key]})
    assert linked.status_code == 200, linked.content
    assert (linked.json()["problems"], linked.json()["items"]) == ([problem.pk], [epic.key])
    assert client.get(f"{BASE}/items/{epic.key}/risks").status_code == 200
    assert client.delete(f"{url}/items/{epic.key}").status_code == 204
    assert client.get(url).json()["items"] == []
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_the_definition_of_ready_takes_the_value_risk_threshold(
    api_client: ApiClient, owner: Persona, product: Product
) -> None:
    client = api_client(owner)
    url = f"{BASE}/products/ACME"
    changed = _send(client, "PATCH", url, {"definition_of_ready": {"value_risk_above_points": 5}})
    assert changed.status_code == 200, changed.content
    assert changed.json()["definition_of_ready"]["value_risk_above_points"] == 5
    bad = _send(client, "PATCH", url, {"definition_of_ready": {"value_risk_above_points": -1}})
    assert bad.status_code == 422
