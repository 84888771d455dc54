"""What every chart shares: the chart as a page shows it, scales, ticks, number and date
formats, and an SVG writer that escapes every text it is given.

No Django here: a chart is a function from plain data to a :class:`Chart`, whose ``svg`` is
markup (``__html__``, so Django templates and markupsafe print it as it is) and whose ``table``
holds the same numbers as text for the table behind it. Colours are never written into the
SVG: elements carry classes (``chart-line c1``) that the app's stylesheet colours from its
variables, so light and dark both read and nothing needs an inline style.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

WIDTH = 640
HEIGHT = 260
# Room for the y axis's labels on the left, the x axis's below, percentile labels on the right.
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 14, 30
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
_ID = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
# Past this many bars or dots, each one's own tooltip costs more than it helps (the table has
# them all), and they are drawn as one path.
TIPPED = 60
# About the width of one character of the axis labels (11px) in the SVG's units.
CHAR_W = 6.4


class Markup(str):
    """Text that is already HTML (made here, every piece of text in it escaped)."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class LegendEntry:
    """One line of the legend: a label and how its mark is drawn (line, dash, area, dot)."""

    label: str
    colour: str
    mark: str = "line"


@dataclass(frozen=True)
class Table:
    """The chart's data as text: column headings and rows of cells; ``numeric`` says which
    columns align right."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]

    def html(self) -> Markup:
        """The table's head and body rows as HTML, every cell escaped; the first cell of a
        row heads it. Written here rather than in a template loop: a 500-row table renders
        in about a millisecond instead of fifty."""
        right = ' class="text-right"'
        head = "".join(
            f'<th scope="col"{right if numeric else ""}>{escape(column)}</th>'
            for column, numeric in zip(self.columns, self.numeric, strict=True)
        )
        # Cells align right (numbers) unless marked as text: the class is on the fewer.
        cells = ["" if numeric else ' class="t"' for numeric in self.numeric[1:]]
        body = "".join(
            f'<tr><th scope="row">{escape(row[0])}</th>'
            + "".join(
                f"<td{align}>{escape(cell)}</td>"
                for align, cell in zip(cells, row[1:], strict=True)
            )
            + "</tr>"
            for row in self.rows
        )
        return Markup(f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>")


@dataclass(frozen=True)
class Chart:
    """A chart ready for ``partials/chart.html``. ``svg`` is None when there is no data, and
    then ``summary`` says so in words."""

    id: str
    kind: str
    title: str
    summary: str
    svg: Markup | None
    table: Table | None
    legend: tuple[LegendEntry, ...] = ()

    @property
    def empty(self) -> bool:
        return self.svg is None


def chart_id(value: str) -> str:
    """``value`` if it can be an HTML id shared by the chart's parts, else ValueError."""
    if not _ID.match(value):
        raise ValueError(f"a chart id is lower-case letters, digits and dashes: {value!r}")
    return value


def finite(value: float, what: str) -> float:
    """``value`` as a float; ValueError naming ``what`` when it is not a finite number."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, not {value!r}")
    return number


def empty_chart(*, id: str, kind: str, title: str, message: str) -> Chart:
    return Chart(id=chart_id(id), kind=kind, title=title, summary=message, svg=None, table=None)


# ---------- numbers and dates as text ----------


def number(value: float) -> str:
    """A number for the table and sentences: ``1,234``, ``12.5``, ``0.0042``, ``3.1e-09``."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if float(value).is_integer() and magnitude < 1e15:
        return f"{int(value):,}"
    if magnitude >= 1e15:
        return f"{value:.3g}"
    if magnitude >= 100:
        return f"{value:,.1f}".removesuffix(".0")
    if magnitude >= 0.01:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.2g}"


