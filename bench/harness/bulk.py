"""The bulk write path: items created per second by ``items_create_many``, and the rebalance of
a whole backlog, in a process of its own (``bench/run.py bulk``).

An import of ``--items`` items in calls of ``--batch`` specs each, shaped like the backlog the
main benchmark seeds (one item in 50 an epic with the next 20 stories under it, 70% with a
Markdown description, about half with acceptance criteria, 40% with labels, 30% assigned, the
original authors and dates carried, statuses as another tool had them). The specs are built
before the clock starts (parsing a file is not what is measured); every call is timed whole:
checks, Markdown rendering, numbers, ranks, labels, the inserts and the history, and its commit.

``--plain`` gives the items plain-text descriptions and criteria instead (what the Markdown
costs). Then every item gets a new key at once (the last item is moved to the top, so each
one's place is one off): ``crowding.full_rebalance``, the last resort, timed with its writes.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console

err = Console(stderr=True)


def _plain(rng: random.Random) -> str:
    """A description of plain sentences (no Markdown), as many tools export them."""
    from harness.seed import WORDS

    if rng.random() < 0.3:
        return ""
    words = " ".join(rng.choice(WORDS) for _ in range(30))
    return f"As a {rng.choice(WORDS)} user I want to {words}"


def _specs(
    n: int,
    first: int,
    rng: random.Random,
    staff: list[Any],
    start: dt.datetime,
    plain: bool = False,
) -> list[Any]:
    from harness.seed import CRITERIA, LABELS, WORDS, _description
    from lodestar.backlog.services import ItemSpec

    specs: list[Any] = []
    epic_at: int | None = None
    for index in range(n):
        number = first + index
        is_epic = number % 50 == 1
        if is_epic:
            epic_at = index
        kind = "epic" if is_epic else rng.choice(["story"] * 6 + ["task", "bug"])
        under_epic = kind == "story" and epic_at is not None and 0 < index - epic_at <= 20
        created = start + dt.timedelta(seconds=number * 30)
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))
        specs.append(
            ItemSpec(
                title=f"{words.capitalize()} ({number})",
                kind=kind,
                description=_plain(rng) if plain else _description(rng),
                acceptance_criteria=rng.sample(
                    CRITERIA[1:] if plain else CRITERIA, rng.choice([0, 0, 1, 2, 3])
                ),
                estimate=Decimal(rng.choice([1, 2, 3, 5, 8])) if rng.random() < 0.6 else None,
                status=rng.choice(["new"] * 4 + ["ready", "done"]),
                labels=rng.sample(LABELS, rng.choice([1, 1, 2])) if rng.random() < 0.4 else (),
                assignee=rng.choice(staff) if rng.random() < 0.3 else None,
                parent=epic_at if under_epic else None,
                created_by=rng.choice(staff),
                created_at=created,
                updated_at=created + dt.timedelta(hours=rng.randint(0, 200)),
            )
        )
    return specs


def run(*, db: str, items: int, batch: int, plain: bool) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lodestar.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from harness import crowding, seed
    from harness.measure import machine
    from harness.sql import counting
    from harness.stats import Stopwatch, percentile
    from harness.workload import ITEM_TABLE
    from lodestar.backlog.models import BacklogItem
    from lodestar.backlog.services import items_create_many
    from lodestar.core.ranking import key_between
    from lodestar.people.models import Membership
    from lodestar.people.policy import Actor
    from lodestar.strategy.models import Product

    rng = random.Random(20240601)
    err.log(f"[bold]{db}: migrate[/bold]")
    call_command("migrate", interactive=False, verbosity=0)
    fixture = seed.seed(0, rng)
    product = Product.objects.get(pk=fixture.product_id)
    po = Membership.objects.select_related("user").get(user__email="po@bench.test")
    actor = Actor(user=po.user, membership=po)
    staff = list(Membership.objects.filter(workspace_id=product.workspace_id))
    start = timezone.now() - dt.timedelta(days=365)

    err.log(f"[bold]{db}: import {items:,} items in calls of {batch:,}[/bold]")
    calls: list[float] = []
    queries: list[int] = []
    for first in range(1, items + 1, batch):
        specs = _specs(min(batch, items - first + 1), first, rng, staff, start, plain)
        product = Product.objects.get(pk=product.pk)
        with counting() as statements, Stopwatch() as watch:
            items_create_many(actor=actor, product=product, specs=specs, check_readiness=False)
        calls.append(watch.ms)
        queries.append(statements.queries)
    total_s = sum(calls) / 1000
    ms = sorted(calls)
    created = BacklogItem.objects.filter(product=product).count()
    seed.analyze()

    err.log(f"[bold]{db}: rebalance of the whole backlog[/bold]")
    live = BacklogItem.objects.filter(product_id=product.pk)
    last = live.order_by("-rank").values_list("pk", flat=True)[0]
    top = live.order_by("rank").values_list("rank", flat=True)[0]
    live.filter(pk=last).update(rank=key_between(None, top))
    rebalances = [crowding.full_rebalance(product.pk) for _ in range(2)]
    return {
        "db": db,
        "machine": machine(),
        "bulk_create": {
            "items": created,
            "batch": batch,
            "text": "plain" if plain else "markdown",
            "calls": len(calls),
            "seconds": round(total_s, 3),
            "items_per_second": round(created / total_s),
            "call_ms_p50": percentile(ms, 50),
            "call_ms_p95": percentile(ms, 95),
            "call_ms_max": ms[-1],
            "queries_per_call_max": max(queries),
            "target_items_per_second": 5000,
        },
        "item_table": ITEM_TABLE,
        "full_rebalance": rebalances,
        "rebalance_target_seconds": 2.0,
    }


def main(argv: list[str]) -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--plain", action="store_true")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    result = run(db=args.db, items=args.items, batch=args.batch, plain=args.plain)
    args.out.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
