"""Every read of the backlog context."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OrderBy,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Lower

from lodestar.backlog.errors import BacklogErrorCode as Code
from lodestar.backlog.extensions import PURPOSES, VALUE_RISK, VELOCITY, Purpose, RiskFact
from lodestar.backlog.hierarchy import MAX_DEPTH, tree_order
from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus, Label, fold_label
from lodestar.backlog.readiness import ItemFacts, Readiness, evaluate, value_risk_applies
from lodestar.core.errors import Invalid
from lodestar.core.history import history_for
from lodestar.core.models import HistoryEntry
from lodestar.core.pagination import Page, check_limit, cursor_after, paginate
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import active_goal, product_list


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


# Reading orders of a backlog list (``?sort=``), never its order: a name sorts ascending, a
# leading "-" descending; items without a value come last either way, ties in backlog order.
SORT_FIELDS = ("rice", "wsjf", "estimate", "updated", "key", "title")
SORTS = tuple(name for field in SORT_FIELDS for name in (field, f"-{field}"))


def _sort_value(field: str) -> F | Subquery | Lower:
    if field in {"rice", "wsjf"}:
        from lodestar.backlog.prioritization.models import Score

        return Subquery(
            Score.objects.filter(item=OuterRef("pk"), framework=field).values("value")[:1]
        )
    if field == "title":
        return Lower("title")  # as people read titles, whatever the letter case
    return F({"estimate": "estimate", "updated": "updated_at", "key": "number"}[field])


def _sorted(qs: QuerySet[BacklogItem], sort: str) -> QuerySet[BacklogItem]:
    if sort not in SORTS:
        raise Invalid.field("sort", f"must be one of {', '.join(SORTS)}", code=Code.FILTER_INVALID)
    field = sort.removeprefix("-")
    value = _sort_value(field)
    order: OrderBy = (
        value.desc(nulls_last=True) if sort.startswith("-") else value.asc(nulls_last=True)
    )
    return qs.order_by(order, "rank")


def _cursor_offset(cursor: str | None) -> int:
    """Where a sorted list's page starts: its cursor is an offset (``at50``), since a reading
    order over values that repeat or are missing has no key to continue from."""
    if not cursor:
        return 0
    if not cursor.startswith("at") or not cursor[2:].isdigit() or len(cursor) > 12:
        raise Invalid.field("cursor", "is not a cursor this list gave out")
    return int(cursor[2:])


def backlog_list(
    *,
    actor: Actor,
    product: Product,
    filters: BacklogFilters | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Page[BacklogItem]:
    """One page of ``product``'s live items in rank order (the product owner's order), or in
    the reading order ``sort`` names (see ``SORTS``), which leaves the backlog's order alone."""
    qs = _rows(BacklogItem.objects.filter(workspace_id=actor.workspace_id, product=product))
    qs = _filtered(qs, filters or BacklogFilters())
    if sort:
        size, offset = check_limit(limit), _cursor_offset(cursor)
        rows = list(_sorted(qs, sort)[offset : offset + size + 1])
        more = len(rows) > size
        page = Page(items=rows[:size], next_cursor=f"at{offset + size}" if more else None)
    else:
        page = paginate(qs, order=["rank"], cursor=cursor, limit=limit)
    for item in page.items:
        item.product = product  # the same for every row: not joined, not read again
    attach_labels(page.items)
    return page


@dataclass(frozen=True)
class BacklogTotals:
    """Counts and points of a (filtered) backlog list. ``points`` adds the estimated items;
    ``unestimated`` counts the others (not sized yet, or "?")."""

    items: int
    points: Decimal
    unestimated: int
    ready_items: int
    ready_points: Decimal


