"""What the API rate limit costs a request: its counter alone (one upsert), and the same API
request with the limit on and off, in one process and in two processes writing at once.

    .venv/bin/python bench/run.py ratelimit [--db sqlite|postgres|both] [--samples N]

The child process (``python -m harness.ratelimit``) migrates a scratch database, makes one
workspace, member and token, then measures. On and off alternate in blocks of 100 requests so
that a change in the machine's load falls on both alike.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

BLOCK = 100
WARMUP = 100
PATH = "/api/v1/workspaces/bench/teams"
# Per process in the two-process series.
PARALLEL_REQUESTS = 1000


def _setup() -> str:
    from django.core.management import call_command

    from lodestar.people import services as people
    from lodestar.people.models import ApiToken
    from lodestar.people.tokens import API_TOKEN_PREFIX, hash_secret, new_secret

    call_command("migrate", interactive=False, verbosity=0)
    user = people.user_create(email="owner@bench.test", password="a-bench-password-42")
    workspace = people.workspace_create(slug="bench", name="Bench", owner=user)
    secret = new_secret(API_TOKEN_PREFIX)
    ApiToken.objects.create(
        workspace=workspace, user=user, name="bench", prefix=secret[:8],
        token_hash=hash_secret(secret),
    )  # fmt: skip
    return secret


def _limit(on: bool) -> int:
    return 1_000_000_000 if on else 0


def _requests(secret: str, count: int, on: bool) -> list[float]:
    """Milliseconds of ``count`` API requests with the limit ``on`` or off."""
    from django.conf import settings
    from django.test import Client

    settings.API_RATE_LIMIT_PER_MINUTE = _limit(on)
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    out = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(PATH)
        out.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{PATH} answered {response.status_code}")
    return out


def _parallel_worker(args: tuple[str, bool]) -> float:
    """Requests per second of one of two processes sending at once."""
    from django.db import connections

    secret, on = args
    connections.close_all()
    start = time.perf_counter()
    _requests(secret, PARALLEL_REQUESTS, on)
    seconds = time.perf_counter() - start
    connections.close_all()
    return PARALLEL_REQUESTS / seconds


def _parallel(secret: str, on: bool) -> float:
    """Requests per second of two processes sending at once (each with its own connection)."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        rates = pool.map(_parallel_worker, [(secret, on), (secret, on)])
    return sum(rates)


def run(*, db: str, samples: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lodestar.config.settings")
    import django

    django.setup()
    from harness.measure import machine
    from harness.stats import Series
    from lodestar.core import ratelimit

    secret = _setup()
    _requests(secret, WARMUP, True)
    _requests(secret, WARMUP, False)

    counter = Series("counter alone (one upsert)", samples)
    for n in range(samples):
        start = time.perf_counter()
        ratelimit.hit(f"bench:{n % 50}", window=60)
        counter.add((time.perf_counter() - start) * 1000)

    on, off = Series("API request, limit on", samples), Series("API request, limit off", samples)
    for _ in range(0, samples, BLOCK):
        for ms in _requests(secret, BLOCK, True):
            on.add(ms)
        for ms in _requests(secret, BLOCK, False):
            off.add(ms)

    parallel = {"on_rps": _parallel(secret, True), "off_rps": _parallel(secret, False)}
    summaries = [series.summary() for series in (counter, on, off)]
    return {
        "db": db,
        "machine": machine(),
        "series": summaries,
        "added_p50_ms": summaries[1]["p50_ms"] - summaries[2]["p50_ms"],
        "added_p95_ms": summaries[1]["p95_ms"] - summaries[2]["p95_ms"],
        "two_processes": parallel,
    }


def print_results(console: Console, results: list[dict[str, Any]]) -> None:
    table = Table(title="API rate limit: cost per request (ms)")
    for column in ("db", "series", "p50", "p95", "p99"):
        table.add_column(column)
    for result in results:
        for series in result["series"]:
            table.add_row(
                result["db"], series["name"], f"{series['p50_ms']:.3f}",
                f"{series['p95_ms']:.3f}", f"{series['p99_ms']:.3f}",
            )  # fmt: skip
        table.add_row(
            result["db"], "added by the limit", f"{result['added_p50_ms']:.3f}",
            f"{result['added_p95_ms']:.3f}", "",
        )  # fmt: skip
    console.print(table)
    rates = Table(title="Two processes sending at once (requests/s, both together)")
    for column in ("db", "limit on", "limit off"):
        rates.add_column(column)
    for result in results:
        two = result["two_processes"]
        rates.add_row(result["db"], f"{two['on_rps']:.0f}", f"{two['off_rps']:.0f}")
    console.print(rates)


def main(argv: list[str]) -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.write_text(json.dumps(run(db=args.db, samples=args.samples), indent=2, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
