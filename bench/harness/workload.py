"""The measured requests: pages of the backlog in rank order, moves and creates.

Every function takes a ``Caller`` (in-process or over HTTP), so both runs send the same
requests; every loop is bounded in count and in time.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from harness.callers import Caller, Response
from harness.seed import CRITERIA, LABELS, WORDS, Fixture
from harness.stats import Series, bounded

WARMUP = 20
ITEM_TABLE = "backlog_backlogitem"


@dataclass
class Api:
    """Paths of the backlog API for the benchmark's workspace and product."""

    fixture: Fixture

    @property
    def workspace(self) -> str:
        return f"/api/v1/workspaces/{self.fixture.workspace_slug}"

    def backlog(self, limit: int, cursor: str | None = None) -> str:
        path = f"{self.workspace}/products/{self.fixture.product_key}/backlog?limit={limit}"
        return f"{path}&cursor={cursor}" if cursor else path

    def item(self, key: str, rest: str = "") -> str:
        return f"{self.workspace}/items/{key}{rest}"

    def key(self, number: int) -> str:
        return f"{self.fixture.product_key}-{number}"


@dataclass
class WriteTally:
    """Per request: rows written to the items table, and every write elsewhere."""

    item_rows: Counter[int] = field(default_factory=Counter)
    item_statements: Counter[int] = field(default_factory=Counter)
    other_rows: Counter[str] = field(default_factory=Counter)
    queries: Counter[int] = field(default_factory=Counter)
    requests: int = 0

    def add(self, response: Response) -> None:
        statements = response.statements
        if statements is None:
            return
        self.requests += 1
        self.item_rows[statements.write_rows.get(ITEM_TABLE, 0)] += 1
        self.item_statements[statements.write_statements.get(ITEM_TABLE, 0)] += 1
        self.queries[statements.queries] += 1
        for table, rows in statements.write_rows.items():
            if table != ITEM_TABLE:
                self.other_rows[table] += rows

    def as_dict(self) -> dict[str, Any]:
        n = max(self.requests, 1)
        return {
            "requests": self.requests,
            "item_rows_per_request": {str(k): v for k, v in sorted(self.item_rows.items())},
            "item_write_statements_per_request": {
                str(k): v for k, v in sorted(self.item_statements.items())
            },
            "queries_per_request": {str(k): v for k, v in sorted(self.queries.items())},
            "other_rows_per_request": {t: r / n for t, r in sorted(self.other_rows.items())},
        }


def _check(series: Series, response: Response, expected: int) -> bool:
    if response.status != expected:
        series.errors.append(f"{response.status}: {response.content[:300]!r}")
        return False
    return True


def first_page(
    call: Caller,
    api: Api,
    samples: int,
    seconds: float,
    target: float,
    *,
    warmup: int = WARMUP,
) -> Series:
    series = Series("first page of 100", samples, target)
    for _ in bounded(warmup, seconds):
        call("GET", api.backlog(100))
    for _ in bounded(samples, seconds):
        response = call("GET", api.backlog(100))
        if _check(series, response, 200):
            series.add(response.ms, response.cpu_ms)
    return series


def walk(call: Caller, api: Api, pages: int, seconds: float) -> tuple[Series, list[str]]:
    """Read the whole backlog 500 at a time; returns the timings and the cursors met."""
    series = Series("every page of 500 (walk)", pages)
    cursors: list[str] = []
    cursor: str | None = None
    for _ in bounded(pages, seconds):
        response = call("GET", api.backlog(500, cursor))
        if not _check(series, response, 200):
            break
        series.add(response.ms, response.cpu_ms)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
        cursors.append(cursor)
    series.requested = len(series.samples_ms)
    return series, cursors


def later_page(
    call: Caller,
    api: Api,
    cursors: list[str],
    samples: int,
    seconds: float,
    target: float,
    rng: random.Random,
    *,
    warmup: int = WARMUP,
) -> Series:
    series = Series("later page of 100 (cursor)", samples, target)
    if not cursors:
        return series
    for _ in bounded(warmup, seconds):
        call("GET", api.backlog(100, rng.choice(cursors)))
    for _ in bounded(samples, seconds):
        response = call("GET", api.backlog(100, rng.choice(cursors)))
        if _check(series, response, 200):
            series.add(response.ms, response.cpu_ms)
    return series


def move_body(api: Api, rng: random.Random, item: int, n_items: int) -> dict[str, Any]:
    """Before or after a random other item, or to the top or bottom (a quarter each)."""
    mode = rng.choice(["before", "after", "top", "bottom"])
    if mode in {"top", "bottom"}:
        return {"position": mode}
    anchor = item
    while anchor == item:
        anchor = rng.randint(1, n_items)
    return {mode: api.key(anchor)}


def moves(
    call: Caller,
    api: Api,
    n_items: int,
    samples: int,
    seconds: float,
    target: float,
    rng: random.Random,
    *,
    warmup: int = WARMUP,
) -> tuple[Series, WriteTally, Counter[str]]:
    series = Series("move (before/after/top/bottom)", samples, target)
    tally = WriteTally()
    modes: Counter[str] = Counter()
    for _ in bounded(warmup, seconds):
        item = rng.randint(1, n_items)
        call("POST", api.item(api.key(item), "/move"), move_body(api, rng, item, n_items))
    for _ in bounded(samples, seconds):
        item = rng.randint(1, n_items)
        body = move_body(api, rng, item, n_items)
        modes[next(iter(body)) if "position" not in body else body["position"]] += 1
        response = call("POST", api.item(api.key(item), "/move"), body)
        if _check(series, response, 200):
            series.add(response.ms, response.cpu_ms)
            tally.add(response)
    return series, tally, modes


def create_body(rng: random.Random, full: bool) -> dict[str, Any]:
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))).capitalize()
    if not full:
        return {"title": title}
    return {
        "title": title,
        "kind": "story",
        "description": f"As a user I want {' '.join(rng.sample(WORDS, 12))}.\n\n- one\n- two",
        "acceptance_criteria": rng.sample(CRITERIA, 2),
        "estimate": rng.choice([1, 2, 3, 5, 8]),
        "labels": rng.sample(LABELS, 1),
    }


def creates(
    call: Caller,
    api: Api,
    samples: int,
    seconds: float,
    target: float,
    rng: random.Random,
    *,
    full: bool,
    warmup: int = WARMUP,
) -> tuple[Series, WriteTally]:
    name = "create (title, description, criteria, estimate, label)" if full else "create (title)"
    series = Series(name, samples, target)
    tally = WriteTally()
    path = f"{api.workspace}/products/{api.fixture.product_key}/backlog"
    for _ in bounded(warmup, seconds):
        call("POST", path, create_body(rng, full))
    for _ in bounded(samples, seconds):
        response = call("POST", path, create_body(rng, full))
        if _check(series, response, 201):
            series.add(response.ms, response.cpu_ms)
            tally.add(response)
    return series, tally
