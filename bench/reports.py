"""A stakeholder report for a quarter: server time of the report page, the API's report, the
Markdown file and the printable HTML, on SQLite and PostgreSQL.

    .venv/bin/python bench/reports.py [--db sqlite|postgres|both] [--releases N]
        [--decisions N] [--calls N]

Each database runs in a process of its own against a scratch database (``harness.scratch``):
the demo is loaded (``lodestar demo``: two teams' sprint history, a live release, one in
progress, decisions, problems with evidence), then ACME gets ``--releases`` (12) more planned
releases of 8 open items each (13 open releases, all forecast from the product's one
simulation), and ``--decisions`` (120) more decisions decided in the quarter,
past the 50 it lists, all through the services as Quinn, the product owner. The report covers
the demo's current quarter (its sprints, the release that went live, the planned ones). Each
answer is asked for ``--calls`` times (20) after 3 not counted, in-process through Django's
whole request stack (``django.test.Client``, production settings) as Victor, a viewer (a
stakeholder): p50, p95 and max in milliseconds of wall time, the statements it runs and its
size. Target: <= 500 ms for a report of a quarter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from harness.scratch import run_child
from harness.stats import page_figures

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_reports_bench"


def _load(releases: int, decisions: int, quarter: Any) -> None:
    """The demo, then ``releases`` planned releases and ``decisions`` decisions in the
    quarter, as Quinn."""
    from django.utils import timezone

    from lodestar.backlog.services import ItemSpec, items_create_many
    from lodestar.cli.server import _seed_demo
    from lodestar.decisions.services import decision_create
    from lodestar.people.models import Membership, User
    from lodestar.people.policy import Actor
    from lodestar.releases.services import release_create, release_items_add
    from lodestar.strategy.models import Product

    _seed_demo()
    product = Product.objects.get(key="ACME")
    quinn = User.objects.get(email="quinn@acme.example")
    actor = Actor(user=quinn, membership=Membership.objects.get(user=quinn))
    for n in range(releases):
        release = release_create(
            actor=actor,
            product=product,
            name=f"2027.{n + 1} Bench",
            target_date=quarter.until + dt.timedelta(weeks=2 * (n + 1)),
        )
        specs = [ItemSpec(title=f"Bench release {n} item {i}", kind="story") for i in range(8)]
        release_items_add(
            actor=actor,
            release=release,
            items=items_create_many(actor=actor, product=product, specs=specs),
        )
    days = max((min(quarter.until, timezone.localdate()) - quarter.since).days, 1)
    for n in range(decisions):
        decision_create(
            actor=actor,
            product=product,
            title=f"Bench decision {n}: ship the | export behind a flag",
            decision="Turn it on for **ten** accounts, then for everyone.",
            status="decided",
            decided_at=quarter.since + dt.timedelta(days=n % days),
        )


def child(db: str, releases: int, decisions: int, calls: int, out: Path) -> None:
    import os

    import django

    # Django's test client speaks plain HTTP to "testserver".
    os.environ.update(LODESTAR_ALLOWED_HOSTS="testserver", LODESTAR_INSECURE_HTTP="1")

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from harness.measure import machine
    from lodestar.people.models import User
    from lodestar.reports.periods import quarter_of

    call_command("migrate", interactive=False, verbosity=0)
    quarter = quarter_of(timezone.localdate())
    started = time.perf_counter()
    _load(releases, decisions, quarter)
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    client = Client()
    client.force_login(User.objects.get(email="victor@acme.example"))
    period = f"since={quarter.since.isoformat()}&until={quarter.until.isoformat()}"
    paths = {
        "page": f"/w/acme/reports/ACME?{period}",
        "api": f"/api/v1/workspaces/acme/products/ACME/reports?{period}",
        "markdown": f"/w/acme/reports/ACME/markdown?{period}",
        "printable": f"/w/acme/reports/ACME/print?{period}",
    }
    results: dict[str, Any] = {}
    for name, path in paths.items():

        def get(path: str = path) -> Any:
            response = client.get(path)
            assert response.status_code == 200, (response.status_code, path)
            return response

        results[name] = page_figures(get, calls)
    report = client.get(paths["api"]).json()
    out.write_text(
        json.dumps(
            {
                "db": db,
                "machine": machine(),
                "period": [quarter.since.isoformat(), quarter.until.isoformat()],
                "load_s": round(loaded, 1),
                "sprints": len(report["sprints"]),
                "planned": len(report["planned"]),
                "forecast": sum(1 for r in report["planned"] if r["forecast"]),
                "decisions": len(report["decisions"]) + report["decisions_more"],
                "answers": results,
            }
        )
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--releases", type=int, default=12)
    parser.add_argument("--decisions", type=int, default=120)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.releases, args.decisions, args.calls, args.out)
        return
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in databases:
        argv_child = [
            "--releases",
            str(args.releases),
            "--decisions",
            str(args.decisions),
            "--calls",
            str(args.calls),
        ]
        result = run_child(__file__, db, argv_child, postgres_url=args.postgres_url)
        RESULTS.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        (RESULTS / f"{stamp}-{db}-reports.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
