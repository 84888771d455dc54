"""Webhooks (issue 13): what a webhook adds to the request that caused an event (nothing: the
delivery is the worker's), and how fast the worker makes and sends deliveries.

    .venv/bin/python bench/webhooks.py [--db sqlite|postgres|both] [--calls N] [--events N]

Each database runs in a process of its own against a scratch database (``harness.scratch``),
production settings (tasks go to the database backend, as ``lodestar worker`` reads them),
Django's whole request stack (``django.test.Client``):

- ``write_0`` and ``write_10``: ``PATCH /api/v1/workspaces/{ws}/items/ACME-1`` (a new title)
  in a workspace with no webhook and in one with 10 active webhooks hearing every event, in
  turns (so the machine's noise falls on both alike); p50/p95/max of ``--calls`` (60) writes
  each after 3 not counted, and the statements one runs. The promise: the same statements,
  the same time (within noise), and no delivery made by the request;
- ``fanout``: the webhooks' durable subscriber, fed by the outbox as the worker's pump feeds
  it (``core.events.deliver``), making the deliveries of ``--events`` (200) item changes for
  those 10 webhooks (2,000 deliveries and their task rows), per second;
- ``send``: one worker sending them, one after another (``delivery.attempt``: claim, sign,
  the safe client, the log), to a receiver on 127.0.0.1 (``LODESTAR_WEBHOOK_ALLOWED_NETWORKS``)
  that answers 204 at once: deliveries per second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from harness.scratch import run_child
from harness.stats import StatementCounter

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_webhooks_bench"


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


def _receiver() -> tuple[Any, str]:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hooks"


def child(db: str, calls: int, event_count: int, out: Path) -> None:
    import django

    os.environ.update(
        LODESTAR_ALLOWED_HOSTS="testserver",
        LODESTAR_INSECURE_HTTP="1",
        LODESTAR_WEBHOOK_ALLOWED_NETWORKS="127.0.0.1/32",
    )
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from harness.measure import machine
    from lodestar.backlog import services as backlog
    from lodestar.core import events
    from lodestar.core.registry import registry
    from lodestar.interop.webhooks import services as webhooks
    from lodestar.interop.webhooks.delivery import attempt
    from lodestar.interop.webhooks.models import WebhookDelivery
    from lodestar.people.models import Membership, Role, User, Workspace
    from lodestar.people.policy import Actor
    from lodestar.strategy import services as strategy

    call_command("migrate", interactive=False, verbosity=0)
    server, receiver = _receiver()

    def world(slug: str, hooks: int) -> tuple[Actor, Any, Client]:
        workspace = Workspace.objects.create(slug=slug, name=slug.title())
        user = User.objects.create_user(f"quinn@{slug}.example", None, full_name="Quinn Ortiz")
        owner = Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
        actor = Actor(user=user, membership=owner)
        product = strategy.product_create(actor=actor, key="ACME", name="Acme")
        item = backlog.item_create(actor=actor, product=product, title="Checkout fails")
        for n in range(hooks):
            webhooks.webhook_create(actor=actor, url=f"{receiver}/{slug}/{n}", events=["*"])
        return actor, item, Client(headers={"Authorization": f"Bearer {_token(owner)}"})

    # The same write in two workspaces, one with 10 webhooks hearing every event and one with
    # none, taken in turns so that the machine's noise falls on both alike.
    quiet = world("globex", 0)
    busy = world("acme", 10)
    while events.deliver_pending():
        pass
    WebhookDelivery.objects.all().delete()
    counter = iter(range(10**9))

    def writer(actor: Actor, item: Any, client: Client) -> Any:
        url = f"/api/v1/workspaces/{actor.workspace.slug}/items/{item.key}"

        def write() -> Any:
            body = json.dumps({"title": f"Checkout fails ({next(counter)})"})
            response = client.patch(url, body, content_type="application/json")
            assert response.status_code == 200, response.content
            return response

        return write

    writes = {"write_0": writer(*quiet), "write_10": writer(*busy)}
    for write in writes.values():
        for _ in range(3):
            write()  # not counted: the token's first use, caches
    times: dict[str, list[float]] = {name: [] for name in writes}
    for _ in range(calls):
        for name, write in writes.items():
            started = time.perf_counter()
            write()
            times[name].append((time.perf_counter() - started) * 1000)
    results: dict[str, Any] = {}
    for name, write in writes.items():
        counted = StatementCounter()
        with connection.execute_wrapper(counted):
            write()
        ordered = sorted(times[name])
        results[name] = {
            "calls": calls,
            "p50_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
            "max_ms": round(ordered[-1], 2),
            "queries": counted.statements,
        }
    results["deliveries_made_by_the_writes"] = WebhookDelivery.objects.count()
    while events.deliver_pending():
        pass
    WebhookDelivery.objects.all().delete()
    actor, item, _ = busy

    for n in range(event_count):
        item = backlog.item_update(actor=actor, item=item, title=f"Event {n}")
    # Only the webhooks' subscriber (the pump also feeds notifications, measured on its own).
    subscriber = next(s for s in registry().subscribers(durable=True) if s.name == "webhooks")
    started = time.perf_counter()
    while events.deliver(subscriber):
        pass
    spent = time.perf_counter() - started
    made = WebhookDelivery.objects.count()
    results["fanout"] = {
        "events": event_count,
        "deliveries": made,
        "deliveries_per_s": round(made / spent),
        "ms_per_event": round(spent * 1000 / event_count, 2),
    }
    ids = list(WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    sent = [attempt(pk) for pk in ids]
    spent = time.perf_counter() - started
    ok = sum(1 for d in sent if d is not None and d.state == "succeeded")
    results["send"] = {
        "deliveries": len(ids),
        "succeeded": ok,
        "deliveries_per_s": round(len(ids) / spent),
        "ms_per_delivery": round(spent * 1000 / len(ids), 2),
    }
    server.shutdown()
    out.write_text(json.dumps({"db": db, "machine": machine(), "answers": results}))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.calls, args.events, args.out)
        return
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in databases:
        argv_child = ["--calls", str(args.calls), "--events", str(args.events)]
        result = run_child(__file__, db, argv_child, postgres_url=args.postgres_url)
        RESULTS.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        (RESULTS / f"{stamp}-{db}-webhooks.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
