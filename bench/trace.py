"""The trace through an object (issue 14: <= 30 ms), on SQLite and PostgreSQL.

    .venv/bin/python bench/trace.py [--db sqlite|postgres|both] [--insights N] [--calls N]

Each database runs in a process of its own against a scratch database (``harness.scratch``),
production settings. The demo workspace is loaded (every context's demo: its releases have
their loops, from the customers' feedback to the outcome reviews and their follow-ups), then
its most-evidenced problem gets ``--insights`` more insights (2,000 by default), each drawn
from its own piece of feedback, and its epic 200 more stories, each in one of the sprints, so
the walk meets wide stages (the listing caps at 25 a stage; the walk at 200 objects a type).

Then ``coverage.trace.trace_of`` is called ``--calls`` times (100, after 5 not counted) from
each of: that problem, one of its feedback, a story, the live release whose outcome was missed,
that outcome review. min, p50, p95 and max in milliseconds (wall time), the queries of one trace
and the objects it reached, and the load average when the run ended (the machine may be
shared: run it several times). Target: <= 30 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from harness.scratch import run_child

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_trace"


def _seed(insights: int) -> dict[str, tuple[str, Any]]:
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from lodestar.backlog.models import BacklogItem
    from lodestar.core.registry import registry
    from lodestar.discovery.models import Feedback, Insight, InsightProblem, Problem
    from lodestar.outcomes.models import OutcomeReview
    from lodestar.sprints.models import Sprint, SprintItem

    world: dict[str, object] = {}
    with transaction.atomic():
        for name, context_demo in registry().demos():
            world[name] = context_demo.seed(world)
    problem = Problem.objects.annotate(n=Count("insights")).order_by("-n").first()
    assert problem is not None
    workspace = problem.workspace
    now = timezone.now()
    feedback = Feedback.objects.bulk_create(
        Feedback(
            workspace=workspace, text=f"words {n}", text_html=f"<p>words {n}</p>", received_at=now
        )
        for n in range(insights)
    )
    made = Insight.objects.bulk_create(
        Insight(workspace=workspace, feedback=f, quote=f.text) for f in feedback
    )
    InsightProblem.objects.bulk_create(InsightProblem(insight=i, problem=problem) for i in made)
    epic = problem.items.filter(kind="epic").first() or problem.items.first()
    assert epic is not None
    last = BacklogItem.objects.filter(workspace=workspace).order_by("-number").first()
    assert last is not None
    stories = BacklogItem.objects.bulk_create(
        BacklogItem(
            workspace=workspace,
            product=epic.product,
            number=last.number + 1 + n,
            key=f"{epic.product.key}-{last.number + 1 + n}",
            title=f"Story {n}",
            kind="story",
            parent=epic if epic.kind == "epic" else None,
            rank=f"zz{n:06d}",
        )
        for n in range(200)
    )
    sprints = list(Sprint.objects.filter(workspace=workspace))
    SprintItem.objects.bulk_create(
        SprintItem(sprint=sprints[n % len(sprints)], item=story, workspace=workspace, added_at=now)
        for n, story in enumerate(stories)
    )
    review = OutcomeReview.objects.filter(verdict="missed").select_related("criterion").first()
    assert review is not None
    assert review.criterion.release is not None
    return {
        "problem": ("problem", problem),
        "feedback": ("feedback", feedback[0]),
        "story": ("item", stories[0]),
        "release": ("release", review.criterion.release),
        "outcome": ("outcome", review),
    }


def child(db: str, insights: int, calls: int, out: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lodestar.coverage.trace import trace_of
    from lodestar.people.models import Membership
    from lodestar.people.policy import Actor

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    origins = _seed(insights)
    seeded = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    membership = Membership.objects.select_related("user", "workspace").filter(role="owner").first()
    assert membership is not None
    actor = Actor(membership.user, membership)
    rows = []
    for name, (kind, obj) in origins.items():
        for _ in range(5):
            trace_of(actor, kind, obj)
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            trace = trace_of(actor, kind, obj)
            times.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            trace_of(actor, kind, obj)
        times.sort()
        rows.append(
            {
                "from": name,
                "min_ms": round(times[0], 2),
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
                "max_ms": round(times[-1], 2),
                "queries": len(queries.captured_queries),
                "reached": trace.count,
                "gaps": len(trace.gaps),
            }
        )
    out.write_text(json.dumps({"db": db, "seed_s": round(seeded, 1), "rows": rows}))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--insights", type=int, default=2_000)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.insights, args.calls, args.out)
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    argv_child = ["--insights", str(args.insights), "--calls", str(args.calls)]
    results = [run_child(__file__, db, argv_child, postgres_url=args.postgres_url) for db in dbs]
    RESULTS.mkdir(exist_ok=True)
    load = os.getloadavg()[0]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"trace-{stamp}.json").write_text(
        json.dumps({"load": load, "results": results}, indent=2)
    )
    print(
        "| database | from | min ms | p50 ms | p95 ms | max ms | queries | objects reached | gaps |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        for r in result["rows"]:
            print(
                f"| {result['db']} | {r['from']} | {r['min_ms']} | {r['p50_ms']} | {r['p95_ms']} | "
                f"{r['max_ms']} | {r['queries']} | {r['reached']:,} | {r['gaps']} |"
            )
    print(f"load average at the end: {load:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
