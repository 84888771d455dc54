"""The order of a Product Backlog: ranks for new items, moves, and rebalancing.

Every writer of ranks locks the product first (``strategy.services.product_lock``), so
concurrent moves queue instead of computing the same key, and a move writes exactly one row: the
moved item. A parent is the exception: its open descendants (not done or won't do, reached
through open items) move with it, right after it in tree order (each child after its parent,
siblings in their order), so a tree stays together in the backlog; finished ones stay put.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Collection
from typing import Literal

from django.db import transaction
from django.db.models import F, Q, QuerySet, Subquery
from django.utils import timezone

from lodestar.backlog.errors import BacklogErrorCode as Code
from lodestar.backlog.hierarchy import MAX_DEPTH, tree_order
from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.backlog.services._common import record
from lodestar.core.db import bulk_update_values
from lodestar.core.errors import Conflict, Invalid, NotFound, StaleVersion
from lodestar.core.history import Change, history_record_many
from lodestar.core.live import object_last_change
from lodestar.core.models import HistoryEntry
from lodestar.core.ranking import (
    MAX_KEY_LENGTH,
    key_between,
    keys_between,
    needs_rebalance,
    spread_keys,
)
from lodestar.people.policy import Actor, Permission, require
from lodestar.strategy.services import product_lock

Position = Literal["top", "bottom"]
POSITIONS = ("top", "bottom")
Gap = tuple[str | None, str | None]

# The neighbourhood a rebalance rewrites on each side of the crowded spot, at first.
REBALANCE_WINDOW = 32
# Past this many items on a side, the whole backlog gets fresh keys instead.
REBALANCE_MAX_WINDOW = 8192
# Bounds at most this long leave room for short keys for everything between them.
SHORT_KEY = 8
# A whole-backlog rebalance that would park more rows than this (rewriting them twice) takes
# keys that miss the ones held instead.
PARK_LIMIT = 1000
# A temporary key sorts after every real one ("~" follows the base-62 digits) and is unique
# per row, so rewriting a neighbourhood never trips the unique (product, rank) constraint.
_PARKED = "~"


def _live(product_id: int, exclude: int | Collection[int] | None = None) -> QuerySet[BacklogItem]:
    qs = BacklogItem.objects.filter(product_id=product_id)
    if exclude is None:
        return qs
    if isinstance(exclude, int):
        return qs.exclude(pk=exclude)
    return qs.exclude(pk__in=list(exclude))


def _ranks(qs: QuerySet[BacklogItem]) -> str | None:
    return qs.values_list("rank", flat=True).first()


def _rank_before(product_id: int, rank: str, exclude: int | None = None) -> str | None:
    return _ranks(_live(product_id, exclude).filter(rank__lt=rank).order_by("-rank"))


def _rank_after(product_id: int, rank: str, exclude: int | None = None) -> str | None:
    return _ranks(_live(product_id, exclude).filter(rank__gt=rank).order_by("rank"))


def last_rank(product_id: int) -> str | None:
    """The key of the last live item (None: an empty backlog)."""
    return _ranks(_live(product_id).order_by("-rank"))


def bottom_rank(product_id: int) -> str:
    """A key after every live item (the caller holds the product lock)."""
    return key_between(last_rank(product_id), None)


def top_rank(product_id: int) -> str:
    """A key before every live item (the caller holds the product lock)."""
    return key_between(None, _ranks(_live(product_id).order_by("rank")))


def _live_rank(product_id: int, item_id: int) -> str:
    rank = _ranks(_live(product_id).filter(pk=item_id))
    if rank is None:
        raise NotFound("That item is no longer in the backlog.", code=Code.ITEM_NOT_FOUND)
    return rank


def ranks_after(product_id: int, anchor_id: int, n: int) -> list[str]:
    """``n`` keys right after the live item ``anchor_id``, before the next one (lock held).

    When the gap is too crowded for keys that fit the column, the neighbourhood is
    rebalanced first (the anchor's key changes with it, so it is read again).
    """
    rank = _live_rank(product_id, anchor_id)
    keys = keys_between(rank, _rank_after(product_id, rank), n)
    if max(len(key) for key in keys) > MAX_KEY_LENGTH:
        rebalance(product_id=product_id, around=rank)
        rank = _live_rank(product_id, anchor_id)
        keys = keys_between(rank, _rank_after(product_id, rank), n)
    return keys


def new_rank(
    product_id: int,
    *,
    position: str = "bottom",
    before: BacklogItem | None = None,
    after: BacklogItem | None = None,
) -> str:
    """The key of an item placed before or after a live item, or at the top or bottom."""
    if after is not None:
        return ranks_after(product_id, after.pk, 1)[0]
    if before is not None:
        low = _rank_before(product_id, _live_rank(product_id, before.pk))
        if low is None:
            return top_rank(product_id)
        neighbour = _live(product_id).filter(rank=low).values_list("pk", flat=True)[0]
        return ranks_after(product_id, neighbour, 1)[0]
    return top_rank(product_id) if position == "top" else bottom_rank(product_id)


def end_ranks(product_id: int, position: str, count: int) -> list[str]:
    """``count`` ascending keys before every live item (``top``) or after (``bottom``), for
    items that go there together in their order (the caller holds the product lock).

    The keys miss every live key, so writing them row by row never trips the unique index.
    """
    ends = _live(product_id).order_by("rank" if position == "top" else "-rank")
    bound = _ranks(ends)
    if position == "top":
        return keys_between(None, bound, count)
    return keys_between(bound, None, count)


def at_end(product_id: int, position: str, item_ids: list[int]) -> bool:
    """Whether the items ``item_ids`` (in rank order) are the first (``top``) or last
    (``bottom``) live items of the backlog already."""
    ends = _live(product_id).order_by("rank" if position == "top" else "-rank")
    found = list(ends.values_list("pk", flat=True)[: len(item_ids)])
    if position == "bottom":
        found.reverse()
    return found == item_ids


def restored_rank(product_id: int, old_rank: str) -> str:
    """Where a restored item goes: its old key if still free, else right after whoever took it."""
    taker = _live(product_id).filter(rank=old_rank).values_list("pk", flat=True).first()
    if taker is None:
        return old_rank
    return ranks_after(product_id, taker, 1)[0]


def schedule_rebalance(product_id: int, rank: str) -> None:
    """Ask the worker to give the neighbourhood of ``rank`` short keys, once this commits."""
    if not needs_rebalance(rank):
        return
    from lodestar.backlog.tasks import rebalance_backlog

    transaction.on_commit(functools.partial(rebalance_backlog.enqueue, product_id, rank))


# -- moving ---------------------------------------------------------------------------------


def _check_move(
    item: BacklogItem,
    before: BacklogItem | None,
    after: BacklogItem | None,
    position: str | None,
) -> None:
    if sum(choice is not None for choice in (before, after, position)) != 1:
        raise Invalid.field(
            "position",
            'send exactly one of "before", "after" or "position"',
            code=Code.MOVE_INVALID,
        )
    if position is not None and position not in POSITIONS:
        raise Invalid.field("position", 'must be "top" or "bottom"', code=Code.MOVE_INVALID)
    for field, anchor in (("before", before), ("after", after)):
        if anchor is None:
            continue
        if anchor.product_id != item.product_id or anchor.workspace_id != item.workspace_id:
            raise Invalid.field(
                field,
                f"{anchor.key} is an item of another product; move within one backlog",
                code=Code.ANCHOR_OTHER_PRODUCT,
            )
        if anchor.pk == item.pk:
            raise Invalid.field(field, "is the item being moved", code=Code.MOVE_INVALID)


def _gap(
    item_id: int | Collection[int],
    product_id: int,
    before: BacklogItem | None,
    after: BacklogItem | None,
    position: str | None,
) -> Gap:
    """The neighbours the item goes between, read under the lock (anchors may have moved);
    ``item_id`` is the item, or every item that moves (a parent and its open descendants)."""
    if position == "top":
        return None, _ranks(_live(product_id, item_id).order_by("rank"))
    if position == "bottom":
        return _ranks(_live(product_id, item_id).order_by("-rank")), None
    anchor = before or after
    assert anchor is not None  # noqa: S101 - _check_move made sure one is given
    # One query: the anchor and its neighbour on the side the item goes (the item itself left
    # out). The anchor's rank comes from a subquery, so a trashed anchor finds no rows.
    anchor_rank = Subquery(_live(product_id).filter(pk=anchor.pk).values("rank"))
    side = _live(product_id, item_id)
    if before is not None:
        side = side.filter(rank__lte=anchor_rank).order_by("-rank")
    else:
        side = side.filter(rank__gte=anchor_rank).order_by("rank")
    rows: list[tuple[int, str]] = list(side.values_list("pk", "rank")[:2])
    if not rows or rows[0][0] != anchor.pk:
        raise Invalid.field(
            "before" if before else "after",
            f"{anchor.key} is no longer in the backlog",
            code=Code.MOVE_INVALID,
        )
    rank, neighbour = rows[0][1], rows[1][1] if len(rows) > 1 else None
    return (neighbour, rank) if before is not None else (rank, neighbour)


def _placement(before: BacklogItem | None, after: BacklogItem | None, position: str | None) -> str:
    if before is not None:
        return f"before {before.key}"
    if after is not None:
        return f"after {after.key}"
    return f"to the {position}"


_OPEN = ~Q(status__in=(ItemStatus.DONE, ItemStatus.WONT_DO))


def _subtree_condition(item_id: int) -> Q:
    """The item and its open descendants, reached through open, live items (any depth the
    kinds allow)."""
    condition = Q(pk=item_id)
    path = ""
    for _ in range(MAX_DEPTH - 1):
        between = Q()
        hops = path
        while hops:  # each item between the row and ``item_id`` is live and open
            between &= Q(**{f"{hops}deleted_at__isnull": True}) & ~Q(
                **{f"{hops}status__in": (ItemStatus.DONE, ItemStatus.WONT_DO)}
            )
            hops = hops.removesuffix("parent__")
        condition |= Q(**{f"{path}parent_id": item_id}) & _OPEN & between
        path += "parent__"
    return condition


Row = tuple[int, int | None, str, int, str, str]  # pk, parent id, rank, version, key, title


def _subtree(product_id: int, item_id: int) -> list[Row]:
    """The item's row (first) and its open descendants' rows, in tree order; [] when the item
    left the backlog. One query."""
    rows: list[Row] = list(
        _live(product_id)
        .filter(_subtree_condition(item_id))
        .values_list("pk", "parent_id", "rank", "version", "key", "title")
    )
    by_pk = {row[0]: row for row in rows}
    if item_id not in by_pk:
        return []
    order = tree_order([item_id], [(pk, parent, rank) for pk, parent, rank, *_ in rows])
    return [by_pk[pk] for pk, _ in order]


def _check_anchor_outside(
    rows: list[Row], before: BacklogItem | None, after: BacklogItem | None
) -> None:
    inside = {row[0] for row in rows[1:]}
    for field, anchor in (("before", before), ("after", after)):
        if anchor is not None and anchor.pk in inside:
            raise Invalid.field(
                field,
                f"{anchor.key} sits under {rows[0][4]} and moves with it; "
                "place it relative to an item outside it",
                code=Code.MOVE_INVALID,
            )


@transaction.atomic
def item_move(
    *,
    actor: Actor,
    item: BacklogItem,
    before: BacklogItem | None = None,
    after: BacklogItem | None = None,
    position: str | None = None,
    expected_version: int | None = None,
) -> BacklogItem:
    """Put ``item`` before or after another item of its backlog, or at the top or bottom.

    Writes one row (the item), whatever the backlog's size; nothing at all when the item is
    already there. An item with open descendants takes them along (see the module's
    docstring): one more row written for each. Only the product's product
    owner, or an admin, orders.
    """
    _check_move(item, before, after, position)
    require(actor, Permission.ORDER_BACKLOG, product=item.product)
    product_lock(product_id=item.product_id)
    subtree = _subtree(item.product_id, item.pk)
    if not subtree:
        raise NotFound(f"{item.key} is no longer in the backlog.", code=Code.ITEM_NOT_FOUND)
    rank, version = subtree[0][2], subtree[0][3]
    if expected_version is not None and expected_version != version:
        last = object_last_change(item)
        if last is None:
            raise StaleVersion(
                f"{item.key} was changed by someone else (you have version {expected_version}, "
                f"the current one is {version}). Reload the backlog and move it again."
            )
        raise StaleVersion(
            f"{item.key} was changed by {last.who} at {last.when} — reload the backlog and move "
            "it again.",
            changed_by=last.who,
            changed_at=last.at,
        )
    if len(subtree) > 1:
        _check_anchor_outside(subtree, before, after)
        return _move_subtree(actor, item, subtree, before, after, position)
    low, high = _gap(item.pk, item.product_id, before, after, position)
    if (low is None or low < rank) and (high is None or rank < high):
        item.rank, item.version = rank, version
        return item
    key = key_between(low, high)
    if len(key) > MAX_KEY_LENGTH:
        rebalance(product_id=item.product_id, around=low or high or key)
        low, high = _gap(item.pk, item.product_id, before, after, position)
        key = key_between(low, high)
    now = timezone.now()
    # Only the rank changes, and every rank writer holds the product lock: the UPDATE cannot
    # collide on (product, rank). It is conditional on the version read above so that the
    # version it writes is exact; a concurrent edit of another field (which does not take the
    # product lock) only makes it read the version again, never fail the move.
    for _ in range(3):
        written = BacklogItem.objects.filter(pk=item.pk, version=version).update(
            rank=key, version=version + 1, updated_at=now
        )
        if written:
            break
        version = _live(item.product_id).filter(pk=item.pk).values_list("version", flat=True)[0]
    else:  # pragma: no cover - three edits of this item inside one move
        raise Conflict(f"{item.key} is being edited right now; try the move again.")
    item.rank, item.version, item.updated_at = key, version + 1, now
    record(
        actor,
        item,
        HistoryEntry.Action.MOVED,
        {"rank": [rank, key], "placement": _placement(before, after, position)},
    )
    schedule_rebalance(item.product_id, key)
    return item


def _move_subtree(
    actor: Actor,
    item: BacklogItem,
    subtree: list[Row],
    before: BacklogItem | None,
    after: BacklogItem | None,
    position: str | None,
) -> BacklogItem:
    """Move ``item`` with its open descendants (``subtree``, the item first, in tree order)
    into one run of fresh keys where the item goes; nothing when the run is already there."""
    product_id = item.product_id
    moving = [row[0] for row in subtree]
    low, high = _gap(moving, product_id, before, after, position)
    ranks = [row[2] for row in subtree]
    in_place = all(a < b for a, b in itertools.pairwise(ranks))
    if in_place and (low is None or low < ranks[0]) and (high is None or ranks[-1] < high):
        item.rank, item.version = ranks[0], subtree[0][3]
        return item
    keys = keys_between(low, high, len(moving))
    current = dict(zip(moving, ranks, strict=True))
    if max(len(key) for key in keys) > MAX_KEY_LENGTH:
        rebalance(product_id=product_id, around=low or high or keys[0])
        low, high = _gap(moving, product_id, before, after, position)
        keys = keys_between(low, high, len(moving))
        current = dict(_live(product_id).filter(pk__in=moving).values_list("pk", "rank"))
    # Rows of the run whose key another of them is about to take are parked first: the unique
    # (product, rank) index is checked row by row. No other live item lies between low and high.
    _rewrite([(pk, current[pk]) for pk in moving], keys)
    now = timezone.now()
    # One statement bumps every version from what is stored, so a concurrent edit of another
    # field of a child (which does not take the product lock) is never counted twice.
    BacklogItem.objects.filter(pk__in=moving).update(version=F("version") + 1, updated_at=now)
    placement = _placement(before, after, position)
    changes = [
        Change(
            obj=BacklogItem(pk=pk, workspace_id=item.workspace_id),
            action=HistoryEntry.Action.MOVED,
            changes={
                "rank": [old, key],
                "placement": placement if pk == item.pk else f"with {item.key}, {placement}",
            },
            label=f"{key_} {title}",
            actor=actor.user,
        )
        for (pk, _parent, old, _version, key_, title), key in zip(subtree, keys, strict=True)
    ]
    history_record_many(workspace_id=item.workspace_id, changes=changes)
    item.rank, item.updated_at = keys[0], now
    item.version = _live(product_id).filter(pk=item.pk).values_list("version", flat=True)[0]
    schedule_rebalance(product_id, max(keys, key=len))
    return item


# -- rebalancing ------------------------------------------------------------------------------


def _window(product_id: int, around: str, width: int) -> Gap:
    """The bounds of ``width`` live items on each side of ``around`` (None: the open end)."""
    before = list(
        _live(product_id)
        .filter(rank__lt=around)
        .order_by("-rank")
        .values_list("rank", flat=True)[: width + 1]
    )
    after = list(
        _live(product_id)
        .filter(rank__gte=around)
        .order_by("rank")
        .values_list("rank", flat=True)[: width + 1]
    )
    low = before[width] if len(before) > width else None
    high = after[width] if len(after) > width else None
    return low, high


def _rewrite(pairs: list[tuple[int, str]], keys: list[str]) -> int:
    """Give each ``(pk, old key)`` its new key: the rows whose old key another row is about to
    take are parked first (the unique (product, rank) index is checked row by row), then each
    changed row is written once: two ``bulk_update_values`` calls, whatever the count."""
    wanted = set(keys)
    changed = [(pk, key) for (pk, old), key in zip(pairs, keys, strict=True) if key != old]
    in_the_way = [
        (pk, f"{_PARKED}{pk}")
        for (pk, old), key in zip(pairs, keys, strict=True)
        if key != old and old in wanted
    ]
    bulk_update_values(BacklogItem, in_the_way, ["rank"])
    bulk_update_values(BacklogItem, changed, ["rank"])
    return len(changed)


def rebalance(*, product_id: int, around: str) -> int:
    """Give the items around ``around`` short, evenly spread keys; the order stays the same.

    Widens the neighbourhood until its bounds are short keys (or it is the whole backlog).
    Ranks are housekeeping, not content: versions and history stay as they are. A whole
    backlog whose new keys would take more than ``PARK_LIMIT`` keys still held gets keys of
    one length spread over the key space instead (``ranking.spread_keys``), chosen to miss the
    keys held, so each row is written once. Returns how many items the neighbourhood holds.
    """
    with transaction.atomic():
        product_lock(product_id=product_id)
        width = REBALANCE_WINDOW
        while True:
            low, high = _window(product_id, around, width)
            short = all(bound is None or len(bound) <= SHORT_KEY for bound in (low, high))
            if short or width >= REBALANCE_MAX_WINDOW:
                break
            width *= 4
        if not short:
            low, high = None, None
        scope = _live(product_id)
        if low is not None:
            scope = scope.filter(rank__gt=low)
        if high is not None:
            scope = scope.filter(rank__lt=high)
        pairs: list[tuple[int, str]] = list(scope.order_by("rank").values_list("pk", "rank"))
        if not pairs:
            return 0
        keys = keys_between(low, high, len(pairs))
        if low is None and high is None:
            held = {old for _, old in pairs}
            if sum(key in held for key in keys) > PARK_LIMIT:
                keys = spread_keys(len(pairs), avoid=held)
        _rewrite(pairs, keys)
        return len(pairs)
