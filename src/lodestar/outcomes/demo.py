"""The demo's metrics: three on the demo product, each with 180 days of samples that read like
a real product's (weekly rhythm, noise, and a step up in checkout conversion 60 days ago, when
a release went live). Deterministic: a fixed random seed, days counted back from today."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.outcomes import services
from lodestar.outcomes.models import Aggregation, Direction, Metric
from lodestar.people.demo import DemoPeople
from lodestar.strategy.models import Product

DAYS = 180
# The day (counted back from today) the checkout change went live.
STEP_DAYS_AGO = 60


def _day_start(today: dt.date, days_ago: int) -> dt.datetime:
    day = today - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _conversion(rng: random.Random, today: dt.date) -> list[dict[str, Any]]:
    """Checkout conversion (%) every 4 hours: 3.1% before the change, 3.5% after, lower at
    weekends."""
    rows = []
    for days_ago in range(DAYS, 0, -1):
        start = _day_start(today, days_ago)
        level = 3.5 if days_ago <= STEP_DAYS_AGO else 3.1
        weekend = 0.25 if start.weekday() >= 5 else 0.0
        for hour in range(2, 24, 4):
            value = level - weekend + rng.gauss(0, 0.18)
            rows.append(
                {"at": (start + dt.timedelta(hours=hour)).isoformat(), "value": round(value, 3)}
            )
    return rows


def _weekly_active(rng: random.Random, today: dt.date) -> list[dict[str, Any]]:
    """Weekly active users, counted once a day: steady growth with a weekly wave."""
    rows = []
    for days_ago in range(DAYS, 0, -1):
        at = _day_start(today, days_ago) + dt.timedelta(hours=23, minutes=30)
        trend = 4200 + (DAYS - days_ago) * 6.5
        wave = 60 * math.sin(2 * math.pi * at.weekday() / 7)
        rows.append({"at": at.isoformat(), "value": round(trend + wave + rng.gauss(0, 40))})
    return rows


def _load_time(rng: random.Random, today: dt.date) -> list[dict[str, Any]]:
    """Dashboard load time p95 (ms), measured hourly: flat, noisy, no change."""
    rows = []
    for days_ago in range(DAYS, 0, -1):
        start = _day_start(today, days_ago)
        for hour in range(0, 24, 3):
            value = 820 + rng.gauss(0, 45)
            rows.append(
                {"at": (start + dt.timedelta(hours=hour)).isoformat(), "value": round(value, 1)}
            )
    return rows


METRICS = (
    (
        "checkout-conversion",
        "Checkout conversion",
        "%",
        Direction.HIGHER,
        Aggregation.MEAN,
        "Share of started checkouts that complete, from the billing service every 4 hours.",
        _conversion,
    ),
    (
        "weekly-active-users",
        "Weekly active users",
        "users",
        Direction.HIGHER,
        Aggregation.LAST,
        "Distinct users active in the last 7 days, counted each night.",
        _weekly_active,
    ),
    (
        "dashboard-load-p95",
        "Dashboard load time (p95)",
        "ms",
        Direction.LOWER,
        Aggregation.MEAN,
        "95th percentile of dashboard load time in the browser, every 3 hours.",
        _load_time,
    ),
)


def seed(world: dict[str, Any]) -> list[Metric]:
    """``lodestar demo``'s entry: the metrics of the demo product (nothing without one)."""
    people: DemoPeople = world["people"]
    product = world.get("backlog")
    if not isinstance(product, Product):
        product = Product.objects.filter(workspace=people.workspace, key="ACME").first()
    return seed_metrics(people, product) if product is not None else []


@transaction.atomic
def seed_metrics(people: DemoPeople, product: Product) -> list[Metric]:
    rng = random.Random(11)  # noqa: S311 - demo figures, not secrets
    today = timezone.localdate()
    actor = people.actor("priya")
    made = []
    for key, name, unit, direction, aggregation, description, samples in METRICS:
        metric = services.metric_create(
            actor=actor,
            product=product,
            key=key,
            name=name,
            unit=unit,
            direction=direction,
            aggregation=aggregation,
            description=description,
        )
        services.samples_push(actor=actor, metric=metric, samples=samples(rng, today))
        made.append(metric)
    return made
