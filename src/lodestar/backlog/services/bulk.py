"""Many backlog items at once, all or nothing, in one transaction.

``items_create_many`` (an import, a template): every spec is checked as ``item_create`` checks
one, with errors naming the spec (``items[3].title``), before anything is written; then item
numbers and ranks are taken in one block each, labels are resolved in one query, the items are
inserted level by level (parents before the children that name them) and their history in one
insert.

``items_update_many`` (the backlog's bulk edit): one change made to many items through the
single item's rules (``items.apply_changes``, the moves' locking, the trash), one history
entry per item; the first refusal names the item and refuses the batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.backlog import hierarchy
from lodestar.backlog.errors import BacklogErrorCode as Code
from lodestar.backlog.flow.services import StatusMove, status_change_of, status_changes_record
from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus, Label, fold_label
from lodestar.backlog.services import ordering
from lodestar.backlog.services._common import (
    UNSET,
    EstimateValue,
    Unset,
    check_ready,
    clean_criteria,
    clean_estimate,
    clean_kind,
    clean_label_names,
    clean_title,
    render_text,
)
from lodestar.backlog.services.items import apply_changes, item_delete
from lodestar.core.db import (
    bulk_insert,
    bulk_update_values,
    insert_plain_rows,
    insert_rows,
    unsaved,
)
from lodestar.core.errors import DomainError, FieldError, Invalid, NotFound, StaleVersion
from lodestar.core.history import Change, history_record_many
from lodestar.core.markdown import markdown_renderer
from lodestar.core.models import HistoryEntry
from lodestar.core.ranking import keys_between
from lodestar.people.models import Membership, User
from lodestar.people.policy import Actor, Permission, require
from lodestar.strategy.models import Product, ProductGoal
from lodestar.strategy.selectors import product_team_query
from lodestar.strategy.services import product_item_numbers_take, product_lock

Action = HistoryEntry.Action

# Specs per call: an importer sends a large file in several calls.
BULK_MAX = 10_000


@dataclass(frozen=True)
class ItemSpec:
    """One item for ``items_create_many``; a field left out takes ``item_create``'s default.

    ``parent`` is an existing item, or the index of an earlier spec of the same call.
    ``created_by`` is the original author (a member of the workspace, or None when unknown);
    left out, it is the actor. ``created_at`` and ``updated_at`` carry an import's dates
    (aware, not in the future); left out, now (``updated_at`` defaults to ``created_at``).
    """

    title: str
    kind: str = ItemKind.STORY
    description: str = ""
    acceptance_criteria: Sequence[str] = field(default_factory=tuple)
    estimate: EstimateValue = None
    status: str = ItemStatus.NEW
    labels: Sequence[str] = field(default_factory=tuple)
    assignee: Membership | None = None
    parent: BacklogItem | int | None = None
    goal: ProductGoal | Unset | None = UNSET
    created_by: Membership | Unset | None = UNSET
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


def _invalid(where: str, name: str, message: str, code: str) -> Invalid:
    return Invalid.field(f"{where}.{name}", message, code=code)


_STATUSES = frozenset(ItemStatus.values)


def _status(value: str, where: str) -> ItemStatus:
    if value not in _STATUSES:
        raise _invalid(
            where, "status", f"must be one of {', '.join(ItemStatus.values)}", Code.STATUS_INVALID
        )
    return ItemStatus(value)


def _date(value: dt.datetime | None, where: str, name: str, now: dt.datetime) -> dt.datetime:
    if value is None:
        return now
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise _invalid(where, name, "must be a date and time with a time zone", Code.DATE_INVALID)
    if value > now:
        raise _invalid(where, name, "must not be in the future", Code.DATE_INVALID)
    return value


def _parent(
    spec: ItemSpec, kinds: list[str], index: int, product: Product
) -> tuple[BacklogItem | None, int | None]:
    """``(parent, index of the parent spec)``; the kinds must allow it. A spec's parent may be
    any other spec of the call, before or after it (an import keeps the source's order, where
    a story may come before its epic)."""
    where, parent = f"items[{index}]", spec.parent
    kind = kinds[index]
    if parent is None:
        return None, None
    if isinstance(parent, int) and not isinstance(parent, bool):
        if not 0 <= parent < len(kinds) or parent == index:
            raise _invalid(
                where,
                "parent",
                f"must be an existing item or the index of another item of this batch "
                f"(0 to {len(kinds) - 1}, not {index})",
                Code.PARENT_INVALID,
            )
        if not hierarchy.may_contain(kinds[parent], kind):
            raise _invalid(
                where,
                "parent",
                f"{hierarchy.parent_rule(kind)} (items[{parent}] is a {kinds[parent]})",
                Code.PARENT_KIND,
            )
        return None, parent
    if not isinstance(parent, BacklogItem):
        raise _invalid(where, "parent", "must be an item or an index", Code.PARENT_INVALID)
    if parent.product_id != product.pk:
        raise _invalid(where, "parent", "is an item of another product", Code.PARENT_INVALID)
    if parent.in_trash:
        raise _invalid(where, "parent", f"{parent.key} is in the trash", Code.PARENT_INVALID)
    if not hierarchy.may_contain(parent.kind, kind):
        raise _invalid(
            where,
            "parent",
            f"{hierarchy.parent_rule(kind)} ({parent.key} is a {parent.kind})",
            Code.PARENT_KIND,
        )
    return parent, None


def _item(
    actor: Actor,
    product: Product,
    spec: ItemSpec,
    index: int,
    kinds: list[str],
    now: dt.datetime,
) -> tuple[BacklogItem, int | None, list[str]]:
    """The unsaved item of ``spec`` (checked), the index of its parent spec, its label names.
    An item whose parent is a spec of the call takes that parent's goal when written."""
    where = f"items[{index}]"
    kind = kinds[index]
    parent, parent_index = _parent(spec, kinds, index, product)
    if spec.assignee is not None and spec.assignee.workspace_id != product.workspace_id:
        raise _invalid(
            where, "assignee", "is not a member of this workspace", Code.ASSIGNEE_INVALID
        )
    if spec.goal is UNSET:  # the parent's goal (by id: no query per item)
        goal_id = parent.goal_id if parent is not None else None
    else:
        if spec.goal is not None and spec.goal.product_id != product.pk:
            raise _invalid(
                where, "goal", f"is not a goal of product {product.key}", Code.GOAL_INVALID
            )
        goal_id = spec.goal.pk if spec.goal is not None else None
    author: User | None = actor.user
    if spec.created_by is not UNSET:
        if spec.created_by is not None and spec.created_by.workspace_id != product.workspace_id:
            raise _invalid(
                where, "created_by", "is not a member of this workspace", Code.AUTHOR_INVALID
            )
        author = spec.created_by.user if spec.created_by is not None else None
    created_at = _date(spec.created_at, where, "created_at", now)
    updated_at = _date(spec.updated_at, where, "updated_at", now) if spec.updated_at else created_at
    if updated_at < created_at:
        raise _invalid(where, "updated_at", "must not be before created_at", Code.DATE_INVALID)
    # Checked in the order of the fields, as the single item's are.
    title = clean_title(spec.title, f"{where}.title")
    criteria = clean_criteria(spec.acceptance_criteria, f"{where}.acceptance_criteria")
    status = _status(spec.status, where)
    estimate, estimate_unknown = clean_estimate(product, spec.estimate, f"{where}.estimate")
    existing_parent = parent if parent is not None and parent_index is None else None
    # Built without the model's constructor (``core.db.unsaved``): numbers, keys, ranks and
    # the rendered text are set once the batch is checked.
    item = unsaved(
        BacklogItem,
        {
            "created_at": created_at,
            "updated_at": updated_at,
            "version": 1,
            "deleted_at": None,
            "deleted_by_id": None,
            "workspace_id": product.workspace_id,
            "product_id": product.pk,
            "number": None,
            "key": "",
            "kind": kind,
            "title": title,
            "description": spec.description or "",
            "acceptance_criteria": criteria,
            "description_html": "",
            "acceptance_criteria_html": [],
            "estimate": estimate,
            "estimate_unknown": estimate_unknown,
            "status": status,
            "assignee_id": spec.assignee.pk if spec.assignee is not None else None,
            "parent_id": existing_parent.pk if existing_parent is not None else None,
            "goal_id": goal_id,
            "rank": "",
            "created_by_id": author.pk if author is not None else None,
        },
        cached={
            "product": product,
            "assignee": spec.assignee,
            "created_by": author,
            **({"parent": existing_parent} if existing_parent is not None else {}),
        },
    )
    labels = clean_label_names(spec.labels, f"{where}.labels") if spec.labels else []
    return item, parent_index, labels