def tick_labels(ticks: Sequence[float]) -> list[str]:
    """An axis's labels, short and told apart: ``500M 1.0B 1.5B``, ``0.0002 0.0004``,
    ``2e-07``; every label of an axis has the same unit and decimals."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    top = max(abs(t) for t in ticks) or 1.0
    if top >= 1e15 or step < 1e-4:
        digits = max(1, math.floor(math.log10(top)) - math.floor(math.log10(step) + 1e-6) + 1)
        return ["0" if t == 0 else f"{t:.{digits}g}" for t in ticks]
    size, suffix = next(
        ((size, suffix) for least, size, suffix in _SUFFIXES if top >= least), (1.0, "")
    )
    decimals = max(0, -math.floor(math.log10(step / size) + 1e-6))
    return ["0" if t == 0 else f"{t / size:.{decimals}f}{suffix}" for t in ticks]


# From 10,000 (not 1,000) on, so that "2500" stays as it is.
_SUFFIXES = ((1e12, 1e12, "T"), (1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "K"))


def day_label(day: dt.date, *, with_year: bool = False) -> str:
    return f"{day.day} {day:%b %Y}" if with_year else f"{day.day} {day:%b}"


def day_text(day: dt.date) -> str:
    """A date for tables and sentences: ``3 Mar 2026``."""
    return f"{day.day} {day:%b %Y}"


def plural(count: float, word: str, words: str | None = None) -> str:
    return f"{number(count)} {word if count == 1 else (words or word + 's')}"


# ---------- scales ----------


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 times a power of ten) covering low..high;
    a range of one value is widened so it still has an axis."""
    if high < low:
        low, high = high, low
    if high - low <= max(abs(low), abs(high), 1e-200) * 1e-9:
        # One value, or values a float cannot tell apart: widen around it.
        pad = abs(high) / 2
        low, high = (0.0, 1.0) if pad < 1e-200 else (low - pad, high + pad)
    span = high - low
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * 0.999)
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    steps = max(1, round((end - start) / step))
    return [start + index * step for index in range(steps + 1)]


@dataclass(frozen=True)
class Scale:
    """A linear map from data values to SVG units."""

    low: float
    high: float
    out_low: float
    out_high: float

    def __call__(self, value: float) -> float:
        if self.high == self.low:
            return (self.out_low + self.out_high) / 2
        ratio = (value - self.low) / (self.high - self.low)
        return self.out_low + ratio * (self.out_high - self.out_low)


def y_axis(values: Iterable[float], *, zero: bool = True) -> tuple[Scale, list[float]]:
    """The y scale and its ticks for ``values`` (from zero unless ``zero`` is False)."""
    found = list(values) or [0.0]
    low, high = min(found), max(found)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    ticks = nice_ticks(low, high)
    return Scale(ticks[0], ticks[-1], TOP + PLOT_H, TOP), ticks


def date_scale(first: dt.date, last: dt.date) -> Scale:
    return Scale(0, max((last - first).days, 1), LEFT, LEFT + PLOT_W)


def date_ticks(first: dt.date, last: dt.date, most: int = 6) -> list[dt.date]:
    """Up to ``most`` dates between first and last, a week or a multiple apart when the span
    allows it."""
    span = (last - first).days
    if span <= 0:
        return [first]
    step = max(1, math.ceil(span / (most - 1)))
    if step > 7:
        step = math.ceil(step / 7) * 7
    return [first + dt.timedelta(days=offset) for offset in range(0, span + 1, step)]


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value that ``share`` percent of ``values``
    are at or below (85 -> the value 85% of items took or less)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def clip(text: str, width: float) -> str:
    """``text`` cut with an ellipsis to about ``width`` SVG units of axis label."""
    most = max(2, int(width / CHAR_W))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


# ---------- the SVG writer ----------


