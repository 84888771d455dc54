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

# Draws held in memory at once (8 bytes each, a few arrays of this size).
BUDGET = 2_000_000


def draw(rng: np.random.Generator, history: Ints, lows: Ints, lengths: Ints, columns: int) -> Ints:
    """``columns`` periods of throughput for every row, each drawn from the row's window."""
    rows = lows.shape[0]
    if rows and lengths.min() == lengths.max() and lows.min() == lows.max():
        low, length = int(lows[0]), int(lengths[0])
        index = rng.integers(low, low + length, size=(rows, columns), dtype=np.int64)
    else:
        spread = rng.random((rows, columns)) * lengths[:, None]
        index = lows[:, None] + np.minimum(spread.astype(np.int64), lengths[:, None] - 1)
    return history[index]


def completion_periods(
    rng: np.random.Generator,
    history: Ints,
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
        totals = np.cumsum(
            draw(rng, history, lows[active], lengths[active], columns), axis=1, dtype=np.int64
        )
        reached = totals >= remaining[active, None]
        finished = reached[:, -1]
        first = np.argmax(reached, axis=1)
        done_at[active[finished]] = elapsed + first[finished] + 1
        remaining[active] -= totals[:, -1]
        active = active[~finished]
        elapsed += columns
        # The rows left are the slow ones: the next block need not be as long.
        block = max(8, guess // 2)
    return done_at


def sums(rng: np.random.Generator, history: Ints, lows: Ints, lengths: Ints, periods: Ints) -> Ints:
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
        done = 0
        while done < int(count.max()):
            columns = min(int(count.max()) - done, max(1, BUDGET // (part.stop - part.start)))
            values = draw(rng, history, lows[part], lengths[part], columns)
            # Columns past a row's own number of periods do not count for it.
            keep = (done + np.arange(columns)) < count[:, None]
            total[part] += np.where(keep, values, 0).sum(axis=1)
            done += columns
    return total
