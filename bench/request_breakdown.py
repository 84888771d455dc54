"""Where the time of one API request goes, and what a real server answers in.

    .venv/bin/python bench/request_breakdown.py [--items 10000] [--data-dir DIR] [--rounds 5]
        [--samples 200] [--no-server] [--no-breakdown] [--out FILE.json]

Seeds a scratch SQLite database (production settings) with the benchmark's backlog
(``harness/seed.py``; 10,000 items by default) unless ``--data-dir`` already holds one from an
earlier run, then:

1. **Breakdown, in-process**: requests through Django's whole handler (``django.test.Client``,
   the real URLconf and middleware) with the product owner's bearer token, with spans around
   each middleware (its own time, the layers inside it subtracted), the token lookup, the
   rate-limit counter, the workspace and product checks, the list query, building the
   answer's objects and the JSON rendering; each span in the thread's CPU time
   (``time.thread_time``, which other work on a busy machine inflates far less) and in wall
   time (``time.perf_counter``). Three requests: the backlog's page of 100, a page of 10 and
   ``GET /workspaces/{slug}`` (the smallest authenticated answer: the floor). Every figure is
   the median over ``--samples`` requests, taken in ``--rounds`` rounds, and the median of the
   rounds' medians is reported.
2. **Real server**: ``lodestar serve`` (gunicorn, its workers and the task worker) on a free
   port, one keep-alive connection, the same three requests (60 not counted first), median of
   each round, then the median of the rounds.

The figures go to ``--out`` (JSON) and are printed as Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

SERVER_WARMUP = 60
# Spans measured inside the rate-limit middleware rather than inside the view.
OUTSIDE_VIEW = {"token lookup", "rate-limit counter"}


def _environment(data_dir: Path) -> None:
    """Production settings on ``data_dir`` (set before Django is imported)."""
    for name in ("LODESTAR_DEBUG", "LODESTAR_TESTING", "DATABASE_URL"):
        os.environ.pop(name, None)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="lodestar.config.settings",
        LODESTAR_DATA_DIR=str(data_dir),
        LODESTAR_INSECURE_HTTP="1",
        LODESTAR_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        # Counted as in production, but a benchmark sends more than a person.
        LODESTAR_API_RATE_LIMIT="1000000000",
        PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")])),
    )


def _fixture(data_dir: Path, items: int) -> dict[str, Any]:
    """The seeded workspace's names and token (seeding first when ``data_dir`` has none)."""
    saved = data_dir / "fixture.json"
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if saved.exists():
        fixture: dict[str, Any] = json.loads(saved.read_text())
        return fixture
    from harness import seed

    print(f"Seeding {items:,} items in {data_dir} ...", file=sys.stderr)
    made = seed.seed(items, random.Random(20240601))
    fixture = {
        "workspace": made.workspace_slug,
        "product": made.product_key,
        "token": made.token,
        "items": made.items,
    }
    saved.write_text(json.dumps(fixture))
    return fixture


def _paths(fixture: dict[str, Any]) -> dict[str, str]:
    workspace = f"/api/v1/workspaces/{fixture['workspace']}"
    backlog = f"{workspace}/products/{fixture['product']}/backlog"
    return {
        "backlog, page of 100": f"{backlog}?limit=100",
        "backlog, page of 10": f"{backlog}?limit=10",
        "workspace (the floor)": workspace,
    }


# -- spans -----------------------------------------------------------------------------------