def backlog_totals(
    *, actor: Actor, product: Product, filters: BacklogFilters | None = None
) -> BacklogTotals:
    """The totals of every item the filters keep (not only the page shown), in one query."""
    qs = _filtered(
        BacklogItem.objects.filter(workspace_id=actor.workspace_id, product=product),
        filters or BacklogFilters(),
    )
    ready = Q(status=ItemStatus.READY)
    found = qs.aggregate(
        items=Count("pk"),
        points=Sum("estimate"),
        unestimated=Count("pk", filter=Q(estimate__isnull=True)),
        ready_items=Count("pk", filter=ready),
        ready_points=Sum("estimate", filter=ready),
    )
    return BacklogTotals(
        items=found["items"],
        points=found["points"] or Decimal(0),
        unestimated=found["unestimated"],
        ready_items=found["ready_items"],
        ready_points=found["ready_points"] or Decimal(0),
    )


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
    sort: str | None = None,
) -> Page[dict[str, Any]]:
    """``backlog_list`` as plain values (``ROW_VALUES``, plus ``label_names`` in name order),
    for answers that only serialise the rows: the same items, order, sorts, filters and
    cursors."""
    qs = BacklogItem.objects.filter(workspace_id=actor.workspace_id, product=product).annotate(
        flagged=ExpressionWrapper(flagged_condition(), output_field=BooleanField())
    )
    qs = _filtered(qs, filters or BacklogFilters())
    page: Page[dict[str, Any]]
    if sort:
        size, offset = check_limit(limit), _cursor_offset(cursor)
        rows = list(_sorted(qs, sort).values(*ROW_VALUES)[offset : offset + size + 1])
        more = len(rows) > size
        page = Page(items=rows[:size], next_cursor=f"at{offset + size}" if more else None)
    else:
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


# What a backlog's CSV file holds of each item, read as plain values (see ``backlog_export``).
EXPORT_VALUES = (
    "id", "key", "kind", "title", "status", "estimate", "estimate_unknown", "goal__statement",
    "assignee__user__full_name", "assignee__user__email", "parent__key", "flagged", "rice",
    "wsjf", "created_at", "updated_at",
)  # fmt: skip
# Items read from the database at a time, and whose labels are read in one query.
EXPORT_CHUNK = 2000


