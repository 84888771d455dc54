"""The backlog's extension points: purposes that keep an item from being flagged, and the
velocity the Definition of Ready compares an estimate with. Later contexts declare providers;
here a test declares them the same way, inside a scoped registry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Q

from lodestar.backlog.extensions import PURPOSES, VELOCITY, Purpose, VelocitySource
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.selectors import (
    BacklogFilters,
    backlog_list,
    flag_reason,
    is_flagged,
    item_readiness,
    purposes,
    team_velocity,
)
from lodestar.core.registry import Plugin, registry
from lodestar.strategy.models import Product, ProductGoal
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

LABELLED = Purpose(
    name="labelled",
    condition=lambda: Q(labels__name="customer"),
    missing="has no customer label",
    order=30,
)


def test_the_backlog_declares_the_goal_purpose_first() -> None:
    # Discovery declares solving a customer problem after it.
    assert [purpose.name for purpose in purposes()] == ["goal", "problem"]
    assert flag_reason() == "serves no Product Goal and solves no customer problem"


def test_a_declared_purpose_unflags_items_and_joins_the_reason(
    owner: Persona, make_item: MakeItem, goal: ProductGoal, product: Product
) -> None:
    serving = make_item("Serves the goal", goal=goal)
    labelled = make_item("Asked for by a customer", labels=["customer"])
    orphan = make_item("Nobody asked")
    with registry().scoped():
        registry().install(Plugin(name="elsewhere", provides=[(PURPOSES, LABELLED)]))
        assert [purpose.name for purpose in purposes()] == ["goal", "problem", "labelled"]
        assert flag_reason() == (
            "serves no Product Goal, solves no customer problem and has no customer label"
        )
        assert not is_flagged(BacklogItem.objects.get(pk=labelled.pk))
        page = backlog_list(actor=owner.actor, product=product)
        flags = {item.key: item.flagged for item in page.items}  # type: ignore[attr-defined]
        assert flags == {serving.key: False, labelled.key: False, orphan.key: True}
        only = backlog_list(
            actor=owner.actor, product=product, filters=BacklogFilters(flagged=True)
        )
        assert [item.key for item in only.items] == [orphan.key]
    # Out of the scope the purpose is gone again.
    assert is_flagged(BacklogItem.objects.get(pk=labelled.pk))
    assert flag_reason() == "serves no Product Goal and solves no customer problem"


def test_providers_keep_one_defined_order_whatever_the_declaration_order() -> None:
    first = Purpose(name="zz-first", condition=lambda: Q(pk=0), missing="a", order=1)
    late = Purpose(name="aa-late", condition=lambda: Q(pk=0), missing="b", order=99)
    with registry().scoped():
        registry().install(Plugin(name="one", provides=[(PURPOSES, late)]))
        registry().install(Plugin(name="two", provides=[(PURPOSES, first)]))
        assert [p.name for p in purposes()] == ["zz-first", "goal", "problem", "aa-late"]
        assert flag_reason() == "a, serves no Product Goal, solves no customer problem and b"


def test_velocity_comes_from_the_first_source_that_knows(
    make_item: MakeItem, goal: ProductGoal, product: Product
) -> None:
    assert team_velocity(product) is None
    unsure = VelocitySource(name="unsure", velocity=lambda product: None, order=1)
    measured = VelocitySource(name="measured", velocity=lambda product: Decimal("10"), order=2)
    other = VelocitySource(name="other", velocity=lambda product: Decimal("99"), order=3)
    item = make_item(
        "Big one", goal=goal, estimate=8, acceptance_criteria=["It works"], kind="story"
    )
    size = next(c for c in item_readiness(item).checks if c.code == "size")
    assert size.status == "not_measurable"
    with registry().scoped():
        registry().install(
            Plugin(name="measured", provides=[(VELOCITY, other), (VELOCITY, measured)])
        )
        registry().install(Plugin(name="unsure", provides=[(VELOCITY, unsure)]))
        assert team_velocity(product) == Decimal("10")
        size = next(c for c in item_readiness(item).checks if c.code == "size")
        # 8 points against half of a velocity of 10.
        assert (size.status, size.detail) == ("failed", "8 > 5 points: split it")
    assert team_velocity(product) is None