class Spans:
    """Accumulated milliseconds per named span within the current request: wall time, and
    the thread's CPU time (which other work on a busy machine inflates far less)."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)

    def reset(self) -> None:
        self.current = defaultdict(float)
        self.cpu = defaultdict(float)

    def add(self, name: str, ms: float, cpu_ms: float) -> None:
        self.current[name] += ms
        self.cpu[name] += cpu_ms


SPANS = Spans()


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu = time.thread_time()
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPANS.add(name, (time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000)

    wrapper.__wrapped__ = function  # type: ignore[attr-defined]
    return wrapper


def _instrument_functions() -> None:
    """Spans around the request's steps, patched where they are looked up."""
    import ninja.operation

    from lodestar.api import auth, ratelimit
    from lodestar.backlog import api as backlog_api
    from lodestar.backlog import schemas as backlog_schemas

    ratelimit.authenticate_token = _timed("token lookup", ratelimit.authenticate_token)
    ratelimit.ratelimit.hit = _timed("rate-limit counter", ratelimit.ratelimit.hit)
    auth.access_workspace = _timed("workspace membership", auth.access_workspace)
    backlog_api.access_product = _timed("product access", backlog_api.access_product)
    # The list's read and its rows (both ways the code has had: model objects and schemas,
    # or plain values rendered directly).
    for name, label in [
        ("backlog_list", "list query (and labels)"),
        ("backlog_list_values", "list query (and labels)"),
        ("item_row", "building the answer's objects"),
        ("json_answer", "validating and rendering JSON"),
    ]:
        if hasattr(backlog_api, name):
            setattr(backlog_api, name, _timed(label, getattr(backlog_api, name)))
    of = backlog_schemas.ItemOut.of
    backlog_schemas.ItemOut.of = staticmethod(_timed("building the answer's objects", of))  # type: ignore[method-assign]
    operation = ninja.operation.Operation
    operation._result_to_response = _timed(  # type: ignore[method-assign]
        "validating and rendering JSON", operation._result_to_response
    )


class _Layer:
    """Times the rest of the chain below one middleware (the handler subtracts it)."""

    def __init__(self, name: str, inner: Callable[..., Any]) -> None:
        self.name = name
        self.inner = inner

    def __call__(self, request: Any) -> Any:
        cpu = time.thread_time()
        start = time.perf_counter()
        try:
            return self.inner(request)
        finally:
            SPANS.add(
                f"below:{self.name}",
                (time.perf_counter() - start) * 1000,
                (time.thread_time() - cpu) * 1000,
            )


def _instrument_middleware(handler: Any) -> list[str]:
    """Wrap each middleware's ``get_response`` so that each one's own time can be told."""
    from django.conf import settings

    names = [path.rsplit(".", 1)[1] for path in settings.MIDDLEWARE]
    # handler._middleware_chain is the outermost middleware wrapped by Django's exception
    # converter; each middleware instance keeps the next layer as ``get_response``.
    instances = []
    layer = handler._middleware_chain
    for _ in names:
        instance = _closure(layer)
        instances.append(instance)
        layer = instance.get_response
    for name, instance in zip(names, instances, strict=True):
        instance.get_response = _Layer(name, instance.get_response)
    handler._middleware_chain = _Layer("handler", handler._middleware_chain)
    return names


def _closure(layer: Any) -> Any:
    """The middleware instance inside Django's ``convert_exception_to_response`` wrapper."""
    for cell in getattr(layer, "__closure__", None) or ():
        if hasattr(cell.cell_contents, "get_response"):
            return cell.cell_contents
    raise RuntimeError(f"cannot find the middleware inside {layer!r}")


def _own_times(names: list[str], spans: dict[str, float]) -> dict[str, float]:
    """Each middleware's own milliseconds: its time minus the time below it."""
    own: dict[str, float] = {}
    outer = spans["below:handler"]
    for name in names:
        inner = spans[f"below:{name}"]
        own[f"middleware: {name}"] = outer - inner
        outer = inner
    own["URL resolving, view and ninja (rest)"] = outer
    return own


def _components(names: list[str], spans: dict[str, float], whole: float) -> dict[str, float]:
    """Milliseconds of each component of one request, each counted once."""
    own = _own_times(names, spans)
    inner = {k: v for k, v in spans.items() if not k.startswith("below:")}
    # The steps inside the rate limit and the view are part of those layers.
    own["middleware: ApiRateLimitMiddleware"] -= sum(
        v for k, v in inner.items() if k in OUTSIDE_VIEW
    )
    in_view = {k: v for k, v in inner.items() if k not in OUTSIDE_VIEW}
    own["URL resolving, view and ninja (rest)"] -= sum(in_view.values())
    return {
        **own,
        **inner,
        "test client (outside the handler)": whole - spans["below:handler"],
        "total": whole,
    }