def _check_ready(item: BacklogItem, index: int) -> None:
    check_ready(item, name=f"items[{index}]", field=f"items[{index}].status")


def _labels(product: Product, names: list[list[str]]) -> dict[str, Label]:
    """The product's labels for every name used (ignoring case), the missing ones created."""
    wanted: dict[str, str] = {}
    for item_names in names:
        for name in item_names:
            wanted.setdefault(fold_label(name), name)
    if not wanted:
        return {}

    def existing() -> dict[str, Label]:
        found = Label.objects.filter(product=product, folded__in=list(wanted))
        return {label.folded: label for label in found}

    found = existing()
    missing = [
        Label(product=product, name=name, folded=folded)
        for folded, name in wanted.items()
        if folded not in found
    ]
    if missing:
        # A concurrent writer may create one of them first: keep its row, then read them all.
        bulk_insert(Label, missing, ignore_conflicts=True)
        found = existing()
    return found


def _levels(parents: list[int | None]) -> list[list[int]]:
    """Spec indexes grouped so that each parent spec is in a level before its children;
    ``Invalid`` naming a spec whose parents lead back to it."""
    depth: list[int | None] = [None] * len(parents)
    for start in range(len(parents)):
        chain: list[int] = []
        index: int | None = start
        while index is not None and depth[index] is None:
            if index in chain:
                raise _invalid(
                    f"items[{index}]",
                    "parent",
                    "its parents lead back to it: "
                    + " -> ".join(f"items[{i}]" for i in [*chain[chain.index(index) :], index]),
                    Code.PARENT_INVALID,
                )
            chain.append(index)
            index = parents[index]
        level = -1 if index is None else depth[index]
        assert level is not None  # noqa: S101 - the loop stops at a known depth or the top
        for index in reversed(chain):
            level += 1
            depth[index] = level
    levels: list[list[int]] = [[] for _ in range(max((d or 0 for d in depth), default=-1) + 1)]
    for index, level in enumerate(depth):
        levels[level or 0].append(index)
    return levels


