"""Charts drawn on the server as SVG, each with the table of its numbers behind it.

Every chart is a function from plain data (dates, numbers, labels) to a
:class:`~lodestar.core.charts.base.Chart`, which ``{% include "partials/chart.html" %}``
renders as a ``<figure>``: the title and a one-sentence summary (the SVG's accessible name),
the SVG, a legend and the data as a table. No data gives a figure that says so in words.
Why hand-written SVG and not a charting library: docs/ARCHITECTURE.md, "Charts".
"""

from lodestar.core.charts.base import Chart, LegendEntry, Markup, Table, percentile
from lodestar.core.charts.flow import (
    AgingItem,
    CycleItem,
    FlowDay,
    PeriodCount,
    aging_wip,
    cumulative_flow,
    cycle_time_scatter,
    throughput,
)
from lodestar.core.charts.forecast import forecast_histogram
from lodestar.core.charts.series import DayValue, OutcomeWindows, daily_series, outcome_series
from lodestar.core.charts.sprint import BurnDay, SprintVelocity, burndown, burnup, velocity
from lodestar.core.charts.timeline import TimelineRow, timeline

__all__ = [
    "AgingItem",
    "BurnDay",
    "Chart",
    "CycleItem",
    "DayValue",
    "FlowDay",
    "LegendEntry",
    "Markup",
    "OutcomeWindows",
    "PeriodCount",
    "SprintVelocity",
    "Table",
    "TimelineRow",
    "aging_wip",
    "burndown",
    "burnup",
    "cumulative_flow",
    "cycle_time_scatter",
    "daily_series",
    "forecast_histogram",
    "outcome_series",
    "percentile",
    "throughput",
    "timeline",
    "velocity",
]
