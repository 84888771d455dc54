"""The Monte Carlo kernels: many futures drawn from past throughput, all at once with NumPy.

A future is a sequence of periods whose throughput is drawn, independently and uniformly, from
a stretch of the history (the window: ``history[low:low + length]``). Rows are trials; each row
may draw from its own window, which lets the backtest simulate many past forecasts in one go.
Work is done in blocks of at most ``BUDGET`` draws, so memory stays bounded whatever is asked.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Ints = NDArray[np.int64]
Counts = NDArray[np.int32]

# Draws held in memory at once (4 bytes each, a few arrays of this size).
BUDGET = 2_000_000


def draw(
    rng: np.random.Generator, history: Counts, lows: Ints, lengths: Ints, columns: int
) -> Counts:
    """``columns`` periods of throughput for every row, each drawn from the row's window, as
    a (periods x rows) array: a period's draws for all rows are contiguous, so adding up
    periods runs over whole rows at once."""
    rows = lows.shape[0]
    if rows and lengths.min() == lengths.max():
        low, length = int(lows.min()), int(lengths[0])
        # 16-bit indices are drawn twice as fast as 64-bit ones, and histories are short.
        kind = np.uint16 if low + length <= np.iinfo(np.uint16).max else np.int64
        if low == int(lows.max()):
            index = rng.integers(low, low + length, size=(columns, rows), dtype=kind)
        else:  # windows of one length at different places (backtests)
            offsets = rng.integers(0, length, size=(columns, rows), dtype=kind)
            index = np.add(offsets, lows.astype(kind)[None, :])
    else:
        spread = (rng.random((columns, rows)) * lengths[None, :]).astype(np.int64)
        index = lows[None, :] + np.minimum(spread, lengths[None, :] - 1)
    return np.take(history, index)


def completion_periods(
    rng: np.random.Generator,
    history: Counts,
    lows: Ints,
    lengths: Ints,
    targets: Ints,
    horizon: int,
    guess: int,
) -> Ints:
    """For each row, the number of periods until its throughput adds up to its target: the
    first ``t`` with ``sum(draws[:t]) >= target``. A row not done within ``horizon`` periods
    gets ``horizon + 1`` ("beyond"). ``guess`` is the first block's length, in periods."""
    rows = targets.shape[0]
    done_at = np.full(rows, horizon + 1, dtype=np.int64)
    remaining = targets.astype(np.int64, copy=True)
    active = np.arange(rows, dtype=np.int64)
    elapsed = 0
    block = max(1, guess)
    while active.size and elapsed < horizon:
        columns = max(1, min(block, horizon - elapsed, BUDGET // active.size))
        totals = draw(rng, history, lows[active], lengths[active], columns)
        np.cumsum(totals, axis=0, out=totals)
        # Throughput is never negative, so the periods still short of the target come first.
        short = np.count_nonzero(totals < remaining[active], axis=0)
        finished = short < columns
        done_at[active[finished]] = elapsed + short[finished] + 1
        remaining[active] -= totals[-1]
        active = active[~finished]
        elapsed += columns
        # The rows left are the slow ones: the next block need not be as long.
        block = max(8, guess // 2)
    return done_at


def sums(
    rng: np.random.Generator, history: Counts, lows: Ints, lengths: Ints, periods: Ints
) -> Ints:
    """For each row, the throughput of its first ``periods[row]`` periods added up."""
    rows = lows.shape[0]
    total = np.zeros(rows, dtype=np.int64)
    longest = int(periods.max()) if rows else 0
    if longest == 0:
        return total
    rows_per_chunk = max(1, BUDGET // max(1, min(longest, BUDGET)))
    for first_row in range(0, rows, rows_per_chunk):
        part = slice(first_row, min(rows, first_row + rows_per_chunk))
        count = periods[part]
        most = int(count.max())
        same = int(count.min()) == most
        done = 0
        while done < most:
            columns = min(most - done, max(1, BUDGET // (part.stop - part.start)))
            values = draw(rng, history, lows[part], lengths[part], columns)
            if not same:
                # Periods past a row's own number do not count for it.
                values[(done + np.arange(columns))[:, None] >= count[None, :]] = 0
            total[part] += values.sum(axis=0, dtype=np.int64)
            done += columns
    return total


def completion_counts_many(
    rng: np.random.Generator,
    history: Counts,
    lows: Ints,
    lengths: Ints,
    targets: Ints,
    horizon: int,
    guess: int,
) -> Ints:
    """``completion_periods`` for several targets at once, from the same futures, as counts:
    a (targets x horizon + 2) array whose ``[k, t]`` is the number of rows whose throughput
    first adds up to ``targets[k]`` in period ``t`` (``horizon + 1``: not within the horizon).
    ``targets`` ascending and positive. A row is drawn until it reaches the last target, in the
    blocks ``completion_periods`` draws, so with a single target the counts are those of
    ``completion_periods``' answer for the same ``rng``."""
    rows, count = lows.shape[0], targets.shape[0]
    found = np.zeros((count + 1, horizon + 2), dtype=np.int64)
    if count == 0:
        return found[:0]
    last = int(targets[-1])
    # How many targets a total reaches, for every total up to the last target (a look-up is
    # several times faster than a binary search per draw).
    reaches = np.searchsorted(targets, np.arange(last + 1), side="right").astype(np.int32)
    total = np.zeros(rows, dtype=np.int64)
    active = np.arange(rows, dtype=np.int64)
    elapsed = 0
    block = max(1, guess)
    while active.size and elapsed < horizon:
        columns = max(1, min(block, horizon - elapsed, BUDGET // active.size))
        sums = draw(rng, history, lows[active], lengths[active], columns).astype(np.int64)
        np.cumsum(sums, axis=0, out=sums)
        sums += total[active][None, :]
        # Targets reached by the end of each period of the block, and before it.
        # (Totals past the last target are all alike: such a row is done.)
        np.minimum(sums, last, out=sums)
        reached = reaches[sums]
        before = np.empty_like(reached)
        before[0] = reaches[np.minimum(total[active], last)]
        before[1:] = reached[:-1]
        # In period t a row first reaches the targets before[t] .. reached[t] - 1: add one at
        # before[t] and take it off at reached[t], then add up over the targets.
        period = np.arange(columns, dtype=np.int32)[:, None]
        size = (count + 1) * columns
        before *= columns
        before += period
        change = np.bincount(before.ravel(), minlength=size)
        before[:] = reached
        before *= columns
        before += period
        change -= np.bincount(before.ravel(), minlength=size)
        found[:, elapsed + 1 : elapsed + 1 + columns] += np.cumsum(
            change.reshape(count + 1, columns), axis=0
        )
        total[active] = sums[-1]
        active = active[reached[-1] < count]
        elapsed += columns
        block = max(8, guess // 2)
    counted = found[:count]
    counted[:, horizon + 1] = rows - counted[:, : horizon + 1].sum(axis=1)
    return counted
