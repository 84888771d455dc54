"""Export and restore of a large workspace (issue 13): 100,000 backlog items and 200,000
history entries, written to a zip by the exporter and loaded back into a new workspace by the
restore, on SQLite and PostgreSQL (docs/EXPORT.md, docs/PERFORMANCE.md).

    .venv/bin/python bench/export_restore.py [--db sqlite|postgres|both] [--items N]
        [--history N]

Each database runs in a process of its own against a scratch database (``harness.scratch``),
production settings. The workspace is seeded in bulk (``core.db.insert_rows``), then:

- ``export``: ``write_export`` to a file in the data directory (what ``lodestar export``
  does), its time, the file's size, and the process's peak resident memory while it ran;
- ``restore``: ``restore_export`` of that file into a new workspace (what ``lodestar
  restore`` does: both passes, the id maps, the bulk inserts and the search index rebuilt),
  its time and peak memory.

Target: each under 60 s. ``cpu_seconds`` is this process's own CPU time (the database
server's is not in it on PostgreSQL), less sensitive than the wall clock to other work on the
machine; ``load_average`` says how busy the machine was. Peak memory is Linux's high-water
mark of resident memory (VmHWM), reset before each step (``/proc/self/clear_refs``), so it
counts the step alone above what the process already held (the Django process with the seed's
objects freed: "before").
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from harness.scratch import run_child

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_export"
BATCH = 20_000


def _memory(field: str) -> int:
    """A field of /proc/self/status in MiB (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _seed(items: int, history: int) -> Any:
    import datetime as dt

    from django.db import transaction

    from lodestar.backlog.models import BacklogItem
    from lodestar.core.db import insert_rows
    from lodestar.core.models import HistoryEntry
    from lodestar.core.ranking import keys_between
    from lodestar.people.models import Membership, Role, User, Workspace
    from lodestar.people.policy import Actor
    from lodestar.strategy import services as strategy

    workspace = Workspace.objects.create(slug="acme", name="Acme")
    user = User.objects.create_user("quinn@acme.example", None, full_name="Quinn Ortiz")
    member = Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    product = strategy.product_create(
        actor=Actor(user=user, membership=member), key="ACME", name="Acme"
    )
    ranks = keys_between(None, None, items)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with transaction.atomic():
        for first in range(0, items, BATCH):
            insert_rows(
                BacklogItem,
                [
                    BacklogItem(
                        workspace=workspace,
                        product=product,
                        number=n + 1,
                        key=f"ACME-{n + 1}",
                        title=f"Item {n + 1}: export the weekly report as a PDF",
                        description="As an analyst I want the report as a PDF to send it on.",
                        description_html="<p>As an analyst I want the report as a PDF.</p>",
                        rank=ranks[n],
                        created_by=user,
                        created_at=start + dt.timedelta(minutes=n),
                        updated_at=start + dt.timedelta(minutes=n),
                    )
                    for n in range(first, min(first + BATCH, items))
                ],
            )
        ids = list(BacklogItem.all_objects.filter(workspace=workspace).values_list("pk", flat=True))
        for first in range(0, history, BATCH):
            insert_rows(
                HistoryEntry,
                [
                    HistoryEntry(
                        workspace=workspace,
                        actor=user,
                        object_type="backlog.backlogitem",
                        object_id=ids[n % len(ids)],
                        object_label=f"ACME-{n % len(ids) + 1}",
                        action="updated" if n >= len(ids) else "created",
                        changes={"status": ["new", "in_progress"]},
                        created_at=start + dt.timedelta(seconds=n),
                    )
                    for n in range(first, min(first + BATCH, history))
                ],
            )
    return workspace


def child(db: str, items: int, history: int, out: Path) -> None:
    import gc
    import os

    import django

    os.environ.update(LODESTAR_ALLOWED_HOSTS="testserver")
    django.setup()
    from django.core.management import call_command

    from harness.measure import machine
    from lodestar.interop.exports.restore import restore_export
    from lodestar.interop.exports.writer import write_export

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    workspace = _seed(items, history)
    seeded = time.perf_counter() - started
    gc.collect()
    target = out.parent / "acme.zip"

    before = _memory("VmRSS")
    _reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    with target.open("wb") as file:
        written = write_export(workspace, file)
    export_seconds = time.perf_counter() - started
    export_cpu = time.process_time() - cpu
    export_peak = _memory("VmHWM")
    gc.collect()

    restore_before = _memory("VmRSS")
    _reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    with target.open("rb") as file:
        restored = restore_export(file, slug="acme-copy")
    restore_seconds = time.perf_counter() - started  # the commit included
    restore_cpu = time.process_time() - cpu
    restore_peak = _memory("VmHWM")

    from lodestar.backlog.models import BacklogItem
    from lodestar.core.models import HistoryEntry, SearchEntry

    copy = restored.workspace
    results = {
        "items": items,
        "history": history,
        "seed_seconds": round(seeded, 1),
        "export": {
            "seconds": round(export_seconds, 2),
            "cpu_seconds": round(export_cpu, 2),
            "rows": written.rows,
            "file_mib": round(target.stat().st_size / 1024 / 1024, 1),
            "rss_before_mib": before,
            "peak_rss_mib": export_peak,
        },
        "restore": {
            "seconds": round(restore_seconds, 2),
            "cpu_seconds": round(restore_cpu, 2),
            "rows": restored.rows,
            "rss_before_mib": restore_before,
            "peak_rss_mib": restore_peak,
            "steps_seconds": {k: round(v, 2) for k, v in restored.timings.items()},
            "items": BacklogItem.all_objects.filter(workspace=copy).count(),
            "history": HistoryEntry.objects.filter(workspace=copy).count(),
            "indexed": SearchEntry.objects.filter(workspace=copy).count(),
        },
    }
    results["load_average"] = os.getloadavg()
    out.write_text(json.dumps({"db": db, "machine": machine(), "answers": results}))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=200_000)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.items, args.history, args.out)
        return
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in databases:
        argv_child = ["--items", str(args.items), "--history", str(args.history)]
        result = run_child(__file__, db, argv_child, postgres_url=args.postgres_url)
        RESULTS.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        (RESULTS / f"{stamp}-{db}-export-restore.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
