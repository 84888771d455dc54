"""Exact distributions by convolution, to check the simulation against: the sum of ``t``
periods drawn independently and uniformly from a history is the ``t``-fold convolution of the
history's distribution."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def period_pmf(history: Sequence[int]) -> NDArray[np.float64]:
    """P(one period finishes k items), k = 0..max."""
    counts = np.bincount(np.asarray(history))
    return counts / counts.sum()


def sum_pmf(history: Sequence[int], periods: int) -> NDArray[np.float64]:
    """P(S_t = k): the distribution of the items ``periods`` periods finish."""
    one = period_pmf(history)
    total = np.array([1.0])
    for _ in range(periods):
        total = np.convolve(total, one)
    return total


def done_by(history: Sequence[int], items: int, periods: int) -> float:
    """P(T <= periods) = P(S_periods >= items)."""
    return float(sum_pmf(history, periods)[items:].sum())


def when_percentile(history: Sequence[int], items: int, percentile: int) -> int:
    """min{t : P(T <= t) >= p}."""
    t = 1
    while done_by(history, items, t) < percentile / 100 - 1e-12:
        t += 1
    return t


def how_many_percentile(history: Sequence[int], periods: int, percentile: int) -> int:
    """max{c : P(X >= c) >= p}."""
    pmf = sum_pmf(history, periods)
    at_least = np.cumsum(pmf[::-1])[::-1]  # at_least[c] = P(X >= c)
    return int(np.flatnonzero(at_least >= percentile / 100 - 1e-12).max())
