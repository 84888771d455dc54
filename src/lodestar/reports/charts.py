"""The report's charts, drawn by ``core.charts`` from the report's own numbers: the sprints'
velocity and the releases' timeline. The page and the printable HTML show the same ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lodestar.core import charts
from lodestar.core.charts import Chart, SprintVelocity, TimelineRow
from lodestar.reports.selectors import Report


@dataclass(frozen=True)
class ReportCharts:
    velocity: Chart
    timeline: Chart


def velocity_chart(report: Report) -> Chart:
    """Completed against committed per sprint of the period, in points when every sprint has
    them, else in items; a sprint's label names its team when several teams delivered."""
    sprints = report.sprints
    in_points = all(s.completed_points is not None for s in sprints)
    several = len({s.team for s in sprints}) > 1
    bars = []
    for sprint in sprints:
        label = f"{sprint.team} · {sprint.name}" if several else sprint.name
        if in_points:
            bars.append(
                SprintVelocity(label, sprint.completed_points or 0.0, sprint.committed_points)
            )
        else:
            committed = sprint.committed_items
            bars.append(
                SprintVelocity(
                    label,
                    float(sprint.completed_items or 0),
                    float(committed) if committed is not None else None,
                )
            )
    return charts.velocity(
        bars,
        unit="points" if in_points else "items",
        id="report-velocity",
        title=f"{report.product_key} sprints of the period",
    )


def timeline_chart(report: Report, *, today: dt.date) -> Chart:
    """The releases that went live in the period and the planned ones, each at its target
    date, with the forecast's 50% to 95% range as a band and the 85% date marked."""
    rows = [
        TimelineRow(label=line.name, target=line.target_date, done=line.went_live_on)
        for line in report.live
    ]
    for line in report.planned:
        forecast = line.forecast
        rows.append(
            TimelineRow(
                label=line.name,
                target=line.target_date,
                low=forecast.p50 if forecast else None,
                mid=forecast.p85 if forecast else None,
                high=forecast.p95 if forecast else None,
            )
        )
    return charts.timeline(
        rows, today=today, id="report-timeline", title=f"{report.product_key} releases"
    )


def report_charts(report: Report, *, today: dt.date) -> ReportCharts:
    return ReportCharts(velocity_chart(report), timeline_chart(report, today=today))
