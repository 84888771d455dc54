"""One database's whole run, in a process of its own (settings are read once per process)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:  # these import Django models: only after django.setup() at run time
    from harness.seed import Fixture
    from harness.workload import Api

TARGETS_MS = {"page": 30.0, "move": 15.0, "create": 20.0}
# A fresh server has several worker processes, each warming up on its first requests.
SERVER_WARMUP = 60

err = Console(stderr=True)


@dataclass(frozen=True)
class Sizes:
    """How many samples each series takes, and how long any one loop may run."""

    samples: int
    walk_pages: int
    creates: int
    crowd_moves: int
    crowd_unattended: int
    server: int
    seconds: float
    crowd_seconds: float

    @staticmethod
    def for_run(quick: bool, samples: int | None) -> Sizes:
        if quick:
            base = Sizes(50, 20, 30, 1000, 300, 20, 60.0, 300.0)
        else:
            base = Sizes(1000, 250, 500, 10_000, 1000, 200, 300.0, 1800.0)
        if samples is not None:
            return Sizes(
                samples,
                base.walk_pages,
                samples,
                base.crowd_moves,
                base.crowd_unattended,
                min(samples, base.server),
                base.seconds,
                base.crowd_seconds,
            )
        return base


def machine() -> dict[str, Any]:
    from django import get_version
    from django.db import connection

    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    database = f"SQLite {sqlite3.sqlite_version}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        memory = meminfo.read_text().splitlines()[0].split(":", 1)[1].strip()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "memory": memory,
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "django": get_version(),
        "database": database,
    }


def _phase(name: str) -> None:
    err.log(f"[bold]{name}[/bold]")


def run(*, db: str, items: int, quick: bool, samples: int | None, server: bool) -> dict[str, Any]:
    """Seed, measure in-process, run the crowding and rebalance runs, then the real server."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lodestar.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from harness import crowding, queries, seed, workload
    from harness.callers import InProcess
    from harness.stats import Series, install_gc_monitor

    install_gc_monitor()
    sizes = Sizes.for_run(quick, samples)
    rng = random.Random(20240601)  # reproducible choices
    _phase(f"{db}: migrate")
    call_command("migrate", interactive=False, verbosity=0)
    _phase(f"{db}: seed {items:,} items")
    fixture = seed.seed(items, rng)
    seed.analyze()
    api = workload.Api(fixture)
    call = InProcess(fixture.token)
    result: dict[str, Any] = {
        "db": db,
        "items": items,
        "quick": quick,
        "machine": machine(),
        "sizes": sizes.__dict__,
    }
    from lodestar.strategy.models import Product

    workspace_id = Product.objects.get(pk=fixture.product_id).workspace_id
    result["plans"] = queries.plans(fixture.product_id, workspace_id)

    series: list[Series] = []
    _phase(f"{db}: pages")
    series.append(workload.first_page(call, api, sizes.samples, sizes.seconds, TARGETS_MS["page"]))
    walk, cursors = workload.walk(call, api, sizes.walk_pages, sizes.seconds)
    series.append(walk)
    series.append(
        workload.later_page(
            call, api, cursors, sizes.samples, sizes.seconds, TARGETS_MS["page"], rng
        )
    )
    result["query_counts"] = queries.query_counts(
        call, api, cursors[len(cursors) // 2] if cursors else None
    )
    _phase(f"{db}: moves")
    move_series, move_writes, modes = workload.moves(
        call, api, items, sizes.samples, sizes.seconds, TARGETS_MS["move"], rng
    )
    series.append(move_series)
    result["move_writes"] = {**move_writes.as_dict(), "modes": dict(modes)}
    _phase(f"{db}: creates")
    creates: dict[str, Any] = {}
    for full in (False, True):
        create_series, create_writes = workload.creates(
            call, api, sizes.creates, sizes.seconds, TARGETS_MS["create"], rng, full=full
        )
        series.append(create_series)
        creates[create_series.name] = create_writes.as_dict()
    result["create_writes"] = creates
    result["in_process"] = [s.summary() for s in series]

    _phase(f"{db}: {sizes.crowd_moves:,} moves to one spot, the worker keeping up")
    result["one_spot"] = crowding.at_one_spot(
        call,
        api,
        anchor=items // 2,
        moves=sizes.crowd_moves,
        seconds=sizes.crowd_seconds,
        drain=True,
        rng=rng,
    )
    _phase(f"{db}: {sizes.crowd_unattended:,} moves to one spot, no worker")
    result["one_spot_no_worker"] = crowding.at_one_spot(
        call,
        api,
        anchor=items // 4,
        moves=sizes.crowd_unattended,
        seconds=sizes.crowd_seconds,
        drain=False,
        rng=rng,
        checkpoint=max(sizes.crowd_unattended // 4, 1),
    )
    _phase(f"{db}: rebalance of the whole backlog")
    result["full_rebalance"] = crowding.full_rebalance(fixture.product_id)

    if server:
        connection.close()
        _phase(f"{db}: the same requests to a real `lodestar serve`")
        result["server"] = _over_http(fixture, api, cursors, sizes, rng)
    return result


def _over_http(
    fixture: Fixture, api: Api, cursors: list[str], sizes: Sizes, rng: random.Random
) -> list[dict[str, Any]]:
    """Pages, moves and creates sent to ``lodestar serve`` (started and stopped here)."""
    from harness import workload
    from harness.callers import OverHttp
    from harness.server import running_server

    seconds = 120.0
    # The scratch data directory (removed by run.py afterwards) keeps the server's log.
    logs = Path(os.environ.get("LODESTAR_DATA_DIR") or tempfile.mkdtemp())
    with running_server(logs / "serve.log") as port:
        remote = OverHttp(port, fixture.token)
        try:
            return [
                workload.first_page(
                    remote, api, sizes.server, seconds, TARGETS_MS["page"], warmup=SERVER_WARMUP
                ).summary(),
                workload.later_page(
                    remote,
                    api,
                    cursors,
                    sizes.server,
                    seconds,
                    TARGETS_MS["page"],
                    rng,
                    warmup=SERVER_WARMUP,
                ).summary(),
                workload.moves(
                    remote,
                    api,
                    fixture.items,
                    sizes.server,
                    seconds,
                    TARGETS_MS["move"],
                    rng,
                    warmup=SERVER_WARMUP,
                )[0].summary(),
                workload.creates(
                    remote,
                    api,
                    sizes.server,
                    seconds,
                    TARGETS_MS["create"],
                    rng,
                    full=True,
                    warmup=SERVER_WARMUP,
                )[0].summary(),
            ]
        finally:
            remote.close()


def main(argv: list[str]) -> None:
    """``--child``: run one database and write its JSON to ``--out``."""
    import argparse
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--samples", type=int)
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    result = run(
        db=args.db,
        items=args.items,
        quick=args.quick,
        samples=args.samples,
        server=not args.no_server,
    )
    args.out.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
