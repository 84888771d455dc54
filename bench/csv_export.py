"""A backlog of 100,000 items exported as CSV: time and peak memory of
``GET /w/acme/products/ACME/backlog?format=csv``, on SQLite and PostgreSQL.

    .venv/bin/python bench/csv_export.py [--db sqlite|postgres|both] [--items N] [--calls N]

Each database runs in a process of its own against a scratch database (``harness.scratch``):
the demo is loaded (``lodestar demo``), then ACME's backlog gets more items through
``items_create_many`` (the bulk write path), a third of them with labels, a fifth assigned, until
it holds a tenth of ``--items``; the file is measured, then the backlog grows to ``--items``
(100,000) and the file is measured again, so the two figures show what grows with the rows.
Each measurement asks for the file ``--calls`` times (3) in-process through Django's whole
request stack (``django.test.Client``, the real URLconf and middleware, production settings)
as the product owner, with every item shown (``finished=on``), reading the streamed answer
chunk by chunk as a client would: the wall time of each whole download (best and worst), its
rows and bytes, and then once more under ``tracemalloc`` for the peak of memory allocated
while the file was made (tracemalloc slows Python down, so that run is not timed).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from harness.scratch import run_child

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_csv_export"
URL = "/w/acme/products/ACME/backlog?finished=on&format=csv"
BATCH = 10_000


def _grow(to: int) -> None:
    """ACME's backlog with ``to`` live items (added at the bottom, in batches)."""
    from lodestar.backlog.models import BacklogItem
    from lodestar.backlog.services import ItemSpec, items_create_many
    from lodestar.people.models import Membership
    from lodestar.people.policy import Actor
    from lodestar.strategy.models import Product

    product = Product.objects.get(key="ACME")
    owner = Membership.objects.filter(workspace=product.workspace, role="owner").first()
    assert owner is not None
    actor = Actor(user=owner.user, membership=owner)
    members = list(Membership.objects.filter(workspace=product.workspace))
    rng = random.Random(20261202)
    words = ["export", "checkout", "search", "report", "=SUM(A1)", "invoice", "dashboard"]
    labels = ["api", "ux", "billing", "growth", "mobile"]
    have = BacklogItem.objects.filter(product=product).count()
    while have < to:
        size = min(BATCH, to - have)
        specs = [
            ItemSpec(
                title=f"Item {have + n}: {rng.choice(words)} {rng.choice(words)}",
                estimate=rng.choice([None, 1, 2, 3, 5, 8]),
                labels=rng.sample(labels, 2) if rng.random() < 0.33 else (),
                assignee=rng.choice(members) if rng.random() < 0.2 else None,
            )
            for n in range(size)
        ]
        items_create_many(actor=actor, product=product, specs=specs)
        have += size


def _download(client: Any) -> tuple[float, int, int]:
    """One whole download: seconds, rows (without the header), bytes."""
    started = time.perf_counter()
    response = client.get(URL)
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    response.close()
    return time.perf_counter() - started, lines - 1, size


def _measure(client: Any, calls: int) -> dict[str, Any]:
    _download(client)  # not counted: the first read warms the database's cache
    times = []
    for _ in range(calls):
        seconds, rows, size = _download(client)
        times.append(seconds)
    tracemalloc.start()
    _download(client)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": rows,
        "bytes": size,
        "best_s": round(min(times), 2),
        "worst_s": round(max(times), 2),
        "rows_per_s": round(rows / min(times)),
        "peak_mib": round(peak / 2**20, 1),
    }


def child(db: str, items: int, calls: int, out: Path) -> None:
    import os

    import django

    # Django's test client speaks plain HTTP to "testserver".
    os.environ.update(LODESTAR_ALLOWED_HOSTS="testserver", LODESTAR_INSECURE_HTTP="1")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from harness.measure import machine
    from lodestar.cli.server import _seed_demo
    from lodestar.people.models import Membership, Role

    call_command("migrate", interactive=False, verbosity=0)
    _seed_demo()
    owner = Membership.objects.filter(workspace__slug="acme", role=Role.OWNER).first()
    assert owner is not None
    client = Client()
    client.force_login(owner.user)
    results: dict[str, Any] = {}
    for size in (items // 10, items):
        started = time.perf_counter()
        _grow(size)
        filled = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        results[str(size)] = {"fill_s": round(filled, 1), **_measure(client, calls)}
    out.write_text(json.dumps({"db": db, "machine": machine(), "export": results}))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=3)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.items, args.calls, args.out)
        return
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in databases:
        argv_child = ["--items", str(args.items), "--calls", str(args.calls)]
        result = run_child(__file__, db, argv_child, postgres_url=args.postgres_url)
        RESULTS.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        (RESULTS / f"{stamp}-{db}-csv_export.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
