"""Every read of prioritization: scores with their explanations, scorecards, suggested orders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.backlog.prioritization import ordering
from lodestar.backlog.prioritization.errors import PrioritizationErrorCode as Code
from lodestar.backlog.prioritization.frameworks import Framework
from lodestar.backlog.prioritization.models import Score, Scorecard
from lodestar.core.errors import Invalid
from lodestar.core.pagination import Page, paginate
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product

# Items a suggestion reorders: those not started. Work in progress and finished work keep
# their place; moving them would not change what the team picks up next.
SUGGESTED_STATUSES = (ItemStatus.NEW, ItemStatus.READY)

_FRAMEWORK_ORDER = {framework.value: index for index, framework in enumerate(Framework)}


def parse_framework(value: str, field: str = "framework") -> Framework:
    """The framework named ``value``, or 422 naming ``field`` with the allowed names."""
    try:
        return Framework(value)
    except ValueError:
        allowed = ", ".join(f.value for f in Framework)
        raise Invalid.field(
            field, f"must be one of {allowed}", code=Code.FRAMEWORK_INVALID
        ) from None


def item_scores(*, actor: Actor, item: BacklogItem) -> list[Score]:
    """The item's current scores (one per framework scored), in the frameworks' order."""
    scores = Score.objects.filter(item=item, workspace_id=actor.workspace_id).select_related(
        "entered_by"
    )
    return sorted(scores, key=lambda score: _FRAMEWORK_ORDER[score.framework])


def scores_by_item(
    *, actor: Actor, items: Iterable[BacklogItem], framework: str | None = None
) -> dict[int, list[Score]]:
    """Scores of many items in one query, by item id (for a backlog page)."""
    scores = Score.objects.filter(
        workspace_id=actor.workspace_id, item_id__in=[item.pk for item in items]
    ).select_related("entered_by")
    if framework is not None:
        scores = scores.filter(framework=parse_framework(framework))
    grouped: dict[int, list[Score]] = defaultdict(list)
    for score in scores:
        grouped[score.item_id].append(score)
    for group in grouped.values():
        group.sort(key=lambda score: _FRAMEWORK_ORDER[score.framework])
    return dict(grouped)


def score_page(
    *,
    actor: Actor,
    product: Product,
    framework: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[BacklogItem]:
    """A page of the product's backlog in rank order, each item with ``item.current_scores``.

    Two queries whatever the page size: the items, then their scores.
    """
    scores = Score.objects.select_related("entered_by")
    if framework is not None:
        scores = scores.filter(framework=parse_framework(framework))
    items: QuerySet[BacklogItem] = BacklogItem.objects.filter(
        product=product, workspace_id=actor.workspace_id
    ).prefetch_related(Prefetch("scores", queryset=scores, to_attr="current_scores"))
    page = paginate(items, order=["rank", "id"], cursor=cursor, limit=limit)
    for item in page.items:
        current: list[Score] = getattr(item, "current_scores", [])
        current.sort(key=lambda score: _FRAMEWORK_ORDER[score.framework])
    return page


def scorecard_get(*, actor: Actor, product: Product) -> Scorecard | None:
    """The product's scorecard, or None while it has none."""
    return (
        Scorecard.objects.select_related("updated_by")
        .filter(product=product, workspace_id=actor.workspace_id)
        .first()
    )


@dataclass(frozen=True)
class SuggestedItem:
    key: str
    title: str
    score: float | None
    arithmetic: str
    stale: bool
    current_position: int
    suggested_position: int

    @property
    def moved(self) -> int:
        """Positions gained (> 0), lost (< 0), or 0."""
        return self.current_position - self.suggested_position


@dataclass(frozen=True)
class Suggestion:
    """The not-started backlog sorted by ``framework`` beside the product owner's order.

    ``items`` are in the suggested order; positions are 1-based among those items.
    """

    framework: Framework
    items: list[SuggestedItem]

    @property
    def unscored(self) -> list[str]:
        return [row.key for row in self.items if row.score is None]

    @property
    def moves_needed(self) -> int:
        """How many items applying the whole suggestion moves (the fewest that reach it)."""
        current = [row.key for row in sorted(self.items, key=lambda r: r.current_position)]
        return len(ordering.moves_needed(current, [row.key for row in self.items]))


def suggest_order(*, actor: Actor, product: Product, framework: str) -> Suggestion:
    """The not-started items sorted by ``framework`` among the scored positions.

    Unscored items, and items whose scorecard score is stale, keep their exact position. Two
    queries: the items in rank order, then the framework's scores.
    """
    chosen = parse_framework(framework)
    rows = list(
        BacklogItem.objects.filter(
            product=product, workspace_id=actor.workspace_id, status__in=SUGGESTED_STATUSES
        )
        .order_by("rank", "id")
        .values_list("id", "key", "title")
    )
    scores = {
        item_id: (value, explanation.get("arithmetic", "") if explanation else "", stale)
        for item_id, value, explanation, stale in Score.objects.filter(
            framework=chosen,
            workspace_id=actor.workspace_id,
            item__product=product,
            item__status__in=SUGGESTED_STATUSES,
            item__deleted_at__isnull=True,
        ).values_list("item_id", "value", "explanation", "stale")
    }
    current = [
        (item_id, None if item_id not in scores or scores[item_id][2] else scores[item_id][0])
        for item_id, _, _ in rows
    ]
    names = {item_id: (key, title) for item_id, key, title in rows}
    return Suggestion(
        framework=chosen,
        items=[
            SuggestedItem(
                key=names[placed.key][0],
                title=names[placed.key][1],
                score=placed.score,
                arithmetic=scores[placed.key][1] if placed.key in scores else "",
                stale=placed.key in scores and scores[placed.key][2],
                current_position=placed.current,
                suggested_position=placed.suggested,
            )
            for placed in ordering.suggest(current)
        ],
    )
