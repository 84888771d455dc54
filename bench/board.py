"""The sprint board with 200 cards: server time of ``GET /w/acme/sprints/{id}/board``, on SQLite
and PostgreSQL.

    .venv/bin/python bench/board.py [--db sqlite|postgres|both] [--cards N] [--calls N]

Each database runs in a process of its own against a scratch database (``harness.scratch``):
the demo is loaded (``lodestar demo``: eight closed sprints per team and one active), then
Checkout's active sprint gets more items of the ACME backlog (through ``items_create_many``
and ``sprint_items_add``, as a team would) until it holds ``--cards`` (200), spread over the
four columns and the team's members, half of them under epics. The board is then asked for
``--calls`` times (50) after 3 not counted, in-process through Django's whole request stack
(``django.test.Client``, the real URLconf and middleware, production settings) as Dana, a
developer of the team, with its swimlanes by assignee and by epic: p50, p95 and max in
milliseconds of wall time, the statements each page runs and its bytes. Target: <= 100 ms.
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
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_board"
STATUSES = ["new", "ready", "in_progress", "done"]


def _fill(cards: int) -> tuple[Any, Any]:
    """Checkout's active sprint with ``cards`` items; returns it and Dana."""
    from lodestar.backlog.models import BacklogItem, ItemKind
    from lodestar.backlog.services import ItemSpec, items_create_many
    from lodestar.backlog.services.bulk import BulkChange, items_update_many
    from lodestar.cli.server import _seed_demo
    from lodestar.people.models import Membership, User
    from lodestar.people.policy import Actor
    from lodestar.sprints.models import Sprint, SprintItem, SprintState
    from lodestar.sprints.services import sprint_items_add

    _seed_demo()
    rng = random.Random(20261130)
    sprint = Sprint.objects.select_related("team", "product").get(
        team__slug="checkout", state=SprintState.ACTIVE
    )
    dana = User.objects.get(email="dana@acme.example")
    member = Membership.objects.get(user=dana, workspace=sprint.workspace)
    actor = Actor(user=dana, membership=member)
    members = list(
        Membership.objects.filter(team_roles__team=sprint.team, removed_at__isnull=True).distinct()
    )
    epics = list(BacklogItem.objects.filter(product=sprint.product, kind=ItemKind.EPIC)[:6])
    missing = cards - SprintItem.objects.filter(sprint=sprint).count()
    specs = [
        ItemSpec(
            title=f"Board card {n}: {rng.choice(['export', 'checkout', 'search', 'report'])}",
            estimate=rng.choice([1, 2, 3, 5, 8]),
            assignee=rng.choice(members) if rng.random() < 0.8 else None,
            parent=rng.choice(epics) if epics and rng.random() < 0.5 else None,
        )
        for n in range(max(0, missing))
    ]
    items = items_create_many(actor=actor, product=sprint.product, specs=specs)
    sprint_items_add(actor=actor, sprint=sprint, items=items)
    # Spread over the columns as a sprint under way is (the status changes are recorded).
    for status in STATUSES[2:]:
        chosen = [
            item
            for item in BacklogItem.objects.filter(pk__in=[i.pk for i in items])
            if rng.random() < 0.3
        ]
        if chosen:
            items_update_many(
                actor=actor, product=sprint.product, items=chosen, change=BulkChange(status=status)
            )
    return Sprint.objects.get(pk=sprint.pk), dana


def child(db: str, cards: int, calls: int, out: Path) -> None:
    import os

    import django

    # Django's test client speaks plain HTTP to "testserver".
    os.environ.update(LODESTAR_ALLOWED_HOSTS="testserver", LODESTAR_INSECURE_HTTP="1")

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from harness.measure import machine
    from lodestar.sprints.models import SprintItem

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    sprint, dana = _fill(cards)
    filled = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    client = Client()
    client.force_login(dana)
    url = f"/w/acme/sprints/{sprint.pk}/board"
    results: dict[str, Any] = {}
    for lanes in ("", "assignee", "epic"):
        path = f"{url}?lanes={lanes}" if lanes else url

        def get(path: str = path) -> Any:
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            return response

        results[lanes or "columns"] = page_figures(get, calls)
    out.write_text(
        json.dumps(
            {
                "db": db,
                "machine": machine(),
                "cards": SprintItem.objects.filter(sprint=sprint).count(),
                "fill_s": round(filled, 1),
                "board": results,
            }
        )
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.cards, args.calls, args.out)
        return
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in databases:
        argv_child = ["--cards", str(args.cards), "--calls", str(args.calls)]
        result = run_child(__file__, db, argv_child, postgres_url=args.postgres_url)
        RESULTS.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        (RESULTS / f"{stamp}-{db}-board.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