@transaction.atomic
def items_create_many(
    *,
    actor: Actor,
    product: Product,
    specs: Sequence[ItemSpec],
    check_readiness: bool = True,
) -> list[BacklogItem]:
    """New items of ``product`` from ``specs``, at the bottom of its backlog in the given order.

    Checks every spec as ``item_create`` does, and writes nothing if one is wrong (the error
    names it: ``items[3].title``). A spec with status ``ready`` must pass the product's
    Definition of Ready (a query or two each), unless ``check_readiness`` is False: an importer
    carrying statuses from another tool may say so, since the items were ready there. The
    history of each item is recorded as its original author at its original date when the
    spec carries them (with ``imported_by``, the actor, when that is someone else).
    """
    require(actor, Permission.EDIT_CONTENT)
    if product.workspace_id != actor.workspace_id:
        raise Invalid.field("product", "is not a product of this workspace")
    if isinstance(specs, str) or len(specs) > BULK_MAX:
        raise Invalid.field(
            "items", f"give at most {BULK_MAX:,} items per call", code=Code.ITEMS_INVALID
        )
    if not specs:
        return []
    now = timezone.now()
    items: list[BacklogItem] = []
    parents: list[int | None] = []
    names: list[list[str]] = []
    kinds: list[str] = [
        clean_kind(spec.kind, f"items[{index}].kind") for index, spec in enumerate(specs)
    ]
    for index, spec in enumerate(specs):
        item, parent_index, labels = _item(actor, product, spec, index, kinds, now)
        items.append(item)
        parents.append(parent_index)
        names.append(labels)
    if check_readiness:
        for index, item in enumerate(items):
            if item.status == ItemStatus.READY:
                _check_ready(item, index)
    levels = _levels(parents)
    label_rows = _labels(product, names)
    # Taking the numbers locks the product: the ranks below are read under that lock.
    first = product_item_numbers_take(product=product, count=len(items))
    ranks = keys_between(ordering.last_rank(product.pk), None, len(items))
    render = markdown_renderer()
    for offset, (item, rank) in enumerate(zip(items, ranks, strict=True)):
        item.number = first + offset
        item.key = f"{product.key}-{item.number}"
        item.rank = rank
        render_text(item, render)
    for level in levels:
        for index in level:
            parent_index = parents[index]
            if parent_index is not None:
                items[index].parent = items[parent_index]
                if specs[index].goal is UNSET:
                    items[index].goal_id = items[parent_index].goal_id
        insert_rows(BacklogItem, [items[index] for index in level])
    insert_plain_rows(
        BacklogItem.labels.through,
        ["backlogitem_id", "label_id"],
        [
            (item.pk, label_rows[fold_label(name)].pk)
            for item, item_names in zip(items, names, strict=True)
            for name in item_names
        ],
    )
    created = [_created(actor, item) for item in items]
    history_record_many(workspace_id=product.workspace_id, changes=created)
    status_changes_record(
        [
            StatusMove(item, "", str(item.status), change.actor, change.at)
            for item, change in zip(items, created, strict=True)
        ]
    )
    ordering.schedule_rebalance(product.pk, ranks[-1])
    return items


