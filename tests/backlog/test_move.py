"""Moving items: one row written, refusals that change nothing, keys kept short, concurrency."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lodestar.backlog import services
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.services import ordering
from lodestar.core.errors import Forbidden, Invalid, StaleVersion
from lodestar.core.ranking import MAX_KEY_LENGTH, REBALANCE_LENGTH
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem, ordered_keys
from tests.concurrency import run_concurrently
from tests.conftest import Persona

BASE = "/api/v1/workspaces/acme"


def _writes(captured: CaptureQueriesContext, verb: str) -> list[str]:
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(verb)
    ]


def _snapshot() -> list[tuple[Any, ...]]:
    return list(BacklogItem.all_objects.order_by("pk").values_list("pk", "rank", "version"))


@pytest.fixture
def five(make_item: MakeItem) -> list[BacklogItem]:
    return [make_item(f"Item {n}") for n in range(1, 6)]


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ({"position": "top"}, ["ACME-4", "ACME-1", "ACME-2", "ACME-3", "ACME-5"]),
        ({"position": "bottom"}, ["ACME-1", "ACME-2", "ACME-3", "ACME-5", "ACME-4"]),
        ({"before": 1}, ["ACME-1", "ACME-4", "ACME-2", "ACME-3", "ACME-5"]),
        ({"after": 0}, ["ACME-1", "ACME-4", "ACME-2", "ACME-3", "ACME-5"]),
        ({"after": 4}, ["ACME-1", "ACME-2", "ACME-3", "ACME-5", "ACME-4"]),
        ({"before": 0}, ["ACME-4", "ACME-1", "ACME-2", "ACME-3", "ACME-5"]),
    ],
)
def test_a_move_writes_one_row(
    po: Persona, five: list[BacklogItem], product: Product, how: dict[str, Any], expected: list[str]
) -> None:
    moved = five[3]
    anchors = {
        k: (five[v] if isinstance(v, int) else None) for k, v in how.items() if k != "position"
    }
    with CaptureQueriesContext(connection) as captured:
        services.item_move(actor=po.actor, item=moved, position=how.get("position"), **anchors)
    assert ordered_keys(product) == expected
    updates = _writes(captured, "UPDATE")
    assert len(updates) == 1, updates
    assert "backlog_backlogitem" in updates[0]
    assert not _writes(captured, "DELETE")
    inserts = _writes(captured, "INSERT")
    # The move's history entry, and its domain event in the outbox.
    assert len(inserts) == 2, inserts
    assert "core_historyentry" in inserts[0]
    assert "core_outboxevent" in inserts[1]
    # The same statements wherever it goes: an anchor and its neighbour are one query.
    reads = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) == 4, [q["sql"] for q in reads]
    moved.refresh_from_db()
    assert moved.version == 2


def test_a_move_to_where_it_is_writes_nothing(po: Persona, five: list[BacklogItem]) -> None:
    before = _snapshot()
    with CaptureQueriesContext(connection) as captured:
        services.item_move(actor=po.actor, item=five[1], before=five[2])
        services.item_move(actor=po.actor, item=five[0], position="top")
    assert not _writes(captured, "UPDATE")
    assert not _writes(captured, "INSERT")
    assert _snapshot() == before


def test_move_is_recorded(owner: Persona, po: Persona, five: list[BacklogItem]) -> None:
    from lodestar.backlog.selectors import item_history

    services.item_move(actor=po.actor, item=five[4], before=five[0])
    entry = item_history(actor=owner.actor, item=five[4]).items[-1]
    assert entry.action == "moved"
    assert entry.changes["placement"] == "before ACME-1"


@pytest.mark.parametrize("persona", ["developer", "viewer", "pm"])
def test_only_product_owner_or_admin_orders(
    persona: str, five: list[BacklogItem], request: pytest.FixtureRequest
) -> None:
    who: Persona = request.getfixturevalue(persona)
    before = _snapshot()
    with pytest.raises(Forbidden) as caught:
        services.item_move(actor=who.actor, item=five[4], position="top")
    assert "product owner" in caught.value.detail
    assert _snapshot() == before


def test_product_owner_of_another_product_cannot_order(
    owner: Persona, po: Persona, developer: Persona, five: list[BacklogItem]
) -> None:
    shop = strategy.product_create(actor=owner.actor, key="SHOP", name="Shop")
    strategy.product_owner_set(actor=owner.actor, product=shop, member=po.membership)
    acme = five[0].product
    strategy.product_owner_set(actor=owner.actor, product=acme, member=developer.membership)
    before = _snapshot()
    with pytest.raises(Forbidden):
        services.item_move(actor=po.actor, item=five[4], position="top")
    assert _snapshot() == before


def test_admin_orders_without_the_hat(admin: Persona, five: list[BacklogItem]) -> None:
    services.item_move(actor=admin.actor, item=five[4], position="top")
    assert BacklogItem.objects.order_by("rank").first() == five[4]


def test_move_relative_to_another_product_moves_nothing(
    owner: Persona, po: Persona, five: list[BacklogItem]
) -> None:
    shop = strategy.product_create(actor=owner.actor, key="SHOP", name="Shop")
    foreign = services.item_create(actor=owner.actor, product=shop, title="Cart")
    before = _snapshot()
    for anchor in ({"before": foreign}, {"after": foreign}):
        with pytest.raises(Invalid) as caught:
            services.item_move(actor=po.actor, item=five[0], **anchor)
        assert caught.value.code == "anchor_other_product"
    assert _snapshot() == before


@pytest.mark.parametrize(
    "how",
    [
        {},
        {"position": "top", "before": 1},
        {"before": 1, "after": 2},
        {"position": "middle"},
        {"before": 0},
    ],
)
def test_move_needs_exactly_one_valid_target(
    po: Persona, five: list[BacklogItem], how: dict[str, Any]
) -> None:
    kwargs = {k: (five[v] if isinstance(v, int) else v) for k, v in how.items()}
    before = _snapshot()
    with pytest.raises(Invalid):
        services.item_move(actor=po.actor, item=five[0], **kwargs)
    assert _snapshot() == before


def test_stale_version_on_move(po: Persona, five: list[BacklogItem]) -> None:
    before = _snapshot()
    with pytest.raises(StaleVersion):
        services.item_move(actor=po.actor, item=five[0], position="bottom", expected_version=2)
    assert _snapshot() == before


def test_a_move_does_not_fail_on_a_concurrent_title_edit(
    owner: Persona, po: Persona, five: list[BacklogItem], product: Product
) -> None:
    stale = BacklogItem.objects.get(pk=five[0].pk)
    services.item_update(actor=owner.actor, item=five[0], title="Renamed meanwhile")
    services.item_move(actor=po.actor, item=stale, position="bottom")
    assert ordered_keys(product)[-1] == "ACME-1"
    assert BacklogItem.objects.get(pk=five[0].pk).title == "Renamed meanwhile"


def test_api_move(
    api_client: Callable[[Persona], Client],
    po: Persona,
    developer: Persona,
    owner: Persona,
    outsider: Persona,
    five: list[BacklogItem],
    product: Product,
) -> None:
    client = api_client(po)

    def move(body: dict[str, Any], who: Client = client, **headers: str) -> Any:
        return client_post(who, f"{BASE}/items/ACME-5/move", body, headers)

    ok = move({"before": "ACME-2"}, **{"If-Match": '"1"'})
    assert ok.status_code == 200, ok.content
    assert ok["ETag"] == '"2"'
    assert ordered_keys(product) == ["ACME-1", "ACME-5", "ACME-2", "ACME-3", "ACME-4"]
    shop = strategy.product_create(actor=owner.actor, key="SHOP", name="Shop")
    services.item_create(actor=owner.actor, product=shop, title="Cart")
    theirs = strategy.product_create(actor=outsider.actor, key="GLOB", name="Globex")
    services.item_create(actor=outsider.actor, product=theirs, title="Theirs")
    before = _snapshot()
    assert move({"position": "top"}, **{"If-Match": '"1"'}).status_code == 412
    assert move({"position": "top"}, api_client(developer)).status_code == 403
    assert move({"before": "ACME-2", "position": "top"}).status_code == 422
    assert move({}).status_code == 422
    assert move({"position": "up"}).status_code == 422
    other_product = move({"after": "SHOP-1"})
    assert other_product.status_code == 422
    assert other_product.json()["errors"][0]["field"] == "after"
    other_workspace = move({"before": "GLOB-1"})
    assert other_workspace.status_code == 422
    assert move({"before": "ACME-99"}).status_code == 422
    assert (
        client_post(client, f"{BASE}/items/ACME-99/move", {"position": "top"}, {}).status_code
        == 404
    )
    assert _snapshot() == before


def client_post(client: Client, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_many_moves_at_one_spot_keep_keys_short(
    po: Persona,
    make_item: MakeItem,
    product: Product,
    django_capture_on_commit_callbacks: Any,
) -> None:
    items = [make_item(f"Item {n}") for n in range(40)]
    expected = [item.key for item in items]
    anchor = items[20]
    # Always into the same gap: each move lands between the last one moved and the anchor.
    for n in range(400):
        mover = items[n % 10]
        with django_capture_on_commit_callbacks(execute=True):
            services.item_move(actor=po.actor, item=mover, before=anchor)
        expected.remove(mover.key)
        expected.insert(expected.index(anchor.key), mover.key)
    ranks = list(BacklogItem.objects.filter(product=product).values_list("rank", flat=True))
    assert max(len(rank) for rank in ranks) <= REBALANCE_LENGTH + 1
    assert ordered_keys(product) == expected


def test_an_overlong_key_rebalances_on_the_spot(
    po: Persona, make_item: MakeItem, product: Product
) -> None:
    low, high, mover = make_item("Low"), make_item("High"), make_item("Mover")
    # Two neighbours whose only key in between would not fit the column.
    BacklogItem.objects.filter(pk=low.pk).update(rank="a0" + "V" * 46)
    BacklogItem.objects.filter(pk=high.pk).update(rank="a0" + "V" * 45 + "W")
    services.item_move(actor=po.actor, item=mover, before=high)
    assert ordered_keys(product) == [low.key, mover.key, high.key]
    ranks = BacklogItem.objects.values_list("rank", flat=True)
    assert max(len(rank) for rank in ranks) <= MAX_KEY_LENGTH


def test_rebalance_keeps_order_and_shortens_keys(
    owner: Persona, make_item: MakeItem, product: Product
) -> None:
    items = [make_item(f"Item {n}") for n in range(12)]
    trashed = items[5]
    services.item_delete(actor=owner.actor, item=trashed)
    long_key = "a5" + "V" * 30
    BacklogItem.objects.filter(pk=items[6].pk).update(rank=long_key)
    order = ordered_keys(product)
    rewritten = services.rebalance(product_id=product.pk, around=long_key)
    assert rewritten >= 1
    assert ordered_keys(product) == order
    assert max(len(r) for r in BacklogItem.objects.values_list("rank", flat=True)) <= 4
    # The trashed item kept its old key; new keys were handed out since, so it comes back
    # where that key now falls: right by its old neighbours.
    services.item_restore(actor=owner.actor, item=trashed)
    assert ordered_keys(product).index(trashed.key) in (5, 6)


def _shifted_backlog(product: Product, make_item: MakeItem, n: int) -> list[str]:
    """``n`` items whose keys are all one place off: a whole rebalance changes every key."""
    items = [make_item(f"Item {i}") for i in range(n)]
    BacklogItem.objects.filter(pk=items[-1].pk).update(rank="Zz")  # the last one to the top
    return ordered_keys(product)


@pytest.mark.parametrize("items", [12, 40])
def test_a_whole_rebalance_runs_the_same_statements_for_any_size(
    make_item: MakeItem, product: Product, items: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ordering, "SHORT_KEY", 0)  # no neighbourhood is short: the whole backlog
    order = _shifted_backlog(product, make_item, items)
    with CaptureQueriesContext(connection) as captured:
        assert services.rebalance(product_id=product.pk, around="a5") == items
    # The lock, the window's reads, the items' keys, then one UPDATE parking the keys in the
    # way and one writing the new keys.
    updates = _writes(captured, "UPDATE")
    assert len(updates) == 2
    assert len(captured.captured_queries) <= 14
    assert ordered_keys(product) == order


def test_a_large_whole_rebalance_writes_each_row_once(
    make_item: MakeItem, product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ordering, "SHORT_KEY", 0)
    monkeypatch.setattr(ordering, "PARK_LIMIT", 2)
    order = _shifted_backlog(product, make_item, 12)
    with CaptureQueriesContext(connection) as captured:
        services.rebalance(product_id=product.pk, around="a5")
    # Keys that miss every key held: nothing is parked, one UPDATE writes them all.
    assert len(_writes(captured, "UPDATE")) == 1
    assert ordered_keys(product) == order
    ranks = list(BacklogItem.objects.filter(product=product).values_list("rank", flat=True))
    assert {len(rank) for rank in ranks} == {3}


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_keep_a_total_order(owner: Persona, po: Persona, product: Product) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL (SQLite serializes every writer)")
    items = [
        services.item_create(actor=owner.actor, product=product, title=f"Item {n}")
        for n in range(12)
    ]
    keys = [item.key for item in items]

    def moves(seed: int, wait: Callable[[], object]) -> None:
        rng = random.Random(seed)
        wait()
        for _ in range(25):
            item = BacklogItem.objects.get(key=rng.choice(keys))
            anchor = BacklogItem.objects.get(key=rng.choice(keys))
            if anchor.pk == item.pk:
                services.item_move(actor=po.actor, item=item, position="top")
            else:
                services.item_move(actor=po.actor, item=item, after=anchor)

    run_concurrently(4, moves)
    ranks = list(BacklogItem.objects.filter(product=product).values_list("key", "rank"))
    assert sorted(key for key, _ in ranks) == sorted(keys)
    assert len({rank for _, rank in ranks}) == len(keys)
