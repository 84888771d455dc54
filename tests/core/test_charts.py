"""Server-drawn charts: each kind is well-formed SVG named by its title and summary, with a
table that holds the data, escapes every label, says in words when there is no data, and
stays small with many points."""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from hypothesis import given
from hypothesis import strategies as st

from lodestar.core import charts
from lodestar.core.charts.base import Chart, nice_ticks, polyline, tick_labels

SVG = "{http://www.w3.org/2000/svg}"
DAY = dt.date(2026, 3, 2)
EVIL = '<script>alert("x")</script> & <b>bold</b>'


def _days(count: int, *, scope: float = 100.0) -> list[charts.BurnDay]:
    return [
        charts.BurnDay(DAY + dt.timedelta(days=i), scope + (10 if i >= count // 2 else 0), i)
        for i in range(count)
    ]


def _flow(count: int, statuses: list[str]) -> list[charts.FlowDay]:
    return [
        charts.FlowDay(
            DAY + dt.timedelta(days=i), {s: (i * (n + 1)) % 17 for n, s in enumerate(statuses)}
        )
        for i in range(count)
    ]


def _cycle(count: int, label: str = "ACME-{}") -> list[charts.CycleItem]:
    return [
        charts.CycleItem(label.format(i), DAY + dt.timedelta(days=i % 180), 1 + (i * 7) % 23)
        for i in range(count)
    ]


# Every kind, from data of a given size (0 = none) and with a given label.
KINDS: dict[str, Callable[[int, str], Chart]] = {
    "burndown": lambda size, label: charts.burndown(_days(size), unit=label, title=label),
    "burnup": lambda size, label: charts.burnup(_days(size), unit=label, title=label),
    "velocity": lambda size, label: charts.velocity(
        [charts.SprintVelocity(f"{label} {i}", 20 + i % 5, 22) for i in range(size)],
        title=label,
    ),
    "cumulative-flow": lambda size, label: charts.cumulative_flow(
        _flow(size, ["Done", label, "To do"]), ["Done", label, "To do"], title=label
    ),
    "cycle-time": lambda size, label: charts.cycle_time_scatter(
        _cycle(size, label + " {}"), title=label
    ),
    "aging-wip": lambda size, label: charts.aging_wip(
        ["To do", label, "Review"],
        [
            charts.AgingItem(f"{label} {i}", ["To do", label, "Review"][i % 3], i)
            for i in range(size)
        ],
        history=[1, 2, 3, 5, 8, 13, 21],
        title=label,
    ),
    "throughput": lambda size, label: charts.throughput(
        [charts.PeriodCount(DAY + dt.timedelta(weeks=i), i % 9) for i in range(size)],
        period=label,
        title=label,
    ),
    "forecast": lambda size, label: charts.forecast_histogram(
        [(float(v), 1 + v % 7) for v in range(size)],
        [(50, size / 2), (85, size * 0.85)] if size else [],
        unit=label,
        title=label,
    ),
}


class _Figure(HTMLParser):
    """The parts of a rendered figure a test looks at: ids and their text, the table's body
    rows, and whether it holds an SVG."""

    def __init__(self) -> None:
        super().__init__()
        self.text_of: dict[str, str] = {}
        self.rows: list[list[str]] = []
        self._open: list[str | None] = []
        self._in_body = False
        self._cell: list[str] | None = None
        self.svg = False
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        self.svg = self.svg or tag == "svg"
        self._open.append(found.get("id"))
        if found.get("id"):
            self.text_of[str(found["id"])] = ""
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("td", "th") and self._in_body:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()
        if tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        for element in self._open:
            if element:
                self.text_of[element] += data
        if self._cell is not None:
            self._cell.append(data)


def _figure(chart: Chart) -> _Figure:
    page = render_to_string("partials/chart.html", {"chart": chart})
    figure = _Figure()
    figure.feed(page)
    return figure


def _svg(chart: Chart) -> ET.Element:
    assert chart.svg is not None
    return ET.fromstring(str(chart.svg))  # noqa: S314 (the module's own output)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size", [1, 2, 12])
def test_each_chart_is_svg_named_by_its_title_and_summary(kind: str, size: int) -> None:
    chart = KINDS[kind](size, "Label")
    root = _svg(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    figure = _figure(chart)
    name = " ".join(figure.text_of[part] for part in root.get("aria-labelledby", "").split())
    assert chart.title in name
    assert chart.summary in name
    assert name.strip().endswith((".", ")"))
    # Nothing the page's Content-Security-Policy would refuse, and no colour fixed in the
    # picture: the stylesheet colours it for light and dark.
    text = str(chart.svg)
    assert "<script" not in text
    assert "<style" not in text
    assert " style=" not in text
    assert not re.search(r'(fill|stroke)="#', text)
    assert not re.search(r"\b(nan|inf)\b", text, re.IGNORECASE)


@pytest.mark.parametrize("kind", KINDS)
def test_no_data_is_said_in_words_not_drawn(kind: str) -> None:
    chart = KINDS[kind](0, "Label")
    assert chart.empty
    assert chart.table is None
    figure = _figure(chart)
    assert not figure.svg
    assert "table" not in figure.tags
    assert re.match(r"No [a-z ]+", chart.summary)
    assert chart.summary in unescape(render_to_string("partials/chart.html", {"chart": chart}))


@pytest.mark.parametrize("kind", KINDS)
def test_labels_are_escaped_everywhere(kind: str) -> None:
    chart = KINDS[kind](5, EVIL)
    _svg(chart)  # a raw "<b>" in a label would not parse, or would add an element
    page = render_to_string("partials/chart.html", {"chart": chart})
    assert "<script" not in page
    assert "<b>" not in page
    assert "&lt;script&gt;" in page
    figure = _figure(chart)
    assert EVIL in figure.text_of[f"{chart.id}-title"]
    elements = {element.tag.removeprefix(SVG) for element in _svg(chart).iter()}
    assert elements <= {"svg", "path", "rect", "line", "text", "title"}


def test_the_burndown_table_holds_each_day() -> None:
    days = _days(10)
    chart = charts.burndown(days, end=DAY + dt.timedelta(days=13))
    rows = _figure(chart).rows
    assert len(rows) == len(days)
    assert rows[0] == ["2 Mar 2026", "100", "0", "100", "100"]
    assert rows[-1][:4] == ["11 Mar 2026", "110", "9", "101"]
    # The ideal line reaches zero on the sprint's last day, not the last snapshot's.
    assert rows[-1][4] == "30.77"
    assert "scope changed once (+10 points)" in chart.summary
    assert "behind the ideal line" in chart.summary


def test_a_sprint_closed_after_its_end_is_drawn_to_the_day_it_closed() -> None:
    days = _days(10)  # 2 to 11 March; the sprint ended on the 8th
    chart = charts.burndown(days, end=DAY + dt.timedelta(days=6))
    rows = _figure(chart).rows
    assert len(rows) == 10
    # The ideal line is at zero from the last day of the sprint on.
    assert [row[4] for row in rows[6:]] == ["0", "0", "0", "0"]
    assert rows[5][4] != "0"
    assert "behind the ideal line" in chart.summary


def test_the_burnup_counts_up_to_the_scope() -> None:
    chart = charts.burnup(_days(3))
    rows = _figure(chart).rows
    assert [row[2] for row in rows] == ["0", "1", "2"]
    assert [row[4] for row in rows] == ["0", "50", "100"]
    assert chart.summary.startswith("2 of 110 points done by 4 Mar 2026, 108 remaining")


def test_points_may_be_decimals_and_scope_may_come_back() -> None:
    days = [
        charts.BurnDay(DAY, Decimal("20.5"), Decimal(0)),
        charts.BurnDay(DAY + dt.timedelta(days=1), Decimal("25.5"), Decimal("0.5")),
        charts.BurnDay(DAY + dt.timedelta(days=2), Decimal("20.5"), Decimal("3")),
    ]
    chart = charts.burndown(days)
    assert "scope changed twice (\N{PLUS-MINUS SIGN}0 points)" in chart.summary
    assert _figure(chart).rows[1][:4] == ["3 Mar 2026", "25.5", "0.5", "25"]


def test_velocity_gives_average_and_range() -> None:
    sprints = [
        charts.SprintVelocity("Sprint 1", 18, 20),
        charts.SprintVelocity("Sprint 2", 24, None),
        charts.SprintVelocity("Sprint 3", 30, 28),
    ]
    chart = charts.velocity(sprints)
    assert _figure(chart).rows == [
        ["Sprint 1", "20", "18"],
        ["Sprint 2", "\N{EN DASH}", "24"],
        ["Sprint 3", "28", "30"],
    ]
    assert chart.summary == "Average 24 points over the last 3 sprints, from 18 to 30."
    bars = [r for r in _svg(chart).iter(f"{SVG}rect") if "chart-bar" in (r.get("class") or "")]
    heights = [float(r.get("height") or 0) for r in bars]
    assert heights == sorted(heights)
    assert len(bars) == 3


def test_cumulative_flow_stacks_each_status() -> None:
    statuses = ["Done", "Doing", "To do"]
    days = _flow(4, statuses)
    chart = charts.cumulative_flow(days, statuses)
    rows = _figure(chart).rows
    assert rows[1] == ["3 Mar 2026", "1", "2", "3", "6"]
    areas = [p for p in _svg(chart).iter(f"{SVG}path") if "chart-area" in (p.get("class") or "")]
    assert len(areas) == len(statuses)
    assert [entry.label for entry in chart.legend] == ["To do", "Doing", "Done"]


def test_cycle_time_marks_the_percentiles() -> None:
    items = [charts.CycleItem(f"A-{d}", DAY, d) for d in range(1, 101)]
    chart = charts.cycle_time_scatter(items)
    assert "85% of 100 finished items took 85 days or less" in chart.summary
    assert "half took 50 or less, 95% took 95 or less" in chart.summary
    notes = [t.text for t in _svg(chart).iter(f"{SVG}text") if t.get("class") == "chart-note"]
    assert notes == ["50%: 50 d", "85%: 85 d", "95%: 95 d"]
    assert len(_figure(chart).rows) == 100


def test_a_sampled_cycle_time_reads_its_percentiles_from_every_item() -> None:
    every = [float(d) for d in range(1, 1001)]
    drawn = [charts.CycleItem(f"A-{d}", DAY, d) for d in (1, 500, 1000)]
    chart = charts.cycle_time_scatter(drawn, every=every)
    assert "85% of 1,000 finished items took 850 days or less" in chart.summary
    assert "The chart and the table show 3 of them" in chart.summary
    notes = [t.text for t in _svg(chart).iter(f"{SVG}text") if t.get("class") == "chart-note"]
    assert notes == ["50%: 500 d", "85%: 850 d", "95%: 950 d"]
    assert len(_figure(chart).rows) == 3
    # Fewer cycle times than dots, or a negative one, is a caller's mistake.
    with pytest.raises(ValueError, match="at least the items drawn"):
        charts.cycle_time_scatter(drawn, every=[1.0])
    with pytest.raises(ValueError, match="none negative"):
        charts.cycle_time_scatter(drawn, every=[-1.0, 2.0, 3.0])


def test_aging_wip_flags_items_older_than_the_history() -> None:
    history = list(range(1, 101))
    items = [
        charts.AgingItem("A-1", "Doing", 3),
        charts.AgingItem("A-2", "Doing", 90),
        charts.AgingItem("A-3", "Review", 99),
    ]
    chart = charts.aging_wip(["Doing", "Review"], items, history=history)
    rows = _figure(chart).rows
    assert rows == [
        ["A-3", "Review", "99", "older than 95% of finished items"],
        ["A-2", "Doing", "90", "older than 85% of finished items"],
        ["A-1", "Doing", "3", ""],
    ]
    assert "2 items are older than 85% of finished items took (85 days)" in chart.summary
    classes = [p.get("class") for p in _svg(chart).iter(f"{SVG}path")]
    assert "chart-dots danger" in classes
    assert "chart-dots warn" in classes
    without = charts.aging_wip(["Doing"], items[:1])
    assert "no finished items yet to compare with" in without.summary


def test_throughput_shows_the_median() -> None:
    periods = [charts.PeriodCount(DAY + dt.timedelta(weeks=i), c) for i, c in enumerate([3, 9, 5])]
    chart = charts.throughput(periods)
    assert chart.summary == "Median 5 items a week over 3 weeks, from 3 to 9."
    assert [row[1] for row in _figure(chart).rows] == ["3", "9", "5"]


def test_the_forecast_histogram_counts_trials() -> None:
    chart = charts.forecast_histogram(
        [(3, 0), (5, 3000), (4, 5000), (6, 2000)], [(50, 4), (85, 5), (95, 6)]
    )
    rows = _figure(chart).rows
    assert rows == [
        ["4", "5,000", "50.0%", "50.0%"],
        ["5", "3,000", "30.0%", "80.0%"],
        ["6", "2,000", "20.0%", "100.0%"],
    ]
    assert chart.summary == (
        "10,000 trials, from 4 to 6 weeks; 50%: 4 weeks, 85%: 5 weeks, 95%: 6 weeks."
    )
    notes = [t.text for t in _svg(chart).iter(f"{SVG}text") if t.get("class") == "chart-note"]
    assert notes == ["50%", "85%", "95%"]


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        ([1.5e9, 2.5e9], ["0", "0.5B", "1.0B", "1.5B", "2.0B", "2.5B"]),
        ([9_750, 10_050], ["0", "5K", "10K", "15K"]),
        ([0.0004, 0.0009], ["0", "0.0002", "0.0004", "0.0006", "0.0008", "0.0010"]),
        ([3e-7, 9e-7], ["0", "2e-07", "4e-07", "6e-07", "8e-07", "1e-06"]),
        ([4e18], ["0", "1e+18", "2e+18", "3e+18", "4e+18"]),
    ],
)
def test_very_large_and_small_numbers_read_on_the_axis(
    values: list[float], labels: list[str]
) -> None:
    periods = [charts.PeriodCount(DAY + dt.timedelta(weeks=i), v) for i, v in enumerate(values)]
    chart = charts.throughput(periods)
    ticks = [t.text for t in _svg(chart).iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert ticks[: len(labels)] == labels
    assert "e+" not in chart.summary or values[0] >= 1e15


def test_long_labels_are_cut_in_the_picture_and_whole_in_the_table() -> None:
    name = "Sprint with a name so long it could never fit under its own bar " * 3
    chart = charts.velocity([charts.SprintVelocity(name, 5)] * 12)
    labels = [t.text or "" for t in _svg(chart).iter(f"{SVG}text") if t.get("y") == "248"]
    assert len(labels) == 12
    assert all(label.startswith("Sp") and label.endswith("…") for label in labels)
    assert _figure(chart).rows[0][0] == name


@pytest.mark.parametrize(
    ("kind", "most"),
    [
        ("burndown", 12_000),
        ("burnup", 12_000),
        ("cumulative-flow", 30_000),
        ("cycle-time", 12_000),
        ("throughput", 12_000),
        ("forecast", 40_000),
        ("aging-wip", 40_000),
        ("velocity", 60_000),
    ],
)
def test_many_points_stay_small(kind: str, most: int) -> None:
    """500 days, items, periods or sprints: the picture grows by a few bytes a point."""
    chart = KINDS[kind](500, "Label")
    assert len(str(chart.svg)) < most
    _svg(chart)


def test_a_flat_run_costs_nothing() -> None:
    flat = polyline([(float(x), 10.0) for x in range(500)])
    assert flat == "M0 10L499 10"


def test_bad_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        charts.burndown([charts.BurnDay(DAY, math.nan, 0)])
    with pytest.raises(ValueError, match="finite"):
        charts.throughput([charts.PeriodCount(DAY, math.inf)])
    with pytest.raises(ValueError, match="negative"):
        charts.cycle_time_scatter([charts.CycleItem("A-1", DAY, -1)])
    with pytest.raises(ValueError, match="not a column"):
        charts.aging_wip(["Doing"], [charts.AgingItem("A-1", "Gone", 1)])
    with pytest.raises(ValueError, match="once"):
        charts.burndown([charts.BurnDay(DAY, 1, 0), charts.BurnDay(DAY, 2, 0)])
    with pytest.raises(ValueError, match="once"):
        charts.cumulative_flow(_flow(2, ["A", "A"]), ["A", "A"])
    with pytest.raises(ValueError, match="chart id"):
        charts.burndown(_days(2), id='x" onload="alert(1)')


def test_two_charts_on_a_page_keep_their_own_ids() -> None:
    first = charts.burndown(_days(3), id="sprint-7-burndown")
    assert _svg(first).get("aria-labelledby") == (
        "sprint-7-burndown-title sprint-7-burndown-summary"
    )
    assert 'id="sprint-7-burndown"' in render_to_string("partials/chart.html", {"chart": first})


def test_percentiles_are_nearest_rank() -> None:
    assert charts.percentile(list(range(1, 101)), 85) == 85
    assert charts.percentile([1, 2, 3, 4], 50) == 2
    assert charts.percentile([7], 95) == 7


@given(
    low=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    span=st.floats(min_value=0, max_value=1e12, allow_nan=False),
)
def test_ticks_cover_the_range_with_distinct_labels(low: float, span: float) -> None:
    high = low + span
    ticks = nice_ticks(low, high)
    step = ticks[1] - ticks[0]
    assert ticks[0] <= low + step * 1e-6
    assert ticks[-1] >= high - step * 1e-6
    assert 2 <= len(ticks) <= 12
    labels = tick_labels(ticks)
    assert len(set(labels)) == len(labels), labels
