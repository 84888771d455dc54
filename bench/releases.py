"""A release of 500 items: server time of its page (checklist, forecast with its histogram,
drafted notes), of the product's releases (each open one's 85% date) and of the forecast
through the API, on SQLite and PostgreSQL.

    .venv/bin/python bench/releases.py [--db sqlite|postgres|both] [--items N] [--calls N]

Each database runs in a process of its own against a scratch database (``harness.scratch``):
the demo is loaded (``lodestar demo``: both teams' sprint history, three releases), then the
release in progress gets more items of the ACME backlog (``items_create_many`` and
``release_items_add``, as a product owner would) until it holds ``--items`` (500), a third of
them done, spread over the kinds. The pages are then asked for ``--calls`` times (30) after 3
not counted, in-process through Django's whole request stack (``django.test.Client``, the real
URLconf and middleware, production settings) as Quinn, the product owner: p50, p95 and max in
milliseconds of wall time, the statements each answer runs and its bytes. Target: <= 300 ms
for the release page (it runs two calibrated 10,000-trial forecasts).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from harness.scratch import run_child
from harness.stats import page_figures

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_releases"
KINDS = ["story", "story", "story", "bug", "task", "spike"]


def _fill(size: int) -> tuple[Any, Any]:
    """The demo's release in progress with ``size`` items; returns it and Quinn."""
    from lodestar.backlog.models import BacklogItem
    from lodestar.backlog.services import ItemSpec, items_create_many
    from lodestar.backlog.services.bulk import BulkChange, items_update_many
    from lodestar.cli.server import _seed_demo
    from lodestar.people.models import Membership, User
    from lodestar.people.policy import Actor
    from lodestar.releases.models import Release, ReleaseItem, ReleaseState
    from lodestar.releases.services import release_items_add

    _seed_demo()
    rng = random.Random(20261130)
    release = Release.objects.select_related("product").get(state=ReleaseState.IN_PROGRESS)
    quinn = User.objects.get(email="quinn@acme.example")
    member = Membership.objects.get(user=quinn, workspace=release.workspace)
    actor = Actor(user=quinn, membership=member)
    missing = size - ReleaseItem.objects.filter(release=release).count()
    specs = [
        ItemSpec(
            title=f"Release item {n}: {rng.choice(['export', 'checkout', 'search', 'report'])}",
            kind=rng.choice(KINDS),
            estimate=rng.choice([1, 2, 3, 5, 8]),
        )
        for n in range(max(0, missing))
    ]
    items = items_create_many(actor=actor, product=release.product, specs=specs)
    for start in range(0, len(items), 500):
        release_items_add(actor=actor, release=release, items=items[start : start + 500])
    done = [item for item in BacklogItem.objects.filter(pk__in=[i.pk for i in items])][::3]
    if done:
        items_update_many(
            actor=actor, product=release.product, items=done, change=BulkChange(status="done")
        )
    return Release.objects.select_related("product").get(pk=release.pk), quinn


def child(db: str, size: int, calls: int, out: Path) -> None:
    import os

    import django

    # Django's test client speaks plain HTTP to "testserver".
    os.environ.update(LODESTAR_ALLOWED_HOSTS="testserver", LODESTAR_INSECURE_HTTP="1")

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from harness.measure import machine
    from lodestar.releases.models import ReleaseItem

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    release, quinn = _fill(size)
    filled = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    client = Client()
    client.force_login(quinn)
    key = release.product.key
    paths = {
        "release_page": f"/w/acme/releases/{key}/{release.pk}",
        "product_releases": f"/w/acme/releases/{key}",
        "api_forecast": f"/api/v1/workspaces/acme/products/{key}/releases/{release.pk}/forecast",
        "api_notes": f"/api/v1/workspaces/acme/products/{key}/releases/{release.pk}/notes",
    }
    results: dict[str, Any] = {}
    for name, path in paths.items():

        def get(path: str = path) -> Any:
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            return response

        results[name] = page_figures(get, calls)
    out.write_text(
        json.dumps(
            {
                "db": db,
                "machine": machine(),
                "items": ReleaseItem.objects.filter(release=release).count(),
                "fill_s": round(filled, 1),
                "answers": results,
            }
        )
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--calls", type=int, default=30)
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
        (RESULTS / f"{stamp}-{db}-releases.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
