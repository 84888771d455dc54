"""Many moves to one spot: how long keys grow, and what rebalancing costs.

The rebalance task goes to the task queue (the database backend, as in production); the run
plays the worker by draining the queue synchronously after each move, outside the move's
timing, with the worker's own ``run_task``. A second, shorter run drains nothing, which shows
what a move does when no worker keeps up (the move itself rebalances once a key would pass
``MAX_KEY_LENGTH``).
"""

from __future__ import annotations

import random
from typing import Any

from django.db.models import Avg, Max
from django.db.models.functions import Length

from harness.callers import InProcess
from harness.sql import counting
from harness.stats import Series, Stopwatch, bounded, percentile
from harness.workload import ITEM_TABLE, Api
from lodestar.backlog.models import BacklogItem

NEIGHBOURS = 64


def key_stats(product_id: int, anchor_key: str | None = None) -> dict[str, Any]:
    """Key lengths over the whole backlog, and over the items right after ``anchor_key``."""
    live = BacklogItem.objects.filter(product_id=product_id)
    overall = live.aggregate(max=Max(Length("rank")), mean=Avg(Length("rank")))
    stats: dict[str, Any] = {"max": overall["max"], "mean": round(float(overall["mean"]), 2)}
    if anchor_key is not None:
        anchor = live.filter(key=anchor_key).values_list("rank", flat=True)[0]
        near = list(
            live.filter(rank__gt=anchor)
            .order_by("rank")
            .values_list("rank", flat=True)[:NEIGHBOURS]
        )
        lengths = [len(rank) for rank in near]
        stats["near_max"] = max(lengths)
        stats["near_mean"] = round(sum(lengths) / len(lengths), 2)
    return stats


def _worker() -> Any:
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="bench-worker",
        excluded_queue_names=[],
    )


def drain_queue(limit: int = 100) -> list[dict[str, Any]]:
    """Run the queued tasks one by one as the worker would; each with its time and writes."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    if not DBTaskResult.objects.ready().exists():
        return []
    worker = _worker()
    runs: list[dict[str, Any]] = []
    for _ in range(limit):
        with exclusive_transaction(DBTaskResult.objects.db):
            task = DBTaskResult.objects.ready().get_locked()
            if task is None:
                break
            task.claim(worker.worker_id)
        with counting() as statements, Stopwatch() as watch:
            worker.run_task(task)
        task.refresh_from_db()
        runs.append(
            {
                "task": task.task_path.rsplit(".", 1)[-1],
                "status": str(task.status),
                "ms": watch.ms,
                "items_rebalanced": task.return_value,
                "item_rows_written": statements.write_rows.get(ITEM_TABLE, 0),
                "item_write_statements": statements.write_statements.get(ITEM_TABLE, 0),
            }
        )
    return runs


def _runs_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    done = [run for run in runs if run["items_rebalanced"]]
    ms = sorted(run["ms"] for run in done)
    items = [run["items_rebalanced"] for run in done]
    return {
        "tasks_run": len(runs),
        "rebalances": len(done),
        "failed": sum(run["status"] != "SUCCESSFUL" for run in runs),
        "ms_p50": percentile(ms, 50) if ms else None,
        "ms_max": ms[-1] if ms else None,
        "items_per_rebalance_max": max(items) if items else 0,
        "items_per_rebalance_mean": round(sum(items) / len(items), 1) if items else 0,
        "item_rows_written_total": sum(run["item_rows_written"] for run in done),
        "examples": done[:3],
    }


def at_one_spot(
    call: InProcess,
    api: Api,
    *,
    anchor: int,
    moves: int,
    seconds: float,
    drain: bool,
    rng: random.Random,
    checkpoint: int = 1000,
) -> dict[str, Any]:
    """Move random items to right after item ``anchor``, ``moves`` times."""
    fixture = api.fixture
    anchor_key = api.key(anchor)
    series = Series(f"move to one spot ({'worker keeps up' if drain else 'no worker'})", moves)
    inline: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    checkpoints: list[dict[str, Any]] = []
    longest = 0
    before = key_stats(fixture.product_id, anchor_key)
    for i in bounded(moves, seconds):
        item = anchor
        while item == anchor:
            item = rng.randint(1, fixture.items)
        response = call("POST", api.item(api.key(item), "/move"), {"after": anchor_key})
        if response.status != 200:
            series.errors.append(f"{response.status}: {response.content[:300]!r}")
            continue
        series.add(response.ms, response.cpu_ms)
        longest = max(longest, len(response.json()["rank"]))
        assert response.statements is not None
        rows = response.statements.write_rows.get(ITEM_TABLE, 0)
        if rows > 1:
            inline.append({"move": i + 1, "ms": response.ms, "item_rows_written": rows})
        if drain:
            runs.extend(drain_queue())
        if (i + 1) % checkpoint == 0:
            checkpoints.append(
                {
                    "moves": i + 1,
                    **key_stats(fixture.product_id, anchor_key),
                    "longest_moved_key_so_far": longest,
                    "rebalances_so_far": sum(1 for run in runs if run["items_rebalanced"]),
                    "inline_rebalances_so_far": len(inline),
                }
            )
    left_in_queue = drain_queue(limit=moves) if not drain else []
    return {
        "anchor": anchor_key,
        "drained_after_each_move": drain,
        "latency": series.summary(),
        "key_lengths_before": before,
        "checkpoints": checkpoints,
        "longest_moved_key": longest,
        "background_rebalances": _runs_summary(runs),
        "inline_rebalances": {
            "count": len(inline),
            "ms_max": max((m["ms"] for m in inline), default=None),
            "item_rows_written_max": max((m["item_rows_written"] for m in inline), default=0),
            "examples": inline[:3],
        },
        "queued_tasks_run_afterwards": _runs_summary(left_in_queue),
        "key_lengths_after": key_stats(fixture.product_id, anchor_key),
    }


def full_rebalance(product_id: int) -> dict[str, Any]:
    """New keys for the whole backlog, the rebalance's last resort, timed with its writes.

    ``SHORT_KEY`` is set to 0 for the call so that no neighbourhood is ever short enough and
    the window widens until the whole backlog is rewritten, as it is when a crowded spot's
    neighbours all have long keys.
    """
    from lodestar.backlog.services import ordering

    live = BacklogItem.objects.filter(product_id=product_id)
    around = live.order_by("rank").values_list("rank", flat=True)[live.count() // 2]
    before = key_stats(product_id)
    order_before = list(live.order_by("rank").values_list("pk", flat=True))
    saved = ordering.SHORT_KEY
    ordering.SHORT_KEY = 0
    try:
        with counting() as statements, Stopwatch() as watch:
            items = ordering.rebalance(product_id=product_id, around=around)
    finally:
        ordering.SHORT_KEY = saved
    order_after = list(live.order_by("rank").values_list("pk", flat=True))
    return {
        "items": items,
        "seconds": round(watch.ms / 1000, 3),
        "item_rows_written": statements.write_rows.get(ITEM_TABLE, 0),
        "item_write_statements": statements.write_statements.get(ITEM_TABLE, 0),
        "queries": statements.queries,
        "order_unchanged": order_before == order_after,
        "key_lengths_before": before,
        "key_lengths_after": key_stats(product_id),
    }
