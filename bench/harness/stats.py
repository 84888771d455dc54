"""Latency series and their percentiles, and loops bounded in count and in time."""

from __future__ import annotations

import gc
import math
import os
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# (when, generation, milliseconds) of every garbage collection once the monitor is installed:
# a full (generation 2) collection of a Django process takes tens of milliseconds, which is
# what the slowest percent of requests is made of.
GC_PAUSES: list[tuple[float, int, float]] = []
_gc_started: list[float] = []


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_started[:] = [time.perf_counter()]
    elif _gc_started:
        now = time.perf_counter()
        GC_PAUSES.append((now, int(info["generation"]), (now - _gc_started[0]) * 1000))


def install_gc_monitor() -> None:
    if _on_gc not in gc.callbacks:
        gc.callbacks.append(_on_gc)


def percentile(sorted_values: list[float], p: float) -> float:
    """The nearest-rank ``p``th percentile (the smallest value >= p% of the samples)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Series:
    """Wall-clock milliseconds of one kind of request, with the target its p95 must meet."""

    name: str
    requested: int
    target_p95_ms: float | None = None
    samples_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    load_before: float = field(default_factory=lambda: os.getloadavg()[0])
    started: float = field(default_factory=time.perf_counter)
    ended: float = 0.0

    def add(self, ms: float, cpu_ms: float | None = None) -> None:
        self.ended = time.perf_counter()
        self.samples_ms.append(ms)
        if cpu_ms is not None:
            self.cpu_ms.append(cpu_ms)

    def summary(self) -> dict[str, Any]:
        values = sorted(self.samples_ms)
        cpu = sorted(self.cpu_ms)
        p95 = percentile(values, 95)
        full_gcs = [ms for when, generation, ms in GC_PAUSES
                    if generation == 2 and self.started <= when <= self.ended]  # fmt: skip
        return {
            "name": self.name,
            "requested": self.requested,
            "count": len(values),
            "truncated": len(values) < self.requested,
            "errors": len(self.errors),
            "error_examples": self.errors[:3],
            "p50_ms": percentile(values, 50),
            "p95_ms": p95,
            "p99_ms": percentile(values, 99),
            "max_ms": values[-1] if values else math.nan,
            "mean_ms": sum(values) / len(values) if values else math.nan,
            "cpu_p50_ms": percentile(cpu, 50) if cpu else None,
            "cpu_p95_ms": percentile(cpu, 95) if cpu else None,
            "full_gc_collections": len(full_gcs),
            "full_gc_max_ms": max(full_gcs, default=None),
            "load_average_before": round(self.load_before, 2),
            "load_average_after": round(os.getloadavg()[0], 2),
            "target_p95_ms": self.target_p95_ms,
            "meets_target": None
            if self.target_p95_ms is None or not values
            else bool(p95 <= self.target_p95_ms and not self.errors),
        }


def bounded(count: int, seconds: float) -> Iterator[int]:
    """``range(count)`` that also stops once ``seconds`` have passed (every loop ends)."""
    deadline = time.monotonic() + seconds
    for i in range(count):
        if time.monotonic() > deadline:
            return
        yield i


class Stopwatch:
    """``with Stopwatch() as watch: ...`` then ``watch.ms``."""

    ms: float = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter_ns()
        return self

    def __exit__(self, *exc: object) -> None:
        self.ms = (time.perf_counter_ns() - self._start) / 1e6


def timed(call: Any, calls: int, *, warm: int = 3) -> dict[str, float]:
    """``call`` run ``warm`` times not counted, then ``calls`` times: p50, p95 and max in
    milliseconds (wall time)."""
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
        "max_ms": round(times[-1], 2),
    }


class StatementCounter:
    """An execute wrapper (``connection.execute_wrapper``) that counts the statements run
    through it."""

    def __init__(self) -> None:
        self.statements = 0

    def __call__(self, execute: Any, *args: Any) -> Any:
        self.statements += 1
        return execute(*args)


def page_figures(get: Any, calls: int) -> dict[str, float]:
    """A page or an answer asked for through Django's test client (``get()`` returns the
    response): its times (``timed``), the statements one request runs (counted by a wrapper:
    the test client's request resets Django's own query log) and its size in kilobytes."""
    from django.db import connection

    counter = StatementCounter()
    with connection.execute_wrapper(counter):
        page = get()
    return {
        **timed(get, calls),
        "queries": counter.statements,
        "kilobytes": round(len(page.content) / 1024, 1),
    }
