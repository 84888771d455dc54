"""Reading a Jira export: rows per second of the Jira CSV reader over a generated 20,000-issue
"all fields" export with comments, and of the XML reader over the same issues as Jira's XML.

    .venv/bin/python bench/import_readers_jira.py [--issues N] [--runs N] [--no-csv] [--no-xml]

No database: the readers only read (``interop.imports.readers.jira.read_jira``: bytes to a
bundle). The CSV has Jira Cloud's columns with the repeated ones (two sprints, three labels,
two watchers, three comments, two fix versions), a description of six lines of wiki markup
(a heading, bold, a link, a list, a code block), dates as ``dd/MMM/yy h:mm a`` detected from
the file, story points, ranks in shuffled file order, every fifth issue an epic and the others
under one through ``Parent`` (an issue id, resolved to its key). Each run reads the whole file
from its bytes (decode, separator, date detection over every date, every cell); the best and
the median of ``--runs`` (5) are printed with the CPU time of the best, after one run not
counted, and how fast this machine runs Python at that moment (``sum(range(1000))``: a
loaded shared machine is several times slower than an idle one). The XML run also reports the
memory Python allocated at its peak while reading (``tracemalloc``, a run of its own) beside
what the bundle it returns holds: the reader lets each ``<item>`` go once read, so the peak
is the bundle plus one item, not the file's tree. The issue's target is a whole
import (read + write) of 5,000 items/s, so reading aims well above: >= 15,000 rows/s.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import statistics
import time
import timeit
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lodestar.interop.imports.bundle import ReadOptions
from lodestar.interop.imports.readers.jira import read_jira

RESULTS = Path(__file__).resolve().parent / "results"
HEADER = [
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Project key",
    "Project name",
    "Priority",
    "Resolution",
    "Assignee",
    "Assignee Id",
    "Reporter",
    "Reporter Id",
    "Creator",
    "Creator Id",
    "Created",
    "Updated",
    "Last Viewed",
    "Resolved",
    "Fix Version/s",
    "Fix Version/s",
    "Component/s",
    "Labels",
    "Labels",
    "Labels",
    "Description",
    "Watchers",
    "Watchers",
    "Watchers Id",
    "Watchers Id",
    "Attachment",
    "Custom field (Epic Link)",
    "Custom field (Rank)",
    "Custom field (Story Points)",
    "Sprint",
    "Sprint",
    "Comment",
    "Comment",
    "Comment",
    "Parent",
    "Parent summary",
    "Status Category",
    "Status Category Changed",
]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
PEOPLE = [(f"Person {n}", f"557058:{n:08x}-aaaa-4bbb-8ccc-{n:012x}") for n in range(40)]
STATUSES = [("To Do", "To Do"), ("In Progress", "In Progress"), ("In Review", "In Progress")]
DESCRIPTION = (
    "h2. Why\nBuyers want *fewer* steps; see [the spec|https://wiki.example.com/{n}].\n"
    "* one\n* two\n{{code}}\n{code:python}\nx = {n}\n{code}"
)


def _date(rng: random.Random) -> str:
    hour = rng.randint(1, 12)
    return (
        f"{rng.randint(1, 28):02d}/{rng.choice(MONTHS)}/2{rng.randint(4, 6)} "
        f"{hour}:{rng.randint(0, 59):02d} {rng.choice(('AM', 'PM'))}"
    )


def issues(count: int, seed: int = 13) -> list[dict[str, Any]]:
    """The issues both files are written from."""
    rng = random.Random(seed)
    ranks = [f"0|i{n:05x}:" for n in range(count)]
    rng.shuffle(ranks)
    rows = []
    for n in range(count):
        epic = n % 5 == 0
        status, category = STATUSES[n % 3] if n % 4 else ("Done", "Done")
        rows.append(
            {
                "n": n,
                "key": f"BIG-{n + 1}",
                "id": str(10000 + n),
                "type": "Epic" if epic else ("Story", "Task", "Bug")[n % 3],
                "status": status,
                "category": category,
                "assignee": rng.choice(PEOPLE),
                "reporter": rng.choice(PEOPLE),
                "created": _date(rng),
                "updated": _date(rng),
                "resolved": _date(rng) if category == "Done" else "",
                "versions": [f"1.{n % 7}", f"1.{n % 7 + 1}"],
                "labels": ["checkout", f"area-{n % 9}", "q3"],
                "watchers": rng.sample(PEOPLE, 2),
                "rank": ranks[n],
                "points": "" if epic else str(rng.choice((1, 2, 3, 5, 8))),
                "sprints": [f"BIG Sprint {n % 30}", f"BIG Sprint {n % 30 + 1}"],
                "comments": [
                    (_date(rng), rng.choice(PEOPLE)[1], f"Comment {k} on {n}; *looks* good.\nOK")
                    for k in range(3)
                ],
                "parent": "" if epic else str(10000 + n - n % 5),
            }
        )
    return rows


def jira_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for r in rows:
        writer.writerow(
            [
                f"Issue number {r['n']}",
                r["key"],
                r["id"],
                r["type"],
                r["status"],
                "BIG",
                "Big Product",
                "Medium",
                "Done" if r["resolved"] else "",
                *r["assignee"],
                *r["reporter"],
                *r["reporter"],
                r["created"],
                r["updated"],
                r["updated"],
                r["resolved"],
                *r["versions"],
                "",
                *r["labels"],
                DESCRIPTION.replace("{n}", str(r["n"])),
                r["watchers"][0][0],
                r["watchers"][1][0],
                r["watchers"][0][1],
                r["watchers"][1][1],
                "",
                "",
                r["rank"],
                r["points"],
                *r["sprints"],
                *(";".join(comment) for comment in r["comments"]),
                r["parent"],
                "",
                r["category"],
                r["updated"],
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def jira_xml(rows: list[dict[str, Any]]) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="0.92"><channel>']
    rfc = "Thu, 12 Mar 2026 15:04:00 +0000"
    for r in rows:
        comments = "".join(
            f'<comment id="{r["n"] * 3 + k}" author="{c[1]}" created="{rfc}">'
            f"{escape('<p>' + c[2] + '</p>')}</comment>"
            for k, c in enumerate(r["comments"])
        )
        fields = (
            f"<customfield><customfieldname>Rank</customfieldname><customfieldvalues>"
            f"<customfieldvalue>{r['rank']}</customfieldvalue></customfieldvalues></customfield>"
            f"<customfield><customfieldname>Story Points</customfieldname><customfieldvalues>"
            f"<customfieldvalue>{r['points'] or 0}</customfieldvalue></customfieldvalues>"
            "</customfield><customfield><customfieldname>Sprint</customfieldname>"
            "<customfieldvalues>"
            + "".join(f"<customfieldvalue>{s}</customfieldvalue>" for s in r["sprints"])
            + "</customfieldvalues></customfield>"
        )
        parts.append(
            f"<item><title>[{r['key']}] Issue number {r['n']}</title>"
            f"<link>https://big.atlassian.net/browse/{r['key']}</link>"
            f"<description>{escape('<p>Buyers want <b>fewer</b> steps.</p><ul><li>one</li></ul>')}"
            f'</description><key id="{r["id"]}">{r["key"]}</key>'
            f"<summary>Issue number {r['n']}</summary><type>{r['type']}</type>"
            f"<status>{r['status']}</status>"
            f'<statusCategory key="{"done" if r["category"] == "Done" else "new"}"/>'
            f'<assignee accountid="{r["assignee"][1]}">{r["assignee"][0]}</assignee>'
            f'<reporter accountid="{r["reporter"][1]}">{r["reporter"][0]}</reporter>'
            "<labels>" + "".join(f"<label>{label}</label>" for label in r["labels"]) + "</labels>"
            f"<created>{rfc}</created><updated>{rfc}</updated>"
            + "".join(f"<fixVersion>{v}</fixVersion>" for v in r["versions"])
            + f"<comments>{comments}</comments><customfields>{fields}</customfields></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode()


def measure(data: bytes, runs: int) -> tuple[list[float], list[float], int]:
    """Wall and CPU seconds of each run, and the items read."""
    read_jira(data, ReadOptions())  # not counted
    walls, cpus = [], []
    items = 0
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        bundle = read_jira(data, ReadOptions())
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
        items = len(bundle.items)
        if bundle.unreadable:
            raise SystemExit(f"unreadable rows: {bundle.unreadable[:3]}")
    return walls, cpus, items


def machine_speed() -> float:
    """Microseconds of ``sum(range(1000))``, best of 5: how fast this machine runs Python
    now (about 8 on an idle current desktop core), to compare runs on loaded machines."""
    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def memory(read: Callable[[], object]) -> tuple[int, int]:
    """Bytes Python allocated at the peak of ``read`` and those its result still holds."""
    tracemalloc.start()
    result = read()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--csv", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--xml", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    rows = issues(args.issues)
    figures: dict[str, Any] = {"issues": args.issues}
    kinds = ([("csv", jira_csv(rows))] if args.csv else []) + (
        [("xml", jira_xml(rows))] if args.xml else []
    )
    figures["sum_range_1000_us"] = round(machine_speed(), 1)
    print(f"machine: sum(range(1000)) takes {figures['sum_range_1000_us']} us")
    for kind, data in kinds:
        walls, cpus, items = measure(data, args.runs)
        best, median, cpu = min(walls), statistics.median(walls), min(cpus)
        line: dict[str, Any] = {
            "bytes": len(data),
            "items": items,
            "best_s": round(best, 3),
            "median_s": round(median, 3),
            "best_cpu_s": round(cpu, 3),
            "rows_per_s_best": round(items / best),
            "rows_per_s_median": round(items / median),
            "rows_per_cpu_s": round(items / cpu),
        }
        if kind == "xml":
            peak, held = memory(partial(read_jira, data, ReadOptions()))
            line["peak_python_bytes"], line["bundle_python_bytes"] = peak, held
        figures[kind] = line
        print(
            f"{kind}: {items:,} issues, {len(data) / 1e6:.1f} MB: best {best:.2f} s "
            f"({line['rows_per_s_best']:,} rows/s), median {median:.2f} s "
            f"({line['rows_per_s_median']:,} rows/s), CPU {cpu:.2f} s "
            f"({line['rows_per_cpu_s']:,} rows per CPU second)"
            + (
                f"; Python memory at the peak {line['peak_python_bytes'] / 1e6:.1f} MB, "
                f"held by the bundle read {line['bundle_python_bytes'] / 1e6:.1f} MB"
                if "peak_python_bytes" in line
                else ""
            )
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "import_readers_jira.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
