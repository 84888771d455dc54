"""The CSV import of feedback: rows per second by ``feedback_import``, in a process of its own
(``bench/run.py import``).

A file of ``--rows`` pieces of feedback is made first (not timed), shaped like a support
tool's export: a text of one to three sentences (one in ten with Markdown and a link, one in
ten over two paragraphs; ``--plain``: no Markdown, one in five over two paragraphs), one of
400 customers by name (new to the workspace: the import adds them), a contact's email on half
the rows (2,000 addresses, five at each customer, added too), a date in the last six months in
ISO form, a source, and zero to two tags. Then three timings, each of the whole call (reading
the bytes, every check, customers and contacts, Markdown, the inserts, one history entry and
one event per row created, the commit): a dry run, the import, and importing the same file
again (every row skipped by its fingerprint).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

err = Console(stderr=True)
SOURCES = ["support", "sales", "survey", "interview", ""]
TAGS = ["export", "billing", "mobile", "search", "reports", "onboarding", "api", "speed"]


def _text(rng: random.Random, words: list[str], plain: bool) -> str:
    def sentence() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(6, 16))).capitalize() + "."

    body = " ".join(sentence() for _ in range(rng.randint(1, 3)))
    roll = rng.random()
    if roll < 0.1 or (plain and roll < 0.2):
        body += "\n\n" + sentence()
    elif roll < 0.2:
        body = f"**{sentence()}** {body} See https://example.com/{rng.randint(1, 999)}"
    return body


def make_file(rows: int, rng: random.Random, plain: bool = False) -> bytes:
    from harness.seed import WORDS

    customers = [f"{rng.choice(WORDS).capitalize()} {n} Ltd" for n in range(400)]
    start = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=180)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Feedback", "Company", "Email", "Date", "Source", "Tags"])
    for n in range(rows):
        # Half the rows name a contact, who works at one customer (five contacts each).
        person = rng.randint(0, 1999) if rng.random() < 0.5 else None
        writer.writerow(
            [
                f"{_text(rng, WORDS, plain)} ({n})",
                customers[person % 400] if person is not None else rng.choice(customers),
                f"person{person}@example.com" if person is not None else "",
                (start + dt.timedelta(days=rng.randint(0, 179))).isoformat(),
                rng.choice(SOURCES),
                ", ".join(rng.sample(TAGS, rng.randint(0, 2))),
            ]
        )
    return out.getvalue().encode()


def run(*, db: str, rows: int, plain: bool) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lodestar.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from harness.measure import machine
    from harness.sql import counting
    from harness.stats import Stopwatch
    from lodestar.discovery.imports import feedback_import
    from lodestar.discovery.models import Contact, Customer, Feedback
    from lodestar.people.models import Membership, Role, User, Workspace
    from lodestar.people.policy import Actor

    rng = random.Random(20261130)
    err.log(f"[bold]{db}: migrate[/bold]")
    call_command("migrate", interactive=False, verbosity=0)
    workspace = Workspace.objects.create(slug="bench", name="Bench")
    user = User.objects.create_user("pm@bench.test", "bench-password-not-secret")
    member = Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    actor = Actor(user=user, membership=member)
    data = make_file(rows, rng, plain)
    err.log(f"[bold]{db}: {rows:,} rows, {len(data) / 1024 / 1024:.1f} MB[/bold]")
    timings: dict[str, dict[str, Any]] = {}
    for name, dry_run in (("dry_run", True), ("import", False), ("again", False)):
        cpu = time.process_time()
        with counting() as statements, Stopwatch() as watch:
            report = feedback_import(actor=actor, data=data, dry_run=dry_run)
        cpu = time.process_time() - cpu
        assert report.ok, report.errors[:3]
        timings[name] = {
            "seconds": round(watch.ms / 1000, 3),
            "rows_per_second": round(rows / (watch.ms / 1000)),
            # This process's CPU time: what the import costs here when other work on the
            # machine takes turns on its cores (the database server's own time is not in it).
            "cpu_seconds": round(cpu, 3),
            "rows_per_cpu_second": round(rows / cpu),
            "created": report.created,
            "skipped": report.skipped,
            "queries": statements.queries,
        }
        err.log(f"{db}: {name}: {timings[name]}")
    return {
        "db": db,
        "machine": machine(),
        "feedback_import": {
            "rows": rows,
            "megabytes": round(len(data) / 1024 / 1024, 1),
            "text": "plain" if plain else "one row in ten with Markdown and a link",
            "feedback": Feedback.objects.count(),
            "customers": Customer.objects.count(),
            "contacts": Contact.objects.count(),
            **timings,
            "target_rows_per_second": 20_000,
        },
    }


def print_results(console: Console, results: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(
        title="CSV import of feedback: rows per second of wall clock (per second of this "
        "process's CPU); target 20,000"
    )
    for header in ("database", "rows", "load", "dry run", "import", "again (all skipped)"):
        table.add_column(header)
    for result in results:
        figures = result["feedback_import"]
        table.add_row(
            result["db"],
            f"{figures['rows']:,}",
            f"{result['machine'].get('load_average_at_start', 0):.1f}",
            *(
                f"{figures[name]['rows_per_second']:,}/s "
                f"({figures[name].get('rows_per_cpu_second', 0):,}/CPU s), "
                f"{figures[name]['seconds']} s"
                for name in ("dry_run", "import", "again")
            ),
        )
    console.print(table)


def main(argv: list[str]) -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--plain", action="store_true")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    result = run(db=args.db, rows=args.rows, plain=args.plain)
    args.out.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
