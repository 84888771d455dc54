"""The releases API: conventions (ETags, If-Match, problem+json) and bad input, answered with
a field to fix and nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.releases import services
from lodestar.releases.models import Release, ReleaseItem, ReleaseState
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

W = "/api/v1/workspaces/acme"
P = W + "/products/ACME"
Clients = Callable[[Persona], Client]


def _send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    return client.generic(
        method,
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=headers,
    )


def _problem(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == "application/problem+json"
    return dict(response.json())


def _url(release: Release, rest: str = "") -> str:
    return f"{P}/releases/{release.pk}{rest}"


def test_create_list_and_get(api_client: Clients, owner: Persona, product: Product) -> None:
    client = api_client(owner)
    made = _send(
        client,
        "POST",
        f"{P}/releases",
        {"name": "2026.1", "description": "*Fast*", "target_date": "2026-06-30"},
    )
    assert made.status_code == 201
    assert made["ETag"] == '"1"'
    body = made.json()
    assert body["state"] == "planned"
    assert body["description_html"] == "<p><em>Fast</em></p>\n"
    listed = client.get(f"{P}/releases").json()
    assert [r["name"] for r in listed["items"]] == ["2026.1"]
    detail = client.get(f"{P}/releases/{body['id']}").json()
    assert detail["checklist"]["ready"] is False
    assert detail["checklist"]["unmet"] == [
        "Every item is done or dropped",
        "Success criteria are defined",
        "Release notes are written",
    ]


def test_a_duplicate_name_is_a_422(api_client: Clients, owner: Persona, release: Release) -> None:
    response = _send(api_client(owner), "POST", f"{P}/releases", {"name": "2026.1"})
    assert response.status_code == 422
    problem = _problem(response)
    assert problem["code"] == "release_name_taken"
    assert problem["errors"][0]["field"] == "name"
    assert Release.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "target_date": "next week"}, "target_date"),
        ({"name": "x", "state": "live"}, "state"),
        ({}, "name"),
    ],
)
def test_bad_release_input_names_the_field(
    api_client: Clients, owner: Persona, product: Product, body: dict[str, Any], field: str
) -> None:
    response = _send(api_client(owner), "POST", f"{P}/releases", body)
    assert response.status_code == 422
    assert field in json.dumps(_problem(response)["errors"])
    assert not Release.objects.exists()


def test_invalid_transitions_are_422(api_client: Clients, owner: Persona, release: Release) -> None:
    client = api_client(owner)
    response = _send(client, "PATCH", _url(release), {"state": "live"})
    assert response.status_code == 422
    response = _send(client, "PATCH", _url(release), {"state": "cancelled"})
    assert response.status_code == 200
    response = _send(client, "PATCH", _url(release), {"state": "in_progress"})
    assert response.status_code == 422
    problem = _problem(response)
    assert problem["code"] == "release_transition_invalid"
    assert "cancelled release can move to planned" in problem["errors"][0]["message"]


def test_a_stale_if_match_is_412(api_client: Clients, owner: Persona, release: Release) -> None:
    response = _send(
        api_client(owner), "PATCH", _url(release), {"name": "Old"}, **{"If-Match": '"1"'}
    )
    assert response.status_code == 412
    release.refresh_from_db()
    assert release.name == "2026.1"


def test_target_date_can_be_cleared(api_client: Clients, owner: Persona, product: Product) -> None:
    release = services.release_create(
        actor=owner.actor, product=product, name="x", target_date=None
    )
    client = api_client(owner)
    assert (
        _send(client, "PATCH", _url(release), {"target_date": "2026-05-01"}).json()["target_date"]
        == "2026-05-01"
    )
    assert (
        _send(client, "PATCH", _url(release), {"target_date": None}).json()["target_date"] is None
    )


def test_items_of_another_product_or_workspace_are_422_naming_them(
    api_client: Clients,
    owner: Persona,
    outsider: Persona,
    release: Release,
    make_item: MakeItem,
) -> None:
    other = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    theirs = make_item("Theirs", product=other)
    response = _send(api_client(owner), "POST", _url(release, "/items"), {"items": [theirs.key]})
    assert response.status_code == 422
    problem = _problem(response)
    assert problem["errors"] == [
        {
            "field": "items[0]",
            "message": "BETA-1 is not in the backlog of ACME; a release holds its own product's "
            "items",
        }
    ]
    elsewhere = strategy.product_create(actor=outsider.actor, key="GLOB", name="Globex")
    foreign = backlog.item_create(actor=outsider.actor, product=elsewhere, title="Foreign")
    response = _send(
        api_client(owner), "POST", _url(release, "/items"), {"items": ["ACME-1", foreign.key]}
    )
    assert response.status_code == 422
    assert _problem(response)["errors"][0]["field"] == "items[1]"
    assert ReleaseItem.objects.filter(release=release).count() == 2


def test_items_listed_dropped_and_removed(
    api_client: Clients, owner: Persona, release: Release, items: list[BacklogItem]
) -> None:
    client = api_client(owner)
    response = _send(client, "POST", _url(release, "/items/drop"), {"items": [items[0].key]})
    assert response.status_code == 422
    assert "reason" in json.dumps(_problem(response)["errors"])
    response = _send(
        client, "POST", _url(release, "/items/drop"), {"items": [items[0].key], "reason": " "}
    )
    assert _problem(response)["code"] == "release_drop_reason_required"
    response = _send(
        client,
        "POST",
        _url(release, "/items/drop"),
        {"items": [items[0].key], "reason": "Next quarter"},
    )
    assert response.status_code == 200
    listed = client.get(_url(release, "/items")).json()["items"]
    assert [(i["key"], i["dropped"], i["drop_reason"]) for i in listed] == [
        ("ACME-1", True, "Next quarter"),
        ("ACME-2", False, ""),
    ]
    assert client.delete(_url(release, "/items/ACME-2")).status_code == 204
    response = client.delete(_url(release, "/items/ACME-2"))
    assert response.status_code == 422
    assert _problem(response)["code"] == "release_item_not_in_release"


def test_going_live_with_unmet_checks_is_refused_naming_them(
    api_client: Clients, owner: Persona, release: Release
) -> None:
    response = _send(api_client(owner), "POST", _url(release, "/go-live"), {})
    assert response.status_code == 422
    problem = _problem(response)
    assert problem["code"] == "release_checks_unmet"
    assert [e["field"] for e in problem["errors"]] == ["checks", "checks"]
    assert problem["errors"][0]["message"].startswith("Every item is done or dropped: 2 of 2")
    assert problem["errors"][1]["message"].startswith("Release notes are written")
    assert "force it with a reason" in problem["detail"]
    release.refresh_from_db()
    assert release.state == ReleaseState.PLANNED


def test_forcing_without_a_reason_is_422(
    api_client: Clients, po: Persona, release: Release
) -> None:
    response = _send(api_client(po), "POST", _url(release, "/go-live"), {"force": True})
    assert response.status_code == 422
    problem = _problem(response)
    assert problem["code"] == "release_force_reason_required"
    assert problem["errors"][0]["field"] == "reason"


def test_forcing_by_someone_not_the_po_is_403(
    api_client: Clients, developer: Persona, release: Release
) -> None:
    response = _send(
        api_client(developer), "POST", _url(release, "/go-live"), {"force": True, "reason": "Now"}
    )
    assert response.status_code == 403
    assert _problem(response)["code"] == "forbidden_decide_release"
    release.refresh_from_db()
    assert release.state == ReleaseState.PLANNED


def test_the_po_forces_it_and_it_shows(api_client: Clients, po: Persona, release: Release) -> None:
    response = _send(
        api_client(po),
        "POST",
        _url(release, "/go-live"),
        {"force": True, "reason": "The launch event is today"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "live"
    assert body["forced"] is True
    assert body["forced_by"] == "po@acme.test"
    assert body["force_reason"] == "The launch event is today"
    assert body["forced_checks"] == ["Every item is done or dropped", "Release notes are written"]
    again = _send(api_client(po), "POST", _url(release, "/go-live"), {})
    assert again.status_code == 422


def test_product_checks_are_ticked_per_release(
    api_client: Clients, owner: Persona, release: Release
) -> None:
    client = api_client(owner)
    made = _send(client, "POST", f"{P}/release-checks", {"label": "Support briefed"})
    assert made.status_code == 201
    check = made.json()["id"]
    duplicate = _send(client, "POST", f"{P}/release-checks", {"label": "support BRIEFED"})
    assert _problem(duplicate)["code"] == "release_check_label_taken"
    listed = client.get(_url(release, "/checks")).json()
    assert listed["unmet"][-1] == "Support briefed"
    ticked = _send(client, "PUT", _url(release, f"/checks/{check}"), {"ticked": True}).json()
    assert "Support briefed" not in ticked["unmet"]
    assert (
        _send(client, "PUT", _url(release, "/checks/999999"), {"ticked": True}).status_code == 404
    )


def test_notes_draft_and_save(
    api_client: Clients, owner: Persona, release: Release, items: list[BacklogItem]
) -> None:
    backlog.item_update(actor=owner.actor, item=items[1], status="done")
    client = api_client(owner)
    got = client.get(_url(release, "/notes"))
    assert got.json()["notes"] == ""
    assert "## Fixed\n\n- Charts cut off on phones (ACME-2)" in got.json()["draft"]
    saved = _send(
        client, "PUT", _url(release, "/notes"), {"notes": "# Notes\n\n<img src=x onerror=alert(1)>"}
    )
    assert saved.status_code == 200
    assert "onerror" not in saved.json()["notes_html"]
    stale = _send(client, "PUT", _url(release, "/notes"), {"notes": "x"}, **{"If-Match": '"1"'})
    assert stale.status_code == 412
    too_long = _send(client, "PUT", _url(release, "/notes"), {"notes": "x" * 50_001})
    assert too_long.status_code == 422


def test_forecast_answers_why_without_history(
    api_client: Clients, viewer: Persona, release: Release
) -> None:
    body = api_client(viewer).get(_url(release, "/forecast")).json()
    assert body["remaining"] == 2
    assert body["dates"] == []
    assert body["calibration"] is None
    assert "finished anything yet" in body["reason"]


def test_a_release_of_another_product_is_404(
    api_client: Clients, owner: Persona, release: Release
) -> None:
    strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    response = api_client(owner).get(f"{W}/products/BETA/releases/{release.pk}")
    assert response.status_code == 404


def test_the_list_reads_a_constant_number_of_queries(
    api_client: Clients, owner: Persona, product: Product, make_item: MakeItem
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client(owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{P}/releases").status_code == 200
        return len(queries)

    def more(n: int) -> None:
        for _ in range(n):
            release = services.release_create(
                actor=owner.actor, product=product, name=f"R{Release.objects.count()}"
            )
            services.release_items_add(actor=owner.actor, release=release, items=[make_item()])
            services.release_go_live(actor=owner.actor, release=release, force=True, reason="x")

    more(2)
    count()  # the token's first use writes its last-used time
    few = count()
    more(6)
    assert count() == few