def backlog_export(
    *,
    actor: Actor,
    product: Product,
    filters: BacklogFilters | None = None,
    sort: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every item ``backlog_list`` lists for ``filters`` and ``sort`` (all its pages), as
    plain values (``EXPORT_VALUES`` and ``label_names``): in backlog order, or the reading
    order ``sort`` names. Read ``EXPORT_CHUNK`` rows at a time with their labels, so a long
    backlog is never held whole. Bad filters are refused here, before any row is read."""
    from lodestar.backlog.prioritization.models import Score

    def score(framework: str) -> Subquery:
        values = Score.objects.filter(item=OuterRef("pk"), framework=framework).values("value")
        return Subquery(values[:1])

    qs = BacklogItem.objects.filter(workspace_id=actor.workspace_id, product=product).annotate(
        flagged=ExpressionWrapper(flagged_condition(), output_field=BooleanField()),
        rice=score("rice"),
        wsjf=score("wsjf"),
    )
    qs = _filtered(qs, filters or BacklogFilters())
    qs = _sorted(qs, sort) if sort else qs.order_by("rank")
    return _with_labels(qs.values(*EXPORT_VALUES).iterator(chunk_size=EXPORT_CHUNK))


def _with_labels(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        names: dict[int, list[str]] = {row["id"]: [] for row in chunk}
        links = (
            BacklogItem.labels.through.objects.filter(backlogitem_id__in=list(names))
            .order_by("label__name")
            .values_list("backlogitem_id", "label__name")
        )
        for item_id, name in links:
            names[item_id].append(name)
        for row in chunk:
            row["label_names"] = names[row["id"]]
        yield from chunk


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
    definition = product.definition_of_ready
    risk = item_value_risk(item) if value_risk_applies(definition, item.estimate) else None
    facts = ItemFacts(
        acceptance_criteria=len([c for c in item.acceptance_criteria if c.strip()]),
        estimate=item.estimate,
        estimate_unknown=item.estimate_unknown,
        goal_id=item.goal_id,
        active_goal_id=goal.pk if goal else None,
        velocity=team_velocity(product),
        value_risk_addressed=risk.addressed if risk else None,
        value_risk_detail=risk.detail if risk else "",
    )
    return evaluate(definition, facts)


def item_value_risk(item: BacklogItem) -> RiskFact | None:
    """Whether the value risk behind ``item`` is addressed, from the first source (in order,
    ``backlog.extensions.VALUE_RISK``) that answers; None when none does."""
    for source in VALUE_RISK.providers():
        fact = source.value_risk(item)
        if fact is not None:
            return fact
    return None


# -- the backlog as a tree, and grouped by epic -------------------------------------------------


@dataclass(frozen=True)
class TreePage:
    """One page of a backlog shown as a tree: ``items`` in tree order (each item right under
    its parent). Each item carries ``tree_depth`` (0 for a top-level row), ``tree_parent`` (the
    key of the parent it is shown under, or "") and ``tree_children`` (the keys of the rows
    shown right under it); a row whose parent is not shown (a filter left it out, or it is
    finished) carries ``tree_context``, its parent's ``(key, title)``, to say where it sits."""

    items: list[BacklogItem]
    next_cursor: str | None


def _matching(actor: Actor, product: Product, filters: BacklogFilters) -> QuerySet[BacklogItem]:
    return _filtered(
        BacklogItem.objects.filter(workspace_id=actor.workspace_id, product=product), filters
    )


def _annotate_tree(items: list[BacklogItem], order: list[tuple[int, int]]) -> list[BacklogItem]:
    by_pk = {item.pk: item for item in items}
    out: list[BacklogItem] = []
    for pk, depth in order:
        item = by_pk[pk]
        shown_under = by_pk.get(item.parent_id) if depth else None  # type: ignore[arg-type]
        item.tree_depth = depth  # type: ignore[attr-defined]
        item.tree_parent = shown_under.key if shown_under else ""  # type: ignore[attr-defined]
        item.tree_children = []  # type: ignore[attr-defined]
        item.tree_context = None  # type: ignore[attr-defined]
        if shown_under is not None:
            shown_under.tree_children.append(item.key)  # type: ignore[attr-defined]
        out.append(item)
    return out


def _attach_context(items: list[BacklogItem]) -> None:
    """``tree_context`` of the top-level rows that have a parent: one query for all."""
    wanted = {item.parent_id for item in items if not item.tree_depth and item.parent_id}  # type: ignore[attr-defined]
    if not wanted:
        return
    parents = dict(
        (pk, (key, title))
        for pk, key, title in BacklogItem.all_objects.filter(pk__in=wanted).values_list(
            "pk", "key", "title"
        )
    )
    for item in items:
        if not item.tree_depth and item.parent_id in parents:  # type: ignore[attr-defined]
            item.tree_context = parents[item.parent_id]  # type: ignore[attr-defined]


def backlog_tree(
    *,
    actor: Actor,
    product: Product,
    filters: BacklogFilters | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> TreePage:
    """One page of ``product``'s backlog as a tree: the top-level rows (items whose parent is
    not in the list) in rank order, each followed by its descendants that match the filters.

    Pages count top-level rows; their descendants come with them, one query per level that
    has any (none for a flat backlog), whatever the page size.
    """
    filters = filters or BacklogFilters()
    matching = _matching(actor, product, filters)
    # Children sit in their parent's product (the services see to it), so the lookups by
    # parent go without the product's conditions, and over every row (trashed ones are left
    # out in Python): SQLite then takes the parent_id index, not the product's or the
    # deleted_at one (a scan of the backlog per lookup). A trashed child may make a row look
    # like a parent; the next level finds nothing live under it, and no button shows.
    parent_matches = _filtered(BacklogItem.objects.filter(pk=OuterRef("parent_id")), filters)
    child_matches = _filtered(BacklogItem.all_objects.filter(parent_id=OuterRef("pk")), filters)
    top = (
        _rows(matching)
        .filter(Q(parent__isnull=True) | ~Exists(parent_matches))
        .annotate(has_children=Exists(child_matches))
    )
    page = paginate(top, order=["rank"], cursor=cursor, limit=limit)
    items: list[BacklogItem] = list(page.items)
    parents = [item.pk for item in items if getattr(item, "has_children", False)]
    for _ in range(MAX_DEPTH - 1):
        if not parents:
            break
        level = _rows(_filtered(BacklogItem.all_objects.filter(parent_id__in=parents), filters))
        found = [
            item
            for item in level.annotate(has_children=Exists(child_matches))
            if item.deleted_at is None
        ]
        items += found
        parents = [item.pk for item in found if getattr(item, "has_children", False)]
    roots = [item.pk for item in page.items]
    order = tree_order(roots, [(i.pk, i.parent_id, i.rank) for i in items if i.pk not in roots])
    shown = _annotate_tree(items, order)
    for item in shown:
        item.product = product
    attach_labels(shown)
    _attach_context(shown)
    return TreePage(items=shown, next_cursor=page.next_cursor)


def _epic_of() -> Case:
    """The id of the epic an item sits under, at any depth (None: under no epic). The chain
    counts only live ancestors: an item under a trashed story is under no epic."""
    whens = []
    path = "parent__"
    live = Q()
    for _ in range(MAX_DEPTH - 1):
        live &= Q(**{f"{path}deleted_at__isnull": True})
        whens.append(When(Q(**{f"{path}kind": ItemKind.EPIC}) & live, then=F(f"{path}id")))
        path += "parent__"
    return Case(*whens, default=None, output_field=IntegerField())


@dataclass(frozen=True)
class EpicSection:
    """One section of the backlog grouped by epic: the epic (None: "No epic"), the first of
    its matching items in backlog order, the cursor of the rest (None: that is all), and how
    many match in all (None: more than shown, not counted)."""

    epic: BacklogItem | None
    items: list[BacklogItem]
    next_cursor: str | None
    count: int | None


def epic_items(
    *,
    actor: Actor,
    product: Product,
    epic: BacklogItem | None,
    filters: BacklogFilters | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[BacklogItem]:
    """One page of the matching items under ``epic`` (None: under no epic), in backlog order;
    epics themselves head their sections and are not among the items."""
    qs = _rows(_matching(actor, product, filters or BacklogFilters())).exclude(kind=ItemKind.EPIC)
    under = qs.annotate(epic_id=_epic_of())
    under = under.filter(epic_id__isnull=True) if epic is None else under.filter(epic_id=epic.pk)
    found = paginate(under, order=["rank"], cursor=cursor, limit=limit)
    page = Page[BacklogItem](items=list(found.items), next_cursor=found.next_cursor)
    for item in page.items:
        item.product = product
    attach_labels(page.items)
    return page


@dataclass(frozen=True)
class EpicPage:
    """A page of the backlog grouped by epic: its sections, and the cursor of the next page of
    epics (None: this page ends with the "No epic" section)."""

    sections: list[EpicSection]
    next_cursor: str | None


def _under_epics(epic_ids: list[int]) -> dict[int, int]:
    """``{item id: epic id}`` for the live items under ``epic_ids`` at any depth: one query per
    level by the parent_id index (over every row, trashed ones left out here, so that SQLite
    does not take the deleted_at index instead), whatever the backlog's size."""
    epic_of: dict[int, int] = {}
    frontier = {pk: pk for pk in epic_ids}
    for _ in range(MAX_DEPTH - 1):
        if not frontier:
            break
        rows = BacklogItem.all_objects.filter(parent_id__in=list(frontier)).values_list(
            "pk", "parent_id", "deleted_at"
        )
        frontier = {pk: frontier[parent] for pk, parent, trashed in rows if trashed is None}
        epic_of.update(frontier)
    return epic_of


def backlog_by_epic(
    *,
    actor: Actor,
    product: Product,
    filters: BacklogFilters | None = None,
    cursor: str | None = None,
    epics: int = 20,
    limit: int = 50,
) -> EpicPage:
    """The backlog grouped by epic: a section per epic in backlog order (``epics`` a page),
    the last page ending with "No epic".

    Each section holds the first ``limit`` matching items under it (any depth) in backlog
    order; ``epic_items`` pages the rest. An epic shows when it matches the filters' "finished"
    choice or holds a matching item; with other filters on, only epics with matching items
    show. A constant number of queries, each bounded by the page's epics rather than the
    backlog (but for finding the epics a narrowing filter leaves, one pass over the matches).
    """
    filters = filters or BacklogFilters()
    matching = _matching(actor, product, filters)
    heads = BacklogItem.objects.filter(
        workspace_id=actor.workspace_id, product=product, kind=ItemKind.EPIC
    ).only("pk", "key", "title", "kind", "status", "rank")
    if replace(filters, finished=None) != BacklogFilters():
        holding = (
            matching.exclude(kind=ItemKind.EPIC)
            .annotate(epic_id=_epic_of())
            .filter(epic_id__isnull=False)
            .values("epic_id")
        )
        heads = heads.filter(pk__in=holding)
    elif filters.finished is not None:
        # Epics on the other side of "finished" (done ones, by default) show only when they
        # hold a matching item: looked for under them alone, through the parent index.
        finished = Q(status__in=FINISHED) if filters.finished else ~Q(status__in=FINISHED)
        others = list(heads.exclude(finished).values_list("pk", flat=True))
        under = _under_epics(others)
        holding_ids = {
            under[pk]
            for pk in _filtered(BacklogItem.objects.filter(pk__in=list(under)), filters)
            .exclude(kind=ItemKind.EPIC)
            .values_list("pk", flat=True)
        }
        heads = heads.filter(finished | Q(pk__in=holding_ids))
    page = paginate(heads, order=["rank"], cursor=cursor, limit=epics)
    epic_of = _under_epics([epic.pk for epic in page.items])
    found = (
        _filtered(BacklogItem.objects.filter(pk__in=list(epic_of)), filters)
        .exclude(kind=ItemKind.EPIC)
        .order_by("rank")
        .values_list("pk", flat=True)
    )
    per_epic: dict[int, list[int]] = {}
    for pk in found:
        per_epic.setdefault(epic_of[pk], []).append(pk)
    chosen = [pk for pks in per_epic.values() for pk in pks[: limit + 1]]
    rows = {item.pk: item for item in _rows(BacklogItem.objects.filter(pk__in=chosen))}
    sections: list[EpicSection] = []
    for epic in page.items:
        pks = per_epic.get(epic.pk, [])
        items = [rows[pk] for pk in pks[:limit]]
        more = cursor_after(items[-1], ["rank"]) if len(pks) > limit else None
        sections.append(EpicSection(epic, items, more, len(pks)))
    shown = [item for section in sections for item in section.items]
    for item in shown:
        item.product = product
    attach_labels(shown)
    if page.next_cursor is not None:
        return EpicPage(sections, page.next_cursor)
    loose = epic_items(actor=actor, product=product, epic=None, filters=filters, limit=limit)
    if loose.items:
        # Counting every item under no epic would read the whole backlog: "50+" says enough.
        count = None if loose.next_cursor else len(loose.items)
        sections.append(EpicSection(None, loose.items, loose.next_cursor, count))
    return EpicPage(sections, None)


# An item's key as typed: letters and digits, a dash, a number (any letter case).
KEY_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*-[0-9]+$")


def item_search(*, actor: Actor, text: str, limit: int = 8) -> list[BacklogItem]:
    """Live items of the actor's workspace that ``text`` names, for jumping to one (the command
    palette): a key (``acme-12``) finds that item alone; a number finds that item of every
    product, then titles with it; words find the titles holding every one of them. Keys are
    looked up by index; titles are scanned, most recently changed first."""
    words = text.split()
    if not words:
        return []
    qs = BacklogItem.objects.filter(workspace_id=actor.workspace_id).select_related("product")
    token = text.strip().upper()
    if KEY_PATTERN.match(token):
        return list(qs.filter(key=token)[:1])
    by_key: list[BacklogItem] = []
    if token.isdigit():
        keys = [f"{product.key}-{token}" for product in product_list(actor=actor)]
        by_key = list(qs.filter(key__in=keys).order_by("key")[:limit])
    titled = qs
    for word in words[:8]:
        titled = titled.filter(title__icontains=word)
    rest = titled.exclude(pk__in=[item.pk for item in by_key]).order_by("-updated_at", "-id")
    return by_key + list(rest[: max(limit - len(by_key), 0)])