def _created(actor: Actor, item: BacklogItem) -> Change:
    changes: dict[str, object] = {
        "kind": item.kind,
        "title": item.title,
        "status": item.status,
        "rank": item.rank,
    }
    if item.created_by_id != actor.user.pk:
        changes["imported_by"] = actor.user.pk
    return Change(
        obj=item,
        action=HistoryEntry.Action.CREATED,
        changes=changes,
        label=f"{item.key} {item.title}",
        actor=item.created_by,
        at=item.created_at,
    )


# -- changing many items at once ------------------------------------------------------------

# Items per bulk change: a page's selection, never a whole backlog by accident.
BULK_UPDATE_MAX = 500
PLACEMENTS = {"top": "to the top", "bottom": "to the bottom"}


@dataclass(frozen=True)
class BulkChange:
    """What ``items_update_many`` does to every item: a field left UNSET keeps its value, None
    clears it. Labels are added and removed (the others stay); ``position`` moves the items to
    the top or bottom of the backlog in their present order; ``delete`` moves them to the
    trash and goes alone."""

    status: str | Unset = UNSET
    assignee: Membership | Unset | None = UNSET
    goal: ProductGoal | Unset | None = UNSET
    estimate: EstimateValue | Unset = UNSET
    add_labels: Sequence[str] = ()
    remove_labels: Sequence[str] = ()
    position: str | None = None
    delete: bool = False

    def fields(self) -> dict[str, Any]:
        """The single-item changes, as ``apply_changes`` takes them."""
        values = {
            "status": self.status,
            "assignee": self.assignee,
            "goal": self.goal,
            "estimate": self.estimate,
        }
        return {name: value for name, value in values.items() if value is not UNSET}

    @property
    def empty(self) -> bool:
        return not (
            self.fields()
            or self.add_labels
            or self.remove_labels
            or self.position is not None
            or self.delete
        )


def _about(item: BacklogItem, error: DomainError) -> DomainError:
    """``error``, raised for one item of a batch, as the batch's refusal: its fields name the
    item (``items[ACME-3].status``, "ACME-3 status: must be one of ..." in words) and so does
    its detail."""
    named = type(error)(
        error.detail if item.key in error.detail else f"{item.key}: {error.detail}",
        code=error.code,
        errors=[
            FieldError(f"items[{item.key}].{field.field}", field.message) for field in error.errors
        ],
        headers=error.headers,
    )
    return named


def _check_batch(
    actor: Actor, product: Product, items: Sequence[BacklogItem], change: BulkChange
) -> None:
    if not items:
        raise Invalid.field("items", "select at least one item", code=Code.ITEMS_INVALID)
    if len(items) > BULK_UPDATE_MAX:
        raise Invalid.field(
            "items",
            f"change at most {BULK_UPDATE_MAX} items at once ({len(items)} were sent)",
            code=Code.ITEMS_INVALID,
        )
    if change.empty:
        raise Invalid.field(
            "changes",
            "choose what to change: status, assignee, goal, estimate, labels, a move or delete",
            code=Code.ITEMS_INVALID,
        )
    if change.delete and not (change.fields() == {} and change.position is None):
        raise Invalid.field(
            "delete",
            "deleting goes alone: send it without other changes",
            code=Code.ITEMS_INVALID,
        )
    if change.position is not None and change.position not in PLACEMENTS:
        raise Invalid.field("position", 'must be "top" or "bottom"', code=Code.MOVE_INVALID)
    if product.workspace_id != actor.workspace_id:
        raise Invalid.field("product", "is not a product of this workspace")
    seen: set[int] = set()
    for item in items:
        if item.product_id != product.pk or item.workspace_id != product.workspace_id:
            raise Invalid.field(
                f"items[{item.key}]",
                "is an item of another product; change one backlog at a time",
                code=Code.ITEMS_INVALID,
            )
        if item.pk in seen:
            raise Invalid.field(f"items[{item.key}]", "is named twice", code=Code.ITEMS_INVALID)
        seen.add(item.pk)


