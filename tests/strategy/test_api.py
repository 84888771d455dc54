"""The strategy API: products, Product Goals, a team's product."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

from lodestar.people.models import Team
from lodestar.strategy import services
from lodestar.strategy.models import GoalStatus, Product, ProductGoal
from tests.conftest import Persona

ApiClient = Callable[[Persona], Client]
BASE = "/api/v1/workspaces/acme"


def _send(client: Client, method: str, url: str, body: Any, **headers: str) -> Any:
    return client.generic(
        method, url, json.dumps(body), content_type="application/json", headers=headers
    )


def test_create_and_read_a_product(api_client: ApiClient, owner: Persona) -> None:
    client = api_client(owner)
    response = _send(
        client,
        "POST",
        f"{BASE}/products",
        {"key": "SHOP", "name": "Shop", "vision": "Sell **more**", "estimate_scale": [1, 2, "?"]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key"] == "SHOP"
    assert body["vision_html"] == "<p>Sell <strong>more</strong></p>\n"
    assert body["estimate_scale"] == ["1", "2", "?"]
    assert body["goal"] is None
    assert body["teams"] == []
    assert response["ETag"] == '"1"'
    got = client.get(f"{BASE}/products/shop")
    assert got.status_code == 200
    assert got.json()["name"] == "Shop"


def test_bad_key_names_the_field(api_client: ApiClient, owner: Persona) -> None:
    response = _send(api_client(owner), "POST", f"{BASE}/products", {"key": "ab1", "name": "X"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "key"
    assert not Product.objects.exists()


def test_unknown_field_is_refused(api_client: ApiClient, owner: Persona, product: Product) -> None:
    response = _send(api_client(owner), "PATCH", f"{BASE}/products/ACME", {"key": "NEW"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "key"


def test_list_products_with_a_constant_number_of_queries(
    api_client: ApiClient,
    owner: Persona,
    product: Product,
    team: Team,
    django_assert_max_num_queries: Any,
) -> None:
    for key in ("BETA", "GAMMA", "DELTA"):
        other = services.product_create(actor=owner.actor, key=key, name=key.title())
        services.goal_set(actor=owner.actor, product=other, statement=f"Goal of {key}")
    client = api_client(owner)
    client.get(f"{BASE}/products")  # warm the token's last-used time
    with django_assert_max_num_queries(7):
        response = client.get(f"{BASE}/products?limit=3")
    body = response.json()
    assert [p["key"] for p in body["items"]] == ["ACME", "BETA", "DELTA"]
    assert body["items"][0]["teams"] == ["core"]
    assert body["items"][1]["goal"]["statement"] == "Goal of BETA"
    rest = client.get(f"{BASE}/products?cursor={body['next_cursor']}").json()
    assert [p["key"] for p in rest["items"]] == ["GAMMA"]


def test_patch_with_stale_etag_is_412(
    api_client: ApiClient, owner: Persona, product: Product
) -> None:
    client = api_client(owner)
    ok = _send(client, "PATCH", f"{BASE}/products/ACME", {"name": "Acme 2"}, **{"If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok["ETag"] == '"2"'
    stale = _send(
        client, "PATCH", f"{BASE}/products/ACME", {"name": "Acme 3"}, **{"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    product.refresh_from_db()
    assert product.name == "Acme 2"


def test_patch_readiness_keeps_other_checks(
    api_client: ApiClient, po: Persona, product: Product
) -> None:
    response = _send(
        api_client(po),
        "PATCH",
        f"{BASE}/products/ACME",
        {"definition_of_ready": {"serves_goal": False}},
    )
    assert response.status_code == 200, response.content
    assert response.json()["definition_of_ready"] == {
        "acceptance_criteria": True,
        "estimate": True,
        "serves_goal": False,
        "max_velocity_share": 50,
        "value_risk_above_points": None,
    }


def test_another_workspace_sees_nothing(
    api_client: ApiClient, outsider: Persona, product: Product
) -> None:
    response = api_client(outsider).get("/api/v1/workspaces/globex/products/ACME")
    assert response.status_code == 404
    assert response.json()["code"] == "product_not_found"


def test_goal_lifecycle(api_client: ApiClient, po: Persona, product: Product) -> None:
    client = api_client(po)
    first = _send(client, "POST", f"{BASE}/products/ACME/goals", {"statement": "Activation"})
    assert first.status_code == 201
    second = _send(
        client,
        "POST",
        f"{BASE}/products/ACME/goals",
        {"statement": "Retention", "previous_outcome": "abandoned"},
    )
    assert second.status_code == 201
    goals = client.get(f"{BASE}/products/ACME/goals").json()["items"]
    assert [(g["statement"], g["status"]) for g in goals] == [
        ("Retention", "active"),
        ("Activation", "abandoned"),
    ]
    assert client.get(f"{BASE}/products/ACME").json()["goal"]["statement"] == "Retention"
    goal_id = second.json()["id"]
    closed = _send(client, "PATCH", f"{BASE}/products/ACME/goals/{goal_id}", {"status": "achieved"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "achieved"
    assert closed.json()["ended_at"] is not None
    assert client.get(f"{BASE}/products/ACME").json()["goal"] is None


def test_goal_refusals(
    api_client: ApiClient, developer: Persona, po: Persona, goal: ProductGoal
) -> None:
    url = f"{BASE}/products/ACME/goals"
    assert _send(api_client(developer), "POST", url, {"statement": "Mine"}).status_code == 403
    bad = _send(api_client(po), "POST", url, {"statement": "X", "previous_outcome": "won"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "previous_outcome"
    stale = _send(
        api_client(po),
        "PATCH",
        f"{url}/{goal.pk}",
        {"statement": "Y"},
        **{"If-Match": '"9"'},
    )
    assert stale.status_code == 412
    missing = _send(api_client(po), "PATCH", f"{url}/999999", {"statement": "Y"})
    assert missing.status_code == 404
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACTIVE
    assert ProductGoal.objects.count() == 1


def test_goal_of_another_product_is_404(
    api_client: ApiClient, owner: Persona, goal: ProductGoal
) -> None:
    services.product_create(actor=owner.actor, key="SHOP", name="Shop")
    response = _send(
        api_client(owner), "PATCH", f"{BASE}/products/SHOP/goals/{goal.pk}", {"statement": "Z"}
    )
    assert response.status_code == 404


def test_set_team_product(api_client: ApiClient, owner: Persona, team: Team) -> None:
    services.product_create(actor=owner.actor, key="SHOP", name="Shop")
    client = api_client(owner)
    url = f"{BASE}/teams/core/product"
    response = _send(client, "PUT", url, {"product": "SHOP"})
    assert response.status_code == 200
    assert response.json() == {"team": "core", "product": "SHOP"}
    unknown = _send(client, "PUT", url, {"product": "NOPE"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "product"
    cleared = _send(client, "PUT", url, {"product": None})
    assert cleared.json()["product"] is None


def test_markdown_in_vision_is_rendered_harmless(api_client: ApiClient, owner: Persona) -> None:
    vision = (
        '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[x](javascript:alert(3))'
    )
    response = _send(
        api_client(owner), "POST", f"{BASE}/products", {"key": "XSS", "name": "X", "vision": vision}
    )
    html = response.json()["vision_html"]
    assert "<script" not in html
    assert "onerror" not in html
    assert "href" not in html  # neither the Markdown link nor the raw one keeps its target
