"""Demo scores: RICE and WSJF for most of a product's items, and a small weighted scorecard.

The numbers follow the product owner's order loosely (the top of a backlog is usually the
valuable part) with enough noise that "suggest order" disagrees in places, as it does in life.
Deterministic: the same backlog always gets the same scores.
"""

from __future__ import annotations

import random

from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus
from lodestar.backlog.prioritization import services
from lodestar.people.policy import Actor
from lodestar.people.selectors import workspace_owners
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import current_owner

SCORECARD = [
    {"key": "strategic_fit", "label": "Strategic fit", "weight": 3, "scale_min": 1, "scale_max": 5},
    {"key": "demand", "label": "Customer demand", "weight": 2, "scale_min": 1, "scale_max": 5},
    {
        "key": "delivery_risk",
        "label": "Delivery risk",
        "weight": 1,
        "scale_min": 1,
        "scale_max": 5,
        "lower_is_better": True,
    },
]
_FIBONACCI = [1, 2, 3, 5, 8, 13, 21]
_IMPACTS = [0.25, 0.5, 1, 2, 3]
_CONFIDENCES = [50, 80, 100]


def _scorer(product: Product) -> Actor:
    """The product's product owner; else the workspace's first owner."""
    hat = current_owner(product)
    if hat is not None:
        return Actor(user=hat.member.user, membership=hat.member)
    owner = workspace_owners(workspace=product.workspace).first()
    if owner is None:
        raise ValueError(f"workspace of {product.key} has no owner to enter demo scores")
    return Actor(user=owner.user, membership=owner)


def _pick(rng: random.Random, scale: list[int] | list[float], lean: float) -> float:
    """A value of ``scale``, leaning high when ``lean`` is near 1 and low near 0."""
    index = round(lean * (len(scale) - 1) + rng.gauss(0, 1.2))
    return float(scale[max(0, min(len(scale) - 1, index))])


def seed(product: Product) -> int:
    """Score most of ``product``'s not-finished items; returns how many items got scores."""
    actor = _scorer(product)
    services.scorecard_set(actor=actor, product=product, criteria=SCORECARD)
    items = list(
        BacklogItem.objects.filter(product=product)
        .exclude(status__in=[ItemStatus.DONE, ItemStatus.WONT_DO])
        .order_by("rank", "id")
    )
    scored = 0
    for position, item in enumerate(items):
        rng = random.Random(f"{product.key}:{item.number}")  # noqa: S311 (demo data, not secrets)
        if rng.random() < 0.15:  # some items nobody has scored yet
            continue
        lean = 1 - position / max(1, len(items) - 1)  # 1 at the top of the backlog, 0 at the end
        big = item.kind == ItemKind.EPIC
        reach = round(rng.lognormvariate(5 + 2 * lean, 0.8), -1) or 10
        effort = round(rng.uniform(2, 8) if big else rng.uniform(0.25, 3), 1) or 0.5
        services.score_set(
            actor=actor,
            item=item,
            framework="rice",
            inputs={
                "reach": min(reach, 50_000),
                "impact": _pick(rng, _IMPACTS, lean),
                "confidence": _pick(rng, _CONFIDENCES, 0.5 + lean / 2),
                "effort": effort,
            },
        )
        urgent = item.kind == ItemKind.BUG
        services.score_set(
            actor=actor,
            item=item,
            framework="wsjf",
            inputs={
                "business_value": _pick(rng, _FIBONACCI, lean),
                "time_criticality": _pick(rng, _FIBONACCI, 0.8 if urgent else lean / 2),
                "risk_reduction": _pick(rng, _FIBONACCI, 0.3),
                "job_size": _pick(rng, _FIBONACCI, 0.85 if big else 0.35),
            },
        )
        if position < 12:
            services.score_set(
                actor=actor,
                item=item,
                framework="scorecard",
                inputs={
                    "strategic_fit": _pick(rng, [1, 2, 3, 4, 5], lean),
                    "demand": _pick(rng, [1, 2, 3, 4, 5], lean),
                    "delivery_risk": _pick(rng, [1, 2, 3, 4, 5], 0.5),
                },
            )
        scored += 1
    return scored
