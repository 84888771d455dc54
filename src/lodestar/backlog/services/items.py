"""Creating, changing, deleting and restoring backlog items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from lodestar.backlog.errors import BacklogErrorCode as Code
from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus
from lodestar.backlog.permissions import BacklogPermission
from lodestar.backlog.services import ordering
from lodestar.backlog.services._common import (
    RENDERED_FIELDS,
    TEXT_FIELDS,
    UNSET,
    EstimateValue,
    Unset,
    check_assignee,
    check_goal,
    check_parent,
    check_ready,
    clean_criteria,
    clean_estimate,
    clean_kind,
    clean_status,
    clean_title,
    labels_for,
    record,
    render_text,
)
from lodestar.core import trash
from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Conflict, Invalid
from lodestar.core.history import changes_since, snapshot
from lodestar.core.models import HistoryEntry
from lodestar.people.models import Membership
from lodestar.people.policy import Actor, Permission, require
from lodestar.strategy.models import Product, ProductGoal
from lodestar.strategy.services import product_item_numbers_take, product_lock

Action = HistoryEntry.Action

_FIELDS = [
    "title",
    "description",
    "acceptance_criteria",
    "estimate",
    "estimate_unknown",
    "status",
    "assignee",
    "parent",
    "goal",
]


def _place(
    actor: Actor,
    product: Product,
    position: str,
    before: BacklogItem | None,
    after: BacklogItem | None,
) -> str:
    """The rank of a new item (the product lock is held). Anywhere but the bottom is ordering."""
    if before is not None or after is not None or position != "bottom":
        require(actor, BacklogPermission.ORDER_BACKLOG, product=product)
    if (before is not None and after is not None) or position not in ordering.POSITIONS:
        raise Invalid.field(
            "position",
            'use "top" or "bottom", or one of "before" and "after"',
            code=Code.MOVE_INVALID,
        )
    for field, anchor in (("before", before), ("after", after)):
        if anchor is not None and anchor.product_id != product.pk:
            raise Invalid.field(
                field, f"{anchor.key} is an item of another product", code=Code.ANCHOR_OTHER_PRODUCT
            )
    return ordering.new_rank(product.pk, position=position, before=before, after=after)


@transaction.atomic
def item_create(
    *,
    actor: Actor,
    product: Product,
    title: str,
    kind: str = ItemKind.STORY,
    description: str = "",
    acceptance_criteria: Sequence[str] = (),
    estimate: EstimateValue = None,
    status: str = ItemStatus.NEW,
    labels: Sequence[str] = (),
    assignee: Membership | None = None,
    parent: BacklogItem | None = None,
    goal: ProductGoal | Unset | None = UNSET,
    position: str = "bottom",
    before: BacklogItem | None = None,
    after: BacklogItem | None = None,
) -> BacklogItem:
    """A new item of ``product``, at the bottom unless placed (placing is ordering: PO/admin).

    Without ``goal`` it serves its parent's goal (or none, and is then flagged).
    """
    require(actor, Permission.EDIT_CONTENT)
    if product.workspace_id != actor.workspace_id:
        raise Invalid.field("product", "is not a product of this workspace")
    item = BacklogItem(
        workspace_id=product.workspace_id,
        product=product,
        kind=clean_kind(kind),
        title=clean_title(title),
        description=description or "",
        acceptance_criteria=clean_criteria(acceptance_criteria),
        status=clean_status(status),
        assignee=assignee,
        parent=parent,
        created_by=actor.user,
    )
    item.estimate, item.estimate_unknown = clean_estimate(product, estimate)
    check_assignee(product.workspace_id, assignee)
    check_parent(item, item.kind, parent)
    item.goal = (parent.goal if parent else None) if goal is UNSET else goal
    check_goal(product, item.goal)
    if item.status == ItemStatus.READY:
        check_ready(item)
    label_rows = labels_for(product, labels) if labels else []
    # Taking the number locks the product: numbers and ranks of concurrent writers queue here.
    item.number = product_item_numbers_take(product=product)
    item.key = f"{product.key}-{item.number}"
    item.rank = _place(actor, product, position, before, after)
    render_text(item)
    item.save()
    if label_rows:
        item.labels.set(label_rows)
    record(
        actor,
        item,
        Action.CREATED,
        {"kind": item.kind, "title": item.title, "status": item.status, "rank": item.rank},
    )
    ordering.schedule_rebalance(product.pk, item.rank)
    return item


@transaction.atomic
def item_update(
    *,
    actor: Actor,
    item: BacklogItem,
    expected_version: int | None = None,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    acceptance_criteria: Sequence[str] | Unset = UNSET,
    estimate: EstimateValue | Unset = UNSET,
    status: str | Unset = UNSET,
    labels: Sequence[str] | Unset = UNSET,
    assignee: Membership | Unset | None = UNSET,
    parent: BacklogItem | Unset | None = UNSET,
    goal: ProductGoal | Unset | None = UNSET,
) -> BacklogItem:
    """Change an item; a keyword left out keeps its value, None clears it.

    ``ready`` is refused (422 ``not_ready``) unless the item, as changed, passes its product's
    Definition of Ready. The kind changes through ``item_convert``, the rank through
    ``item_move``.
    """
    require(actor, Permission.EDIT_CONTENT)
    check_version(item, expected_version)
    changes = apply_changes(
        item,
        title=title,
        description=description,
        acceptance_criteria=acceptance_criteria,
        estimate=estimate,
        status=status,
        labels=labels,
        assignee=assignee,
        parent=parent,
        goal=goal,
    )
    write_changes(actor, item, changes)
    return item


def apply_changes(
    item: BacklogItem,
    *,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    acceptance_criteria: Sequence[str] | Unset = UNSET,
    estimate: EstimateValue | Unset = UNSET,
    status: str | Unset = UNSET,
    labels: Sequence[str] | Unset = UNSET,
    assignee: Membership | Unset | None = UNSET,
    parent: BacklogItem | Unset | None = UNSET,
    goal: ProductGoal | Unset | None = UNSET,
) -> dict[str, Any]:
    """Check the changes of ``item`` (read locked by the caller) and make them on the object;
    the labels, a link table, are written at once. Returns what changed, for ``write_changes``.

    The rules of ``item_update``, shared with ``items_update_many``; the caller holds the
    transaction and has checked the permission.
    """
    before = snapshot(item, _FIELDS)
    old_labels = sorted(label.name for label in item.labels.all())
    if title is not UNSET:
        item.title = clean_title(title)
    if description is not UNSET:
        item.description = description or ""
    if acceptance_criteria is not UNSET:
        item.acceptance_criteria = clean_criteria(acceptance_criteria)
    if estimate is not UNSET:
        item.estimate, item.estimate_unknown = clean_estimate(item.product, estimate)
    if status is not UNSET:
        item.status = clean_status(status)
    if assignee is not UNSET:
        check_assignee(item.workspace_id, assignee)
        item.assignee = assignee
    if parent is not UNSET:
        check_parent(item, item.kind, parent)
        item.parent = parent
    if goal is not UNSET:
        check_goal(item.product, goal)
        item.goal = goal
    if item.status == ItemStatus.READY and before["status"] != ItemStatus.READY:
        check_ready(item)
    changes: dict[str, Any] = changes_since(item, before)
    if labels is not UNSET:
        rows = labels_for(item.product, labels)
        new_labels = sorted(label.name for label in rows)
        if new_labels != old_labels:
            item.labels.set(rows)
            changes["labels"] = [old_labels, new_labels]
    return changes


def write_changes(
    actor: Actor, item: BacklogItem, changes: dict[str, Any], *, action: str = Action.UPDATED
) -> None:
    """Write the fields ``changes`` names with the next version, and record them as one
    history entry (nothing at all when nothing changed)."""
    if not changes:
        return
    fields = [name for name in changes if name not in {"labels", "placement"}]
    if any(name in changes for name in TEXT_FIELDS):
        render_text(item)
        fields += RENDERED_FIELDS
    bump(item, fields)
    record(actor, item, action, changes)


# -- trash ----------------------------------------------------------------------------------


def refuse_trash_with_children(actor: Actor, item: BacklogItem) -> list[str]:
    """Trash hook: an item with live children stays (no silent mass deletion)."""
    count = BacklogItem.objects.filter(parent=item).count()
    if count:
        raise Conflict(
            f"{item.key} has {count} item{'s' if count != 1 else ''} under it; delete or move "
            "them first.",
            code=Code.HAS_CHILDREN,
        )
    return []


def rank_on_restore(actor: Actor, item: BacklogItem) -> list[str]:
    """Restore hook: back at its old place (or just after whoever took its key)."""
    if item.parent_id is not None and item.parent is not None and item.parent.in_trash:
        raise Conflict(
            f"{item.key} sits under {item.parent.key}, which is in the trash; restore that first.",
            code=Code.PARENT_IN_TRASH,
        )
    product_lock(product_id=item.product_id)
    item.rank = ordering.restored_rank(item.product_id, item.rank)
    ordering.schedule_rebalance(item.product_id, item.rank)
    return ["rank"]


def item_delete(
    *, actor: Actor, item: BacklogItem, expected_version: int | None = None
) -> BacklogItem:
    """Move the item to the trash (restorable for the retention period)."""
    trash.trash_move(actor=actor, obj=item, expected_version=expected_version)
    return item


def item_restore(
    *, actor: Actor, item: BacklogItem, expected_version: int | None = None
) -> BacklogItem:
    """Take the item out of the trash, back at its old place in the backlog."""
    trash.trash_restore(actor=actor, obj=item, expected_version=expected_version)
    return item
