"""What the backlog pages share: who may do what, and a backlog row as the list shows it."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest

from lodestar.backlog.models import BacklogItem
from lodestar.backlog.permissions import BacklogPermission
from lodestar.backlog.prioritization.frameworks import Framework, ScoreResult
from lodestar.backlog.prioritization.models import Score
from lodestar.backlog.prioritization.selectors import scores_by_item
from lodestar.backlog.selectors import flag_reason, is_flagged
from lodestar.people.policy import Actor, Permission, can
from lodestar.strategy.models import Product
from lodestar.strategy.permissions import StrategyPermission
from lodestar.strategy.selectors import product_team_query

PAGE_SIZE = 50
# The frameworks the list shows in columns; the side panel shows every score.
ROW_FRAMEWORKS = (Framework.RICE, Framework.WSJF)
ORDER_HINT = "Only the product owner orders the backlog (or a workspace admin)."


@dataclass(frozen=True)
class Rights:
    """What the actor may do on one product's backlog, decided by the access policy."""

    edit: bool
    order: bool
    steer: bool
    # The two sides of a score: business value (the product owner's) and effort (the
    # developers').
    score_value: bool = False
    score_effort: bool = False


def rights_for(actor: Actor, product: Product) -> Rights:
    return Rights(
        edit=can(actor, Permission.EDIT_CONTENT),
        order=can(actor, BacklogPermission.ORDER_BACKLOG, product=product),
        steer=can(actor, StrategyPermission.SET_PRODUCT_GOAL, product=product),
        score_value=can(actor, BacklogPermission.SCORE_VALUE, product=product),
        score_effort=can(
            actor,
            BacklogPermission.SCORE_EFFORT,
            product=product,
            teams=product_team_query(product),
        ),
    )


def compact(value: float) -> str:
    """A score short enough for a column: 4.3, 87, 1650, 12k, 3.4M. Up to four digits it is
    the number the item's panel shows (1650 in both, not 1.6k beside 1650); beyond, the
    column abbreviates and the hover shows the arithmetic with the whole number."""
    if not math.isfinite(value):
        return "-"
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if size >= 10_000:
        return f"{value / 1000:.0f}k"
    if size >= 100:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


@dataclass(frozen=True)
class ScoreCell:
    framework: Framework
    text: str
    explanation: str
    stale: bool

    @property
    def name(self) -> str:
        return self.framework.display_name


def score_cell(score: Score) -> ScoreCell:
    framework = Framework(score.framework)
    try:
        # The list's hover shows the formula and the arithmetic with the whole number; the
        # inputs, with who gave each, are the item panel's (they were most of the page's bytes).
        result = ScoreResult.from_dict(score.explanation)
        explanation = f"{framework.display_name} = {result.formula}\n  = {result.arithmetic}"
    except (KeyError, TypeError, ValueError):
        explanation = f"{framework.display_name} {score.value:g}"
    if score.stale:
        explanation = "Out of date: the scorecard changed since this was scored.\n" + explanation
    return ScoreCell(framework, compact(score.value), explanation, score.stale)


@dataclass(frozen=True)
class Row:
    """One backlog row: the item, its scores in the list's columns, and whether it is flagged."""

    item: BacklogItem
    cells: list[ScoreCell | None]
    flagged: bool
    # Why a flagged row is flagged (the same for every row of a list: computed once for it).
    flag_reason: str = ""


def rows_for(actor: Actor, items: Iterable[BacklogItem]) -> list[Row]:
    """Rows of ``items`` with their scores, in one query for all the scores."""
    items = list(items)
    scores = scores_by_item(actor=actor, items=items)
    reason = flag_reason()
    rows = []
    for item in items:
        by_framework = {Framework(s.framework): s for s in scores.get(item.pk, [])}
        cells = [score_cell(by_framework[f]) if f in by_framework else None for f in ROW_FRAMEWORKS]
        flagged = is_flagged(item)
        rows.append(
            Row(item=item, cells=cells, flagged=flagged, flag_reason=reason if flagged else "")
        )
    return rows


def target_is(request: HttpRequest, element_id: str) -> bool:
    """Whether htmx will swap the answer into ``#element_id``."""
    return request.headers.get("HX-Target") == element_id
