"""Backlog benchmark: a 100,000-item backlog measured through the API on SQLite and PostgreSQL.

    .venv/bin/python bench/run.py [--db sqlite|postgres|both] [--items N] [--quick]
    .venv/bin/python bench/run.py bulk [--db ...] [--items N] [--batch N] [--plain] [--quick]
    .venv/bin/python bench/run.py ratelimit [--db ...] [--samples N]
    .venv/bin/python bench/run.py import [--db ...] [--items N] [--quick]
    .venv/bin/python bench/run.py flow [--db ...] [--done N] [--calls N]
    .venv/bin/python bench/run.py outcomes [--db ...] [--samples N] [--ingest N] [--calls N]
    .venv/bin/python bench/run.py charts [--samples N]
    .venv/bin/python bench/run.py forecast [--samples N]

``bulk`` runs the bulk write path alone (``harness/bulk.py``): items created per second by
``items_create_many`` in calls of ``--batch`` specs, then a rebalance of the whole backlog.
``ratelimit`` measures what the API rate limit adds to a request (``harness/ratelimit.py``).
``import`` measures the CSV import of feedback, rows per second (``harness/feedback_import.py``;
``--items`` is the number of rows, 100,000 by default).
``flow`` runs ``bench/flow.py``: a team's flow metrics over 50,000 finished items and a 90-day
sprint's burndown.
``outcomes`` runs ``bench/outcomes.py``: metric samples pushed in batches (samples per second)
and an outcome evaluation over 1,000,000 samples.
``charts`` measures drawing each kind of chart and rendering its figure, in ms and bytes
(``charts.py``; no database, so ``--db`` does not apply; ``--samples`` is the calls per kind).
``forecast`` runs ``bench/forecast.py``
(the Monte Carlo engine, the forecasts API, a calibrated forecast and a replay; ``--samples``
calls per series), which needs no database of its own but a scratch SQLite one for the API.

Each database runs in a process of its own against a scratch database that this script creates
and removes: SQLite in a temporary LODESTAR_DATA_DIR, PostgreSQL as ``lodestar_bench`` (see
``--postgres-url``). Tables are printed at the end; the figures go to bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from harness.scratch import postgres_database

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench"
QUICK_ITEMS = 2000
BULK_ITEMS = 100_000
BULK_QUICK_ITEMS = 5000
BULK_BATCH = 1000
CHILD_SECONDS = 3 * 3600

console = Console(width=None if sys.stdout.isatty() else 160)


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "section",
        nargs="?",
        choices=["all", "bulk", "ratelimit", "import", "flow", "charts", "forecast"],
        default="all",
        help="bulk: the bulk write path alone (items created per second, whole rebalance); "
        "ratelimit: the cost of the API rate limit per request; "
        "import: the CSV import of feedback (rows per second); "
        "flow: a team's flow metrics and a sprint's burndown (bench/flow.py); "
        "charts: drawing each kind of chart (ms and bytes; no database); "
        "forecast: Monte Carlo forecasts (bench/forecast.py)",
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--batch", type=int, default=BULK_BATCH, help="bulk: specs per items_create_many call"
    )
    parser.add_argument(
        "--plain", action="store_true", help="bulk: plain-text descriptions (no Markdown)"
    )
    parser.add_argument("--items", type=int, help="backlog size (default 100000; 2000 if --quick)")
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--samples", type=int, help="samples per latency series")
    parser.add_argument("--no-server", action="store_true", help="skip the real-server series")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument(
        "--quiet-load",
        type=float,
        help="before each database, wait until the 1-minute load average is at most this",
    )
    parser.add_argument(
        "--quiet-wait", type=float, default=900, help="longest wait for --quiet-load, seconds"
    )
    parser.add_argument(
        "--markdown",
        nargs="+",
        type=Path,
        metavar="JSON",
        help="print Markdown tables of earlier results instead of running",
    )
    args, _ = parser.parse_known_args(argv)
    if args.items is None and args.section in {"bulk", "import"}:
        args.items = BULK_QUICK_ITEMS if args.quick else BULK_ITEMS
    if args.items is None:
        args.items = QUICK_ITEMS if args.quick else 100_000
    if args.items < 100:
        parser.error("--items must be at least 100")
    return args


def _base_env(data_dir: Path) -> dict[str, str]:
    """Production settings (no debug, no test mode) on a scratch data directory."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"LODESTAR_DEBUG", "LODESTAR_TESTING", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="lodestar.config.settings",
        LODESTAR_DATA_DIR=str(data_dir),
        LODESTAR_SECRET_KEY=secrets.token_urlsafe(50),
        LODESTAR_INSECURE_HTTP="1",
        LODESTAR_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        # The per-token API limit would stop a benchmark, which sends far more than a person.
        LODESTAR_API_RATE_LIMIT="1000000000",
        PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")])),
    )
    return env


def _git(*args: str) -> str:
    return subprocess.run(  # noqa: S603 - fixed git arguments
        ["git", *args],  # noqa: S607 - git from PATH
        capture_output=True,
        text=True,
        check=True,
        cwd=BENCH,
        timeout=10,
    ).stdout.strip()


