"""Breaking work down: splitting an item into children, converting its kind, duplicating it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction

from lodestar.backlog import hierarchy
from lodestar.backlog.errors import BacklogErrorCode as Code
from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.backlog.services import ordering
from lodestar.backlog.services._common import (
    EstimateValue,
    check_children,
    check_parent,
    clean_criteria,
    clean_estimate,
    clean_kind,
    clean_title,
    record,
    render_text,
)
from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Invalid
from lodestar.core.history import changes_since, snapshot
from lodestar.core.models import HistoryEntry
from lodestar.people.policy import Actor, Permission, require
from lodestar.strategy.services import product_item_numbers_take

Action = HistoryEntry.Action
SPLIT_MAX = 50


@dataclass(frozen=True)
class ChildSpec:
    """One child of a split; its kind defaults to one level below the parent's."""

    title: str
    kind: str | None = None
    description: str = ""
    acceptance_criteria: Sequence[str] = field(default_factory=tuple)
    estimate: EstimateValue = None


def _new_child(actor: Actor, parent: BacklogItem, spec: ChildSpec, index: int) -> BacklogItem:
    where = f"children[{index}]"
    kind = spec.kind or hierarchy.CHILD_KIND[parent.kind]
    if kind is None:
        raise Invalid.field(
            "children",
            f"a {parent.kind} is the smallest unit of work; convert it to a story to split it",
            code=Code.SPLIT_INVALID,
        )
    child = BacklogItem(
        workspace_id=parent.workspace_id,
        product=parent.product,
        kind=clean_kind(kind, f"{where}.kind"),
        title=clean_title(spec.title, f"{where}.title"),
        description=spec.description or "",
        acceptance_criteria=clean_criteria(
            spec.acceptance_criteria, f"{where}.acceptance_criteria"
        ),
        status=ItemStatus.NEW,
        parent=parent,
        goal_id=parent.goal_id,
        created_by=actor.user,
    )
    child.estimate, child.estimate_unknown = clean_estimate(
        parent.product, spec.estimate, f"{where}.estimate"
    )
    if not hierarchy.may_contain(parent.kind, child.kind):
        raise Invalid.field(
            f"{where}.kind",
            f"{hierarchy.parent_rule(child.kind)} ({parent.key} is a {parent.kind})",
            code=Code.PARENT_KIND,
        )
    return child


@transaction.atomic
def item_split(
    *, actor: Actor, item: BacklogItem, children: Sequence[ChildSpec]
) -> list[BacklogItem]:
    """Break ``item`` into ``children`` in one step.

    The children serve the parent's goal and carry its labels (and, with discovery, its
    problems); they go right after the parent and its earlier children, in the given order.
    """
    require(actor, Permission.EDIT_CONTENT)
    if not children or len(children) > SPLIT_MAX:
        raise Invalid.field("children", f"give 1 to {SPLIT_MAX} children", code=Code.SPLIT_INVALID)
    rows = [_new_child(actor, item, spec, i) for i, spec in enumerate(children)]
    labels = list(item.labels.all())
    product = item.product
    first_number = product_item_numbers_take(product=product, count=len(rows))
    last_child = (
        BacklogItem.objects.filter(parent=item, rank__gt=item.rank)
        .order_by("-rank")
        .values_list("pk", flat=True)
        .first()
    )
    ranks = ordering.ranks_after(product.pk, last_child or item.pk, len(rows))
    for offset, (child, rank) in enumerate(zip(rows, ranks, strict=True)):
        child.number = first_number + offset
        child.key = f"{product.key}-{child.number}"
        child.rank = rank
        render_text(child)
    BacklogItem.objects.bulk_create(rows)
    if labels:
        through = BacklogItem.labels.through
        through.objects.bulk_create(
            [
                through(backlogitem_id=child.pk, label_id=label.pk)
                for child in rows
                for label in labels
            ]
        )
    for child in rows:
        record(
            actor,
            child,
            Action.CREATED,
            {"kind": child.kind, "title": child.title, "split_from": item.key},
        )
    record(actor, item, Action.UPDATED, {"split_into": [None, [child.key for child in rows]]})
    ordering.schedule_rebalance(product.pk, ranks[-1])
    return rows


@transaction.atomic
def item_convert(
    *, actor: Actor, item: BacklogItem, kind: str, expected_version: int | None = None
) -> BacklogItem:
    """Change the item's kind (a task into a story and back, a bug into a story, ...).

    Its children must fit under the new kind. It keeps its parent when the parent may hold the
    new kind, and otherwise moves up to the nearest ancestor that may (a task of a story becomes
    a story of that story's epic), or to the top level.
    """
    require(actor, Permission.EDIT_CONTENT)
    check_version(item, expected_version)
    new_kind = clean_kind(kind)
    if new_kind == item.kind:
        return item
    check_children(item, new_kind)
    before = snapshot(item, ["kind", "parent"])
    parent = item.parent
    while parent is not None and not hierarchy.may_contain(parent.kind, new_kind):
        parent = parent.parent
    check_parent(item, new_kind, parent)
    item.kind = new_kind
    item.parent = parent
    changes = changes_since(item, before)
    bump(item, list(changes))
    record(actor, item, Action.UPDATED, changes)
    return item


@transaction.atomic
def item_duplicate(*, actor: Actor, item: BacklogItem) -> BacklogItem:
    """A copy of ``item`` (not its children) right after it, as new and unassigned."""
    require(actor, Permission.EDIT_CONTENT)
    product = item.product
    copy = BacklogItem(
        workspace_id=item.workspace_id,
        product=product,
        kind=item.kind,
        title=clean_title(_copy_title(item.title)),
        description=item.description,
        acceptance_criteria=list(item.acceptance_criteria),
        description_html=item.description_html,
        acceptance_criteria_html=list(item.acceptance_criteria_html),
        estimate=item.estimate,
        estimate_unknown=item.estimate_unknown,
        status=ItemStatus.NEW,
        parent_id=item.parent_id,
        goal_id=item.goal_id,
        created_by=actor.user,
    )
    copy.number = product_item_numbers_take(product=product)
    copy.key = f"{product.key}-{copy.number}"
    copy.rank = ordering.ranks_after(product.pk, item.pk, 1)[0]
    copy.save()
    copy.labels.set(item.labels.all())
    record(actor, copy, Action.CREATED, {"kind": copy.kind, "duplicate_of": item.key})
    ordering.schedule_rebalance(product.pk, copy.rank)
    return copy


def _copy_title(title: str) -> str:
    suffix = " (copy)"
    return title[: 255 - len(suffix)] + suffix
