"""The polls of live updates (``core.live``): server time of an unchanged poll (``304``) and of
a changed one (``200``, who changed it read from the history), for an item's page, a product's
backlog and a sprint's board, on SQLite and PostgreSQL.

    .venv/bin/python bench/live.py [--db sqlite|postgres|both] [--items N] [--cards N]
                                   [--comments N] [--calls N]

Each database runs in a process of its own against a scratch database (``harness.scratch``):
the demo is loaded, Checkout's active sprint is filled to ``--cards`` (200) cards as
``bench/board.py`` does, and the ACME backlog grows to ``--items`` (10,000) items through
``items_create_many``; one of its stories gets ``--comments`` (100) comments. Each poll is
then asked ``--calls`` times (200) after 3 not counted, in-process through Django's whole
request stack (``django.test.Client``, the real URLconf and middleware, production settings)
as Dana, a developer: with the tag the page was given (304), and with none (200). p50 and max
in milliseconds, the statements each runs, its bytes; and the stamp's query alone.
Target: an unchanged poll answers in a few milliseconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from board import _fill
from harness.scratch import run_child
from harness.stats import page_figures, timed

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_live"


def _grow(product: Any, dana: Any, items: int) -> None:
    from lodestar.backlog.models import BacklogItem
    from lodestar.backlog.services import ItemSpec, items_create_many
    from lodestar.people.models import Membership
    from lodestar.people.policy import Actor

    member = Membership.objects.get(user=dana, workspace=product.workspace)
    actor = Actor(user=dana, membership=member)
    missing = items - BacklogItem.objects.filter(product=product).count()
    for start in range(0, max(0, missing), 2000):
        count = min(2000, missing - start)
        specs = [ItemSpec(title=f"Backlog item {start + n}") for n in range(count)]
        items_create_many(actor=actor, product=product, specs=specs)


def _thread(item: Any, dana: Any, comments: int) -> None:
    """``comments`` comments on ``item`` (its page's stamp reads their thread)."""
    from lodestar.comments.access import access_target
    from lodestar.comments.models import Comment
    from lodestar.comments.services import comment_create
    from lodestar.people.models import Membership
    from lodestar.people.policy import Actor

    member = Membership.objects.get(user=dana, workspace_id=item.workspace_id)
    actor = Actor(user=dana, membership=member)
    target = access_target(actor, "item", item.key)
    for n in range(comments - Comment.objects.filter(target_id=item.pk).count()):
        comment_create(actor=actor, target=target, body=f"Comment {n} on this story")


def child(db: str, items: int, cards: int, comments: int, calls: int, out: Path) -> None:
    import os

    import django

    os.environ.update(LODESTAR_ALLOWED_HOSTS="testserver", LODESTAR_INSECURE_HTTP="1")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from harness.measure import machine
    from lodestar.backlog.models import BacklogItem
    from lodestar.comments.models import Comment

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    sprint, dana = _fill(cards)
    _grow(sprint.product, dana, items)
    filled = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    item = BacklogItem.objects.filter(product=sprint.product, kind="story").order_by("pk").first()
    assert item is not None
    _thread(item, dana, comments)
    client = Client()
    client.force_login(dana)
    polls = {
        "item": f"/w/acme/items/{item.key}/live",
        "backlog": f"/w/acme/products/{sprint.product.key}/backlog/live",
        "board": f"/w/acme/sprints/{sprint.pk}/board/live",
    }
    from lodestar.backlog.access import access_item_stamp
    from lodestar.backlog.live import backlog_stamp, item_stamp
    from lodestar.people.models import Membership
    from lodestar.people.policy import Actor
    from lodestar.sprints.live import board_stamp

    actor = Actor(user=dana, membership=Membership.objects.get(user=dana, workspace=item.workspace))
    # The stamp's own query, without the request around it (session, membership, gate).
    stamps = {
        "item": lambda: item_stamp(access_item_stamp(actor, item.key)),
        "backlog": lambda: backlog_stamp(sprint.product),
        "board": lambda: board_stamp(sprint),
    }
    results: dict[str, Any] = {}
    for name, url in polls.items():
        tag = client.get(url)["ETag"]

        def unchanged(url: str = url, tag: str = tag) -> Any:
            response = client.get(url, headers={"If-None-Match": tag})
            assert response.status_code == 304, response.status_code
            return response

        def changed(url: str = url) -> Any:
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        results[name] = {
            "304": page_figures(unchanged, calls),
            "200": page_figures(changed, calls),
            "stamp": timed(stamps[name], calls),
        }
    out.write_text(
        json.dumps(
            {
                "db": db,
                "machine": machine(),
                "items": BacklogItem.objects.filter(product=sprint.product).count(),
                "cards": cards,
                "item_comments": Comment.objects.filter(
                    target_type="item", target_id=item.pk
                ).count(),
                "fill_s": round(filled, 1),
                "polls": results,
            }
        )
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--comments", type=int, default=100)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.items, args.cards, args.comments, args.calls, args.out)
        return
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in databases:
        argv_child = [
            "--items", str(args.items), "--cards", str(args.cards),
            "--comments", str(args.comments), "--calls", str(args.calls),
        ]  # fmt: skip
        result = run_child(__file__, db, argv_child, postgres_url=args.postgres_url)
        RESULTS.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        (RESULTS / f"{stamp}-{db}-live.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
