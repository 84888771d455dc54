"""Search benchmark: 1,000,000 feedback-like documents in the search index, on SQLite and
PostgreSQL; newest-first and relevance top-20 and ``similar`` timed at the backend.

    .venv/bin/python bench/search.py [--db sqlite|postgres|both] [--docs N] [--queries N]

Each database runs in a process of its own against a scratch database that this script
creates and removes: SQLite in a temporary LODESTAR_DATA_DIR, PostgreSQL as
``lodestar_bench_search`` (``--postgres-url``). The documents go straight into the index
through ``core.search.backends`` (``upsert``, 20,000 per statement batch, as an import would
write them), so the time to index them is measured too.

The text: customer-feedback-like sentences drawn from a vocabulary of 20,000 words whose use
follows Zipf's law (s = 1.1; the first 300 are real product words, the long tail made up), 8 to
60 words each, dated over the past two years, 100 customers in 4 segments, 1 to 3 tags.

The queries, ``--queries`` rounds (25) of six, with fresh words each round, in one workspace:

- newest first, top 20: one common word (rank 5-50), one mid word (rank 50-500), two words
  (common and mid), a prefix (``exp*``-like, three letters of a common word), a quoted phrase of
  two words that occur together in the text, and a common word with a segment facet;
- relevance, top 20: the same mix;
- ``similar``: a 25-word text drawn from the same distribution, kinds=[feedback], top 5.

``SEARCH_BENCH_FILL_ONLY=1`` and ``SEARCH_BENCH_MEASURE_ONLY=1`` (with ``--child``, a
``DATABASE_URL`` or ``LODESTAR_DATA_DIR`` of your own) fill a database once and measure it
again after a change.

The figures are p50, p95 and max in milliseconds (the SQL and its rows, not HTTP or loading the
20 objects, which adds one indexed query per kind).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from harness.scratch import run_child

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/lodestar_bench_search"
DOCS = 1_000_000
ROUNDS = 25
BATCH = 20_000
VOCABULARY = 20_000
SEED = 20261130

_REAL_WORDS = """
app crash crashes login password update sync slow export pdf import csv report dashboard
chart notification notifications email invoice invoices payment refund subscription price
account settings dark mode search filter calendar reminder task tasks list lists project
projects team share sharing link upload download photo photos file files attachment offline
battery phone tablet ipad android iphone web desktop windows mac screen button menu widget
font size scroll laggy freeze frozen error message blank page loading spinner timeout data
backup restore delete undo archive tag tags label labels comment comments mention chat call
video voice audio microphone camera gallery map location address contact contacts customer
support ticket help onboarding tutorial signup sign google apple facebook sso saml admin role
permission permissions invite invitation member members workspace folder folders note notes
markdown editor text bold table image images print printer keyboard shortcut shortcuts dark
theme color colors accessibility language translation spanish german french timezone time
zone date format currency tax vat billing plan plans trial free premium pro enterprise seat
seats license api webhook integration slack jira github zapier salesforce hubspot stripe sheet
spreadsheet excel word docs drive dropbox icloud storage quota limit limits fast faster speed
performance memory cpu heat hot overheating drain draining crashed broken bug bugs fix fixed
issue issues problem problems feature features request requests wish missing need needs want
love hate great terrible awful useless confusing simple easy hard difficult annoying frustrating
week month year daily weekly monthly schedule scheduled recurring repeat due overdue priority
status progress done complete completed open closed assign assigned assignee owner review
approval approve reject workflow automation rule rules trigger template templates copy paste
duplicate merge split move drag drop reorder sort order group groups view views kanban board
timeline gantt roadmap milestone milestones goal goals metric metrics kpi analytics insight
"""
REAL_WORDS = _REAL_WORDS.split()


def _vocabulary(rng: random.Random) -> list[str]:
    """REAL_WORDS first (most used), then made-up words for the long tail."""
    words = list(dict.fromkeys(REAL_WORDS))
    syllables = [
        "ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pre", "dor", "lin", "qua", "ber",
        "sen", "tor", "gal", "mex", "pil", "zen", "cor",
    ]  # fmt: skip
    seen = set(words)
    while len(words) < VOCABULARY:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Text:
    """Documents and queries drawn from one Zipf-distributed vocabulary."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = _vocabulary(self.rng)
        weights = [1 / (rank**1.1) for rank in range(1, len(self.words) + 1)]
        total = sum(weights)
        acc = 0.0
        self.cumulative = []
        for weight in weights:
            acc += weight / total
            self.cumulative.append(acc)

    def draw(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def document(self) -> tuple[str, str]:
        words = self.draw(self.rng.randint(8, 60))
        title = " ".join(words[:6]).capitalize()
        return title, " ".join(words)

    def rank(self, low: int, high: int) -> str:
        return self.words[self.rng.randint(low, high)]


def _fill(docs: int, workspace_id: int) -> dict[str, float]:
    import datetime as dt

    from django.db import transaction

    from lodestar.core.search.backends import Row, backend

    text = Text(SEED)
    now = dt.datetime.now(dt.UTC)
    segments = ["enterprise", "mid-market", "smb", "startup"]
    tags = ["ios", "android", "web", "billing", "sync", "ux", "performance", "onboarding"]
    engine = backend()
    seconds = 0.0
    done = 0
    while done < docs:
        rows = []
        for n in range(done, min(done + BATCH, docs)):
            title, body = text.document()
            customer = text.rng.randint(1, 100)
            rows.append(
                Row(
                    workspace_id=workspace_id,
                    kind="feedback",
                    object_id=n + 1,
                    title=title,
                    body=body,
                    at=now - dt.timedelta(seconds=text.rng.randint(0, 2 * 365 * 86400)),
                    facets={
                        "customer": [str(customer)],
                        "segment": [segments[customer % 4]],
                        "source": [text.rng.choice(["interview", "support", "import"])],
                        "tag": sorted(set(text.rng.sample(tags, text.rng.randint(1, 3)))),
                    },
                )
            )
        # Only the writing is timed (making up the text is not what is measured).
        start = time.perf_counter()
        with transaction.atomic():
            engine.upsert(rows)
        seconds += time.perf_counter() - start
        done += len(rows)
        print(f"indexed {done}", file=sys.stderr, flush=True)
    return {"docs": docs, "seconds": round(seconds, 1), "per_second": round(docs / seconds)}


def _queries(text: Text) -> list[tuple[str, str, dict[str, str]]]:
    """(label, query text, facets) for one round."""
    common, mid = text.rank(5, 50), text.rank(50, 500)
    pair = text.draw(40)
    start = text.rng.randint(0, 38)
    return [
        ("one common word", common, {}),
        ("one mid word", mid, {}),
        ("two words", f"{common} {mid}", {}),
        ("prefix", f"{text.rank(5, 100)[:3]}*", {}),
        ("phrase", f'"{pair[start]} {pair[start + 1]}"', {}),
        ("word + segment", common, {"segment": "smb"}),
    ]


def _time(call: Any) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(p95, 1),
        "max": round(ordered[-1], 1),
        "n": len(ordered),
    }


