"""Metric samples: ingest in batches, and an outcome evaluation over 1,000,000 samples, on
SQLite and PostgreSQL.

    .venv/bin/python bench/outcomes.py [--db sqlite|postgres|both] [--samples N] [--calls N]
    .venv/bin/python bench/run.py outcomes [--db ...]            (the same)

Each database runs in a process of its own against a scratch database that this script
creates and removes (SQLite in a temporary LODESTAR_DATA_DIR, PostgreSQL as
``lodestar_bench_outcomes``).

**Ingest.** ``--ingest`` samples (500,000) pushed to one metric in batches of 10,000 through
``outcomes.services.samples_push``, as the API calls it: each batch's JSON body parsed
(``json.loads``), every row checked (a time with its zone, a finite number, no time twice),
the stored times probed, the rows written (``core.db.insert_rows``: COPY on PostgreSQL).
Samples per second over the whole run, and the p50 / max of one batch. Target >= 50,000/s.
Then one batch of 10,000 that replaces stored times (a re-push), timed alone.

**Evaluation.** ``--samples`` samples (1,000,000) of another metric over 180 days (about 5,600
a day, the mean of each day taken; the days kept by ``outcomes.rollup``), then what an outcome
review does: the daily series of the 90-day baseline window and the 90-day observed window
(``outcomes.selectors.outcome_evaluation``: the daily series, one row a day, split, and
``outcomes.evaluation.evaluate``, Welch's t-test, on them); ``--calls`` (30) times after 3 not
counted, p50 / p95 / max in ms (wall time). Target <= 200 ms. Beside it, the 180 days
aggregated in SQL from the 1,000,000 samples themselves (``rollup.aggregate``: what a write
does for the days it touches, and a change of time zone for every day).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from flow import _time
from harness.scratch import run_child

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_outcomes"
BATCH = 10_000
DAYS = 180


def _world() -> tuple[Any, Any]:
    from lodestar.people.models import Membership, Role, User, Workspace
    from lodestar.people.policy import Actor
    from lodestar.strategy.models import Product

    workspace = Workspace.objects.create(slug="bench", name="Bench")
    user = User.objects.create_user("bench@bench.test", "x" * 20)
    membership = Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    product = Product.objects.create(workspace=workspace, key="BENCH", name="Bench")
    return Actor(user=user, membership=membership), product


def _ingest(actor: Any, product: Any, total: int) -> dict[str, Any]:
    from lodestar.outcomes import services

    metric = services.metric_create(
        actor=actor, product=product, key="ingest", name="Ingest", direction="higher"
    )
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    rng = random.Random(1)
    bodies = []
    for batch in range(total // BATCH):
        rows = [
            {
                "at": (start + dt.timedelta(seconds=(batch * BATCH + i) * 7)).isoformat(),
                "value": round(rng.gauss(100, 10), 3),
            }
            for i in range(BATCH)
        ]
        bodies.append(json.dumps({"samples": rows}).encode())
    times = []
    began = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        services.samples_push(actor=actor, metric=metric, samples=json.loads(body)["samples"])
        times.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - began
    again = bodies[len(bodies) // 2]
    t0 = time.perf_counter()
    result = services.samples_push(actor=actor, metric=metric, samples=json.loads(again)["samples"])
    replace_ms = (time.perf_counter() - t0) * 1000
    assert result.replaced == BATCH
    times.sort()
    return {
        "samples": total,
        "per_second": round(total / elapsed),
        "batch_p50_ms": round(statistics.median(times), 1),
        "batch_max_ms": round(times[-1], 1),
        "replace_batch_ms": round(replace_ms, 1),
    }


def _fill(actor: Any, product: Any, total: int) -> tuple[Any, dt.date]:
    """``total`` samples over ``DAYS`` days (a step of +5% halfway), written in batches."""
    from django.db import transaction

    from lodestar.core.db import insert_rows
    from lodestar.outcomes import rollup, services
    from lodestar.outcomes.models import MetricSample

    metric = services.metric_create(
        actor=actor, product=product, key="evaluated", name="Evaluated", direction="higher"
    )
    first = dt.date(2026, 1, 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    step = DAYS * 86_400 / total
    rng = random.Random(2)
    rows: list[MetricSample] = []
    for i in range(total):
        at = start + dt.timedelta(seconds=i * step)
        level = 105.0 if i >= total // 2 else 100.0
        rows.append(
            MetricSample(
                workspace_id=metric.workspace_id,
                metric_id=metric.pk,
                at=at,
                value=level + rng.gauss(0, 20),
            )
        )
        if len(rows) == 50_000:
            with transaction.atomic():
                insert_rows(MetricSample, rows)
            rows = []
    if rows:
        with transaction.atomic():
            insert_rows(MetricSample, rows)
    rollup.rebuild(metric)
    return metric, first


def child(db: str, total: int, ingest: int, calls: int, out: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lodestar.outcomes import rollup, selectors

    call_command("migrate", interactive=False, verbosity=0)
    actor, product = _world()
    ingested = _ingest(actor, product, ingest)
    started = time.perf_counter()
    metric, first = _fill(actor, product, total)
    filled = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    half = DAYS // 2
    live = first + dt.timedelta(days=half)

    def review() -> Any:
        return selectors.outcome_evaluation(
            metric=metric,
            baseline=(first, live - dt.timedelta(days=1)),
            observed=(live, first + dt.timedelta(days=DAYS - 1)),
            target=3,
            target_kind="relative",
        )

    times, answer = _time(review, calls)
    # The same days aggregated from the samples themselves (what every write of samples does
    # for the days it touched, and a change of time zone for all of them).
    every_day = [first + dt.timedelta(days=n) for n in range(DAYS)]
    raw_times, raw = _time(lambda: rollup.aggregate(metric, every_day), max(3, calls // 3))
    assert sum(row[1] for row in raw) == total
    out.write_text(
        json.dumps(
            {
                "db": db,
                "ingest": ingested,
                "samples": total,
                "fill_s": round(filled, 1),
                "evaluation": times,
                "from_samples": raw_times,
                "verdict": str(answer.verdict),
                "baseline": round(answer.baseline_value, 3),
                "observed": round(answer.observed_value, 3),
                "days": [answer.baseline_days, answer.observed_days],
            }
        )
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--ingest", type=int, default=500_000)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.samples, args.ingest, args.calls, args.out)
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    passed = [
        "--samples",
        str(args.samples),
        "--ingest",
        str(args.ingest),
        "--calls",
        str(args.calls),
    ]
    results = [run_child(__file__, db, passed, postgres_url=args.postgres_url) for db in dbs]
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    load = os.getloadavg()[0]
    (RESULTS / f"outcomes-{stamp}.json").write_text(
        json.dumps({"load": load, "results": results}, indent=2)
    )
    print("| database | ingest samples/s | batch of 10,000 p50 / max ms | re-push of 10,000 ms |")
    print("|---|---|---|---|")
    for r in results:
        i = r["ingest"]
        print(
            f"| {r['db']} | {i['per_second']:,} | {i['batch_p50_ms']} / {i['batch_max_ms']} | "
            f"{i['replace_batch_ms']} |"
        )
    print()
    print(
        "| database | samples | evaluation p50 / p95 / max ms "
        "| the 180 days aggregated from the samples p50 / max ms |"
    )
    print("|---|---|---|---|")
    for r in results:
        e = r["evaluation"]
        print(
            f"| {r['db']} | {r['samples']:,} | {e['p50_ms']} / {e['p95_ms']} / {e['max_ms']} | "
            f"{r['from_samples']['p50_ms']} / {r['from_samples']['max_ms']} |"
        )
    for r in results:
        print(
            f"{r['db']}: {r['verdict']} (baseline {r['baseline']}, observed {r['observed']}, "
            f"days {r['days']}); filled in {r['fill_s']} s"
        )
    print(f"load average at the end: {load:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
