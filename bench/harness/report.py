"""The tables printed at the end of a run (from the JSON each database's run wrote)."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.table import Table

from harness.markdown import query_cell


def _ms(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.1f}"


def _verdict(row: dict[str, Any]) -> str:
    if row.get("meets_target") is None:
        return ""
    return "[green]met[/green]" if row["meets_target"] else "[red]missed[/red]"


def latency_table(title: str, results: list[dict[str, Any]], key: str) -> Table:
    table = Table(title=title)
    columns = ("database", "request", "n", "p50", "p95", "p99", "max", "p95 target", "",
               "cpu p50", "cpu p95", "full GCs", "load")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column in {"database", "request"} else "right")
    for result in results:
        for row in result.get(key, []):
            count = f"{row['count']}" + (" (cut)" if row["truncated"] else "")
            if row["errors"]:
                count += f" [red]{row['errors']} errors[/red]"
            target = row["target_p95_ms"]
            table.add_row(
                result["machine"]["database"],
                row["name"],
                count,
                _ms(row["p50_ms"]),
                _ms(row["p95_ms"]),
                _ms(row["p99_ms"]),
                _ms(row["max_ms"]),
                f"<= {target:.0f}" if target else "",
                _verdict(row),
                _ms(row["cpu_p50_ms"]),
                _ms(row["cpu_p95_ms"]),
                f"{row.get('full_gc_collections', 0)} (max {_ms(row.get('full_gc_max_ms'))})"
                if row.get("full_gc_collections")
                else "",
                f"{row['load_average_before']:.1f}-{row['load_average_after']:.1f}",
            )
    return table


def writes_table(results: list[dict[str, Any]]) -> Table:
    table = Table(title="Rows written per request (items table; other tables per request)")
    for column in ("database", "request", "requests", "item rows: requests", "queries: requests",
                   "other rows per request"):  # fmt: skip
        table.add_column(column)
    for result in results:
        rows = [("move", result["move_writes"]), *result["create_writes"].items()]
        for name, writes in rows:
            table.add_row(
                result["machine"]["database"],
                name,
                str(writes["requests"]),
                ", ".join(f"{k}: {v}" for k, v in writes["item_rows_per_request"].items()),
                ", ".join(f"{k}: {v}" for k, v in writes["queries_per_request"].items()),
                ", ".join(f"{t} {r:.2f}" for t, r in writes["other_rows_per_request"].items()),
            )
    return table


def query_table(results: list[dict[str, Any]]) -> Table:
    table = Table(title="Queries per request (excluding BEGIN/SAVEPOINT)")
    table.add_column("request")
    for result in results:
        table.add_column(result["machine"]["database"], justify="right")
    table.add_column("items returned", justify="right")
    names = [row["request"] for row in results[0]["query_counts"]]
    for name in names:
        cells = []
        items = ""
        for result in results:
            row = next((r for r in result["query_counts"] if r["request"] == name), None)
            cells.append(query_cell(row) if row else "-")
            items = str(row["items"]) if row else items
        table.add_row(name, *cells, items)
    return table


def crowding_table(results: list[dict[str, Any]]) -> Table:
    table = Table(title="Moves to one spot: key lengths (whole backlog / 64 items after the spot)")
    for column in ("database", "run", "moves", "max", "mean", "near max", "near mean",
                   "longest moved key", "rebalances (bg / inline)"):  # fmt: skip
        table.add_column(column, justify="right" if column not in {"database", "run"} else "left")
    for result in results:
        for run_key in ("one_spot", "one_spot_no_worker"):
            run = result[run_key]
            name = "worker keeps up" if run["drained_after_each_move"] else "no worker"
            for point in run["checkpoints"]:
                table.add_row(
                    result["machine"]["database"],
                    name,
                    f"{point['moves']:,}",
                    str(point["max"]),
                    str(point["mean"]),
                    str(point["near_max"]),
                    str(point["near_mean"]),
                    str(point["longest_moved_key_so_far"]),
                    f"{point['rebalances_so_far']} / {point['inline_rebalances_so_far']}",
                )
    return table


def rebalance_table(results: list[dict[str, Any]]) -> Table:
    table = Table(title="Rebalancing")
    for column in ("database", "what", "count", "items each (max)", "time", "item rows written"):
        table.add_column(column)
    for result in results:
        database = result["machine"]["database"]
        background = result["one_spot"]["background_rebalances"]
        table.add_row(
            database,
            "background task, neighbourhood",
            str(background["rebalances"]),
            str(background["items_per_rebalance_max"]),
            f"p50 {_ms(background['ms_p50'])} ms, max {_ms(background['ms_max'])} ms",
            f"{background['item_rows_written_total']:,} in total",
        )
        inline = result["one_spot_no_worker"]["inline_rebalances"]
        table.add_row(
            database,
            "inside a move (no worker)",
            str(inline["count"]),
            "",
            f"max {_ms(inline['ms_max'])} ms",
            f"{inline['item_rows_written_max']:,} max per move",
        )
        full = result["full_rebalance"]
        table.add_row(
            database,
            "whole backlog",
            "1",
            f"{full['items']:,}",
            f"{full['seconds']:.2f} s",
            f"{full['item_rows_written']:,} in {full['item_write_statements']} statements",
        )
    return table


def print_all(console: Console, results: list[dict[str, Any]]) -> None:
    """Every table; ``cpu`` is the benchmark thread's CPU time per request (in-process only:
    with SQLite that is nearly all the work, with PostgreSQL the server's share is missing),
    ``load`` the 1-minute load average before and after the series."""
    for result in results:
        machine = result["machine"]
        console.print(
            f"[bold]{machine['database']}[/bold], {result['items']:,} items, {machine['date']}, "
            f"{machine['cpu']} ({machine['cores']} cores), Python {machine['python']}, "
            f"Django {machine['django']}"
        )
    console.print(latency_table("Through the API, in-process (ms)", results, "in_process"))
    if any("server" in result for result in results):
        console.print(latency_table("Through a real `lodestar serve` (ms)", results, "server"))
    console.print(writes_table(results))
    console.print(query_table(results))
    console.print(crowding_table(results))
    console.print(rebalance_table(results))


def print_bulk(console: Console, results: list[dict[str, Any]]) -> None:
    """The bulk write path: items created per second, and the whole-backlog rebalances."""
    table = Table(title="Bulk write path")
    columns = ("database", "commit", "items", "calls x specs", "items/s",
               "call p50 / p95 / max (ms)", "queries per call",
               "whole rebalance (s, rows written)", "")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column in {"database", "commit"} else "right")
    for result in results:
        bulk = result["bulk_create"]
        rebalances = result["full_rebalance"]
        met = bulk["items_per_second"] >= bulk["target_items_per_second"] and all(
            r["seconds"] < result["rebalance_target_seconds"] for r in rebalances
        )
        table.add_row(
            result["machine"]["database"],
            str(result["machine"].get("commit", "")),
            f"{bulk['items']:,}",
            f"{bulk['calls']} x {bulk['batch']:,} ({bulk.get('text', 'markdown')})",
            f"{bulk['items_per_second']:,}",
            f"{_ms(bulk['call_ms_p50'])} / {_ms(bulk['call_ms_p95'])} / {_ms(bulk['call_ms_max'])}",
            str(bulk["queries_per_call_max"]),
            ", ".join(f"{r['seconds']:.2f} ({r['item_rows_written']:,})" for r in rebalances),
            "[green]met[/green]" if met else "[red]missed[/red]",
        )
    console.print(table)