def _labels_after(item: BacklogItem, change: BulkChange) -> list[str] | Unset:
    """The item's label names with ``add_labels`` added and ``remove_labels`` taken away
    (matched ignoring case); UNSET when the change touches no labels."""
    if not change.add_labels and not change.remove_labels:
        return UNSET
    removed = {fold_label(name) for name in change.remove_labels}
    names = {fold_label(label.name): label.name for label in item.labels.all()}
    for name in change.add_labels:
        names.setdefault(fold_label(name), name)
    return [name for folded, name in names.items() if folded not in removed]


def _children_first(items: list[BacklogItem]) -> list[BacklogItem]:
    """``items`` with every item after those of the batch under it (so a parent deleted with
    its children goes last, once nothing live is left under it)."""
    by_id = {item.pk: item for item in items}

    def depth(item: BacklogItem) -> int:
        level, parent_id = 0, item.parent_id
        while parent_id in by_id and level <= len(items):
            level, parent_id = level + 1, by_id[parent_id].parent_id
        return level

    return sorted(items, key=depth, reverse=True)


@transaction.atomic
def items_update_many(
    *,
    actor: Actor,
    product: Product,
    items: Sequence[BacklogItem],
    change: BulkChange,
    versions: Mapping[int, int] | None = None,
) -> list[BacklogItem]:
    """Make ``change`` to every item of ``items`` (all of ``product``), in one transaction,
    with one history entry per item changed: all or nothing.

    Each item is checked as ``item_update``, ``item_move`` and ``item_delete`` check one (the
    same rules, the same policy); the first refusal refuses the batch, names the item and its
    field, and nothing is written. ``versions`` maps item ids to the version the caller saw (a
    stale one refuses the batch). Returns the items in backlog order.
    """
    require(actor, Permission.EDIT_CONTENT)
    if change.position is not None:
        require(actor, Permission.ORDER_BACKLOG, teams=product_team_query(product))
    _check_batch(actor, product, items, change)
    versions = versions or {}
    if change.delete:
        for item in _children_first(list(items)):
            try:
                item_delete(actor=actor, item=item, expected_version=versions.get(item.pk))
            except DomainError as error:
                raise _about(item, error) from error
        return sorted(items, key=lambda item: item.rank)
    if change.position is not None:
        product_lock(product_id=product.pk)
    fields = change.fields()
    changed: list[tuple[BacklogItem, dict[str, Any]]] = []
    names: list[list[str]] = []
    for item in _locked(product, items, versions):
        try:
            changes = apply_changes(item, **fields)
            after = _labels_after(item, change)
            # The single item's rules for its labels (names, how many), labels written below.
            names.append(clean_label_names(after) if after is not UNSET else [])
        except DomainError as error:
            raise _about(item, error) from error
        changed.append((item, changes))
    if change.add_labels or change.remove_labels:
        _relabel(product, changed, names, change)
    changed.sort(key=lambda pair: pair[0].rank)
    if change.position is not None:
        _place(product, change.position, changed)
    _write(actor, product, changed)
    return [item for item, _ in changed]


def _relabel(
    product: Product,
    changed: list[tuple[BacklogItem, dict[str, Any]]],
    names: list[list[str]],
    change: BulkChange,
) -> None:
    """Give each item the labels ``names`` says (the new ones created once for the batch),
    in one delete and one insert, and add the change to the items whose labels changed."""
    rows = _labels(product, names)
    through = BacklogItem.labels.through
    links: list[Any] = []
    touched: list[int] = []
    for (item, changes), item_names in zip(changed, names, strict=True):
        old = {label.pk: label.name for label in item.labels.all()}
        new = {rows[fold_label(name)].pk: rows[fold_label(name)].name for name in item_names}
        if set(old) == set(new):
            continue
        changes["labels"] = [sorted(old.values()), sorted(new.values())]
        touched.append(item.pk)
        links += [through(backlogitem_id=item.pk, label_id=pk) for pk in set(new) - set(old)]
    removed = [fold_label(name) for name in change.remove_labels]
    if touched and removed:
        through.objects.filter(backlogitem_id__in=touched, label__folded__in=removed).delete()
    insert_rows(through, links)


