"""RICE reach from evidence: the customers behind an item's problems, each counted once, named
in the explanation, and followed as the evidence changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.models import BacklogItem
from lodestar.backlog.prioritization import services as scoring
from lodestar.backlog.prioritization.models import Score
from lodestar.core.errors import Forbidden, Invalid, StaleVersion
from lodestar.core.trash import trash_move
from lodestar.discovery import services
from lodestar.discovery.models import Customer, Problem, ProductDiscovery
from lodestar.discovery.reach import (
    item_reach,
    product_discovery_get,
    product_discovery_set,
)
from lodestar.discovery.selectors import problem_evidence
from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.discovery.conftest import Capture

ApiClient = Callable[[Persona], Client]
BASE = "/api/v1/workspaces/acme"
RICE = {"impact": 2, "confidence": 50, "effort": 1}

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what a write does once it commits (the event subscribers), as in production."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def problems(pm: Persona, product: Product) -> dict[str, Problem]:
    return {
        "exports": services.problem_create(actor=pm.actor, title="Exports are slow"),
        "typos": services.problem_create(actor=pm.actor, title="Search misses typos"),
    }


def _insight(pm: Persona, capture: Capture, customer: Customer, *problems: Problem) -> Any:
    feedback = capture("It takes forever and misses things.", customer=customer)
    return services.insight_create(
        actor=pm.actor, feedback=feedback, quote="takes forever", problems=list(problems)
    )


def _reach(score: Score, key: str = "source") -> str:
    """What the score's explanation says of its reach (its source, or its unit)."""
    entry = next(e for e in score.explanation["inputs"] if e["field"] == "reach")
    return str(entry[key])


def _reach_source(score: Score) -> str:
    return _reach(score)


def test_a_new_customer_on_a_linked_problem_raises_reach_and_score(
    po: Persona,
    pm: Persona,
    make_item: Any,
    problems: dict[str, Problem],
    customers: dict[str, Customer],
    capture: Capture,
    after_commit: Any,
) -> None:
    item = make_item("Faster exports")
    with after_commit():
        services.problem_items_link(actor=pm.actor, problem=problems["exports"], items=[item])
        _insight(pm, capture, customers["globex"], problems["exports"])
    score = scoring.score_set(
        actor=po.actor, item=item, framework="rice", inputs=RICE, derived=["reach"]
    )
    assert score.inputs["reach"] == 1
    assert score.value == 1.0  # 1 x 2 x 50% / 1
    assert _reach_source(score) == "from evidence: 1 customer behind 'Exports are slow'"
    version = score.version

    with after_commit():
        _insight(pm, capture, customers["initech"], problems["exports"])
    score.refresh_from_db()
    assert score.inputs["reach"] == 2
    assert score.value == 2.0
    assert score.version == version + 1
    assert "2 customers behind 'Exports are slow'" in _reach_source(score)
    assert score.explanation["arithmetic"] == "2 x 2 x 50% / 1 = 2"
    # The same customer again adds nothing.
    with after_commit():
        _insight(pm, capture, customers["initech"], problems["exports"])
    score.refresh_from_db()
    assert score.inputs["reach"] == 2


def test_a_customer_behind_two_problems_is_counted_once(
    po: Persona,
    pm: Persona,
    make_item: Any,
    problems: dict[str, Problem],
    customers: dict[str, Customer],
    capture: Capture,
) -> None:
    item = make_item("Better search and exports")
    for problem in problems.values():
        services.problem_items_link(actor=pm.actor, problem=problem, items=[item])
    _insight(pm, capture, customers["globex"], problems["exports"], problems["typos"])
    _insight(pm, capture, customers["initech"], problems["exports"])
    _insight(pm, capture, customers["hooli"], problems["typos"])
    score = scoring.score_set(
        actor=po.actor, item=item, framework="rice", inputs=RICE, derived=["reach"]
    )
    assert score.inputs["reach"] == 3  # 2 + 2 behind each problem, Globex once
    assert _reach_source(score) == (
        "from evidence: 3 customers behind 'Exports are slow' (2) and "
        "'Search misses typos' (2), each customer counted once"
    )
    # Each problem's own count is the one its evidence shows.
    evidence = problem_evidence([p.pk for p in problems.values()])
    by_problem = {p.problem_id: len(p.customers) for p in item_reach([item.pk])[item.pk].problems}
    assert by_problem == {pk: e.customers for pk, e in evidence.items()}


