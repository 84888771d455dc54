"""A team's flow metrics over 50,000 finished items, and a 90-day sprint's burndown, on SQLite
and PostgreSQL.

    .venv/bin/python bench/flow.py [--db sqlite|postgres|both] [--done N] [--calls N]
    .venv/bin/python bench/run.py flow [--db ...]            (the same)

Each database runs in a process of its own against a scratch database that this script
creates and removes (SQLite in a temporary LODESTAR_DATA_DIR, PostgreSQL as
``lodestar_bench_flow``). It writes one product worked on by one team, with ``--done`` items
(50,000) finished over the past year — each created, started a few days later and finished a
few days after that, three status changes each — and 2,000 more that are new or in progress;
then a 90-day sprint of that team with 500 of the items, 60 days in, with a snapshot for each
day so far. Rows go in with ``bulk_create`` (the metrics are read, not written, here).

Then ``sprints.selectors.team_flow`` (what ``GET .../teams/{team}/flow`` answers: weekly
throughput, cycle time percentiles, work in progress with its age, and the cumulative flow of
each day) over the year, and ``sprints.selectors.sprint_burndown`` of the sprint, are called
``--calls`` times (50) each after 3 not counted: p50, p95 and max in milliseconds (wall time),
with the figures so a run can be checked. Targets: flow <= 200 ms, burndown <= 30 ms.
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
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from harness.scratch import run_child

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_flow"
BATCH = 5_000


def _fill(done: int) -> tuple[Any, Any]:
    from django.utils import timezone

    from lodestar.backlog.flow.models import ItemStatusChange
    from lodestar.backlog.models import BacklogItem
    from lodestar.people.models import Team, Workspace
    from lodestar.sprints.models import Sprint, SprintItem, SprintSnapshot, SprintState
    from lodestar.strategy.models import Product, ProductTeam

    rng = random.Random(20261130)
    workspace = Workspace.objects.create(slug="bench", name="Bench")
    product = Product.objects.create(workspace=workspace, key="BENCH", name="Bench")
    team = Team.objects.create(workspace=workspace, slug="core", name="Core")
    ProductTeam.objects.create(product=product, team=team)
    now = timezone.now()
    total = done + 2_000
    changes: list[ItemStatusChange] = []
    items: list[BacklogItem] = []

    def flush() -> None:
        BacklogItem.objects.bulk_create(items)
        for change in changes:
            change.item_id = change.item.pk
        ItemStatusChange.objects.bulk_create(changes)
        items.clear()
        changes.clear()

    def change(item: Any, before: str, after: str, at: dt.datetime, cycle: int | None) -> None:
        changes.append(
            ItemStatusChange(
                workspace=workspace,
                product=product,
                item=item,
                from_status=before,
                to_status=after,
                at=at,
                day=timezone.localdate(at),
                cycle_seconds=cycle,
            )
        )

    for n in range(total):
        finished = n < done
        end = now - dt.timedelta(minutes=rng.randrange(0, 364 * 1440))
        started = end - dt.timedelta(minutes=rng.randrange(60, 12 * 1440))
        created = started - dt.timedelta(minutes=rng.randrange(60, 9 * 1440))
        status = "done" if finished else ("in_progress" if n % 2 else "new")
        item = BacklogItem(
            workspace=workspace,
            product=product,
            number=n + 1,
            key=f"BENCH-{n + 1}",
            title=f"Item {n + 1}",
            status=status,
            estimate=Decimal(rng.choice((1, 2, 3, 5, 8))),
            rank=f"{n:08d}",
            created_at=created,
        )
        items.append(item)
        change(item, "", "new", created, None)
        if status != "new":
            change(item, "new", "in_progress", started, None)
        if finished:
            change(item, "in_progress", "done", end, int((end - started).total_seconds()))
        if len(items) >= BATCH:
            flush()
    flush()
    start = timezone.localdate() - dt.timedelta(days=60)
    sprint = Sprint.objects.create(
        workspace=workspace,
        team=team,
        product=product,
        name="The long one",
        start_date=start,
        end_date=start + dt.timedelta(days=89),
        state=SprintState.ACTIVE,
        goal="Finish the bench",
        started_at=now - dt.timedelta(days=60),
    )
    chosen = BacklogItem.objects.filter(product=product).order_by("?")[:500]
    SprintItem.objects.bulk_create(
        SprintItem(sprint=sprint, item=item, workspace=workspace, added_at=now) for item in chosen
    )
    SprintSnapshot.objects.bulk_create(
        SprintSnapshot(
            sprint=sprint,
            workspace=workspace,
            day=start + dt.timedelta(days=d),
            taken_at=now,
            scope_points=Decimal(1500),
            done_points=Decimal(d * 20),
            remaining_points=Decimal(1500 - d * 20),
            scope_items=500,
            done_items=d * 6,
            remaining_items=500 - d * 6,
            added_points=Decimal(0),
            added_items=0,
            carried_points=Decimal(0),
            carried_items=0,
        )
        for d in range(60)
    )
    return team, sprint


def _time(call: Callable[[], Any], calls: int) -> tuple[dict[str, float], Any]:
    for _ in range(3):
        answer = call()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        answer = call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
        "max_ms": round(times[-1], 2),
    }, answer


def _parts(team: Any, begin: dt.date, end: dt.date, calls: int) -> dict[str, float]:
    """The median of each part of the flow, to see where its time goes."""
    from lodestar.backlog.flow import selectors as flow
    from lodestar.sprints.selectors import team_flow_items
    from lodestar.strategy.selectors import team_product

    product = team_product(team)
    items = team_flow_items(team, product)
    window = {"product_id": product.pk, "items": items}
    calls_of = {
        "throughput": lambda: flow.throughput(start=begin, end=end, period="week", **window),
        "cycle_times": lambda: flow.cycle_times(start=begin, end=end, **window),
        "work_in_progress": lambda: flow.work_in_progress(**window),
        "cumulative": lambda: flow.cumulative_flow(start=begin, end=end, **window),
    }
    return {name: _time(call, max(5, calls // 4))[0]["p50_ms"] for name, call in calls_of.items()}


def child(db: str, done: int, calls: int, out: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from lodestar.sprints.selectors import sprint_burndown, team_flow

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    team, sprint = _fill(done)
    filled = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    end = timezone.localdate()
    begin = end - dt.timedelta(days=364)

    def flow() -> Any:
        return team_flow(team=team, start=begin, end=end, period="week")

    flow_times, answer = _time(flow, calls)
    parts = _parts(team, begin, end, calls)
    burndown_times, days = _time(lambda: sprint_burndown(sprint=sprint), calls)
    # A team forecast: the history read from the flow, then a calibrated simulation.
    from lodestar.sprints import forecasts

    history_times, history = _time(lambda: forecasts.team_history(team), calls)
    forecast_times, _ = _time(
        lambda: forecasts.team_forecast(team, question="when", items=100, seed=1),
        max(3, calls // 10),
    )

    def scatter() -> Any:
        # As the flow page draws it: the completions read (sampled past 1,000), then drawn.
        from lodestar.core import charts

        completions = forecasts.team_completions(team, start=end - dt.timedelta(days=89), end=end)
        charts.cycle_time_scatter(
            [charts.CycleItem(f"{c.key} {c.title}", c.day, c.days) for c in completions.shown],
            every=completions.days,
        )
        return completions

    scatter_times, completions = _time(scatter, calls)
    with CaptureQueriesContext(connection) as queries:
        flow()
    out.write_text(
        json.dumps(
            {
                "db": db,
                "done": done,
                "fill_s": round(filled, 1),
                "flow": flow_times,
                "flow_queries": len(queries),
                "parts_p50_ms": parts,
                "burndown": burndown_times,
                "throughput": sum(n for _, n in answer.throughput),
                "cycle_p85_days": next(
                    p.days for p in answer.cycle_times.percentiles if p.percentile == 85
                ),
                "wip": len(answer.work_in_progress),
                "flow_days": len(answer.cumulative),
                "burndown_days": len(days),
                "team_history": history_times,
                "team_history_weeks": len(history),
                "team_forecast": forecast_times,
                "scatter_90_days": scatter_times,
                "scatter_points": completions.total,
                "scatter_drawn": len(completions.shown),
            }
        )
    )


def _run(db: str, args: argparse.Namespace) -> dict[str, Any]:
    argv = ["--done", str(args.done), "--calls", str(args.calls)]
    return run_child(__file__, db, argv, postgres_url=args.postgres_url)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--done", type=int, default=50_000)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.done, args.calls, args.out)
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [_run(db, args) for db in dbs]
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    load = os.getloadavg()[0]
    (RESULTS / f"flow-{stamp}.json").write_text(
        json.dumps({"load": load, "results": results}, indent=2)
    )
    print(
        "| database | done items | flow p50 / p95 / max ms | queries "
        "| burndown p50 / p95 / max ms |"
    )
    print("|---|---|---|---|---|")
    for r in results:
        f, b = r["flow"], r["burndown"]
        print(
            f"| {r['db']} | {r['throughput']:,} | {f['p50_ms']} / {f['p95_ms']} / {f['max_ms']} | "
            f"{r['flow_queries']} | {b['p50_ms']} / {b['p95_ms']} / {b['max_ms']} |"
        )
    for r in results:
        print(f"{r['db']} parts (p50 ms): {r['parts_p50_ms']}")
    for r in results:
        h, t, c = r["team_history"], r["team_forecast"], r["scatter_90_days"]
        print(
            f"{r['db']} team history ({r['team_history_weeks']} weeks) p50 {h['p50_ms']} ms; "
            f"calibrated team forecast p50 {t['p50_ms']} ms; cycle-time scatter "
            f"({r['scatter_points']:,} points, {r['scatter_drawn']:,} drawn) p50 {c['p50_ms']} ms"
        )
    print(
        "cycle time P85 (days): "
        + ", ".join(f"{r['db']} {r['cycle_p85_days']}" for r in results)
        + f"; work in progress: {results[0]['wip']}; load average at the end: {load:.1f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