def _locked(
    product: Product, items: Sequence[BacklogItem], versions: Mapping[int, int]
) -> list[BacklogItem]:
    """``items`` read again as stored, locked until commit, in one query (their labels in one
    more; a real prefetch, which the labels' ``set`` can write through): what
    ``check_version`` does for one item. A version the caller saw that is no
    longer the stored one refuses the batch."""
    found = {
        item.pk: item
        for item in BacklogItem.objects.select_for_update(of=("self",))
        .filter(product=product, pk__in=[item.pk for item in items])
        # One lock order for every batch, so two batches that share items never deadlock.
        .order_by("pk")
        .prefetch_related("labels")
    }
    fresh: list[BacklogItem] = []
    for item in items:
        current = found.get(item.pk)
        if current is None:
            raise NotFound(f"{item.key} is no longer in the backlog.", code=Code.ITEM_NOT_FOUND)
        seen = versions.get(item.pk)
        if seen is not None and seen != current.version:
            raise StaleVersion(
                f"{item.key} was changed by someone else (you have version {seen}, the current "
                f"one is {current.version}). Reload the backlog and apply the change again."
            )
        current.product = product
        fresh.append(current)
    return fresh


def _write(
    actor: Actor, product: Product, changed: list[tuple[BacklogItem, dict[str, Any]]]
) -> None:
    """Write the changed items with their next version, one statement for each set of fields
    changed together (the rows are locked: no one wrote them since they were read), and one
    history entry each in one insert."""
    now = timezone.now()
    groups: dict[tuple[str, ...], list[BacklogItem]] = {}
    history: list[Change] = []
    for item, changes in changed:
        if not changes:
            continue
        fields = tuple(name for name in changes if name not in {"labels", "placement"})
        item.version += 1
        item.updated_at = now
        groups.setdefault(fields, []).append(item)
        moved_only = set(changes) <= {"rank", "placement"}
        history.append(
            Change(
                obj=item,
                action=Action.MOVED if moved_only else Action.UPDATED,
                changes=changes,
                label=f"{item.key} {item.title}",
                actor=actor.user,
            )
        )
    for fields, rows in groups.items():
        bulk_update_values(BacklogItem, rows, [*fields, "version", "updated_at"])
    if history:
        history_record_many(workspace_id=product.workspace_id, changes=history)
        moves = [
            status_change_of(change.obj, change.action, change.changes or {}, actor.user)
            for change in history
        ]
        status_changes_record([move for move in moves if move is not None])


def _place(
    product: Product, position: str, changed: list[tuple[BacklogItem, dict[str, Any]]]
) -> None:
    """New ranks for the items (in rank order) at ``position``, their order kept; none when
    they are there already. Adds the move to each item's changes."""
    ids = [item.pk for item, _ in changed]
    if ordering.at_end(product.pk, position, ids):
        return
    keys = ordering.end_ranks(product.pk, position, len(ids))
    for (item, changes), key in zip(changed, keys, strict=True):
        changes["rank"] = [item.rank, key]
        changes["placement"] = PLACEMENTS[position]
        item.rank = key
    ordering.schedule_rebalance(product.pk, keys[0] if position == "top" else keys[-1])


@dataclass(frozen=True)
class _Lodestar:
    """Lodestar itself as the author of a change no one made by hand (history names no one)."""

    workspace_id: int
    user: None = None


@transaction.atomic
def items_mark(*, product: Product, items: Sequence[BacklogItem], label: str) -> list[BacklogItem]:
    """Lodestar's own mark on items of ``product``: ``label`` added to each item of ``items``
    that is still open (neither done nor won't do) and lacks it, in one history entry per item
    changed, naming no one. For facts that call for the team's attention, found by a periodic
    task rather than done by a person (a missed outcome marks the open items of its problem);
    no policy is asked, since no one acts. Returns the items marked."""
    name = clean_label_names([label])[0]
    open_ = [
        item
        for item in items
        if item.product_id == product.pk
        and item.status not in (ItemStatus.DONE, ItemStatus.WONT_DO)
        and item.deleted_at is None
    ]
    if not open_:
        return []
    change = BulkChange(add_labels=[name])
    changed: list[tuple[BacklogItem, dict[str, Any]]] = []
    names: list[list[str]] = []
    for item in _locked(product, open_, {}):
        after = _labels_after(item, change)
        names.append(clean_label_names(after) if after is not UNSET else [])
        changed.append((item, {}))
    _relabel(product, changed, names, change)
    marked = [(item, changes) for item, changes in changed if changes]
    _write(_Lodestar(product.workspace_id), product, marked)  # type: ignore[arg-type]
    return [item for item, _ in marked]
