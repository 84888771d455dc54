"""Every read of the backlog context."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet

from lodestar.backlog.errors import BacklogErrorCode as Code
from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus, Label
from lodestar.backlog.readiness import ItemFacts, Readiness, evaluate
from lodestar.core.errors import Invalid
from lodestar.core.history import history_for
from lodestar.core.models import HistoryEntry
from lodestar.core.pagination import Page, paginate
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import active_goal

FLAG_REASON = "serves no Product Goal and solves no customer problem"


def purposes() -> list[Q]:
    """What makes work worth doing; an item matching none of these is flagged.

    Each entry is one reason an item may exist. Linking items to customer problems adds one:
    ``Q(Exists(<problem links>.filter(item=OuterRef("pk"))))``.
    """
    return [
        Q(goal__isnull=False),
    ]


def flagged_condition() -> Q:
    condition = Q()
    for purpose in purposes():
        condition |= purpose
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
        # Label names are unique per product (ignoring case), so the join adds no duplicates.
        qs = qs.filter(labels__name__iexact=filters.label.strip())
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
    qs = item_queryset().filter(workspace_id=actor.workspace_id, product=product)
    qs = _filtered(qs, filters or BacklogFilters())
    return paginate(qs, order=["rank"], cursor=cursor, limit=limit)


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
    """The average points the product's teams finish per sprint; None until sprints exist."""
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
