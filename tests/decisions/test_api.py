"""The decisions API: the log and its filters, a decision's life (decide, supersede, link),
ETags, If-Match, Idempotency-Key, and bad input answered with a field to fix and nothing
written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.decisions import services
from lodestar.decisions.models import Decision, DecisionLink, DecisionStatus
from lodestar.discovery.models import Problem
from lodestar.strategy.models import Product
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

LOG = "/api/v1/workspaces/acme/products/ACME/decisions"
Clients = Callable[[Persona], Client]


def _send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    return client.generic(
        method,
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=headers,
    )


def _fields(response: Any) -> list[str]:
    assert response["Content-Type"] == "application/problem+json"
    return [error["field"] for error in response.json().get("errors") or []]


@pytest.fixture
def dev(api_client: Clients, developer: Persona) -> Client:
    return api_client(developer)


def test_a_decision_from_proposal_to_superseded(
    dev: Client,
    developer: Persona,
    owner: Persona,
    product: Product,
    item: BacklogItem,
    problem: Problem,
) -> None:
    first = {
        "title": "Share dashboards by link",
        "context": "Guests cost a seat.",
        "options": [
            {"title": "Guests", "cons": "A seat each"},
            {"title": "Links", "pros": "One click", "chosen": True},
        ],
        "links": [f"item:{item.key}", f"problem:{problem.pk}"],
    }
    created = _send(dev, "POST", LOG, first, **{"Idempotency-Key": "share-1"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["key"] == "ACME-D1"
    assert body["status"] == "proposed"
    assert created["ETag"] == '"1"'
    assert [link["type"] for link in body["links"]] == ["item", "problem"]
    assert body["links"][0]["ref"] == item.key
    assert body["links"][0]["url"].endswith(f"/items/{item.key}")
    # A retry with the same key answers the first decision, not a second one.
    again = _send(dev, "POST", LOG, first, **{"Idempotency-Key": "share-1"})
    assert again.status_code == 201
    assert Decision.objects.count() == 1

    decided = _send(dev, "POST", f"{LOG}/1/decide", {"deciders": [owner.email]})
    assert decided.status_code == 200, decided.content
    assert decided.json()["deciders"] == [owner.email]
    assert decided.json()["status"] == "decided"

    stale = _send(dev, "PATCH", f"{LOG}/1", {"title": "Too late"}, **{"If-Match": '"1"'})
    assert stale.status_code == 412
    patched = _send(
        dev, "PATCH", f"{LOG}/1", {"decision": "Use **links**."}, **{"If-Match": decided["ETag"]}
    )
    assert patched.status_code == 200, patched.content
    assert "<strong>links</strong>" in patched.json()["decision_html"]

    second = _send(
        dev, "POST", LOG, {"title": "Links expire", "status": "decided", "supersedes": 1}
    )
    assert second.status_code == 201, second.content
    assert second.json()["supersedes"][0]["key"] == "ACME-D1"
    old = dev.get(f"{LOG}/1").json()
    assert old["status"] == "superseded"
    assert old["superseded_by"]["key"] == "ACME-D2"

    # Editing a superseded decision is refused; its links still change.
    refused = _send(dev, "PATCH", f"{LOG}/1", {"title": "Rewritten"})
    assert refused.status_code == 422
    assert refused.json()["code"] == "decision_superseded"
    unlinked = _send(dev, "DELETE", f"{LOG}/1/links/item/{item.key}")
    assert unlinked.status_code == 204
    assert [link["type"] for link in dev.get(f"{LOG}/1").json()["links"]] == ["problem"]

    listed = dev.get(LOG, {"status": "superseded"}).json()
    assert [d["key"] for d in listed["items"]] == ["ACME-D1"]
    linked = dev.get(LOG, {"linked": f"problem:{problem.pk}"}).json()
    assert [d["key"] for d in linked["items"]] == ["ACME-D1"]
    found = dev.get(LOG, {"q": "expire"}).json()
    assert [d["key"] for d in found["items"]] == ["ACME-D2"]


def test_bad_links_are_422_naming_the_field(
    dev: Client, product: Product, foreign_item: BacklogItem
) -> None:
    for links, field in (
        (["item:ACME-404"], "links[0]"),
        (["spaceship:1"], "links[0]"),
        (["ACME-1"], "links[0]"),
        ([f"item:{foreign_item.key}"], "links[0]"),
    ):
        answer = _send(dev, "POST", LOG, {"title": "A decision", "links": links})
        assert answer.status_code == 422, answer.content
        assert _fields(answer) == [field]
        assert answer.json()["code"] == "decision_link_invalid"
    assert Decision.all_objects.count() == 0
    # The link route and the list filter refuse the same way.
    services_made = _send(dev, "POST", LOG, {"title": "A decision"})
    assert services_made.status_code == 201
    answer = _send(dev, "POST", f"{LOG}/1/links", {"target": f"item:{foreign_item.key}"})
    assert answer.status_code == 422
    assert _fields(answer) == ["target"]
    assert DecisionLink.objects.count() == 0
    answer = dev.get(LOG, {"linked": "item:NOPE-1"})
    assert answer.status_code == 422
    assert _fields(answer) == ["linked"]


def test_superseding_refuses_itself_and_another_products_decision(
    dev: Client, owner: Persona, product: Product, other_product: Product
) -> None:
    services.decision_create(actor=owner.actor, product=product, title="One")
    services.decision_create(actor=owner.actor, product=other_product, title="Mobile")
    itself = _send(dev, "POST", f"{LOG}/1/supersede", {"by": 1})
    assert itself.status_code == 422
    assert _fields(itself) == ["by"]
    # "by" is a number in this product's log: MOBI's decision is not in it.
    other = _send(dev, "POST", f"{LOG}/1/supersede", {"by": 2})
    assert other.status_code == 422
    assert _fields(other) == ["by"]
    assert Decision.objects.filter(status=DecisionStatus.SUPERSEDED).count() == 0
    bad = _send(dev, "POST", LOG, {"title": "x", "supersedes": 9})
    assert bad.status_code == 422
    assert _fields(bad) == ["supersedes"]


def test_unknown_decisions_and_products_are_404(dev: Client, product: Product) -> None:
    assert dev.get(f"{LOG}/7").status_code == 404
    assert dev.get("/api/v1/workspaces/acme/products/NOPE/decisions").status_code == 404


def test_viewers_read_but_never_write(
    api_client: Clients, owner: Persona, viewer: Persona, product: Product
) -> None:
    services.decision_create(actor=owner.actor, product=product, title="One")
    reader = api_client(viewer)
    assert reader.get(f"{LOG}/1").status_code == 200
    refused = _send(reader, "PATCH", f"{LOG}/1", {"title": "Mine"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden_record_decision"
    assert Decision.objects.get().title == "One"


def test_bad_shapes_name_the_field(dev: Client, product: Product, owner: Persona) -> None:
    answer = _send(dev, "POST", LOG, {"title": "x", "status": "superseded"})
    assert answer.status_code == 422
    assert "status" in _fields(answer)[0]
    answer = _send(
        dev, "POST", LOG, {"title": "x", "deciders": ["nobody@x.test"], "status": "decided"}
    )
    assert answer.status_code == 422
    assert _fields(answer) == ["deciders[0]"]
    answer = _send(dev, "POST", LOG, {"title": "x", "colour": "red"})
    assert answer.status_code == 422
    assert Decision.all_objects.count() == 0


def test_the_list_costs_the_same_queries_for_more_rows(
    dev: Client,
    owner: Persona,
    product: Product,
    item: BacklogItem,
    problem: Problem,
    django_assert_max_num_queries: Any,
) -> None:
    for index in range(12):
        services.decision_create(
            actor=owner.actor,
            product=product,
            title=f"Decision {index}",
            status="decided",
            links=[f"item:{item.key}", f"problem:{problem.pk}"],
        )
    with django_assert_max_num_queries(20):
        answer = dev.get(LOG)
    assert answer.status_code == 200
    assert len(answer.json()["items"]) == 12
