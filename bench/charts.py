"""Chart rendering: time and bytes per chart kind at realistic sizes.

    .venv/bin/python bench/charts.py [--calls N] [--out FILE.json]
    .venv/bin/python bench/run.py charts [--samples N]

Each chart (``lodestar.core.charts``) is drawn from plain data, then its figure rendered by
``partials/chart.html`` (the SVG, the legend and the table behind it), ``--calls`` times after
5 not counted. Reported per kind: the drawing and the figure's render in ms (p50, p95), the
SVG's bytes, the whole figure's bytes, and the figure gzipped (what a compressing proxy
sends). No database: the data is made up, with a fixed seed.

Sizes: a 90-day sprint of 500 items (burndown and burnup, scope changed on 6 days), the last
12 sprints' velocity, 90 and 500 days of cumulative flow over 5 statuses, 500 finished items'
cycle times, 120 items in progress on a 5-column board against 500 cycle times, 26 weeks of
throughput, and a forecast of 10,000 trials binned by the weeks each took.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
START = dt.date(2026, 1, 5)
STATUSES = ["Done", "Review", "In progress", "Ready", "To do"]


def _setup() -> Any:
    """Django's template engine alone, over the app's templates (no settings, no database)."""
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.conf import settings

    settings.configure(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [str(ROOT / "src" / "lodestar" / "templates")],
            }
        ],
        USE_TZ=True,
    )
    django.setup()
    from django.template.loader import get_template

    return get_template("partials/chart.html")


def _cases() -> dict[str, Callable[[], Any]]:
    from lodestar.core import charts

    rng = random.Random(20261130)
    days = []
    scope, done = 500.0, 0.0
    for offset in range(90):
        if offset in {9, 20, 33, 41, 58, 70}:
            scope += rng.choice([-15, 10, 20, 25])
        done = min(scope, done + rng.choice([0, 2, 5, 6, 8, 11]))
        days.append(charts.BurnDay(START + dt.timedelta(days=offset), scope, done))
    end = START + dt.timedelta(days=89)
    sprints = [
        charts.SprintVelocity(f"Sprint {n}", rng.randint(18, 34), rng.randint(22, 30))
        for n in range(1, 13)
    ]

    def flow(count: int) -> list[Any]:
        rows, finished = [], 0
        for offset in range(count):
            finished += rng.randint(0, 4)
            counts = {"Done": finished, "Review": rng.randint(1, 6), "In progress": 8}
            counts |= {"Ready": rng.randint(3, 12), "To do": max(0, 400 - offset)}
            rows.append(charts.FlowDay(START + dt.timedelta(days=offset), counts))
        return rows

    flow90, flow500 = flow(90), flow(500)
    cycle = [
        charts.CycleItem(
            f"ACME-{n} Item number {n}",
            START + dt.timedelta(days=rng.randint(0, 180)),
            round(rng.lognormvariate(1.6, 0.6), 1),
        )
        for n in range(500)
    ]
    history = [item.days for item in cycle]
    columns = ["Ready", "In progress", "Review", "Testing", "Deploying"]
    aging = [
        charts.AgingItem(f"ACME-{n}", rng.choice(columns), rng.randint(0, 40)) for n in range(120)
    ]
    weeks = [
        charts.PeriodCount(START + dt.timedelta(weeks=n), rng.randint(2, 14)) for n in range(26)
    ]
    weekly = [p.count for p in weeks]
    trials = Counter()
    for _ in range(10_000):
        left, taken = 60.0, 0
        while left > 0:
            left -= rng.choice(weekly)
            taken += 1
        trials[taken] += 1
    ordered = sorted(trials.elements())
    # Nearest rank, as the charts' own percentiles.
    marks = [(p, float(charts.percentile(ordered, p))) for p in (50, 85, 95)]
    bins = sorted(trials.items())
    return {
        "burndown, 90 days, 500 items": lambda: charts.burndown(days, end=end, unit="items"),
        "burnup, 90 days, 500 items": lambda: charts.burnup(days, end=end, unit="items"),
        "velocity, 12 sprints": lambda: charts.velocity(sprints),
        "cumulative flow, 90 days x 5 statuses": lambda: charts.cumulative_flow(flow90, STATUSES),
        "cumulative flow, 500 days x 5 statuses": lambda: charts.cumulative_flow(flow500, STATUSES),
        "cycle-time scatter, 500 items": lambda: charts.cycle_time_scatter(cycle),
        "aging WIP, 120 items, 5 columns": lambda: charts.aging_wip(
            columns, aging, history=history
        ),
        "throughput, 26 weeks": lambda: charts.throughput(weeks),
        "forecast histogram, 10,000 trials": lambda: charts.forecast_histogram(bins, marks),
    }


def _ms(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)


def measure(calls: int) -> dict[str, Any]:
    template = _setup()
    results = []
    for name, draw in _cases().items():
        drawing, whole = [], []
        for index in range(calls + 5):
            began = time.perf_counter()
            chart = draw()
            drawn = time.perf_counter()
            html = template.render({"chart": chart})
            ended = time.perf_counter()
            if index >= 5:
                drawing.append(drawn - began)
                whole.append(ended - began)
        results.append(
            {
                "chart": name,
                "draw_ms_p50": _ms(drawing, 0.5),
                "draw_ms_p95": _ms(drawing, 0.95),
                "figure_ms_p50": _ms(whole, 0.5),
                "figure_ms_p95": _ms(whole, 0.95),
                "svg_bytes": len(str(chart.svg).encode()),
                "figure_bytes": len(html.encode()),
                "figure_gzip_bytes": len(gzip.compress(html.encode())),
                "table_rows": len(chart.table.rows) if chart.table else 0,
            }
        )
    return {"calls": calls, "python": sys.version.split()[0], "charts": results}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = measure(args.calls)
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Charts ({args.calls} calls each; ms; bytes)")
    headings = ("chart", "draw p50", "draw p95", "figure p50", "figure p95", "SVG", "figure")
    for heading in (*headings, "gzip", "rows"):
        table.add_column(heading, justify="left" if heading == "chart" else "right")
    times = ("draw_ms_p50", "draw_ms_p95", "figure_ms_p50", "figure_ms_p95")
    sizes = ("svg_bytes", "figure_bytes", "figure_gzip_bytes", "table_rows")
    for row in result["charts"]:
        table.add_row(
            row["chart"], *(f"{row[k]:.2f}" for k in times), *(f"{row[k]:,}" for k in sizes)
        )
    Console(width=160).print(table)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
