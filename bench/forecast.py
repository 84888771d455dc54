"""Forecast benchmark: the Monte Carlo engine alone, through the HTTP API, calibrated over ten
years of weekly history, and a replay of plain against calibrated forecasts.

    .venv/bin/python bench/forecast.py [--calls N] [--skip-api]

1. **Engine.** ``forecasting.engine.forecast``: a 10,000-trial *when* forecast from one year of
   daily history (365 days: Poisson throughput, 2.2 a working day, nothing at weekends), for
   about six weeks of work (the year's pace times 42 days, 60 items). ``--calls`` calls (200)
   after 5 not counted; p50, p95 and max wall time. Target: <= 20 ms.
2. **API.** The same question as ``POST /api/v1/workspaces/{slug}/forecasts`` with a bearer
   token, in-process through Django's whole request stack (``django.test.Client``, the real
   URLconf and middleware, production settings) on a scratch SQLite database made in a child
   process. Target: <= 50 ms.
3. **Calibrated.** A *when* forecast, ``calibrate: true``, from ten years of weekly history
   (520 weeks of the "messy" kind below), a 26-week window: 156 backtests of 2,000 trials each
   and the 10,000-trial forecast. Target: <= 1 s.
4. **Replay.** Ten synthetic project histories, five years of weekly throughput each, made to
   look like real ones (see ``_project``: a pace that drifts, regimes that change, quiet
   holiday weeks, batches of work closed at once, some autocorrelation). For each, every
   weekly forecast of six weeks of work from a 26-week window is replayed (``calibration.
   replay``): how often the plain 50/85/95% answers came true, and how often the calibrated
   ones did, each calibrated only with backtests whose outcome was known on its day. These are
   synthetic histories, not real projects' data: they show the method, not a claim about any
   team.

Figures go to bench/results/forecast-<stamp>.json and are printed as Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from harness.scratch import run_child

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
SEED = 20261130


def _daily_year(rng: np.random.Generator) -> list[int]:
    days = np.arange(365)
    working = (days % 7) < 5
    return [int(v) for v in np.where(working, rng.poisson(2.2, 365), 0)]


def _project(rng: np.random.Generator, weeks: int) -> list[int]:
    """A weekly history with what real ones have: a pace that drifts (a random walk on its
    logarithm), regimes (a team change every 30 to 80 weeks moves the pace by up to half),
    quiet weeks at the end of each year, batches (one week in eight closes a backlog of
    reviewed work, two to four times the pace), and autocorrelation (an AR(1) factor)."""
    base = rng.uniform(3, 12)
    log_pace = np.log(base) + np.cumsum(rng.normal(0, 0.03, weeks))
    week = 0
    while week < weeks:
        length = int(rng.integers(30, 80))
        log_pace[week:] += rng.normal(0, 0.35)
        week += length
    wobble = np.zeros(weeks)
    for i in range(1, weeks):
        wobble[i] = 0.6 * wobble[i - 1] + rng.normal(0, 0.2)
    pace = np.exp(log_pace + wobble)
    pace[(np.arange(weeks) % 52) >= 50] *= 0.2
    batches = rng.random(weeks) < 1 / 8
    pace[batches] *= rng.uniform(2, 4, int(batches.sum()))
    return [int(v) for v in rng.poisson(pace)]


def _timed(call: Callable[[], Any], calls: int, warm: int = 5) -> dict[str, float]:
    for _ in range(warm):
        call()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
        "max_ms": round(times[-1], 2),
        "calls": calls,
    }


def _engine(calls: int) -> dict[str, Any]:
    from lodestar.forecasting.engine import ForecastInput, forecast

    history = _daily_year(np.random.default_rng(SEED))
    items = round(float(np.mean(history)) * 42)
    data = ForecastInput("when", history, items=items, period="day", seed=1)
    figures = _timed(lambda: forecast(data), calls)
    return {**figures, "items": items, "days": len(history)}


def _calibrated(calls: int) -> dict[str, Any]:
    from lodestar.forecasting.engine import ForecastInput, forecast

    history = _project(np.random.default_rng(SEED), 520)
    data = ForecastInput("when", history, items=40, window=26, calibrate=True, seed=1)
    answer = forecast(data)
    figures = _timed(lambda: forecast(data), calls, warm=2)
    return {
        **figures,
        "weeks": len(history),
        "backtests": answer.calibration.backtests,
        "sentence": answer.calibration.sentence,
    }


def _replay() -> list[dict[str, Any]]:
    from lodestar.forecasting import calibration

    rows = []
    for number in range(10):
        history = np.asarray(_project(np.random.default_rng(SEED + number), 260), dtype=np.int64)
        backtests = calibration.backtest(
            history,
            kind="when",
            rng=np.random.default_rng(number),
            window=26,
            work_periods=6,
            trials=2000,
            limit=None,
        )
        row: dict[str, Any] = {"project": number + 1, "mean": round(float(history.mean()), 1)}
        for percentile in (50, 85, 95):
            result = calibration.replay(backtests, percentile)
            row[f"plain_{percentile}"] = round(result.plain, 3)
            row[f"calibrated_{percentile}"] = round(result.calibrated, 3)
            row["forecasts"] = result.forecasts
        rows.append(row)
    return rows


def child(calls: int, out: Path) -> None:
    """The API series, in a process with production settings on a scratch SQLite database."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from lodestar.people.models import ApiToken, Membership, Role, User, Workspace
    from lodestar.people.tokens import API_TOKEN_PREFIX, hash_secret, new_secret

    call_command("migrate", interactive=False, verbosity=0)
    workspace = Workspace.objects.create(slug="bench", name="Bench")
    user = User.objects.create_user("viewer@bench.test", "a-long-bench-password")
    Membership.objects.create(workspace=workspace, user=user, role=Role.VIEWER)
    secret = new_secret(API_TOKEN_PREFIX)
    ApiToken.objects.create(
        workspace=workspace,
        user=user,
        name="bench",
        prefix=secret[:8],
        token_hash=hash_secret(secret),
    )
    history = _daily_year(np.random.default_rng(SEED))
    items = round(float(np.mean(history)) * 42)
    body = json.dumps(
        {"question": "when", "items": items, "throughput": history, "period": "day", "seed": 1}
    )
    client = Client(headers={"Authorization": f"Bearer {secret}"})

    def ask() -> None:
        response = client.post(
            "/api/v1/workspaces/bench/forecasts", body, content_type="application/json"
        )
        if response.status_code != 200:
            raise SystemExit(f"{response.status_code}: {response.content[:300]!r}")

    out.write_text(json.dumps({**_timed(ask, calls), "items": items}))


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=True,
            cwd=BENCH,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--child", choices=["sqlite"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.calls, args.out)
        return
    load_before = os.getloadavg()[0]
    results: dict[str, Any] = {
        "commit": _commit(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average_at_start": round(load_before, 2),
        "numpy": np.__version__,
    }
    results["engine"] = _engine(args.calls)
    if not args.skip_api:
        # The test client's host, plain HTTP, and no rate limit for a benchmark's burst.
        os.environ.update(
            LODESTAR_ALLOWED_HOSTS="testserver",
            LODESTAR_INSECURE_HTTP="1",
            LODESTAR_API_RATE_LIMIT="1000000000",
        )
        results["api"] = run_child(
            __file__, "sqlite", ["--calls", str(args.calls)], postgres_url=""
        )
    results["calibrated"] = _calibrated(max(5, args.calls // 10))
    results["replay"] = _replay()
    results["load_average_at_end"] = round(os.getloadavg()[0], 2)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"forecast-{stamp}.json").write_text(json.dumps(results, indent=2))
    _print(results)


def _print(results: dict[str, Any]) -> None:
    print(
        f"{results['date']}, commit {results['commit']}, load average "
        f"{results['load_average_at_start']} to {results['load_average_at_end']}\n"
    )
    print("| what | p50 | p95 | max | target |")
    print("|---|---|---|---|---|")
    engine = results["engine"]
    print(
        f"| engine: 10,000 trials, {engine['days']} days of history, {engine['items']} items | "
        f"{engine['p50_ms']} ms | {engine['p95_ms']} ms | {engine['max_ms']} ms | <= 20 ms |"
    )
    if "api" in results:
        api = results["api"]
        print(
            f"| API: the same, POST .../forecasts in-process | {api['p50_ms']} ms | "
            f"{api['p95_ms']} ms | {api['max_ms']} ms | <= 50 ms |"
        )
    calibrated = results["calibrated"]
    print(
        f"| calibrated: {calibrated['weeks']} weeks, {calibrated['backtests']} backtests | "
        f"{calibrated['p50_ms']} ms | {calibrated['p95_ms']} ms | {calibrated['max_ms']} ms "
        "| <= 1,000 ms |"
    )
    print()
    print("| project | mean a week | forecasts | P50 plain | P50 calibrated | P85 plain | "
          "P85 calibrated | P95 plain | P95 calibrated |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for row in results["replay"]:
        print(
            f"| {row['project']} | {row['mean']} | {row['forecasts']} | "
            + " | ".join(
                f"{row[f'{kind}_{p}']:.0%}"
                for p in (50, 85, 95)
                for kind in ("plain", "calibrated")
            )
            + " |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