def test_evidence_that_shrinks_lowers_reach(
    po: Persona,
    pm: Persona,
    make_item: Any,
    problems: dict[str, Problem],
    customers: dict[str, Customer],
    capture: Capture,
    after_commit: Any,
) -> None:
    item = make_item("Faster exports")
    services.problem_items_link(actor=pm.actor, problem=problems["exports"], items=[item])
    kept = _insight(pm, capture, customers["globex"], problems["exports"])
    trashed = _insight(pm, capture, customers["initech"], problems["exports"])
    score = scoring.score_set(
        actor=po.actor, item=item, framework="rice", inputs=RICE, derived=["reach"]
    )
    assert score.inputs["reach"] == 2
    with after_commit():
        trash_move(actor=pm.actor, obj=trashed)
    score.refresh_from_db()
    assert score.inputs["reach"] == 1
    with after_commit():
        services.insight_update(actor=pm.actor, insight=kept, problems=[problems["typos"]])
    score.refresh_from_db()
    assert score.inputs["reach"] == 0
    assert _reach_source(score) == "from evidence: no customers yet behind 'Exports are slow'"
    with after_commit():
        services.problem_item_unlink(actor=pm.actor, problem=problems["exports"], item=item)
    score.refresh_from_db()
    assert _reach_source(score) == "from evidence: no linked problems yet, so no customers"
    assert score.value == 0


def test_the_product_chooses_contacts(
    po: Persona,
    pm: Persona,
    developer: Persona,
    product: Product,
    make_item: Any,
    problems: dict[str, Problem],
    customers: dict[str, Customer],
    capture: Capture,
    after_commit: Any,
) -> None:
    item = make_item("Faster exports")
    services.problem_items_link(actor=pm.actor, problem=problems["exports"], items=[item])
    globex = customers["globex"]
    for email in ("ana@globex.test", "bo@globex.test"):
        contact = services.contact_create(actor=pm.actor, customer=globex, email=email)
        feedback = capture("Slow.", customer=globex, contact=contact)
        services.insight_create(
            actor=pm.actor, feedback=feedback, quote="Slow.", problems=[problems["exports"]]
        )
    score = scoring.score_set(
        actor=po.actor, item=item, framework="rice", inputs=RICE, derived=["reach"]
    )
    assert score.inputs["reach"] == 1
    assert product_discovery_get(actor=pm.actor, product=product).version == 0
    with pytest.raises(Forbidden):
        product_discovery_set(actor=developer.actor, product=product, reach_from="contacts")
    with pytest.raises(Invalid) as bad:
        product_discovery_set(actor=po.actor, product=product, reach_from="people")
    assert bad.value.errors[0].field == "reach_from"
    with after_commit():
        settings = product_discovery_set(actor=po.actor, product=product, reach_from="contacts")
    assert settings.version == 1
    score.refresh_from_db()
    assert score.inputs["reach"] == 2
    assert _reach_source(score) == "from evidence: 2 contacts behind 'Exports are slow'"
    with pytest.raises(StaleVersion):
        product_discovery_set(
            actor=po.actor, product=product, reach_from="customers", expected_version=0
        )
    assert ProductDiscovery.objects.get(product=product).reach_from == "contacts"


