"""What the discovery pages share: the highlighted feedback text, offsets as the page shows
them, the trend chart's geometry, and turning a picked problem into a problem."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from lodestar.core.errors import Invalid
from lodestar.discovery.models import Insight, Problem
from lodestar.discovery.refs import problem_ref
from lodestar.discovery.selectors import WeekCount, problem_by_title
from lodestar.people.policy import Actor

_PICKED = re.compile(r"#(\d{1,18})\s*$")


@dataclass(frozen=True)
class Segment:
    """A run of the feedback's text and the insights whose spans cover it (none: plain)."""

    text: str
    start: int
    insights: tuple[Insight, ...] = ()


def highlight_segments(text: str, insights: Sequence[Insight]) -> list[Segment]:
    """``text`` cut at every span's start and end, so each run is marked by the insights that
    cover it; overlapping spans share the runs they both cover. Spans outside the text are
    ignored."""
    spans = [
        (i.start, i.end, i)
        for i in insights
        if i.start is not None and i.end is not None and i.end <= len(text)
    ]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    segments: list[Segment] = []
    for begin, finish in pairwise(cuts):
        covering = tuple(i for s, e, i in spans if s <= begin and finish <= e)
        segments.append(Segment(text[begin:finish], begin, covering))
    return segments


def shown_to_raw(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets counted in the text as a page shows it (every CR LF or lone CR read as one LF)
    turned into offsets into ``text`` as stored. Offsets past the end stay past it, so the
    service still refuses them."""
    if "\r" not in text:
        return start, end
    raw_at: list[int] = []
    index = 0
    while index < len(text):
        raw_at.append(index)
        index += 2 if text.startswith("\r\n", index) else 1
    raw_at.append(len(text))

    def raw(offset: int) -> int:
        return raw_at[offset] if 0 <= offset < len(raw_at) else offset + len(text)

    return raw(start), raw(end)


def picked_problem(actor: Actor, value: str, *, field: str = "problem") -> Problem:
    """The problem a picker names: ``Title #12`` (as offered), ``#12`` or a title."""
    text = value.strip()
    found = _PICKED.search(text)
    if found:
        return problem_ref(actor, found.group(1), field=field)
    problem = problem_by_title(actor=actor, title=text)
    if problem is None:
        raise Invalid.field(
            field, f"there is no problem '{text}': pick one from the list, or create a new one"
        )
    return problem


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    week: Any
    count: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    bar_width: float
    peak: int
    total: int


def trend_chart(trend: Sequence[WeekCount], *, width: int = 260, height: int = 64) -> Chart:
    """Bars for insights per week (oldest left), scaled to the busiest week; an empty week
    keeps a sliver so the weeks still read as a row."""
    peak = max((week.insights for week in trend), default=0)
    slot = width / max(len(trend), 1)
    bar_width = round(slot * 0.7, 2)
    bars = []
    for index, week in enumerate(trend):
        tall = (height - 2) * week.insights / peak if peak else 0
        tall = max(tall, 1.5)
        bars.append(
            Bar(
                x=round(index * slot + (slot - bar_width) / 2, 2),
                y=round(height - tall, 2),
                height=round(tall, 2),
                week=week.week,
                count=week.insights,
            )
        )
    return Chart(width, height, bars, bar_width, peak, sum(w.insights for w in trend))
