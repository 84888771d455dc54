"""Every read of the backlog context."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet

from lodestar.backlog.errors import BacklogErrorCode as Code
from lodestar.backlog.extensions import PURPOSES, VELOCITY, Purpose
from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus, Label, fold_label
from lodestar.backlog.readiness import ItemFacts, Readiness, evaluate
from lodestar.core.errors import Invalid
from lodestar.core.history import history_for
from lodestar.core.models import HistoryEntry
from lodestar.core.pagination import Page, paginate
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import active_goal


def purposes() -> list[Purpose]:
    """What makes work worth doing, in order (``backlog.extensions.PURPOSES``); an item with
    none of them is flagged."""
    found = PURPOSES.providers()
    if not found:
        raise LookupError("no backlog purposes are declared (the backlog plugin declares one)")
    return found


def flag_reason() -> str:
    """Why a flagged item is flagged: every purpose it lacks ("serves no Product Goal and
    solves no customer problem")."""
    missing = [purpose.missing for purpose in purposes()]
    return ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]


def flagged_condition() -> Q:
    condition = Q()
    for purpose in purposes():
        condition |= purpose.condition()
    return ~condition


def item_queryset(*, in_trash: bool = False) -> QuerySet[BacklogItem]:
    """Items with everything their API answer shows, in a constant number of queries."""
    manager = BacklogItem.all_objects if in_trash else BacklogItem.objects
    qs: QuerySet[BacklogItem] = (
        manager.select_related("product", "assignee__user", "parent", "goal")
        .prefetch_related(Prefetch("labels", queryset=Label.objects.order_by("name")))
        .annotate(flagged=ExpressionWrapper(flagged_condition(), output_field=BooleanField()))
    )
    return qs


# What a backlog row shows of its related rows: a list reads no more than this.
_ROW_FIELDS = [
    *(f.name for f in BacklogItem._meta.concrete_fields),
    "assignee__id",
    "assignee__workspace_id",
    "assignee__user__id",
    "assignee__user__email",
    "assignee__user__full_name",
    "parent__id",
    "parent__key",
    "goal__id",
    "goal__statement",
    "goal__status",
]


def attach_labels(items: list[BacklogItem]) -> None:
    """Load the labels of ``items`` in one query over the link table.

    Each item gets ``label_names`` and a filled ``labels.all()`` (as ``prefetch_related``
    leaves it), with one ``Label`` object per distinct label rather than one per link: a page
    of a hundred items shares a handful of labels.
    """
    by_item: dict[int, list[Label]] = {item.pk: [] for item in items}
    shared: dict[int, Label] = {}
    links = (
        BacklogItem.labels.through.objects.filter(backlogitem_id__in=list(by_item))
        .order_by("label__name")
        .values_list(
            "backlogitem_id", "label_id", "label__product_id", "label__name", "label__color"
        )
    )
    for item_id, label_id, product_id, name, color in links:
        label = shared.get(label_id)
        if label is None:
            label = Label(pk=label_id, product_id=product_id, name=name, color=color)
            label._state.adding = False
            shared[label_id] = label
        by_item[item_id].append(label)
    for item in items:
        labels = by_item[item.pk]
        item.label_names = [label.name for label in labels]  # type: ignore[attr-defined]
        # What prefetch_related stores, without a query per item; a bare queryset, because
        # ``item.labels.all()`` builds its filter on the link table each time: ten times the
        # cost (70 µs against 7 µs an item, measured), several ms on a page of a hundred.
        cached: QuerySet[Label] = QuerySet(model=Label)
        cached._result_cache = labels
        cached._prefetch_done = True  # type: ignore[attr-defined]
        item._prefetched_objects_cache = {"labels": cached}  # type: ignore[attr-defined]


def _rows(qs: QuerySet[BacklogItem]) -> QuerySet[BacklogItem]:
    """A light queryset for lists: only the related fields a row shows, labels attached later."""
    return (
        qs.select_related("assignee__user", "parent", "goal")
        .only(*_ROW_FIELDS)
        .annotate(flagged=ExpressionWrapper(flagged_condition(), output_field=BooleanField()))
    )


def is_flagged(item: BacklogItem) -> bool:
    """The ``flagged`` annotation of ``item`` (computed when the item was not read with it)."""
    value = getattr(item, "flagged", None)
    if value is None:
        value = not BacklogItem.objects.filter(pk=item.pk).exclude(flagged_condition()).exists()
    return bool(value)


@dataclass(frozen=True)
class BacklogFilters:
    """Narrowing of a backlog list; each ``None`` filter is off."""

    kind: str | None = None
    status: str | None = None
    label: str | None = None
    assignee: str | None = None
    goal: int | None = None
    flagged: bool | None = None
    q: str | None = None
    # False: leave done and won't-do items out (the web list's default); True: only them.
    finished: bool | None = None


FINISHED = (ItemStatus.DONE, ItemStatus.WONT_DO)


