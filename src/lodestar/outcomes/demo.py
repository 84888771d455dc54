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

from lodestar.core.models import HistoryEntry
from lodestar.discovery.models import Problem
from lodestar.discovery.services import problem_items_link
from lodestar.outcomes import services
from lodestar.outcomes.models import (
    Aggregation,
    Direction,
    Metric,
    OutcomeReview,
    TargetKind,
    Verdict,
)
from lodestar.people.demo import DemoPeople
from lodestar.releases.demo import take_live
from lodestar.releases.models import Release
from lodestar.strategy.models import Product

DAYS = 180
# The day (counted back from today) the checkout change went live, without the release that
# made it (its target date otherwise).
STEP_DAYS_AGO = 60
# The releases whose outcomes the demo reviews (made ready by releases' demo), and the one
# planned.
SPEED_UP = "2025.4 Dashboard speed-up"
FASTER = "2026.1 Faster reports"
PLANNED = "2026.2 Self-serve exports"
SLOW_PROBLEM = "Dashboards take forever to load"


def _day_start(today: dt.date, days_ago: int) -> dt.datetime:
    day = today - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _conversion(rng: random.Random, today: dt.date, step: int) -> list[dict[str, Any]]:
    """Checkout conversion (%) every 4 hours: 3.1% before the change (``step`` days ago), 3.5%
    after, lower at weekends."""
    rows = []
    for days_ago in range(DAYS, 0, -1):
        start = _day_start(today, days_ago)
        level = 3.5 if days_ago < step else 3.1
        weekend = 0.25 if start.weekday() >= 5 else 0.0
        for hour in range(2, 24, 4):
            value = level - weekend + rng.gauss(0, 0.18)
            rows.append(
                {"at": (start + dt.timedelta(hours=hour)).isoformat(), "value": round(value, 3)}
            )
    return rows


def _weekly_active(rng: random.Random, today: dt.date, step: int) -> list[dict[str, Any]]:
    """Weekly active users, counted once a day: steady growth with a weekly wave."""
    rows = []
    for days_ago in range(DAYS, 0, -1):
        at = _day_start(today, days_ago) + dt.timedelta(hours=23, minutes=30)
        trend = 4200 + (DAYS - days_ago) * 6.5
        wave = 60 * math.sin(2 * math.pi * at.weekday() / 7)
        rows.append({"at": at.isoformat(), "value": round(trend + wave + rng.gauss(0, 40))})
    return rows


def _load_time(rng: random.Random, today: dt.date, step: int) -> list[dict[str, Any]]:
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
    """``lodestar demo``'s entry: the metrics of the demo product (nothing without one), and
    the outcomes of its releases."""
    people: DemoPeople = world["people"]
    product = world.get("backlog")
    if not isinstance(product, Product):
        product = Product.objects.filter(workspace=people.workspace, key="ACME").first()
    if product is None:
        return []
    releases = {release.name: release for release in world.get("releases") or []}
    faster = releases.get(FASTER)
    step = STEP_DAYS_AGO
    if faster is not None and faster.target_date is not None:
        step = (timezone.localdate() - faster.target_date).days
    metrics = seed_metrics(people, product, step=step)
    seed_outcomes(people, product, {m.key: m for m in metrics}, releases)
    return metrics


@transaction.atomic
def seed_metrics(
    people: DemoPeople, product: Product, *, step: int = STEP_DAYS_AGO
) -> list[Metric]:
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
        services.samples_push(actor=actor, metric=metric, samples=samples(rng, today, step))
        made.append(metric)
    return made


@transaction.atomic
def seed_outcomes(
    people: DemoPeople, product: Product, metrics: dict[str, Metric], releases: dict[str, Release]
) -> None:
    """Success criteria on the demo's releases, and their outcomes: "2026.1 Faster reports"
    was to lift checkout conversion by 5% (met: it rose from 3.1% to 3.5%); "2025.4 Dashboard
    speed-up" was to bring the dashboard's p95 load time to 700 ms (missed: it stayed near
    820 ms), with learnings, a follow-up item on the problem behind it and that problem's open
    items marked; "2026.2" is to grow weekly active users by 3% once it is live. The reviews
    are written as the worker writes them, when each window closed; Priya wrote the learnings
    of both."""
    priya = people.actor("priya")
    plan = (
        (FASTER, "checkout-conversion", TargetKind.RELATIVE, 5.0),
        (SPEED_UP, "dashboard-load-p95", TargetKind.ABSOLUTE, 700.0),
        (PLANNED, "weekly-active-users", TargetKind.RELATIVE, 3.0),
    )
    for name, key, kind, target in plan:
        release, metric = releases.get(name), metrics.get(key)
        if release is None or metric is None:
            continue
        services.criterion_create(
            actor=priya,
            product=product,
            metric=metric,
            release=release,
            target=target,
            target_kind=kind,
        )
    speed_up = releases.get(SPEED_UP)
    problem = Problem.objects.filter(product=product, title=SLOW_PROBLEM).first()
    if speed_up is not None and problem is not None:
        held = speed_up.entries.order_by("item__rank")
        first = held.filter(item__title__icontains="dashboard").first() or held.first()
        if first is not None:
            problem_items_link(actor=priya, problem=problem, items=[first.item])
    for name in (SPEED_UP, FASTER):
        if name in releases:
            take_live(people, releases[name])
    services.outcomes_evaluate_due()
    for review in OutcomeReview.objects.filter(product=product, final=True):
        # As the worker wrote it: the night after its window closed.
        when = dt.datetime.combine(
            review.observed_until + dt.timedelta(days=1), dt.time(2), tzinfo=dt.UTC
        )
        OutcomeReview.objects.filter(pk=review.pk).update(evaluated_at=when, updated_at=when)
        HistoryEntry.objects.filter(
            object_type="outcomes.outcomereview", object_id=review.pk
        ).update(created_at=when)
    missed = OutcomeReview.objects.filter(
        product=product, verdict=Verdict.MISSED, criterion__release__name=SPEED_UP
    ).first()
    if missed is not None:
        services.review_conclude(
            actor=priya,
            review=missed,
            learnings="The p95 stayed near 820 ms: the speed-up made the *median* faster, but "
            "the slowest tiles are the big tenants' revenue tiles, which the change never "
            "touched.\n\nNext: cache tiles per tenant, and measure p95 per tile before "
            "promising a number again.",
            follow_ups=["Cache dashboard tiles per tenant", "Measure load time per tile"],
            problem=problem,
        )
    met = OutcomeReview.objects.filter(
        product=product, verdict=Verdict.MET, criterion__release__name=FASTER
    ).first()
    if met is not None:
        # Priya read it a few days after its window closed, and wrote what it taught.
        services.review_conclude(
            actor=priya,
            review=met,
            learnings="Conversion rose from 3.1% to 3.5%: faster reports kept trials in the "
            "product long enough to reach the upgrade page.\n\nNext: watch whether the lift "
            "holds for the big tenants once the export work lands.",
        )
        read = dt.datetime.combine(
            met.observed_until + dt.timedelta(days=4), dt.time(15), tzinfo=dt.UTC
        )
        read = min(read, timezone.now())
        OutcomeReview.objects.filter(pk=met.pk).update(learnings_at=read)
        HistoryEntry.objects.filter(
            object_type="outcomes.outcomereview", object_id=met.pk, changes__has_key="learnings"
        ).update(created_at=read)
