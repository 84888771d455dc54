"""Backlog focus: is the team working on the most valuable problems?

For the top of a product's backlog (the open items, in order, that fill the next two sprints
at the product's velocity; the first ``TOP_WITHOUT_VELOCITY`` while no team has a velocity):

- the evidence behind it: the distinct customers behind the problems its items solve (an item
  solves a problem itself or through its epic) and their ARR, each customer once;
- its items without any evidence (no problem with an insight behind it);
- the stronger problems left out: open problems of the product with no backlog item at all and
  more customers behind them than any problem the top solves;
- stale items: untouched (not updated) for ``STALE_DAYS`` days or more;
- how ready it is: the items marked Ready or already in progress, of the top.

A few queries, whatever the backlog's size: the open items are read in order only until the
top is full.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.discovery.models import Insight, Problem, ProblemItem, ProblemStatus
from lodestar.sprints.selectors import product_velocity

SPRINTS_AHEAD = 2
TOP_WITHOUT_VELOCITY = 20
TOP_MAX = 200
STALE_DAYS = 30
OPEN = (ItemStatus.NEW, ItemStatus.READY, ItemStatus.IN_PROGRESS)
OPEN_PROBLEMS = (ProblemStatus.NEW, ProblemStatus.VALIDATED, ProblemStatus.SOLVING)


@dataclass
class Focus:
    velocity: Decimal | None
    points: Decimal  # the top's estimates
    top: list[Any]  # BacklogItem, in order
    customers: int
    arr: Decimal
    without_evidence: list[Any] = field(default_factory=list)
    stronger_left_out: list[tuple[Any, int]] = field(default_factory=list)  # (problem, customers)
    stale: list[Any] = field(default_factory=list)
    ready: int = 0
    stale_days: int = STALE_DAYS

    @property
    def by_velocity(self) -> bool:
        return self.velocity is not None and self.velocity > 0


def _top(product: Any, velocity: Decimal | None) -> list[BacklogItem]:
    """The open items in backlog order that fill ``SPRINTS_AHEAD`` sprints at ``velocity``
    (an unestimated item counts as nothing and is taken along)."""
    items = BacklogItem.objects.filter(product=product, status__in=OPEN).order_by("rank")
    if velocity is None or velocity <= 0:
        return list(items[:TOP_WITHOUT_VELOCITY])
    budget = velocity * SPRINTS_AHEAD
    top: list[BacklogItem] = []
    used = Decimal(0)
    for item in items[:TOP_MAX].iterator(chunk_size=100):
        if top and used + (item.estimate or 0) > budget:
            break
        top.append(item)
        used += item.estimate or 0
    return top


def backlog_focus(product: Any, *, now: dt.datetime | None = None) -> Focus:
    """The focus of ``product``'s backlog (the product already through its gate)."""
    velocity = product_velocity(product)
    top = _top(product, velocity)
    ids = [item.pk for item in top]
    parents = {item.pk: item.parent_id for item in top}
    # Problems each top item solves, itself or through its parent.
    solves: dict[int, set[int]] = {}
    for problem_id, item_id in ProblemItem.objects.filter(
        item_id__in=set(ids) | {p for p in parents.values() if p is not None},
        problem__deleted_at__isnull=True,
    ).values_list("problem_id", "item_id"):
        solves.setdefault(item_id, set()).add(problem_id)
    per_item = {
        item.pk: solves.get(item.pk, set()) | solves.get(item.parent_id or 0, set()) for item in top
    }
    problem_ids = {p for found in per_item.values() for p in found}
    evidence_rows = list(
        Insight.objects.filter(
            problems__in=problem_ids,
            feedback__deleted_at__isnull=True,
            feedback__customer__isnull=False,
            feedback__customer__deleted_at__isnull=True,
        )
        .values_list("problems", "feedback__customer_id", "feedback__customer__arr")
        .distinct()
    )
    customers_of: dict[int, set[int]] = {}
    arr_of: dict[int, Decimal] = {}
    for problem_id, customer_id, arr in evidence_rows:
        customers_of.setdefault(problem_id, set()).add(customer_id)
        arr_of[customer_id] = arr or Decimal(0)
    backed = {p for p, customers in customers_of.items() if customers}
    customers = {c for p in problem_ids for c in customers_of.get(p, set())}
    strongest_in_top = max((len(customers_of.get(p, set())) for p in problem_ids), default=0)
    left_out = (
        Problem.objects.filter(
            workspace_id=product.workspace_id, product=product, status__in=OPEN_PROBLEMS
        )
        .exclude(
            pk__in=ProblemItem.objects.filter(item__deleted_at__isnull=True).values("problem_id")
        )
        .annotate(
            customers=Count(
                "insights__feedback__customer",
                distinct=True,
                filter=Q(
                    insights__deleted_at__isnull=True,
                    insights__feedback__deleted_at__isnull=True,
                    insights__feedback__customer__deleted_at__isnull=True,
                ),
            )
        )
        .filter(customers__gt=strongest_in_top)
        .order_by("-customers", "pk")[:10]
    )
    moment = now or timezone.now()
    stale_before = moment - dt.timedelta(days=STALE_DAYS)
    return Focus(
        velocity=velocity,
        points=sum((item.estimate or Decimal(0) for item in top), Decimal(0)),
        top=top,
        customers=len(customers),
        arr=sum((arr_of[c] for c in customers), Decimal(0)),
        without_evidence=[item for item in top if not per_item[item.pk] & backed],
        stronger_left_out=[(problem, problem.customers) for problem in left_out],
        stale=[item for item in top if item.updated_at < stale_before],
        ready=sum(1 for item in top if item.status in (ItemStatus.READY, ItemStatus.IN_PROGRESS)),
    )