def test_bad_derived_input_says_what_to_fix(
    po: Persona, make_item: Any, problems: dict[str, Problem]
) -> None:
    item = make_item("Faster exports")
    wsjf = {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 5}
    with pytest.raises(Invalid) as not_rice:
        scoring.score_set(
            actor=po.actor, item=item, framework="wsjf", inputs=wsjf, derived=["reach"]
        )
    assert not_rice.value.errors[0].field == "derived.0"
    assert "only RICE's reach" in not_rice.value.errors[0].message
    with pytest.raises(Invalid) as unknown:
        scoring.score_set(
            actor=po.actor, item=item, framework="rice", inputs=RICE, derived=["impact"]
        )
    assert unknown.value.errors[0].field == "derived.0"
    with pytest.raises(Invalid) as both:
        scoring.score_set(
            actor=po.actor,
            item=item,
            framework="rice",
            inputs={**RICE, "reach": 40},
            derived=["reach"],
        )
    assert both.value.errors[0].field == "inputs.reach"
    assert not Score.objects.filter(item=item).exists()


def test_where_reach_comes_from_is_the_product_owners_call(
    po: Persona, developer: Persona, make_item: Any, problems: dict[str, Problem]
) -> None:
    item = make_item("Faster exports")
    scoring.score_set(actor=po.actor, item=item, framework="rice", inputs={**RICE, "reach": 0})
    with pytest.raises(Forbidden):
        scoring.score_set(
            actor=developer.actor, item=item, framework="rice", inputs=RICE, derived=["reach"]
        )
    scoring.score_set(actor=po.actor, item=item, framework="rice", inputs=RICE, derived=["reach"])
    # A developer changes the effort and keeps reach where it comes from.
    score = scoring.score_set(
        actor=developer.actor,
        item=item,
        framework="rice",
        inputs={**RICE, "effort": 2},
        derived=["reach"],
    )
    assert score.reach_from_evidence
    assert score.inputs["effort"] == 2
    # Typing the number in again is choosing reach: the product owner's.
    with pytest.raises(Forbidden):
        scoring.score_set(
            actor=developer.actor, item=item, framework="rice", inputs={**RICE, "reach": 0}
        )
    entered = scoring.score_set(
        actor=po.actor, item=item, framework="rice", inputs={**RICE, "reach": 0}
    )
    assert not entered.reach_from_evidence
    assert _reach_source(entered).startswith("entered by")


def test_refreshing_costs_the_same_for_many_items(
    po: Persona,
    pm: Persona,
    workspace: Any,
    make_item: Any,
    problems: dict[str, Problem],
    customers: dict[str, Customer],
    capture: Capture,
    django_assert_max_num_queries: Any,
) -> None:
    items: list[BacklogItem] = [make_item(f"Item {n}") for n in range(12)]
    services.problem_items_link(actor=pm.actor, problem=problems["exports"], items=items)
    for item in items:
        scoring.score_set(
            actor=po.actor, item=item, framework="rice", inputs=RICE, derived=["reach"]
        )
    _insight(pm, capture, customers["globex"], problems["exports"])
    # The scores, the product choices, the links, the insights, one bulk update (+ savepoints).
    with django_assert_max_num_queries(8):
        changed = scoring.scores_refresh_derived(workspace_id=workspace.pk)
    assert changed == 12
    assert not scoring.scores_refresh_derived(workspace_id=workspace.pk)


