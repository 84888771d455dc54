"""Markdown tables of a run's figures, for docs/PERFORMANCE.md (``run.py --markdown``)."""

from __future__ import annotations

import math
from typing import Any


def _ms(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.1f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _name(result: dict[str, Any]) -> str:
    return str(result["machine"]["database"]).split()[0]


def latency(results: list[dict[str, Any]], key: str) -> str:
    """p50 / p95 / p99 / max in ms per request and database, and whether p95 meets its target."""
    gcs = key == "in_process"
    header = ["request"]
    for result in results:
        header += [f"{_name(result)} n", f"{_name(result)} p50 / p95 / p99 / max"]
        if gcs:
            header.append(f"{_name(result)} full GCs (longest)")
    header += ["p95 target"]
    names = [row["name"] for row in results[0].get(key, [])]
    rows = []
    for name in names:
        cells = [name]
        target = None
        for result in results:
            row = next((r for r in result.get(key, []) if r["name"] == name), None)
            if row is None:
                cells += ["-", "-", "-"] if gcs else ["-", "-"]
                continue
            target = row["target_p95_ms"]
            verdict = {True: " (met)", False: " (**missed**)"}.get(row["meets_target"], "")
            cells += [
                str(row["count"]),
                " / ".join(_ms(row[f"{p}_ms"]) for p in ("p50", "p95", "p99", "max")) + verdict,
            ]
            if gcs:
                cells.append(
                    f"{row.get('full_gc_collections', '-')} ({_ms(row.get('full_gc_max_ms'))})"
                )
        cells.append(f"<= {target:.0f} ms" if target else "")
        rows.append(cells)
    return _table(header, rows)


def query_cell(row: dict[str, Any]) -> str:
    """Reads, plus any write named by table (a token's once-a-minute ``last_used_at``)."""
    writes = row["write_statements"]
    if not writes:
        return str(row["reads"])
    return f"{row['reads']} + {sum(writes.values())} write ({', '.join(writes)})"


def queries(results: list[dict[str, Any]]) -> str:
    header = ["request", "items returned", *(_name(r) for r in results)]
    rows = []
    for row in results[0]["query_counts"]:
        cells = [row["request"], str(row["items"])]
        for result in results:
            match = next(r for r in result["query_counts"] if r["request"] == row["request"])
            cells.append(query_cell(match))
        rows.append(cells)
    return _table(header, rows)


def writes(results: list[dict[str, Any]]) -> str:
    header = ["database", "request", "requests", "rows written to the items table", "queries",
              "rows written elsewhere, per request"]  # fmt: skip
    rows = []
    for result in results:
        for name, tally in [("move", result["move_writes"]), *result["create_writes"].items()]:
            rows.append(
                [
                    _name(result),
                    name,
                    str(tally["requests"]),
                    ", ".join(
                        f"{rows_} row{'s' if rows_ != '1' else ''} in {n}"
                        for rows_, n in tally["item_rows_per_request"].items()
                    ),
                    ", ".join(f"{q} in {n}" for q, n in tally["queries_per_request"].items()),
                    ", ".join(
                        f"{table} {value:g}"
                        for table, value in tally["other_rows_per_request"].items()
                    ),
                ]
            )
    return _table(header, rows)


def crowding(results: list[dict[str, Any]]) -> str:
    header = ["database", "moves", "longest key (backlog)", "mean key (backlog)",
              "longest / mean key (64 items after the spot)", "rebalances so far"]  # fmt: skip
    rows = []
    for result in results:
        run = result["one_spot"]
        before = run["key_lengths_before"]
        rows.append(
            [
                _name(result),
                "0",
                str(before["max"]),
                str(before["mean"]),
                f"{before['near_max']} / {before['near_mean']}",
                "0",
            ]
        )
        for point in run["checkpoints"]:
            rows.append(
                [
                    _name(result),
                    f"{point['moves']:,}",
                    str(point["max"]),
                    str(point["mean"]),
                    f"{point['near_max']} / {point['near_mean']}",
                    str(point["rebalances_so_far"]),
                ]
            )
    return _table(header, rows)


def rebalancing(results: list[dict[str, Any]]) -> str:
    header = ["database", "what", "count", "items", "time", "rows written to the items table"]
    rows = []
    for result in results:
        name = _name(result)
        background = result["one_spot"]["background_rebalances"]
        rows.append(
            [
                name,
                "background task (neighbourhood), 10,000 moves at one spot",
                str(background["rebalances"]),
                f"mean {background['items_per_rebalance_mean']:g}, "
                f"max {background['items_per_rebalance_max']:,}",
                f"p50 {_ms(background['ms_p50'])} ms, max {_ms(background['ms_max'])} ms",
                f"{background['item_rows_written_total']:,} in total",
            ]
        )
        unattended = result["one_spot_no_worker"]
        inline = unattended["inline_rebalances"]
        rows.append(
            [
                name,
                f"inside a move, {unattended['latency']['count']:,} moves at one spot, no worker",
                str(inline["count"]),
                "",
                f"max {_ms(inline['ms_max'])} ms (the move)",
                f"{inline['item_rows_written_max']:,} per such move",
            ]
        )
        full = result["full_rebalance"]
        rows.append(
            [
                name,
                "whole backlog",
                "1",
                f"{full['items']:,}",
                f"{full['seconds']:.1f} s",
                f"{full['item_rows_written']:,} in {full['item_write_statements']} statements",
            ]
        )
    return _table(header, rows)


def document(results: list[dict[str, Any]]) -> str:
    """Every table, each under a heading, ready to paste."""
    runs = "\n".join(
        f"- {r['machine']['database']}: {r['items']:,} items, {r['machine']['date']}, "
        f"commit {r['machine'].get('commit', '?')}, load average at start "
        f"{r['machine'].get('load_average_at_start', float('nan')):.2f}"
        for r in results
    )
    parts = [
        runs,
        "### Through the API, in-process (ms)",
        latency(results, "in_process"),
        "### Through a real `lodestar serve` (ms)",
        latency(results, "server"),
        "### Queries per request",
        queries(results),
        "### Rows written",
        writes(results),
        "### 10,000 moves to one spot (key lengths in characters)",
        crowding(results),
        "### Rebalancing",
        rebalancing(results),
    ]
    return "\n\n".join(parts) + "\n"