def _measure(workspace_id: int, rounds: int) -> dict[str, Any]:
    from lodestar.core.search.backends import Filters, backend
    from lodestar.core.search.query import parse

    engine = backend()
    text = Text(SEED + 1)
    results: dict[str, Any] = {}
    for relevance in (False, True):
        by_label: dict[str, list[float]] = {}
        every: list[float] = []
        for _ in range(rounds):
            for label, words, facets in _queries(text):
                filters = Filters(kinds=["feedback"], facets=facets)
                query = parse(words)
                ms = _time(
                    lambda query=query, filters=filters, relevance=relevance: engine.search(
                        workspace_id,
                        query,
                        filters,
                        relevance=relevance,
                        limit=21,
                        before=None,
                        offset=0,
                    )
                )
                by_label.setdefault(label, []).append(ms)
                every.append(ms)
        name = "relevance" if relevance else "newest"
        results[name] = {"all": _stats(every), **{k: _stats(v) for k, v in by_label.items()}}
    similar: list[float] = []
    for _ in range(rounds):
        words = " ".join(text.draw(25))
        similar.append(
            _time(
                lambda words=words: engine.similar(
                    workspace_id, words, kinds=["feedback"], limit=5, exclude=[]
                )
            )
        )
    results["similar"] = {"all": _stats(similar)}
    return results


def child(db: str, docs: int, rounds: int, out: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lodestar.people.models import Workspace

    if os.environ.get("SEARCH_BENCH_MEASURE_ONLY"):
        # A database filled by an earlier run with SEARCH_BENCH_FILL_ONLY (to measure again).
        workspace = Workspace.objects.get(slug="bench")
        measured = _measure(workspace.pk, rounds)
        out.write_text(json.dumps({"db": db, "fill": {}, **measured}, indent=2))
        return
    call_command("migrate", interactive=False, verbosity=0)
    workspace = Workspace.objects.create(slug="bench", name="Bench")
    Workspace.objects.create(slug="other", name="Other")
    filled = _fill(docs, workspace.pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE core_search_entry")
    else:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO core_search_fts(core_search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
    if os.environ.get("SEARCH_BENCH_FILL_ONLY"):
        return
    # A warm-up round (the first queries read the index from disk into the cache).
    _measure(workspace.pk, 3)
    measured = _measure(workspace.pk, rounds)
    out.write_text(json.dumps({"db": db, "fill": filled, **measured}, indent=2))


def _run(db: str, args: argparse.Namespace) -> dict[str, Any]:
    argv = ["--docs", str(args.docs), "--queries", str(args.queries)]
    return run_child(__file__, db, argv, postgres_url=args.postgres_url)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--docs", type=int, default=DOCS)
    parser.add_argument("--queries", type=int, default=ROUNDS, help="rounds of 6 queries")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.docs, args.queries, args.out)
        return
    results = [
        _run(db, args) for db in (["sqlite", "postgres"] if args.db == "both" else [args.db])
    ]
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"search-{stamp}.json"
    load = os.getloadavg()[0]
    path.write_text(json.dumps({"load": load, "results": results}, indent=2))
    for result in results:
        fill = result["fill"]
        print(f"\n{result['db']}: indexed {fill['docs']} in {fill['seconds']} s "
              f"({fill['per_second']}/s)")  # fmt: skip
        for name in ("newest", "relevance", "similar"):
            for label, figures in result[name].items():
                print(f"  {name:9} {label:16} p50 {figures['p50']:7} p95 {figures['p95']:7} "
                      f"max {figures['max']:7} ms (n={figures['n']})")  # fmt: skip
    print(f"\nload average {load:.1f}; figures in {path}")


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH.parent / "src"))
    main(sys.argv[1:])
