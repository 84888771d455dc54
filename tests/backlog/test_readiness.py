"""The Definition of Ready: a checklist per item; ``ready`` only when nothing fails."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lodestar.backlog import services
from lodestar.backlog.readiness import ItemFacts, evaluate
from lodestar.backlog.selectors import item_readiness
from lodestar.core.errors import Invalid
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona

ALL_ON = {"acceptance_criteria": True, "estimate": True, "serves_goal": True}


def _facts(**overrides: object) -> ItemFacts:
    values: dict[str, object] = {
        "acceptance_criteria": 1,
        "estimate": Decimal(3),
        "estimate_unknown": False,
        "goal_id": 1,
        "active_goal_id": 1,
        "velocity": None,
    }
    return ItemFacts(**{**values, **overrides})  # type: ignore[arg-type]


def test_all_checks_pass() -> None:
    readiness = evaluate({**ALL_ON, "max_velocity_share": 50}, _facts())
    assert readiness.ready
    assert [c.status for c in readiness.checks] == ["passed", "passed", "passed", "not_measurable"]


@pytest.mark.parametrize(
    ("facts", "code", "detail"),
    [
        ({"acceptance_criteria": 0}, "acceptance_criteria", "add at least one"),
        ({"estimate": None}, "estimate", "estimate it"),
        ({"estimate": None, "estimate_unknown": True}, "estimate", '"?"'),
        ({"goal_id": None}, "serves_goal", "link it"),
        ({"goal_id": 2}, "serves_goal", "earlier goal"),
        ({"active_goal_id": None}, "serves_goal", "no active Product Goal"),
    ],
)
def test_each_failure(facts: dict[str, object], code: str, detail: str) -> None:
    readiness = evaluate(ALL_ON, _facts(**facts))
    assert not readiness.ready
    [failing] = readiness.failing
    assert failing.code == code
    assert detail in failing.detail


def test_size_against_velocity() -> None:
    definition = {"max_velocity_share": 50}
    assert evaluate(definition, _facts(velocity=Decimal(10), estimate=Decimal(5))).ready
    too_big = evaluate(definition, _facts(velocity=Decimal(10), estimate=Decimal(8)))
    assert not too_big.ready
    assert "split it" in too_big.failing[0].detail
    unmeasured = evaluate(definition, _facts(velocity=None, estimate=Decimal(100)))
    assert unmeasured.ready
    assert unmeasured.checks[0].detail == "not measurable yet: no velocity history"


def test_switched_off_checks_are_not_listed() -> None:
    readiness = evaluate({"max_velocity_share": None}, _facts(acceptance_criteria=0))
    assert readiness.checks == []
    assert readiness.ready


def test_ready_needs_the_definition(owner: Persona, make_item: MakeItem, goal: ProductGoal) -> None:
    item = make_item("Export as PDF")
    with pytest.raises(Invalid) as caught:
        services.item_update(actor=owner.actor, item=item, status="ready")
    assert caught.value.code == "not_ready"
    assert [e.field for e in caught.value.errors] == ["status", "status", "status"]
    item.refresh_from_db()
    assert item.status == "new"
    # Fixing the item in the same request is enough.
    services.item_update(
        actor=owner.actor,
        item=item,
        status="ready",
        acceptance_criteria=["A PDF downloads"],
        estimate=3,
        goal=goal,
    )
    item.refresh_from_db()
    assert item.status == "ready"


def test_create_as_ready_is_checked_too(make_item: MakeItem, goal: ProductGoal) -> None:
    with pytest.raises(Invalid) as caught:
        make_item("Vague", status="ready")
    assert caught.value.code == "not_ready"
    ready = make_item("Clear", status="ready", acceptance_criteria=["Works"], estimate=2, goal=goal)
    assert ready.status == "ready"


def test_the_product_decides_the_checks(
    owner: Persona, make_item: MakeItem, product: Product
) -> None:
    strategy.product_update(
        actor=owner.actor,
        product=product,
        definition_of_ready={"acceptance_criteria": False, "serves_goal": False},
    )
    product.refresh_from_db()
    item = make_item("Sized only", estimate=1, product=product)
    assert [c.code for c in item_readiness(item).checks] == ["estimate", "size"]
    services.item_update(actor=owner.actor, item=item, status="ready")
    item.refresh_from_db()
    assert item.status == "ready"
