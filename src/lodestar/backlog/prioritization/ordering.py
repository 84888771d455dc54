"""Suggested orders and the fewest moves that reach them. Pure Python, no Django.

A suggestion re-sorts only the scored items, by score, among the positions scored items hold
now; unscored items keep their exact positions (nobody has said where they belong, so the
suggestion does not pretend to know). Ties keep the product owner's order.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Placement(Generic[K]):
    """One item in the suggestion: its position now and suggested (1-based), and its score."""

    key: K
    score: float | None
    current: int
    suggested: int

    @property
    def moved(self) -> int:
        """Positions gained (> 0, moved up), lost (< 0, moved down), or 0."""
        return self.current - self.suggested


def suggest(current: Sequence[tuple[K, float | None]]) -> list[Placement[K]]:
    """``current`` is the backlog in the product owner's order with each item's score (or None);
    the result is in the suggested order, highest score first among the scored slots."""
    slots = [index for index, (_, score) in enumerate(current) if score is not None]
    by_score = sorted(slots, key=lambda index: (-(current[index][1] or 0.0), index))
    order = list(range(len(current)))
    for slot, source in zip(slots, by_score, strict=True):
        order[slot] = source
    return [
        Placement(current[source][0], current[source][1], source + 1, position + 1)
        for position, source in enumerate(order)
    ]


def partial_target(current: Sequence[K], suggested: Sequence[K], chosen: Collection[K]) -> list[K]:
    """The order after applying only ``chosen`` items of a suggestion.

    Each chosen item takes its suggested position; the other items fill the remaining positions
    in their current relative order. Choosing every item gives the whole suggestion.
    """
    size = len(current)
    target: list[K | None] = [None] * size
    for position, key in enumerate(suggested):
        if key in chosen:
            target[position] = key
    rest = iter(key for key in current if key not in chosen)
    return [key if key is not None else next(rest) for key in target]


def moves_needed(current: Sequence[K], target: Sequence[K]) -> set[K]:
    """The fewest items that must move to turn ``current`` into ``target`` (same items).

    The items that stay form a longest subsequence already in target order; every other item
    moves once. O(n log n).
    """
    where = {key: index for index, key in enumerate(target)}
    positions = [where[key] for key in current]
    # Patience sorting: tails[k] is the smallest tail of an increasing run of length k + 1.
    tails: list[int] = []
    tail_at: list[int] = []
    previous: list[int] = [-1] * len(positions)
    for index, position in enumerate(positions):
        length = bisect_left(tails, position)
        if length == len(tails):
            tails.append(position)
            tail_at.append(index)
        else:
            tails[length] = position
            tail_at[length] = index
        previous[index] = tail_at[length - 1] if length else -1
    stay: set[K] = set()
    index = tail_at[-1] if tail_at else -1
    while index >= 0:
        stay.add(current[index])
        index = previous[index]
    return {key for key in current if key not in stay}


@dataclass(frozen=True)
class Step(Generic[K]):
    """Move ``key`` just after ``after``, or (when ``after`` is None) just before ``before``."""

    key: K
    after: K | None
    before: K | None


def move_steps(current: Sequence[K], target: Sequence[K]) -> list[Step[K]]:
    """Moves, in the order to make them, that turn ``current`` into ``target``.

    Walking the target left to right, each moving item goes just after its target predecessor
    (already in place); a moving item at the very top goes just before the first item that stays.
    """
    movers = moves_needed(current, target)
    first_staying = next((key for key in target if key not in movers), None)
    steps: list[Step[K]] = []
    for index, key in enumerate(target):
        if key not in movers:
            continue
        if index == 0:
            steps.append(Step(key, None, first_staying))
        else:
            steps.append(Step(key, target[index - 1], None))
    return steps
