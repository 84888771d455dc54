"""Scores, scorecards and the suggested order through the services and the HTTP API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.backlog.prioritization import selectors, services
from lodestar.backlog.prioritization.models import Score, Scorecard
from lodestar.core.errors import Forbidden, Invalid, StaleVersion
from lodestar.core.models import HistoryEntry
from lodestar.core.ranking import keys_between
from lodestar.people.models import Team, Workspace
from lodestar.strategy.models import Product, ProductTeam
from tests.conftest import Persona
from tests.strategy.conftest import give_hat_to_po

Clients = Callable[[Persona], Client]
W = "/api/v1/workspaces/acme"
RICE = {"reach": 500, "impact": 2, "confidence": 80, "effort": 2}
WSJF = {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 5}


def make_items(product: Product, count: int, *, start: int = 1) -> list[BacklogItem]:
    ranks = keys_between(
        BacklogItem.objects.filter(product=product)
        .order_by("-rank")
        .values_list("rank", flat=True)
        .first(),
        None,
        count,
    )
    items = [
        BacklogItem(
            workspace_id=product.workspace_id,
            product=product,
            number=start + i,
            key=f"{product.key}-{start + i}",
            title=f"Item {start + i}",
            rank=rank,
        )
        for i, rank in enumerate(ranks)
    ]
    BacklogItem.objects.bulk_create(items)
    return items


@pytest.fixture
def product(request: pytest.FixtureRequest, workspace: Workspace, team: Team) -> Product:
    product = Product.objects.create(workspace=workspace, key="ACME", name="Acme")
    ProductTeam.objects.create(team=team, product=product)
    give_hat_to_po(request, product)
    return product


@pytest.fixture
def items(product: Product) -> list[BacklogItem]:
    return make_items(product, 6)


def put(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json", headers=headers)


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def errors_of(response: Any) -> dict[str, str]:
    assert response["Content-Type"] == "application/problem+json"
    return {e["field"]: e["message"] for e in response.json().get("errors", [])}


def order(product: Product) -> list[str]:
    return list(
        BacklogItem.objects.filter(product=product).order_by("rank").values_list("key", flat=True)
    )


# --- scoring -----------------------------------------------------------------------------------


def test_put_score_answers_with_its_explanation(
    api_client: Clients, po: Persona, items: list[BacklogItem]
) -> None:
    response = put(api_client(po), f"{W}/items/ACME-1/score", {"framework": "rice", "inputs": RICE})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["value"] == 400
    assert body["explanation"]["arithmetic"] == "500 x 2 x 80% / 2 = 400"
    today = timezone.localdate().isoformat()
    sources = {i["field"]: i["source"] for i in body["explanation"]["inputs"]}
    assert sources["reach"] == f"entered by Po on {today}"
    assert response["ETag"] == '"1"'
    assert body["entered_by"] == "po@acme.test"


def test_get_score_lists_every_framework_scored(
    api_client: Clients, po: Persona, viewer: Persona, items: list[BacklogItem]
) -> None:
    services.score_set(actor=po.actor, item=items[0], framework="wsjf", inputs=WSJF)
    services.score_set(actor=po.actor, item=items[0], framework="rice", inputs=RICE)
    response = api_client(viewer).get(f"{W}/items/acme-1/score")
    assert response.status_code == 200
    scores = response.json()["scores"]
    assert [s["framework"] for s in scores] == ["rice", "wsjf"]
    assert scores[1]["explanation"]["arithmetic"] == "(8 + 5 + 3) / 5 = 3.2"
    assert "(8 + 5 + 3) / 5 = 3.2" in scores[1]["explanation"]["text"]


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"framework": "rice", "inputs": {**RICE, "effort": -1}}, "inputs.effort", "0.01 to 1000"),
        ({"framework": "rice", "inputs": {**RICE, "confidence": 101}}, "inputs.confidence", "100"),
        ({"framework": "rice", "inputs": {**RICE, "impact": 4}}, "inputs.impact", "one of 0.25"),
        ({"framework": "rice", "inputs": {**RICE, "mood": 1}}, "inputs.mood", "not an input"),
        ({"framework": "rice", "inputs": {**RICE, "reach": "500"}}, "inputs.reach", "number"),
        ({"framework": "rice", "inputs": {**RICE, "reach": True}}, "inputs.reach", "number"),
        ({"framework": "rice", "inputs": {"reach": 5}}, "inputs.effort", "required"),
        ({"framework": "wsjf", "inputs": {**WSJF, "job_size": 0}}, "inputs.job_size", "0.1 to 21"),
        ({"framework": "moscow", "inputs": RICE}, "framework", "rice"),
        ({"framework": "rice", "inputs": RICE, "note": "x"}, "note", "not a field"),
        ({"framework": "scorecard", "inputs": {"fit": 1}}, "framework", "no scorecard"),
    ],
)
def test_bad_score_input_is_422_naming_the_field_and_writes_nothing(
    api_client: Clients,
    po: Persona,
    items: list[BacklogItem],
    body: dict[str, Any],
    field: str,
    says: str,
) -> None:
    response = put(api_client(po), f"{W}/items/ACME-1/score", body)
    assert response.status_code == 422, response.content
    assert says in errors_of(response)[field]
    assert not Score.objects.exists()
    assert not HistoryEntry.objects.filter(object_type="backlog.backlogitem").exists()


def test_viewer_cannot_score(
    api_client: Clients, viewer: Persona, items: list[BacklogItem]
) -> None:
    response = put(
        api_client(viewer),
        f"{W}/items/ACME-1/score",
        {"framework": "ice", "inputs": {"impact": 5, "confidence": 5, "ease": 5}},
    )
    assert response.status_code == 403
    assert not Score.objects.exists()


def test_item_of_another_workspace_is_404(
    api_client: Clients, outsider: Persona, po: Persona, items: list[BacklogItem]
) -> None:
    services.score_set(actor=po.actor, item=items[0], framework="rice", inputs=RICE)
    client = api_client(outsider)
    assert client.get("/api/v1/workspaces/globex/items/ACME-1/score").status_code == 404
    missing = put(
        client,
        "/api/v1/workspaces/globex/items/ACME-1/score",
        {"framework": "rice", "inputs": RICE},
    )
    assert missing.status_code == 404
    assert Score.objects.get().value == 400


def test_stale_if_match_is_412_and_keeps_the_score(
    api_client: Clients, po: Persona, developer: Persona, items: list[BacklogItem]
) -> None:
    services.score_set(actor=po.actor, item=items[0], framework="rice", inputs=RICE)
    # Someone else changes the effort meanwhile (a developer's call), then the reach.
    services.score_set(
        actor=developer.actor, item=items[0], framework="rice", inputs={**RICE, "effort": 4}
    )
    services.score_set(
        actor=po.actor, item=items[0], framework="rice", inputs={**RICE, "effort": 4, "reach": 600}
    )
    response = put(
        api_client(po),
        f"{W}/items/ACME-1/score",
        {"framework": "rice", "inputs": {**RICE, "reach": 50}},
        **{"If-Match": '"1"'},
    )
    assert response.status_code == 412
    assert Score.objects.get().inputs["reach"] == 600


def test_rescoring_keeps_who_entered_the_unchanged_inputs(
    po: Persona, developer: Persona, items: list[BacklogItem]
) -> None:
    first = services.score_set(actor=po.actor, item=items[0], framework="rice", inputs=RICE)
    again = services.score_set(
        actor=developer.actor,
        item=items[0],
        framework="rice",
        inputs={**RICE, "effort": 4},
        expected_version=first.version,
    )
    sources = {i["field"]: i["source"] for i in again.explanation["inputs"]}
    assert sources["reach"].startswith("entered by Po on")
    assert sources["effort"].startswith("entered by Dev on")
    assert again.value == 200
    assert again.version == 2
    history = HistoryEntry.objects.filter(object_type="backlog.backlogitem", object_id=items[0].pk)
    assert history.count() == 2
    assert history.first() is not None
    assert history.first().changes["score_rice"][1]["value"] == 200  # type: ignore[union-attr]


def test_same_inputs_again_write_nothing(po: Persona, items: list[BacklogItem]) -> None:
    services.score_set(actor=po.actor, item=items[0], framework="rice", inputs=RICE)
    again = services.score_set(actor=po.actor, item=items[0], framework="rice", inputs=RICE)
    assert again.version == 1
    assert HistoryEntry.objects.count() == 1


def test_expected_version_without_a_score_is_stale(po: Persona, items: list[BacklogItem]) -> None:
    with pytest.raises(StaleVersion):
        services.score_set(
            actor=po.actor, item=items[0], framework="rice", inputs=RICE, expected_version=3
        )


def test_delete_score(
    api_client: Clients, po: Persona, developer: Persona, items: list[BacklogItem]
) -> None:
    services.score_set(actor=po.actor, item=items[0], framework="rice", inputs=RICE)
    # Taking a score away drops its business value: the product owner's call.
    assert api_client(developer).delete(f"{W}/items/ACME-1/score/rice").status_code == 403
    client = api_client(po)
    assert client.delete(f"{W}/items/ACME-1/score/rice").status_code == 204
    assert not Score.objects.exists()
    assert client.delete(f"{W}/items/ACME-1/score/rice").status_code == 404
    assert "framework" in errors_of(client.delete(f"{W}/items/ACME-1/score/moscow"))


# --- scorecard ---------------------------------------------------------------------------------

CRITERIA = [
    {"key": "fit", "label": "Strategic fit", "weight": 3, "scale_min": 1, "scale_max": 5},
    {"key": "risk", "label": "Delivery risk", "weight": 1, "lower_is_better": True},
]


def test_product_owner_sets_the_scorecard_and_items_score_with_it(
    api_client: Clients, po: Persona, developer: Persona, items: list[BacklogItem]
) -> None:
    response = put(api_client(po), f"{W}/products/ACME/scorecard", {"criteria": CRITERIA})
    assert response.status_code == 200, response.content
    assert [c["key"] for c in response.json()["criteria"]] == ["fit", "risk"]
    body = {"framework": "scorecard", "inputs": {"fit": 4, "risk": 3}}
    # A scorecard's criteria are business value: the product owner scores with them.
    assert put(api_client(developer), f"{W}/items/ACME-1/score", body).status_code == 403
    scored = put(api_client(po), f"{W}/items/ACME-1/score", body)
    assert scored.status_code == 200, scored.content
    assert scored.json()["explanation"]["arithmetic"] == "(3 x 75 + 1 x 70) / 4 = 73.75"
    got = api_client(developer).get(f"{W}/products/ACME/scorecard")
    assert got.status_code == 200
    assert got["ETag"] == '"1"'


def test_developer_cannot_change_the_scorecard(
    api_client: Clients, developer: Persona, product: Product
) -> None:
    response = put(api_client(developer), f"{W}/products/ACME/scorecard", {"criteria": CRITERIA})
    assert response.status_code == 403
    assert not Scorecard.objects.exists()


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        ([{"key": "fit", "weight": 0}], "criteria.0.weight"),
        ([{"key": "fit", "weight": "heavy"}], "criteria.0.weight"),
        ([{"key": "Fit!", "weight": 1}], "criteria.0.key"),
        ([{"key": "fit", "weight": 1, "scale_min": 5, "scale_max": 1}], "criteria.0.scale_max"),
        ([{"key": "fit", "weight": 1}, {"key": "fit", "weight": 1}], "criteria.1.key"),
        ([{"key": "fit", "weight": 1, "colour": "red"}], "criteria.0.colour"),
        ([], "criteria"),
    ],
)
def test_bad_scorecard_is_422_naming_the_field(
    api_client: Clients, admin: Persona, product: Product, criteria: list[Any], field: str
) -> None:
    response = put(api_client(admin), f"{W}/products/ACME/scorecard", {"criteria": criteria})
    assert response.status_code == 422, response.content
    assert field in errors_of(response)
    assert not Scorecard.objects.exists()


def test_changing_the_scorecard_rescores_and_marks_misfits_stale(
    po: Persona, product: Product, items: list[BacklogItem]
) -> None:
    services.scorecard_set(actor=po.actor, product=product, criteria=CRITERIA)
    services.score_set(
        actor=po.actor, item=items[0], framework="scorecard", inputs={"fit": 5, "risk": 0}
    )
    services.score_set(
        actor=po.actor, item=items[1], framework="scorecard", inputs={"fit": 1, "risk": 10}
    )
    reweighted = [{**CRITERIA[0], "weight": 1}, {**CRITERIA[1], "scale_max": 5}]
    services.scorecard_set(actor=po.actor, product=product, criteria=reweighted)
    first, second = (Score.objects.get(item=item) for item in items[:2])
    assert first.value == 100
    assert not first.stale
    assert first.explanation["arithmetic"] == "(1 x 100 + 1 x 100) / 2 = 100"
    assert second.stale  # risk 10 does not fit the new 0-5 scale
    suggestion = selectors.suggest_order(actor=po.actor, product=product, framework="scorecard")
    assert suggestion.unscored[0] == "ACME-2"


def test_a_card_without_scorecard_is_404(
    api_client: Clients, po: Persona, product: Product
) -> None:
    response = api_client(po).get(f"{W}/products/ACME/scorecard")
    assert response.status_code == 404
    assert response.json()["code"] == "scorecard_missing"


# --- suggested order ---------------------------------------------------------------------------


def _score_rice(actor: Persona, items: list[BacklogItem], reaches: dict[int, int]) -> None:
    for index, reach in reaches.items():
        services.score_set(
            actor=actor.actor, item=items[index], framework="rice", inputs={**RICE, "reach": reach}
        )


def test_suggest_order_shows_differences_and_keeps_unscored_in_place(
    api_client: Clients, po: Persona, viewer: Persona, items: list[BacklogItem]
) -> None:
    # ACME-2 and ACME-5 are unscored; ACME-6 is done (not part of the suggestion).
    _score_rice(po, items, {0: 100, 2: 900, 3: 500, 5: 9999})
    BacklogItem.objects.filter(pk=items[5].pk).update(status=ItemStatus.DONE)
    response = api_client(viewer).get(f"{W}/products/ACME/suggest-order?framework=rice")
    assert response.status_code == 200, response.content
    body = response.json()
    rows = {row["key"]: row for row in body["items"]}
    assert [row["key"] for row in body["items"]] == [
        "ACME-3",
        "ACME-2",
        "ACME-4",
        "ACME-1",
        "ACME-5",
    ]
    assert (rows["ACME-3"]["change"], rows["ACME-3"]["moved"]) == ("up", 2)
    assert (rows["ACME-1"]["change"], rows["ACME-1"]["moved"]) == ("down", -3)
    assert rows["ACME-2"]["change"] == "unscored"
    assert (rows["ACME-4"]["change"], rows["ACME-4"]["moved"]) == ("up", 1)
    assert rows["ACME-5"]["moved"] == 0
    assert body["unscored"] == ["ACME-2", "ACME-5"]
    assert body["moves_needed"] == 2  # e.g. ACME-3 to the top and ACME-1 below ACME-4
    assert rows["ACME-3"]["arithmetic"] == "900 x 2 x 80% / 2 = 720"


def test_suggest_order_needs_a_known_framework(
    api_client: Clients, po: Persona, product: Product
) -> None:
    client = api_client(po)
    assert client.get(f"{W}/products/ACME/suggest-order").json()["framework"] == "rice"
    bad = client.get(f"{W}/products/ACME/suggest-order?framework=moscow")
    assert "framework" in errors_of(bad)


def test_developer_may_size_but_not_apply_the_suggested_order(
    api_client: Clients, po: Persona, developer: Persona, items: list[BacklogItem], product: Product
) -> None:
    for index, reach in {0: 10, 1: 20, 2: 30}.items():
        response = put(
            api_client(po),
            f"{W}/items/ACME-{index + 1}/score",
            {"framework": "rice", "inputs": {**RICE, "reach": reach}},
        )
        assert response.status_code == 200
    client = api_client(developer)
    sized = put(
        client,
        f"{W}/items/ACME-1/score",
        {"framework": "rice", "inputs": {**RICE, "reach": 10, "effort": 3}},
    )
    assert sized.status_code == 200, sized.content
    before = list(BacklogItem.objects.order_by("id").values_list("key", "rank", "version"))
    response = post(client, f"{W}/products/ACME/suggest-order/apply", {"framework": "rice"})
    assert response.status_code == 403
    assert list(BacklogItem.objects.order_by("id").values_list("key", "rank", "version")) == before


def test_product_owner_applies_all_of_it_writing_only_the_moved_rows(
    api_client: Clients, po: Persona, items: list[BacklogItem], product: Product
) -> None:
    _score_rice(po, items, {0: 100, 1: 200, 2: 300, 3: 400, 4: 500, 5: 600})
    ranks = dict(BacklogItem.objects.values_list("key", "rank"))
    response = post(api_client(po), f"{W}/products/ACME/suggest-order/apply", {"framework": "rice"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert order(product) == [f"ACME-{n}" for n in (6, 5, 4, 3, 2, 1)]
    changed = {
        key for key, rank in BacklogItem.objects.values_list("key", "rank") if ranks[key] != rank
    }
    assert changed == set(body["moved"])
    assert len(changed) == 5  # reversing six items: one stays, five move
    assert body["suggestion"]["moves_needed"] == 0
    assert HistoryEntry.objects.filter(action=HistoryEntry.Action.MOVED).count() == 5


def test_product_owner_applies_part_of_it(
    po: Persona, items: list[BacklogItem], product: Product
) -> None:
    _score_rice(po, items, {0: 100, 1: 200, 2: 300, 3: 400, 4: 500, 5: 600})
    moved = services.suggest_apply(
        actor=po.actor, product=product, framework="rice", item_keys=["acme-6"]
    )
    assert [item.key for item in moved] == ["ACME-6"]
    assert order(product) == ["ACME-6", "ACME-1", "ACME-2", "ACME-3", "ACME-4", "ACME-5"]
    assert (
        services.suggest_apply(actor=po.actor, product=product, framework="rice", item_keys=[])
        == []
    )


def test_applying_unknown_items_is_422_and_moves_nothing(
    api_client: Clients, po: Persona, items: list[BacklogItem], product: Product
) -> None:
    _score_rice(po, items, {0: 100, 5: 600})
    BacklogItem.objects.filter(pk=items[2].pk).update(status=ItemStatus.DONE)
    before = order(product)
    response = post(
        api_client(po),
        f"{W}/products/ACME/suggest-order/apply",
        {"framework": "rice", "items": ["ACME-6", "ACME-3", "NOPE-1"]},
    )
    assert response.status_code == 422
    assert set(errors_of(response)) == {"items.1", "items.2"}
    assert order(product) == before


def test_apply_service_refuses_a_developer(
    developer: Persona, items: list[BacklogItem], product: Product
) -> None:
    with pytest.raises(Forbidden):
        services.suggest_apply(actor=developer.actor, product=product, framework="rice")


def test_scorecard_service_refuses_a_developer_and_bad_criteria(
    developer: Persona, admin: Persona, product: Product
) -> None:
    with pytest.raises(Forbidden):
        services.scorecard_set(actor=developer.actor, product=product, criteria=CRITERIA)
    with pytest.raises(Invalid) as error:
        services.scorecard_set(actor=admin.actor, product=product, criteria=[{"key": "x"}])
    assert error.value.errors[0].field == "criteria.0.weight"


# --- query budgets -----------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_the_page(
    api_client: Clients,
    po: Persona,
    product: Product,
    django_assert_max_num_queries: Any,
) -> None:
    items = make_items(product, 40)
    for item in items:
        services.score_set(actor=po.actor, item=item, framework="rice", inputs=RICE)
        services.score_set(actor=po.actor, item=item, framework="wsjf", inputs=WSJF)
    client = api_client(po)
    client.get(f"{W}/products/ACME/scores")  # the token's first use writes when it was used
    small = _queries(client, f"{W}/products/ACME/scores?limit=5")
    large = _queries(client, f"{W}/products/ACME/scores?limit=40")
    assert small == large
    page = client.get(f"{W}/products/ACME/scores?limit=5&framework=wsjf").json()
    assert [s["framework"] for s in page["items"][0]["scores"]] == ["wsjf"]
    assert page["next_cursor"]
    few = _queries(client, f"{W}/products/ACME/suggest-order?framework=rice")
    make_items(product, 40, start=41)
    assert _queries(client, f"{W}/products/ACME/suggest-order?framework=rice") == few
    with django_assert_max_num_queries(10):
        client.get(f"{W}/items/ACME-1/score")


def test_scores_by_item_is_one_query(
    po: Persona, items: list[BacklogItem], django_assert_num_queries: Any
) -> None:
    for item in items:
        services.score_set(
            actor=po.actor,
            item=item,
            framework="ice",
            inputs={"impact": 5, "confidence": 5, "ease": 5},
        )
    with django_assert_num_queries(1):
        grouped = selectors.scores_by_item(actor=po.actor, items=items)
    assert {len(scores) for scores in grouped.values()} == {1}


# --- demo --------------------------------------------------------------------------------------


def test_demo_scores_most_items_so_that_suggestions_differ(po: Persona, product: Product) -> None:
    from lodestar.backlog.prioritization import demo

    make_items(product, 30)
    scored = demo.seed(product)
    assert 20 <= scored < 30  # most, not all: some items are waiting for a score
    rice = Score.objects.filter(framework="rice")
    assert rice.count() == Score.objects.filter(framework="wsjf").count() == scored
    assert rice.values("value").distinct().count() > 15  # varied, not a flat list
    assert {s.entered_by_id for s in rice} == {po.user.pk}  # the product owner scored them
    for framework in ("rice", "wsjf", "scorecard"):
        suggestion = selectors.suggest_order(actor=po.actor, product=product, framework=framework)
        assert suggestion.moves_needed > 0
    values = list(rice.order_by("item_id").values_list("value", flat=True))
    assert demo.seed(product) == scored
    assert list(rice.order_by("item_id").values_list("value", flat=True)) == values
