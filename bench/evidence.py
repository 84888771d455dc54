"""A problem's evidence with many insights, on SQLite and PostgreSQL.

    .venv/bin/python bench/evidence.py [--db sqlite|postgres|both] [--insights N] [--votes N]
        [--calls N]

Each database runs in a process of its own against a scratch database that this script
creates and removes (SQLite in a temporary LODESTAR_DATA_DIR, PostgreSQL as
``lodestar_bench_evidence``). It writes one workspace with 2,000 customers in four segments
(three in four with ARR), 4,000 contacts, and one problem with ``--insights`` insights (10,000
by default), each on its own piece of feedback received over the past year from a customer
and, for half of them, a contact; plus a second problem with 500 insights so the queries have
rows to skip. The problem also has five portal ideas linked to it with ``--votes`` confirmed
votes (5,000 by default, from 3,000 addresses, so some vote for several of its ideas). Rows go
in with ``bulk_create`` (the evidence is read, not written, here).

Then ``discovery.selectors.problem_evidence([problem])`` is called ``--calls`` times (100) after
5 not counted: p50, p95 and max in milliseconds (wall time), and the answer's figures so a run
can be checked (customers, contacts, ARR, insights, votes). Target: <= 50 ms with 10,000 insights.
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
from decimal import Decimal
from pathlib import Path
from typing import Any

from harness.scratch import run_child

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_evidence"


def _fill(insights: int, votes: int) -> int:
    from django.utils import timezone

    from lodestar.discovery.models import (
        Contact,
        Customer,
        Feedback,
        Insight,
        InsightProblem,
        Problem,
    )
    from lodestar.discovery.portal_models import PortalIdea, PortalVote
    from lodestar.people.models import Workspace
    from lodestar.strategy.models import Product

    rng = random.Random(20261130)
    workspace = Workspace.objects.create(slug="bench", name="Bench")
    segments = ["Startup", "SMB", "Mid-market", "Enterprise"]
    customers = Customer.objects.bulk_create(
        Customer(
            workspace=workspace,
            name=f"Customer {n}",
            segment=segments[n % 4],
            arr=Decimal(rng.randrange(1_000, 500_000)) if n % 4 else None,
        )
        for n in range(2_000)
    )
    contacts = Contact.objects.bulk_create(
        Contact(workspace=workspace, customer=customers[n % 2_000], email=f"c{n}@example.com")
        for n in range(4_000)
    )
    problem = Problem.objects.create(workspace=workspace, title="Exports are slow")
    other = Problem.objects.create(workspace=workspace, title="Search misses typos")
    now = timezone.now()
    for target, count in ((problem, insights), (other, 500)):
        for start in range(0, count, 5_000):
            batch = range(start, min(count, start + 5_000))
            feedback = Feedback.objects.bulk_create(
                Feedback(
                    workspace=workspace,
                    text=f"words {n}",
                    text_html=f"<p>words {n}</p>",
                    received_at=now - dt.timedelta(minutes=rng.randrange(0, 525_600)),
                    customer=customers[rng.randrange(2_000)],
                    contact=contacts[rng.randrange(4_000)] if n % 2 else None,
                )
                for n in batch
            )
            made = Insight.objects.bulk_create(
                Insight(workspace=workspace, feedback=f, quote=f.text) for f in feedback
            )
            InsightProblem.objects.bulk_create(
                InsightProblem(insight=i, problem=target) for i in made
            )
    product = Product.objects.create(workspace=workspace, key="BENCH", name="Bench")
    ideas = PortalIdea.objects.bulk_create(
        PortalIdea(workspace=workspace, product=product, title=f"Idea {n}", problem=problem)
        for n in range(5)
    )
    pairs = dict.fromkeys((n % 5, f"v{(n * 7) % 3_000}@example.com") for n in range(votes))
    PortalVote.objects.bulk_create(
        PortalVote(idea=ideas[idea], email=email, confirmed_at=now) for idea, email in pairs
    )
    return int(problem.pk)


def child(db: str, insights: int, votes: int, calls: int, out: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lodestar.discovery.selectors import problem_evidence

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    problem_id = _fill(insights, votes)
    filled = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    for _ in range(5):
        problem_evidence([problem_id])
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        evidence = problem_evidence([problem_id])[problem_id]
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    out.write_text(
        json.dumps(
            {
                "db": db,
                "insights": insights,
                "fill_s": round(filled, 1),
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
                "max_ms": round(times[-1], 2),
                "customers": evidence.customers,
                "contacts": evidence.contacts,
                "arr": str(evidence.arr),
                "counted_insights": evidence.insights,
                "votes": evidence.votes,
            }
        )
    )


def _run(db: str, args: argparse.Namespace) -> dict[str, Any]:
    argv = ["--insights", str(args.insights), "--votes", str(args.votes)]
    argv += ["--calls", str(args.calls)]
    return run_child(__file__, db, argv, postgres_url=args.postgres_url)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--insights", type=int, default=10_000)
    parser.add_argument("--votes", type=int, default=5_000)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.insights, args.votes, args.calls, args.out)
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [_run(db, args) for db in dbs]
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    load = os.getloadavg()[0]
    (RESULTS / f"evidence-{stamp}.json").write_text(
        json.dumps({"load": load, "results": results}, indent=2)
    )
    print("| database | insights | p50 ms | p95 ms | max ms | customers | contacts | ARR | votes |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['db']} | {r['counted_insights']:,} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['max_ms']} | {r['customers']:,} | {r['contacts']:,} | {r['arr']} | "
            f"{r['votes']:,} |"
        )
    print(f"load average at the end: {load:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
