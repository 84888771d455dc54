"""Versions, ETag and If-Match: a write on a stale view answers 412 and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.people.models import Membership, Team
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product, ProductOwnerHat
from tests.conftest import Persona
from tests.strategy.conftest import give_hat_to_po

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme"


@pytest.fixture
def client(owner: Persona, api_client: Callable[[Persona], Client]) -> Client:
    return api_client(owner)


def send(client: Client, method: str, url: str, body: Any, etag: str | None = None) -> Any:
    headers = {"If-Match": etag} if etag is not None else {}
    return client.generic(
        method, url, json.dumps(body), content_type="application/json", headers=headers
    )


def test_a_member_carries_its_version(client: Client, pm: Persona) -> None:
    url = f"{API}/members/{pm.email}"
    etag = client.get(url)["ETag"]
    assert etag == '"1"'
    updated = send(client, "PATCH", url, {"job_title": "Head of Product"}, etag)
    assert updated.status_code == 200
    assert updated["ETag"] == '"2"'
    assert updated.json()["version"] == 2
    stale = send(client, "PATCH", url, {"job_title": "Intern"}, etag)
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert stale.json()["code"] == "stale_version"
    assert Membership.objects.get(pk=pm.membership.pk).job_title == "Head of Product"


@pytest.mark.parametrize("etag", ['W/"1"', "1", "*"])
def test_if_match_accepts_weak_bare_and_any(client: Client, team: Team, etag: str) -> None:
    response = send(client, "PATCH", f"{API}/teams/core", {"name": "Core Platform"}, etag)
    assert response.status_code == 200


def test_without_if_match_the_write_goes_through(client: Client, team: Team) -> None:
    Team.objects.filter(pk=team.pk).update(version=9)
    response = send(client, "PATCH", f"{API}/teams/core", {"name": "Renamed"})
    assert response.status_code == 200
    assert response["ETag"] == '"10"'


def test_a_team_on_a_stale_view(client: Client, team: Team) -> None:
    etag = client.get(f"{API}/teams/core")["ETag"]
    assert send(client, "PATCH", f"{API}/teams/core", {"name": "A"}, etag).status_code == 200
    assert send(client, "PATCH", f"{API}/teams/core", {"name": "B"}, etag).status_code == 412
    assert Team.objects.get(pk=team.pk).name == "A"


@pytest.fixture
def acme(request: pytest.FixtureRequest, owner: Persona, team: Team) -> Product:
    """Product ACME, worked on by team ``core``, whose product owner is ``po``."""
    product = strategy.product_create(actor=owner.actor, key="ACME", name="Acme")
    strategy.team_product_set(actor=owner.actor, team=team, product=product)
    give_hat_to_po(request, product)
    return product


def test_the_hat_does_not_move_on_a_stale_view(
    client: Client, po: Persona, developer: Persona, pm: Persona, acme: Product
) -> None:
    url = f"{API}/products/ACME/product-owner"
    etag = client.get(url)["ETag"]
    assert send(client, "PUT", url, {"member": developer.email}, etag).status_code == 200
    stale = send(client, "PUT", url, {"member": pm.email}, etag)
    assert stale.status_code == 412
    holder = ProductOwnerHat.objects.get(product=acme, ended_at=None)
    assert holder.member == developer.membership


def test_changing_the_product_makes_a_hat_view_stale(
    client: Client, po: Persona, pm: Persona, acme: Product
) -> None:
    url = f"{API}/products/ACME/product-owner"
    etag = client.get(url)["ETag"]
    send(client, "PATCH", f"{API}/products/ACME", {"vision": "Sharper"})
    assert send(client, "PUT", url, {"member": pm.email}, etag).status_code == 412
    assert ProductOwnerHat.objects.get(product=acme, ended_at=None).member == po.membership


def test_removing_a_member_on_a_stale_view(client: Client, pm: Persona) -> None:
    url = f"{API}/members/{pm.email}"
    etag = client.get(url)["ETag"]
    send(client, "PATCH", url, {"job_title": "CPO"})
    response = client.delete(url, headers={"If-Match": etag})
    assert response.status_code == 412
    assert Membership.objects.filter(pk=pm.membership.pk).exists()
