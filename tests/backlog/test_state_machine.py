"""Random creates, moves, splits, deletes and restores: the backlog is always a total order
with every live item exactly once, in the order the operations asked for."""

from __future__ import annotations

import itertools
import string

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem
from lodestar.core.errors import Conflict, Invalid
from lodestar.core.ranking import MAX_KEY_LENGTH, is_valid_key
from lodestar.people.policy import Actor
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.conftest import Persona

KINDS = st.sampled_from(["epic", "story", "story", "bug", "task"])


def _product_keys() -> itertools.chain[str]:
    letters = string.ascii_uppercase
    return itertools.chain(a + b + c for a in letters for b in letters for c in letters)


class BacklogMachine(RuleBasedStateMachine):
    actor: Actor
    keys: itertools.chain[str]

    def __init__(self) -> None:
        super().__init__()
        # Each run gets its own product: runs share the test's database transaction.
        self.product: Product = strategy.product_create(
            actor=self.actor, key=next(self.keys), name="Machine"
        )
        self.order: list[int] = []  # live item ids, in the order the operations asked for
        self.trashed: list[int] = []

    def _item(self, index: int) -> BacklogItem:
        return BacklogItem.objects.get(pk=self.order[index % len(self.order)])

    @rule(kind=KINDS, where=st.sampled_from(["top", "bottom"]))
    def create(self, kind: str, where: str) -> None:
        item = services.item_create(
            actor=self.actor, product=self.product, title="Item", kind=kind, position=where
        )
        if where == "top":
            self.order.insert(0, item.pk)
        else:
            self.order.append(item.pk)

    @rule(index=st.integers(0, 99), anchor=st.integers(0, 99), how=st.sampled_from(
        ["before", "after", "top", "bottom"]
    ))  # fmt: skip
    def move(self, index: int, anchor: int, how: str) -> None:
        if not self.order:
            return
        item = self._item(index)
        target = self._item(anchor)
        if how in ("before", "after") and target.pk == item.pk:
            return
        block = self._subtree(item.pk)
        if how in ("before", "after") and target.pk in block:
            # Placing a parent next to one of the items that move with it is refused.
            with pytest.raises(Invalid):
                services.item_move(actor=self.actor, item=item, **{how: target})
            return
        if how == "top":
            services.item_move(actor=self.actor, item=item, position="top")
        elif how == "bottom":
            services.item_move(actor=self.actor, item=item, position="bottom")
        else:
            services.item_move(actor=self.actor, item=item, **{how: target})
        # The item takes its descendants along (all open: no rule here finishes an item),
        # right after it in tree order.
        self.order = [pk for pk in self.order if pk not in block]
        if how == "top":
            self.order[0:0] = block
        elif how == "bottom":
            self.order.extend(block)
        else:
            spot = self.order.index(target.pk)
            spot = spot if how == "before" else spot + 1
            self.order[spot:spot] = block

    def _subtree(self, pk: int) -> list[int]:
        """``pk`` and its live descendants in tree order: each child after its parent (and
        that child's own subtree), siblings in the backlog's current order."""
        children: dict[int | None, list[int]] = {}
        for child, parent in BacklogItem.objects.filter(product=self.product).values_list(
            "pk", "parent_id"
        ):
            children.setdefault(parent, []).append(child)
        place = {p: i for i, p in enumerate(self.order)}

        def walk(node: int) -> list[int]:
            out = [node]
            for child in sorted(children.get(node, []), key=place.__getitem__):
                out += walk(child)
            return out

        return walk(pk)

    @rule(index=st.integers(0, 99), count=st.integers(1, 3))
    def split(self, index: int, count: int) -> None:
        if not self.order:
            return
        parent = self._item(index)
        if parent.kind == "task":
            return
        children = services.item_split(
            actor=self.actor,
            item=parent,
            children=[services.ChildSpec(title=f"Child {n}") for n in range(count)],
        )
        # After the last child it already had behind it, or else right after the parent.
        earlier = set(
            BacklogItem.objects.filter(parent=parent)
            .exclude(pk__in=[c.pk for c in children])
            .values_list("pk", flat=True)
        )
        start = self.order.index(parent.pk)
        behind = [i for i, pk in enumerate(self.order) if pk in earlier and i > start]
        spot = max(behind, default=start) + 1
        self.order[spot:spot] = [child.pk for child in children]

    @rule(index=st.integers(0, 99))
    def delete(self, index: int) -> None:
        if not self.order:
            return
        item = self._item(index)
        try:
            services.item_delete(actor=self.actor, item=item)
        except Conflict:  # it still has children
            assert BacklogItem.objects.filter(parent=item).exists()
            return
        self.order.remove(item.pk)
        self.trashed.append(item.pk)

    @rule(index=st.integers(0, 99))
    def restore(self, index: int) -> None:
        if not self.trashed:
            return
        pk = self.trashed[index % len(self.trashed)]
        item = BacklogItem.all_objects.get(pk=pk)
        try:
            services.item_restore(actor=self.actor, item=item)
        except Conflict:  # its parent is in the trash
            return
        self.trashed.remove(pk)
        live = self._live_order()
        # The others keep their order; the restored item is back somewhere in between.
        assert [p for p in live if p != pk] == self.order
        self.order = live

    @rule()
    def rebalance(self) -> None:
        first = BacklogItem.objects.filter(product=self.product).order_by("rank").first()
        if first is not None:
            services.rebalance(product_id=self.product.pk, around=first.rank)

    def _live_order(self) -> list[int]:
        return list(
            BacklogItem.objects.filter(product=self.product)
            .order_by("rank")
            .values_list("pk", flat=True)
        )

    @invariant()
    def a_total_order_of_every_live_item_once(self) -> None:
        rows = list(
            BacklogItem.objects.filter(product=self.product)
            .order_by("rank")
            .values_list("pk", "rank")
        )
        ranks = [rank for _, rank in rows]
        assert len(set(ranks)) == len(ranks)
        assert all(is_valid_key(r) and len(r) <= MAX_KEY_LENGTH for r in ranks)
        assert [pk for pk, _ in rows] == self.order
        assert set(self.trashed).isdisjoint(self.order)


def test_backlog_state_machine(owner: Persona) -> None:
    BacklogMachine.actor = owner.actor
    BacklogMachine.keys = _product_keys()
    run_state_machine_as_test(
        BacklogMachine,
        settings=settings(
            max_examples=60,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