def _filtered(qs: QuerySet[BacklogItem], filters: BacklogFilters) -> QuerySet[BacklogItem]:
    if filters.kind is not None:
        if filters.kind not in ItemKind.values:
            raise Invalid.field(
                "kind", f"must be one of {', '.join(ItemKind.values)}", code=Code.FILTER_INVALID
            )
        qs = qs.filter(kind=filters.kind)
    if filters.status is not None:
        if filters.status not in ItemStatus.values:
            raise Invalid.field(
                "status",
                f"must be one of {', '.join(ItemStatus.values)}",
                code=Code.FILTER_INVALID,
            )
        qs = qs.filter(status=filters.status)
    if filters.label:
        # Label names are unique per product (folded), so the join adds no duplicates.
        qs = qs.filter(labels__folded=fold_label(filters.label))
    if filters.assignee is not None:
        who = filters.assignee.strip().lower()
        qs = (
            qs.filter(assignee__isnull=True)
            if who == "none"
            else qs.filter(assignee__user__email=who)
        )
    if filters.goal is not None:
        qs = qs.filter(goal_id=filters.goal)
    if filters.flagged is not None:
        qs = qs.filter(flagged_condition()) if filters.flagged else qs.exclude(flagged_condition())
    if filters.q:
        qs = qs.filter(title__icontains=filters.q.strip())
    if filters.finished is not None:
        finished = {"status__in": FINISHED}
        qs = qs.filter(**finished) if filters.finished else qs.exclude(**finished)
    return qs


def backlog_list(
    *,
    actor: Actor,
    product: Product,
    filters: BacklogFilters | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[BacklogItem]:
    """One page of ``product``'s live items in rank order (the product owner's order)."""
    qs = _rows(BacklogItem.objects.filter(workspace_id=actor.workspace_id, product=product))
    page = paginate(
        _filtered(qs, filters or BacklogFilters()), order=["rank"], cursor=cursor, limit=limit
    )
    for item in page.items:
        item.product = product  # the same for every row: not joined, not read again
    attach_labels(page.items)
    return page


# What the API's list shows of each item, read as plain values (no model objects): building a
# model object and its related ones for every row cost more than the query itself.
ROW_VALUES = (
    "id", "key", "number", "kind", "title", "description", "description_html",
    "acceptance_criteria", "acceptance_criteria_html", "estimate", "estimate_unknown", "status",
    "assignee_id", "assignee__user__email", "assignee__user__full_name", "parent_id",
    "parent__key", "goal_id", "goal__statement", "goal__status", "rank", "flagged",
    "deleted_at", "version", "created_at", "updated_at",
)  # fmt: skip


def backlog_list_values(
    *,
    actor: Actor,
    product: Product,
    filters: BacklogFilters | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[dict[str, Any]]:
    """``backlog_list`` as plain values (``ROW_VALUES``, plus ``label_names`` in name order),
    for answers that only serialise the rows: the same items, order, filters and cursors."""
    qs = BacklogItem.objects.filter(workspace_id=actor.workspace_id, product=product).annotate(
        flagged=ExpressionWrapper(flagged_condition(), output_field=BooleanField())
    )
    qs = _filtered(qs, filters or BacklogFilters())
    page = paginate(qs.values(*ROW_VALUES), order=["rank"], cursor=cursor, limit=limit)
    names: dict[int, list[str]] = {row["id"]: [] for row in page.items}
    links = (
        BacklogItem.labels.through.objects.filter(backlogitem_id__in=list(names))
        .order_by("label__name")
        .values_list("backlogitem_id", "label__name")
    )
    for item_id, name in links:
        names[item_id].append(name)
    for row in page.items:
        row["label_names"] = names[row["id"]]
    return page


def backlog_ranks(*, product: Product) -> list[tuple[str, str]]:
    """``(key, rank)`` of every live item of ``product`` in order (for checks and tools)."""
    return list(
        BacklogItem.objects.filter(product=product).order_by("rank").values_list("key", "rank")
    )


def item_children(*, actor: Actor, item: BacklogItem) -> QuerySet[BacklogItem]:
    """The live children of ``item`` in rank order."""
    return item_queryset().filter(workspace_id=actor.workspace_id, parent=item).order_by("rank")


def item_history(
    *, actor: Actor, item: BacklogItem, cursor: str | None = None, limit: int | None = None
) -> Page[HistoryEntry]:
    """The recorded changes of ``item``, oldest first."""
    qs = history_for(workspace_id=actor.workspace_id, obj=item)
    return paginate(qs, order=["id"], cursor=cursor, limit=limit)


def team_velocity(product: Product) -> Decimal | None:
    """The average points the product's teams finish per sprint, from the first velocity source
    that knows (``backlog.extensions.VELOCITY``); None until one does."""
    for source in VELOCITY.providers():
        velocity = source.velocity(product)
        if velocity is not None:
            return velocity
    return None


def item_readiness(item: BacklogItem) -> Readiness:
    """The Definition of Ready checklist of ``item`` as it stands (saved or about to be)."""
    product = item.product
    goal = active_goal(product)
    facts = ItemFacts(
        acceptance_criteria=len([c for c in item.acceptance_criteria if c.strip()]),
        estimate=item.estimate,
        estimate_unknown=item.estimate_unknown,
        goal_id=item.goal_id,
        active_goal_id=goal.pk if goal else None,
        velocity=team_velocity(product),
    )
    return evaluate(product.definition_of_ready, facts)
