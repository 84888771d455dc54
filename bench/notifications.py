"""Mentions, watchers and notifications (issue 12): the request that posts a comment mentioning
five people on an item twenty people watch, the fan-out the worker then does, the first page of
an inbox of 100,000 notifications, and a burst of 1,000 changes folded as docs/NOTIFICATIONS.md
promises.

    .venv/bin/python bench/notifications.py [--db sqlite|postgres|both] [--calls N]
        [--inbox N] [--burst N]

Each database runs in a process of its own against a scratch database (``harness.scratch``),
production settings, Django's whole request stack (``django.test.Client``):

- ``comment_post``: ``POST /api/v1/workspaces/acme/items/ACME-1/comments`` with a body that
  mentions five members, the item watched by twenty (a token's bearer, as a script would);
  p50/p95/max of ``--calls`` posts (30) after 3 not counted. Target <= 30 ms: the request
  writes the comment, its history and its outbox row; telling anyone is the worker's;
- ``fanout``: the worker's delivery of those events (``core.events.deliver_pending``), per
  comment, and the notifications it made (25 each: 5 mentions + 20 watchers);
- ``inbox_page`` and ``api_inbox``: ``/w/acme/inbox`` and ``GET .../notifications`` for a
  member with ``--inbox`` (100,000) notifications. Target <= 20 ms for the first page;
- ``burst``: ``--burst`` (1,000) changes of one item's title by one person within a minute,
  watched by three: the promise is one notification per watcher (count 1,000 each).
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
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_notifications"


def _people(workspace: Any, count: int) -> list[Any]:
    from lodestar.people.models import Membership, Role, User

    members = []
    for n in range(count):
        user = User.objects.create_user(f"person{n}@acme.example", None, full_name=f"Person {n}")
        members.append(Membership.objects.create(workspace=workspace, user=user, role=Role.MEMBER))
    return members


def _token(member: Any) -> str:
    from lodestar.people.models import ApiToken
    from lodestar.people.tokens import API_TOKEN_PREFIX, hash_secret, new_secret

    secret = new_secret(API_TOKEN_PREFIX)
    ApiToken.objects.create(
        workspace=member.workspace,
        user=member.user,
        name="bench",
        prefix=secret[:8],
        token_hash=hash_secret(secret),
    )
    return secret


def child(db: str, calls: int, inbox_size: int, burst: int, out: Path) -> None:
    import os

    import django

    os.environ.update(LODESTAR_ALLOWED_HOSTS="testserver", LODESTAR_INSECURE_HTTP="1")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from harness.measure import machine
    from lodestar.backlog import services as backlog
    from lodestar.core import events
    from lodestar.core.db import insert_rows
    from lodestar.notifications import services as notifications
    from lodestar.notifications.access import Target
    from lodestar.notifications.models import Kind, Notification
    from lodestar.people.models import Membership, Role, User, Workspace
    from lodestar.people.policy import Actor
    from lodestar.strategy import services as strategy

    call_command("migrate", interactive=False, verbosity=0)
    workspace = Workspace.objects.create(slug="acme", name="Acme")
    quinn_user = User.objects.create_user("quinn@acme.example", None, full_name="Quinn Ortiz")
    quinn = Membership.objects.create(workspace=workspace, user=quinn_user, role=Role.OWNER)
    actor = Actor(user=quinn_user, membership=quinn)
    people = _people(workspace, 25)
    product = strategy.product_create(actor=actor, key="ACME", name="Acme")
    item = backlog.item_create(actor=actor, product=product, title="Checkout fails on Safari")
    from lodestar.core.registry import registry

    declared = registry().object_type("item")
    assert declared is not None
    target = Target(declared, item)
    watchers, mentioned = people[:20], people[20:]
    for member in watchers:
        notifications.watch_start(actor=Actor(user=member.user, membership=member), target=target)
    events.deliver_pending()  # the subscriber's cursor, before what is measured
    body = "Can you look? " + " ".join(f"@{m.handle}" for m in mentioned)
    client = Client(headers={"Authorization": f"Bearer {_token(quinn)}"})
    url = f"/api/v1/workspaces/acme/items/{item.key}/comments"

    def post() -> Any:
        response = client.post(url, json.dumps({"body": body}), content_type="application/json")
        assert response.status_code == 201, response.content
        return response

    results: dict[str, Any] = {"comment_post": page_figures(post, calls)}
    posted = calls + 3 + 1  # page_figures' warm-up and its counted call
    before = Notification.objects.count()
    started = time.perf_counter()
    while events.deliver_pending():
        pass
    spent = time.perf_counter() - started
    made = Notification.objects.count() - before
    results["fanout"] = {
        "comments": posted,
        "ms_per_comment": round(spent * 1000 / posted, 2),
        "notifications": made,
        "per_comment": round(made / posted, 1),
    }

    # An inbox of 100,000 for Priya (person 0), a tenth unread.
    priya = watchers[0]
    now = timezone.now()
    rows = [
        Notification(
            workspace_id=workspace.pk,
            recipient=priya,
            kind=Kind.COMMENT if n % 3 else Kind.CHANGE,
            target_type="item",
            target_id=item.pk,
            target_title=f"{item.key} {item.title}",
            url=f"/w/acme/items/{item.key}",
            actor=quinn,
            actor_name="Quinn Ortiz",
            sentence=f"Quinn Ortiz commented on {item.key} {item.title}",
            created_at=now - dt.timedelta(seconds=inbox_size - n),
            updated_at=now - dt.timedelta(seconds=inbox_size - n),
            read=n < inbox_size * 9 // 10,
        )
        for n in range(inbox_size)
    ]
    for start in range(0, len(rows), 5000):
        with transaction.atomic():
            insert_rows(Notification, rows[start : start + 5000])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    page_client = Client()
    page_client.force_login(priya.user)
    api_client = Client(headers={"Authorization": f"Bearer {_token(priya)}"})
    for name, who, path in (
        ("inbox_page", page_client, "/w/acme/inbox"),
        ("inbox_unread_page", page_client, "/w/acme/inbox?unread=1"),
        ("api_inbox", api_client, "/api/v1/workspaces/acme/notifications?limit=50"),
        ("unread_count", page_client, "/w/acme/inbox/unread"),
        # The same layout around a page that reads no notifications: what the layout costs.
        ("layout_baseline", page_client, "/w/acme/teams"),
    ):

        def get(who: Any = who, path: str = path) -> Any:
            response = who.get(path)
            assert response.status_code == 200, response.status_code
            return response

        results[name] = page_figures(get, calls)
    results["inbox_rows"] = Notification.objects.filter(recipient=priya).count()

    # A burst: one person changes one item 1,000 times; three watch it.
    burst_item = backlog.item_create(actor=actor, product=product, title="Burst")
    burst_target = Target(declared, burst_item)
    three = people[21:24]
    for member in three:
        notifications.watch_start(
            actor=Actor(user=member.user, membership=member), target=burst_target
        )
    while events.deliver_pending():
        pass
    before = Notification.objects.count()
    started = time.perf_counter()
    for n in range(burst):
        burst_item = backlog.item_update(actor=actor, item=burst_item, title=f"Burst {n}")
    written = time.perf_counter() - started
    started = time.perf_counter()
    while events.deliver_pending():
        pass
    delivered = time.perf_counter() - started
    made = Notification.objects.filter(target_id=burst_item.pk, target_type="item")
    results["burst"] = {
        "changes": burst,
        "watchers": len(three),
        "promised": len(three),
        "notifications": Notification.objects.count() - before,
        "counts": sorted(made.values_list("count", flat=True)),
        "write_s": round(written, 1),
        "deliver_s": round(delivered, 1),
    }
    out.write_text(json.dumps({"db": db, "machine": machine(), "answers": results}))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--inbox", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=1_000)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.calls, args.inbox, args.burst, args.out)
        return
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in databases:
        argv_child = [
            "--calls", str(args.calls), "--inbox", str(args.inbox), "--burst", str(args.burst)
        ]  # fmt: skip
        result = run_child(__file__, db, argv_child, postgres_url=args.postgres_url)
        RESULTS.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        (RESULTS / f"{stamp}-{db}-notifications.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