@contextmanager
def _gc_paused() -> Iterator[None]:
    import gc

    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def breakdown(fixture: dict[str, Any], rounds: int, samples: int) -> dict[str, Any]:
    from django.test import Client

    _instrument_functions()
    client = Client(headers={"Authorization": f"Bearer {fixture['token']}"})
    client.get(_paths(fixture)["workspace (the floor)"])  # builds the handler
    names = _instrument_middleware(client.handler)
    results: dict[str, Any] = {}
    with _gc_paused():
        for label, path in _paths(fixture).items():
            per_round: list[dict[str, float]] = []
            for _ in range(20):
                client.get(path)
            for _ in range(rounds):
                rows: dict[str, list[float]] = defaultdict(list)
                for _ in range(samples):
                    SPANS.reset()
                    cpu = time.thread_time()
                    start = time.perf_counter()
                    answer = client.get(path)
                    total = (time.perf_counter() - start) * 1000
                    cpu_ms = (time.thread_time() - cpu) * 1000
                    assert answer.status_code == 200, answer.content[:300]
                    for unit, spans, whole in (
                        ("CPU", dict(SPANS.cpu), cpu_ms),
                        ("wall", dict(SPANS.current), total),
                    ):
                        for key, value in _components(names, spans, whole).items():
                            rows[f"{key} [{unit}]"].append(value)
                per_round.append({k: statistics.median(v) for k, v in rows.items()})
            keys = per_round[0].keys()
            results[label] = {k: round(statistics.median(r[k] for r in per_round), 3) for k in keys}
            results[label]["rounds (total)"] = [round(r["total [wall]"], 2) for r in per_round]
    return results


def over_http(fixture: dict[str, Any], rounds: int, samples: int) -> dict[str, Any]:
    from django.db import connections

    from harness.callers import OverHttp
    from harness.server import running_server

    connections.close_all()
    results: dict[str, Any] = {}
    log = Path(os.environ["LODESTAR_DATA_DIR"]) / "serve.log"
    with running_server(log) as port:
        remote = OverHttp(port, fixture["token"])
        try:
            for label, path in _paths(fixture).items():
                for _ in range(SERVER_WARMUP):
                    remote("GET", path)
                medians = []
                for _ in range(rounds):
                    times = []
                    for _ in range(samples):
                        answer = remote("GET", path)
                        assert answer.status == 200, answer.content[:300]
                        times.append(answer.ms)
                    medians.append(statistics.median(times))
                results[label] = {
                    "median of round medians": round(statistics.median(medians), 2),
                    "round medians": [round(m, 2) for m in medians],
                    "bytes": len(answer.content),
                }
        finally:
            remote.close()
    return results


def _markdown(result: dict[str, Any]) -> str:
    lines: list[str] = []
    breakdown_result = result.get("breakdown")
    if breakdown_result:
        labels = list(breakdown_result)
        lines.append("| component | " + " | ".join(labels) + " |")
        lines.append("|---|" + "---|" * len(labels))
        keys = [k for k in breakdown_result[labels[0]] if k != "rounds (total)"]
        for key in keys:
            cells = [f"{breakdown_result[label].get(key, 0):.2f}" for label in labels]
            lines.append(f"| {key} | " + " | ".join(cells) + " |")
        lines.append("")
    server = result.get("server")
    if server:
        lines.append("| request (real server) | median ms | round medians | bytes |")
        lines.append("|---|---|---|---|")
        for label, row in server.items():
            lines.append(
                f"| {label} | {row['median of round medians']:.2f} | "
                f"{', '.join(f'{m:.1f}' for m in row['round medians'])} | {row['bytes']:,} |"
            )
    lines.append(f"\nload average at start / end: {result['load']}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--data-dir", type=Path, help="reuse (or create) this seeded database")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--no-breakdown", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="lodestar-breakdown-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    _environment(data_dir)
    import django

    django.setup()
    fixture = _fixture(data_dir, args.items)
    result: dict[str, Any] = {"items": fixture["items"], "load": [os.getloadavg()[0]]}
    if not args.no_breakdown:
        result["breakdown"] = breakdown(fixture, args.rounds, args.samples)
    if not args.no_server:
        result["server"] = over_http(fixture, args.rounds, args.samples)
    result["load"].append(os.getloadavg()[0])
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))
    print(_markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
