"""A roadmap of 50 releases and 500 epics: server time of its page (lanes, the timeline with
each open release's forecast range, the share links), of ``GET .../roadmap`` and of the public
share page, on SQLite and PostgreSQL.

    .venv/bin/python bench/roadmap.py [--db sqlite|postgres|both] [--releases N] [--epics N]
        [--calls N]

Each database runs in a process of its own against a scratch database (``harness.scratch``):
the demo is loaded (``lodestar demo``: both teams' sprint history, its releases and roadmap),
then ACME gets planned releases (each with a target date and two items, so each has a
forecast) until it has ``--releases`` (50), and epics (``items_create_many``) until it has
``--epics`` (500), all put on the roadmap over the three lanes through the services. The
answers are then asked for ``--calls`` times (30) after 3 not counted, in-process through
Django's whole request stack as Quinn, the product owner (the share page signed out): p50, p95
and max in milliseconds, statements and bytes. The product's simulation is kept between calls
(``releases.forecasts.simulated``) as it is between page views; the page is then asked again
with it and the backtests cleared before each call (``roadmap_page_simulated_again``), as
after a change to the teams' history. Target: <= 100 ms for the roadmap page.
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
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_roadmap"
LANES = ["now", "next", "later"]


def _fill(releases: int, epics: int) -> tuple[Any, Any, str]:
    """ACME with ``releases`` releases and ``epics`` epics, all on its roadmap; returns the
    product, Quinn and a share token."""
    import datetime as dt

    from django.utils import timezone

    from lodestar.backlog.models import BacklogItem, ItemKind
    from lodestar.backlog.services import ItemSpec, items_create_many
    from lodestar.cli.server import _seed_demo
    from lodestar.people.models import Membership, User
    from lodestar.people.policy import Actor
    from lodestar.releases import roadmap
    from lodestar.releases.models import Release, RoadmapEntry
    from lodestar.releases.services import release_create, release_items_add
    from lodestar.strategy.models import Product

    _seed_demo()
    rng = random.Random(20261130)
    product = Product.objects.get(key="ACME")
    quinn = User.objects.get(email="quinn@acme.example")
    actor = Actor(
        user=quinn, membership=Membership.objects.get(user=quinn, workspace=product.workspace)
    )
    today = timezone.localdate()
    have = Release.objects.filter(product=product).count()
    specs = [
        ItemSpec(title=f"Release work {n}", kind="story") for n in range(2 * (releases - have))
    ]
    work = items_create_many(actor=actor, product=product, specs=specs)
    for n in range(max(0, releases - have)):
        made = release_create(
            actor=actor,
            product=product,
            name=f"2027.{n + 1}",
            target_date=today + dt.timedelta(days=14 + 7 * n),
        )
        release_items_add(actor=actor, release=made, items=work[2 * n : 2 * n + 2])
    have = BacklogItem.objects.filter(product=product, kind=ItemKind.EPIC).count()
    items_create_many(
        actor=actor,
        product=product,
        specs=[ItemSpec(title=f"Epic {n}", kind="epic") for n in range(max(0, epics - have))],
    )
    placed = set(
        RoadmapEntry.objects.filter(product=product).values_list("target_type", "target_id")
    )
    for release in Release.objects.filter(product=product).exclude(state="cancelled"):
        if ("release", release.pk) not in placed:
            roadmap.roadmap_entry_add(
                actor=actor,
                product=product,
                type="release",
                target=str(release.pk),
                lane=rng.choice(LANES),
            )
    for epic in BacklogItem.objects.filter(product=product, kind=ItemKind.EPIC):
        if ("item", epic.pk) not in placed:
            roadmap.roadmap_entry_add(
                actor=actor, product=product, type="item", target=epic.key, lane=rng.choice(LANES)
            )
    _, token = roadmap.roadmap_share_create(actor=actor, product=product, label="Bench")
    return product, quinn, token


def child(db: str, releases: int, epics: int, calls: int, out: Path) -> None:
    import os

    import django

    # Django's test client speaks plain HTTP to "testserver".
    os.environ.update(LODESTAR_ALLOWED_HOSTS="testserver", LODESTAR_INSECURE_HTTP="1")

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from harness.measure import machine
    from lodestar.forecasting import engine
    from lodestar.releases.forecasts import simulated
    from lodestar.releases.models import Release, RoadmapEntry

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    product, quinn, token = _fill(releases, epics)
    filled = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    signed_in = Client()
    signed_in.force_login(quinn)
    key = product.key
    paths = {
        "roadmap_page": (signed_in, f"/w/acme/releases/{key}/roadmap"),
        "api_roadmap": (signed_in, f"/api/v1/workspaces/acme/products/{key}/roadmap"),
        "share_page": (Client(), f"/share/roadmap/{token}"),
    }
    results: dict[str, Any] = {}
    for name, (client, path) in paths.items():

        def get(path: str = path, client: Any = client) -> Any:
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            return response

        results[name] = page_figures(get, calls)

    def cold() -> Any:
        # As after a change to the teams' history (the worst case): neither the product's
        # kept simulation nor its backtests are there, so the page computes both again.
        simulated.cache_clear()
        engine._shared_backtests.cache_clear()
        response = signed_in.get(paths["roadmap_page"][1])
        assert response.status_code == 200, response.status_code
        return response

    results["roadmap_page_simulated_again"] = page_figures(cold, calls)
    out.write_text(
        json.dumps(
            {
                "db": db,
                "machine": machine(),
                "releases": Release.objects.filter(product=product).count(),
                "entries": RoadmapEntry.objects.filter(product=product).count(),
                "fill_s": round(filled, 1),
                "answers": results,
            }
        )
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--releases", type=int, default=50)
    parser.add_argument("--epics", type=int, default=500)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.releases, args.epics, args.calls, args.out)
        return
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in databases:
        argv_child = [
            "--releases",
            str(args.releases),
            "--epics",
            str(args.epics),
            "--calls",
            str(args.calls),
        ]
        result = run_child(__file__, db, argv_child, postgres_url=args.postgres_url)
        RESULTS.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        (RESULTS / f"{stamp}-{db}-roadmap.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
