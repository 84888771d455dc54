"""The demo's decision log: a few decisions of the ACME product, linked to the items,
problems and metrics they concern, one of them superseded by a later one. Deterministic."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.backlog.models import BacklogItem
from lodestar.decisions import services
from lodestar.decisions.models import Decision
from lodestar.discovery.models import Problem
from lodestar.outcomes.models import Metric, OutcomeReview, Verdict
from lodestar.people.demo import DemoPeople
from lodestar.strategy.models import Product


def _item(product: Product, words: str) -> str | None:
    found = BacklogItem.objects.filter(product=product, title__icontains=words).first()
    return f"item:{found.key}" if found is not None else None


def _problem(product: Product, words: str) -> str | None:
    found = Problem.objects.filter(workspace=product.workspace, title__icontains=words).first()
    return f"problem:{found.pk}" if found is not None else None


def _metric(product: Product, key: str) -> str | None:
    found = Metric.objects.filter(product=product, key=key).exists()
    return f"metric:{product.key}/{key}" if found else None


def _missed_outcome(product: Product) -> OutcomeReview | None:
    return (
        OutcomeReview.objects.filter(product=product, verdict=Verdict.MISSED)
        .select_related("criterion__release")
        .first()
    )


def seed_world(world: dict[str, Any]) -> list[Decision]:
    """``lodestar demo``'s entry: the decisions of the demo product (none without it)."""
    people: DemoPeople = world["people"]
    product = world.get("backlog")
    if not isinstance(product, Product):
        product = Product.objects.filter(workspace=people.workspace, key="ACME").first()
    return seed(people, product) if product is not None else []


@transaction.atomic
def seed(people: DemoPeople, product: Product) -> list[Decision]:
    priya = people.actor("priya")
    team = [people.members["priya"], people.members["diego"]]
    today = timezone.localdate()
    share = [
        link
        for link in (
            _item(product, "Share a dashboard by link"),
            _problem(product, "as screenshots"),
        )
        if link
    ]
    first = services.decision_create(
        actor=priya,
        product=product,
        title="Share dashboards by link, not by inviting guests",
        context="Customers ask to show a dashboard to people outside their workspace. "
        "Inviting them as guests costs a seat and an account.",
        options=[
            {
                "title": "Guest accounts",
                "pros": "Every viewer is known by name.",
                "cons": "A seat each; an account to make; slow for a one-off look.",
            },
            {
                "title": "Read-only links",
                "pros": "One click to share; no account.",
                "cons": "A forwarded link reaches anyone.",
                "chosen": True,
            },
        ],
        decision="Dashboards are shared by **read-only links**, never exposing SQL or raw rows.",
        rationale="Speed of sharing is what customers asked for; the risk of forwarding is "
        "answered by expiring, revocable links.",
        status="decided",
        deciders=team,
        decided_at=today - dt.timedelta(days=40),
        links=share,
    )
    expiring = services.decision_create(
        actor=priya,
        product=product,
        title="Share links expire after 30 days by default",
        context="Security reviews at two enterprise customers flagged links that never expire.",
        decision="Every share link expires after 30 days unless its owner extends it.",
        rationale="Keeps the one-click share while closing the forwarded-link risk.",
        status="decided",
        deciders=[people.members["priya"]],
        decided_at=today - dt.timedelta(days=12),
        links=[link for link in (_item(product, "Signed, expiring share-link"),) if link],
        supersedes=None,
    )
    services.decision_supersede(actor=priya, decision=first, by=expiring)
    exports = services.decision_create(
        actor=priya,
        product=product,
        title="Stream CSV exports instead of capping them",
        context="Exports stopped at 10,000 rows and customers lost data without noticing.",
        decision="Exports stream every row; no cap.",
        rationale="A silent cap is worse than a slow export.",
        status="decided",
        deciders=team,
        decided_at=today - dt.timedelta(days=20),
        links=[
            link
            for link in (
                _item(product, "Exports stream every row"),
                _problem(product, "Exports get cut off"),
            )
            if link
        ],
    )
    realtime = services.decision_create(
        actor=priya,
        product=product,
        title="Real-time refresh: only if the spike shows it under a minute at our cost",
        context="Larger accounts ask for data fresher than the hourly sync.",
        decision="Proposed: wait for the spike's numbers before committing.",
        links=[
            link
            for link in (
                _item(product, "real-time refresh"),
                _metric(product, "dashboard-load-p95"),
            )
            if link
        ],
    )
    made = [first, expiring, exports, realtime]
    missed = _missed_outcome(product)
    if missed is not None and missed.criterion.release is not None:
        made.append(
            services.decision_create(
                actor=priya,
                product=product,
                title="Promise load times per tile, not per dashboard",
                context="The dashboard speed-up missed its 700 ms target: the median improved, "
                "the slowest tiles did not.",
                decision="Targets for load time are set per tile, measured at the 95th "
                "percentile, before a release promises them.",
                rationale="A dashboard's p95 is its slowest tiles; only a per-tile number says "
                "which change helps.",
                status="decided",
                deciders=[people.members["priya"]],
                decided_at=missed.observed_until + dt.timedelta(days=3),
                links=[f"release:{missed.criterion.release.pk}", f"outcome:{missed.pk}"],
            )
        )
    return made
