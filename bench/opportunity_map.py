"""The opportunity map of a Product Goal with 50 problems and 500 items (issue 14: <= 150 ms),
on SQLite and PostgreSQL.

    .venv/bin/python bench/opportunity_map.py [--db sqlite|postgres|both] [--calls N]

Each database runs in a process of its own against a scratch database (``harness.scratch``),
production settings. One workspace, one product, one goal with 50 epics and 450 stories under
them (500 items, a third done); 50 problems, each solved by one epic and backed by 40 insights
from as many customers (2,000 pieces of feedback); every fifth epic's stories in one of ten
releases, each release with a success criterion and an outcome review. Rows go in with
``bulk_create`` (the map reads, it does not write).

Then ``coverage.opportunity.opportunity_map(goal)`` is called ``--calls`` times (100, after 5
not counted): p50, p95 and max in milliseconds (wall time), the queries of one call, the
problems, items and gaps drawn. Target: <= 150 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from harness.scratch import run_child

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_opportunity"


def _fill() -> Any:
    from django.utils import timezone

    from lodestar.backlog.models import BacklogItem
    from lodestar.discovery.models import (
        Customer,
        Feedback,
        Insight,
        InsightProblem,
        Problem,
        ProblemItem,
    )
    from lodestar.outcomes.models import Metric, OutcomeReview, SuccessCriterion
    from lodestar.people.models import Workspace
    from lodestar.releases.models import Release, ReleaseItem
    from lodestar.strategy.models import Product, ProductGoal

    now = timezone.now()
    workspace = Workspace.objects.create(slug="bench", name="Bench")
    product = Product.objects.create(workspace=workspace, key="BENCH", name="Bench")
    goal = ProductGoal.objects.create(product=product, statement="Customers trust the numbers")
    number = 0

    def item(title: str, kind: str, parent: Any = None, status: str = "new") -> Any:
        nonlocal number
        number += 1
        return BacklogItem(
            workspace=workspace,
            product=product,
            number=number,
            key=f"BENCH-{number}",
            title=title,
            kind=kind,
            parent=parent,
            goal=goal,
            status=status,
            rank=f"a{number:06d}",
        )

    epics = BacklogItem.objects.bulk_create(item(f"Epic {n}", "epic") for n in range(50))
    stories = BacklogItem.objects.bulk_create(
        item(f"Story {e}.{n}", "story", epic, "done" if n % 3 == 0 else "new")
        for e, epic in enumerate(epics)
        for n in range(9)
    )
    customers = Customer.objects.bulk_create(
        Customer(workspace=workspace, name=f"Customer {n}", arr=Decimal(1_000 + n))
        for n in range(200)
    )
    problems = Problem.objects.bulk_create(
        Problem(workspace=workspace, product=product, title=f"Problem {n}") for n in range(50)
    )
    feedback = Feedback.objects.bulk_create(
        Feedback(
            workspace=workspace,
            text=f"words {n}",
            text_html=f"<p>words {n}</p>",
            received_at=now - dt.timedelta(days=n % 80),
            customer=customers[n % 200],
        )
        for n in range(2_000)
    )
    insights = Insight.objects.bulk_create(
        Insight(workspace=workspace, feedback=f, quote=f.text) for f in feedback
    )
    InsightProblem.objects.bulk_create(
        InsightProblem(insight=insight, problem=problems[n % 50])
        for n, insight in enumerate(insights)
    )
    ProblemItem.objects.bulk_create(
        ProblemItem(problem=problem, item=epic)
        for problem, epic in zip(problems, epics, strict=True)
    )
    metric = Metric.objects.create(
        workspace=workspace,
        product=product,
        key="conversion",
        name="Conversion",
        unit="%",
        direction="higher",
    )
    releases = Release.objects.bulk_create(
        Release(
            workspace=workspace, product=product, name=f"2026.{n}", state="live", went_live_at=now
        )
        for n in range(10)
    )
    ReleaseItem.objects.bulk_create(
        ReleaseItem(release=releases[(n // 9) % 10], item=story, workspace=workspace, added_at=now)
        for n, story in enumerate(stories)
        if (n // 9) % 5 == 0
    )
    criteria = SuccessCriterion.objects.bulk_create(
        SuccessCriterion(
            workspace=workspace,
            product=product,
            metric=metric,
            release=release,
            target=5,
            target_kind="relative",
        )
        for release in releases
    )
    OutcomeReview.objects.bulk_create(
        OutcomeReview(
            workspace=workspace,
            product=product,
            criterion=criterion,
            verdict="missed" if n % 2 else "met",
            final=True,
            started_on=now.date(),
            observed_from=now.date(),
            observed_until=now.date(),
            evaluated_at=now,
        )
        for n, criterion in enumerate(criteria)
    )
    return goal


def child(db: str, calls: int, out: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lodestar.coverage.opportunity import opportunity_map

    call_command("migrate", interactive=False, verbosity=0)
    goal = _fill()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    for _ in range(5):
        opportunity_map(goal)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        found = opportunity_map(goal)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        opportunity_map(goal)
    times.sort()
    items = sum(len(o.solutions) for o in found.opportunities) + len(found.unlinked)
    out.write_text(
        json.dumps(
            {
                "db": db,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
                "max_ms": round(times[-1], 1),
                "queries": len(queries.captured_queries),
                "problems": len(found.opportunities),
                "items": items,
                "gaps": found.gap_count,
            }
        )
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.calls, args.out)
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    argv_child = ["--calls", str(args.calls)]
    results = [run_child(__file__, db, argv_child, postgres_url=args.postgres_url) for db in dbs]
    RESULTS.mkdir(exist_ok=True)
    load = os.getloadavg()[0]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"opportunity-map-{stamp}.json").write_text(
        json.dumps({"load": load, "results": results}, indent=2)
    )
    print("| database | p50 ms | p95 ms | max ms | queries | problems | items drawn | gaps |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['db']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} | {r['queries']} | "
            f"{r['problems']} | {r['items']} | {r['gaps']} |"
        )
    print(f"load average at the end: {load:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