def n(value: float) -> str:
    """A coordinate, to a tenth of a unit, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else ("0" if text == "-0.0" else text)


def polyline(points: Sequence[tuple[float, float]]) -> str:
    """Path data through ``points``; points in the middle of a flat or straight run of three
    are dropped (they draw nothing), so 500 days of a flat line cost a few bytes."""
    kept: list[tuple[str, str]] = []
    for x, y in points:
        point = (n(x), n(y))
        if len(kept) >= 2 and kept[-1][1] == kept[-2][1] == point[1]:
            kept[-1] = point
        elif not kept or kept[-1] != point:
            kept.append(point)
    return "M" + "L".join(f"{x} {y}" for x, y in kept)


def steps(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """``points`` as a staircase: each value holds until the next one starts."""
    stair: list[tuple[float, float]] = []
    for index, (x, y) in enumerate(points):
        if index:
            stair.append((x, stair[-1][1]))
        stair.append((x, y))
    return stair


def dots(points: Iterable[tuple[float, float]]) -> str:
    """Path data for round dots (zero-length strokes with round caps): about 12 bytes a dot
    where a ``<circle>`` costs 40."""
    return "".join(f"M{n(x)} {n(y)}h0" for x, y in points)


@dataclass
class Svg:
    """An SVG under construction; every text passed in is escaped."""

    id: str
    parts: list[str] = field(default_factory=list)

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def path(self, data: str, cls: str, tip: str | None = None) -> None:
        title = f"<title>{escape(tip)}</title>" if tip else ""
        self.parts.append(
            f'<path class="{cls}" d="{data}"/>'
            if not title
            else f'<path class="{cls}" d="{data}">{title}</path>'
        )

    def rect(self, x: float, y: float, w: float, h: float, cls: str, tip: str = "") -> None:
        title = f"<title>{escape(tip)}</title>" if tip else ""
        self.parts.append(
            f'<rect class="{cls}" x="{n(x)}" y="{n(y)}" width="{n(w)}" height="{n(h)}">'
            f"{title}</rect>"
        )

    def bars(self, rects: Sequence[tuple[float, float, float, float]], cls: str) -> None:
        """Many bars (x, y, width, height) as one path: about 30 bytes a bar."""
        self.path("".join(f"M{n(x)} {n(y)}h{n(w)}v{n(h)}h{n(-w)}Z" for x, y, w, h in rects), cls)

    def line(self, x1: float, y1: float, x2: float, y2: float, cls: str) -> None:
        self.parts.append(
            f'<line class="{cls}" x1="{n(x1)}" y1="{n(y1)}" x2="{n(x2)}" y2="{n(y2)}"/>'
        )

    def text(
        self, x: float, y: float, text: str, cls: str = "chart-tick", anchor: str = "middle"
    ) -> None:
        self.parts.append(
            f'<text class="{cls}" x="{n(x)}" y="{n(y)}" text-anchor="{anchor}">'
            f"{escape(text)}</text>"
        )

    def y_grid(self, scale: Scale, ticks: Sequence[float]) -> None:
        grid = "".join(f"M{LEFT} {n(scale(t))}h{PLOT_W}" for t in ticks)
        self.path(grid, "chart-grid")
        for tick, label in zip(ticks, tick_labels(ticks), strict=True):
            self.text(LEFT - 6, scale(tick) + 4, label, anchor="end")

    def x_dates(self, scale: Scale, first: dt.date, last: dt.date) -> None:
        ticks = date_ticks(first, last)
        for index, day in enumerate(ticks):
            with_year = index == 0 or day.year != ticks[index - 1].year
            self.text(
                scale((day - first).days), TOP + PLOT_H + 18, day_label(day, with_year=with_year)
            )

    def baseline(self) -> None:
        self.line(LEFT, TOP + PLOT_H, LEFT + PLOT_W, TOP + PLOT_H, "chart-axis")

    def render(self) -> Markup:
        # The figure around it names the chart (aria-labelledby its title and summary); the
        # shapes themselves are one picture.
        return Markup(
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-labelledby="{self.id}-title {self.id}-summary">' + "".join(self.parts) + "</svg>"
        )


def reference_label(svg: Svg, y: float, text: str, row: int = 0) -> None:
    """A label above a horizontal reference line at its right end; ``row`` moves it left so
    that close lines' labels do not print over each other."""
    svg.text(LEFT + PLOT_W - 2 - row * 74, y - 4, text, cls="chart-note", anchor="end")


def table(columns: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool]) -> Table:
    return Table(tuple(columns), tuple(tuple(row) for row in rows), tuple(numeric))