def _commit() -> tuple[str, str]:
    """The commit measured (marked when src/ has uncommitted changes), and src/'s tree."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        tree = _git("rev-parse", "HEAD:src")
        dirty = _git("status", "--porcelain", "--", "src")
    except (OSError, subprocess.SubprocessError):
        return "unknown", ""
    return (f"{head} (with uncommitted changes in src/)" if dirty else head), tree + dirty


def _wait_for_quiet(threshold: float | None, longest: float) -> float:
    """Seconds waited (bounded) for other work on this machine to calm down."""
    if threshold is None:
        return 0.0
    start = time.monotonic()
    with console.status("Waiting for a quieter machine...") as status:
        while os.getloadavg()[0] > threshold and time.monotonic() - start < longest:
            status.update(f"Waiting for a quieter machine (load {os.getloadavg()[0]:.2f})...")
            time.sleep(5)
    return round(time.monotonic() - start, 1)


def _run_one(db: str, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"lodestar-bench-{db}-"))
    env = _base_env(data_dir)
    if db == "postgres":
        env["DATABASE_URL"] = args.postgres_url
        postgres_database(args.postgres_url, "create")
    if args.section == "ratelimit":
        command = [
            sys.executable, "-m", "harness.ratelimit", "--db", db, "--out", str(out),
            *(["--samples", str(args.samples)] if args.samples else []),
        ]  # fmt: skip
    elif args.section == "import":
        command = [
            sys.executable, "-m", "harness.feedback_import", "--db", db,
            "--rows", str(args.items), "--out", str(out),
        ]  # fmt: skip
        if args.plain:
            command.append("--plain")
    elif args.section == "bulk":
        command = [
            sys.executable, "-m", "harness.bulk", "--db", db, "--items", str(args.items),
            "--batch", str(args.batch), "--out", str(out),
        ]  # fmt: skip
        if args.plain:
            command.append("--plain")
    else:
        command = [
            sys.executable, "-m", "harness.measure", "--db", db, "--items", str(args.items),
            "--out", str(out),
        ]  # fmt: skip
        if args.quick:
            command.append("--quick")
        if args.samples:
            command += ["--samples", str(args.samples)]
        if args.no_server:
            command.append("--no-server")
    try:
        waited = _wait_for_quiet(args.quiet_load, args.quiet_wait)
        load = os.getloadavg()[0]
        commit, code = _commit()
        subprocess.run(command, env=env, check=True, timeout=CHILD_SECONDS, cwd=BENCH)  # noqa: S603
        result: dict[str, Any] = json.loads(out.read_text())
        after, code_after = _commit()
        if code_after != code:
            commit = f"{commit}, then {after}: src/ changed during the run"
        result["machine"].update(
            waited_for_quiet_s=waited, load_average_at_start=load, commit=commit
        )
        out.write_text(json.dumps(result, indent=2, default=str))
        return result
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if db == "postgres":
            postgres_database(args.postgres_url, "drop")


def main(argv: list[str]) -> int:
    if argv[:1] == ["flow"]:
        import flow

        flow.main(argv[1:])
        return 0
    if argv[:1] == ["outcomes"]:
        import outcomes

        outcomes.main(argv[1:])
        return 0
    args = _options(argv)
    if args.markdown:
        from harness.markdown import document

        print(document([json.loads(path.read_text()) for path in args.markdown]), end="")
        return 0
    if args.section == "forecast":
        command = [sys.executable, str(BENCH / "forecast.py")]
        if args.samples:
            command += ["--calls", str(args.samples)]
        return subprocess.run(command, check=False, cwd=BENCH).returncode  # noqa: S603
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if args.section == "charts":
        out = RESULTS / f"{stamp}-charts.json"
        command = [sys.executable, str(BENCH / "charts.py"), "--out", str(out)]
        command += ["--calls", str(args.samples)] if args.samples else []
        subprocess.run(command, check=True, timeout=CHILD_SECONDS)  # noqa: S603
        console.print(f"figures written to {out.relative_to(BENCH.parent)}")
        return 0
    results = []
    for db in databases:
        section = ("-bulk-plain" if args.plain else "-bulk") if args.section == "bulk" else ""
        section = "-ratelimit" if args.section == "ratelimit" else section
        if args.section == "import":
            section = "-import-plain" if args.plain else "-import"
        out = RESULTS / f"{stamp}-{db}{section}{'-quick' if args.quick else ''}.json"
        try:
            results.append(_run_one(db, args, out))
        except subprocess.CalledProcessError as exc:
            console.print(f"[red]The {db} run failed (exit code {exc.returncode}).[/red]")
            return 1
        except Exception as exc:  # one line, e.g. no PostgreSQL server
            console.print(f"[red]The {db} run could not start: {exc}[/red]")
            return 2
        console.print(f"{db}: figures written to {out.relative_to(BENCH.parent)}")
    if args.section == "ratelimit":
        from harness.ratelimit import print_results

        print_results(console, results)
        return 0
    if args.section == "import":
        from harness.feedback_import import print_results as print_import

        print_import(console, results)
        return 0
    if args.section == "bulk":
        from harness.report import print_bulk

        print_bulk(console, results)
        return 0
    from harness.report import print_all

    print_all(console, results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