def test_the_api_takes_reach_from_evidence(
    api_client: ApiClient,
    po: Persona,
    pm: Persona,
    make_item: Any,
    problems: dict[str, Problem],
    customers: dict[str, Customer],
    capture: Capture,
) -> None:
    item = make_item("Faster exports")
    services.problem_items_link(actor=pm.actor, problem=problems["exports"], items=[item])
    _insight(pm, capture, customers["globex"], problems["exports"])
    client = api_client(po)
    body = {"framework": "rice", "inputs": RICE, "derived": ["reach"]}
    put = client.put(f"{BASE}/items/{item.key}/score", json.dumps(body), "application/json")
    assert put.status_code == 200, put.content
    assert put.json()["derived"] == ["reach"]
    assert put.json()["inputs"]["reach"] == 1
    got = client.get(f"{BASE}/items/{item.key}/score").json()["scores"][0]
    reach = next(i for i in got["explanation"]["inputs"] if i["field"] == "reach")
    assert reach["source"] == "from evidence: 1 customer behind 'Exports are slow'"
    bad = {"framework": "ice", "inputs": {"impact": 1, "confidence": 1, "ease": 1}}
    refused = client.put(
        f"{BASE}/items/{item.key}/score",
        json.dumps({**bad, "derived": ["reach"]}),
        "application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "derived.0"


def test_the_api_of_discovery_settings(
    api_client: ApiClient, po: Persona, developer: Persona, product: Product
) -> None:
    client = api_client(po)
    url = f"{BASE}/products/{product.key}/discovery"
    got = client.get(url)
    assert got.status_code == 200
    assert got.json() == {
        "product": "ACME",
        "reach_from": "customers",
        "updated_by": None,
        "updated_at": None,
        "version": 0,
    }
    assert got["ETag"] == '"0"'
    body = json.dumps({"reach_from": "contacts"})
    put = client.put(url, body, "application/json", headers={"If-Match": '"0"'})
    assert put.status_code == 200, put.content
    assert put.json()["reach_from"] == "contacts"
    assert put.json()["updated_by"] == po.email
    stale = client.put(url, body, "application/json", headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    wrong = client.put(url, json.dumps({"reach_from": "people"}), "application/json")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"].endswith("reach_from")
    denied = api_client(developer).put(url, body, "application/json")
    assert denied.status_code == 403
    assert denied.json()["code"] == "forbidden_change_discovery_settings"


def test_moving_feedback_or_merging_customers_moves_reach(
    po: Persona,
    pm: Persona,
    make_item: Any,
    problems: dict[str, Problem],
    customers: dict[str, Customer],
    capture: Capture,
    after_commit: Any,
) -> None:
    item = make_item("Faster exports")
    services.problem_items_link(actor=pm.actor, problem=problems["exports"], items=[item])
    _insight(pm, capture, customers["globex"], problems["exports"])
    moved = _insight(pm, capture, customers["initech"], problems["exports"])
    score = scoring.score_set(
        actor=po.actor, item=item, framework="rice", inputs=RICE, derived=["reach"]
    )
    assert score.inputs["reach"] == 2
    # The second piece was Globex's after all: one customer behind the problem.
    with after_commit():
        services.feedback_update(
            actor=pm.actor, feedback=moved.feedback, customer=customers["globex"]
        )
    score.refresh_from_db()
    assert score.inputs["reach"] == 1
    with after_commit():
        services.feedback_update(
            actor=pm.actor, feedback=moved.feedback, customer=customers["hooli"]
        )
    score.refresh_from_db()
    assert score.inputs["reach"] == 2
    # Hooli and Globex turn out to be one company.
    with after_commit():
        services.customer_merge(
            actor=pm.actor, source=customers["hooli"], target=customers["globex"]
        )
    score.refresh_from_db()
    assert score.inputs["reach"] == 1
    # Tags and notes move no evidence: nothing to compute.
    version = score.version
    with after_commit():
        services.feedback_update(actor=pm.actor, feedback=moved.feedback, tags=["export"])
    score.refresh_from_db()
    assert score.version == version


def test_reach_from_evidence_is_counted_in_words_not_in_people_per_quarter(
    po: Persona,
    pm: Persona,
    make_item: Any,
    problems: dict[str, Problem],
    customers: dict[str, Customer],
    capture: Capture,
    after_commit: Any,
) -> None:
    typed = scoring.score_set(
        actor=po.actor,
        item=make_item("Typed"),
        framework="rice",
        inputs={**RICE, "reach": 300},
    )
    assert _reach(typed, "unit") == "people per quarter"
    item = make_item("Faster exports")
    with after_commit():
        services.problem_items_link(actor=pm.actor, problem=problems["exports"], items=[item])
        _insight(pm, capture, customers["globex"], problems["exports"])
    derived = scoring.score_set(
        actor=po.actor, item=item, framework="rice", inputs=RICE, derived=["reach"]
    )
    # The source says what is counted ("1 customer behind ..."); no unit contradicts it.
    assert _reach(derived, "unit") == ""
    with after_commit():
        _insight(pm, capture, customers["initech"], problems["exports"])
    derived.refresh_from_db()
    assert derived.inputs["reach"] == 2
    assert _reach(derived, "unit") == ""
