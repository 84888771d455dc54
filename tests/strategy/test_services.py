"""Products and Product Goals through their services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from lodestar.core.errors import Forbidden, Invalid, NotFound, StaleVersion
from lodestar.core.models import HistoryEntry
from lodestar.people.models import Team
from lodestar.strategy import services
from lodestar.strategy.models import DEFAULT_ESTIMATE_SCALE, GoalStatus, Product, ProductGoal
from lodestar.strategy.selectors import active_goal, goal_list, product_teams
from tests.concurrency import run_concurrently
from tests.conftest import Persona


def test_product_create_defaults(owner: Persona) -> None:
    product = services.product_create(actor=owner.actor, key="SHOP", name=" Shop ")
    assert (product.key, product.name, product.next_item_number) == ("SHOP", "Shop", 1)
    assert product.estimate_scale == DEFAULT_ESTIMATE_SCALE
    assert product.definition_of_ready["acceptance_criteria"] is True
    assert HistoryEntry.objects.filter(object_type="strategy.product", action="created").exists()


@pytest.mark.parametrize("key", ["A", "acme", "ACME1", "AC-ME", "TOOLONGKEYXX", "", " AB C"])
def test_product_key_must_be_two_to_ten_capitals(owner: Persona, key: str) -> None:
    with pytest.raises(Invalid) as caught:
        services.product_create(actor=owner.actor, key=key, name="X")
    assert caught.value.errors[0].field == "key"
    assert "capital letters" in caught.value.errors[0].message
    assert not Product.objects.exists()


def test_product_key_unique_per_workspace(owner: Persona, outsider: Persona) -> None:
    services.product_create(actor=owner.actor, key="ACME", name="One")
    with pytest.raises(Invalid) as caught:
        services.product_create(actor=owner.actor, key="ACME", name="Two")
    assert caught.value.code == "product_key_taken"
    # Another workspace may use the same key.
    services.product_create(actor=outsider.actor, key="ACME", name="Theirs")
    assert Product.objects.filter(key="ACME").count() == 2


@pytest.mark.parametrize("persona", ["po", "developer", "viewer"])
def test_only_admins_create_products(persona: str, request: pytest.FixtureRequest) -> None:
    who: Persona = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        services.product_create(actor=who.actor, key="NOPE", name="No")
    assert not Product.objects.exists()


def test_product_update_name_and_scale(owner: Persona, product: Product) -> None:
    updated = services.product_update(
        actor=owner.actor,
        product=product,
        name="Acme Insights",
        estimate_scale=[1, "2", 0.5, "?", 3],
        expected_version=product.version,
    )
    assert updated.name == "Acme Insights"
    assert updated.estimate_scale == ["0.5", "1", "2", "3", "?"]
    assert updated.version == 2
    entry = HistoryEntry.objects.filter(object_type="strategy.product", action="updated").get()
    assert entry.changes["name"] == ["Acme Analytics", "Acme Insights"]


@pytest.mark.parametrize(
    ("scale", "field"),
    [
        ([], "estimate_scale"),
        (["1", "1"], "estimate_scale"),
        (["?"], "estimate_scale"),
        (["-1"], "estimate_scale[0]"),
        (["1", "big"], "estimate_scale[1]"),
        (["0.25"], "estimate_scale[0]"),
    ],
)
def test_bad_estimate_scale(owner: Persona, product: Product, scale: list[str], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        services.product_update(actor=owner.actor, product=product, estimate_scale=scale)
    assert caught.value.errors[0].field == field
    product.refresh_from_db()
    assert product.version == 1


def test_product_owner_edits_vision_and_readiness_not_name(po: Persona, product: Product) -> None:
    services.product_update(
        actor=po.actor,
        product=product,
        vision="New vision",
        definition_of_ready={"max_velocity_share": None},
    )
    product.refresh_from_db()
    assert product.vision == "New vision"
    assert product.definition_of_ready["max_velocity_share"] is None
    assert product.definition_of_ready["estimate"] is True
    with pytest.raises(Forbidden):
        services.product_update(actor=po.actor, product=product, name="Renamed")


def test_definition_of_ready_rejects_unknown_checks(owner: Persona, product: Product) -> None:
    with pytest.raises(Invalid) as caught:
        services.product_update(
            actor=owner.actor, product=product, definition_of_ready={"has_owner": True}
        )
    assert caught.value.errors[0].field == "definition_of_ready.has_owner"
    with pytest.raises(Invalid) as caught:
        services.product_update(
            actor=owner.actor, product=product, definition_of_ready={"max_velocity_share": 0}
        )
    assert caught.value.errors[0].field == "definition_of_ready.max_velocity_share"


def test_stale_product_version(owner: Persona, product: Product) -> None:
    with pytest.raises(StaleVersion):
        services.product_update(actor=owner.actor, product=product, name="X", expected_version=7)


def test_goal_set_closes_the_previous_goal(po: Persona, product: Product) -> None:
    first = services.goal_set(actor=po.actor, product=product, statement="Grow activation")
    second = services.goal_set(
        actor=po.actor,
        product=product,
        statement="Cut churn of SMB accounts",
        previous_outcome="abandoned",
    )
    first.refresh_from_db()
    assert first.status == GoalStatus.ABANDONED
    assert first.ended_at is not None
    assert second.status == GoalStatus.ACTIVE
    assert second.ended_at is None
    assert active_goal(product) == second
    assert [g.pk for g in goal_list(actor=po.actor, product=product)] == [second.pk, first.pk]


def test_goal_set_default_previous_is_achieved(owner: Persona, goal: ProductGoal) -> None:
    services.goal_set(actor=owner.actor, product=goal.product, statement="Next")
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED


def test_one_active_goal_is_a_database_rule(goal: ProductGoal) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ProductGoal.objects.create(product=goal.product, statement="Second active goal")


@pytest.mark.parametrize("persona", ["developer", "pm", "viewer"])
def test_only_product_owner_or_admin_sets_goal(
    persona: str, product: Product, request: pytest.FixtureRequest
) -> None:
    who: Persona = request.getfixturevalue(persona)
    with pytest.raises(Forbidden):
        services.goal_set(actor=who.actor, product=product, statement="Mine")
    assert not ProductGoal.objects.exists()


def test_product_owner_of_another_product_cannot_set_goal(
    owner: Persona, po: Persona, product: Product
) -> None:
    other = services.product_create(actor=owner.actor, key="OTHER", name="Other")
    with pytest.raises(Forbidden):
        services.goal_set(actor=po.actor, product=other, statement="Not mine")


def test_goal_update_and_close(po: Persona, goal: ProductGoal) -> None:
    services.goal_update(
        actor=po.actor, goal=goal, statement="Sharper", expected_version=goal.version
    )
    services.goal_close(actor=po.actor, goal=goal, outcome="achieved")
    goal.refresh_from_db()
    assert (goal.statement, goal.status) == ("Sharper", GoalStatus.ACHIEVED)
    assert goal.ended_at is not None
    with pytest.raises(Invalid) as caught:
        services.goal_close(actor=po.actor, goal=goal, outcome="abandoned")
    assert caught.value.code == "goal_closed"


@pytest.mark.parametrize("outcome", ["active", "done", ""])
def test_goal_close_needs_an_outcome(po: Persona, goal: ProductGoal, outcome: str) -> None:
    with pytest.raises(Invalid) as caught:
        services.goal_close(actor=po.actor, goal=goal, outcome=outcome)
    assert caught.value.errors[0].field == "status"


def test_goal_statement_required(po: Persona, product: Product) -> None:
    with pytest.raises(Invalid) as caught:
        services.goal_set(actor=po.actor, product=product, statement="   ")
    assert caught.value.errors[0].field == "statement"


def test_team_product_set(owner: Persona, po: Persona, team: Team) -> None:
    product = services.product_create(actor=owner.actor, key="NEW", name="New")
    assert product_teams(product) == []
    services.team_product_set(actor=owner.actor, team=team, product=product)
    assert product_teams(product) == [team]
    with pytest.raises(Forbidden):
        services.team_product_set(actor=po.actor, team=team, product=None)
    services.team_product_set(actor=owner.actor, team=team, product=None)
    assert product_teams(product) == []


# -- item numbers and the product lock ---------------------------------------------------------


def test_item_numbers_are_taken_in_blocks_and_never_handed_out_twice(
    product: Product, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        assert services.product_item_numbers_take(product=product) == 1
    assert product.next_item_number == 2
    assert services.product_item_numbers_take(product=product, count=5) == 2
    # A transaction that fails gives its numbers back: no key was ever shown for them.
    sid = transaction.savepoint()
    assert services.product_item_numbers_take(product=product, count=3) == 7
    transaction.savepoint_rollback(sid)
    assert services.product_item_numbers_take(product=product) == 7
    product.refresh_from_db()
    assert product.next_item_number == 8


def test_item_numbers_count_must_be_positive(product: Product) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        services.product_item_numbers_take(product=product, count=0)


def test_item_numbers_of_a_removed_product(product: Product) -> None:
    Product.objects.filter(pk=product.pk).delete()
    with pytest.raises(NotFound):
        services.product_item_numbers_take(product=product)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["take", "lock"])
def test_concurrent_writers_of_one_product_queue(owner: Persona, how: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL (SQLite serializes every writer)")
    product = services.product_create(actor=owner.actor, key="RACE", name="Race")
    taken: list[int] = []

    def worker(_: int, wait: Callable[[], object]) -> None:
        wait()
        for _ in range(10):
            with transaction.atomic():
                mine = Product.objects.get(pk=product.pk)
                if how == "take":
                    taken.append(services.product_item_numbers_take(product=mine, count=2))
                else:
                    # Read, then write, under the lock: no two writers read the same value.
                    services.product_lock(product_id=product.pk)
                    current = Product.objects.get(pk=product.pk).next_item_number
                    Product.objects.filter(pk=product.pk).update(next_item_number=current + 2)
                    taken.append(current)

    run_concurrently(4, worker)
    assert sorted(taken) == list(range(1, 81, 2))
