"""The report as GitHub-flavoured Markdown: a heading per section and a table per list, every
piece of user text escaped (``text.md``) so that a title with pipes, newlines, HTML or link
syntax stays one literal cell. The charts are the printable HTML's; their numbers are here as
the tables."""

from __future__ import annotations

from collections.abc import Sequence

from lodestar.reports import text
from lodestar.reports.selectors import ReleaseLine, Report
from lodestar.reports.text import md


def _table(
    headings: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()
) -> str:
    """A GFM table; ``right``: the columns (by index) aligned right. Cells are already
    Markdown (user text passed through ``md``)."""
    rule = ["---:" if index in right else "---" for index in range(len(headings))]
    lines = ["| " + " | ".join(headings) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _goals(report: Report) -> list[str]:
    out = ["## Product Goal progress", ""]
    if not report.goals:
        return [*out, "No Product Goal was active in the period.", ""]
    rows = [
        [
            md(goal.statement),
            goal.status.capitalize(),
            text.day(goal.started_on),
            text.day(goal.ended_on),
            f"{goal.done} of {goal.items} items ({goal.percent}%)",
        ]
        for goal in report.goals
    ]
    return [*out, _table(["Goal", "Status", "Since", "Until", "Done"], rows, right=(4,)), ""]


def _sprints(report: Report) -> list[str]:
    out = ["## Sprints", ""]
    if not report.sprints:
        return [*out, "No sprint ended in the period.", ""]
    count = len(report.sprints)
    out += [
        f"{count} sprint{'s' if count != 1 else ''} ended; the sprint goal was met in "
        f"{report.goals_met} of {count}.",
        "",
    ]
    rows = [
        [
            md(sprint.name),
            md(sprint.team),
            text.day(sprint.end_date),
            md(sprint.goal),
            text.goal_met(sprint.goal_met),
            f"{text.number(sprint.completed_points)} of {text.number(sprint.committed_points)}",
            f"{text.number(sprint.completed_items)} of {text.number(sprint.committed_items)}",
        ]
        for sprint in report.sprints
    ]
    out.append(
        _table(
            ["Sprint", "Team", "Ended", "Sprint goal", "Goal", "Points done", "Items done"],
            rows,
            right=(5, 6),
        )
    )
    if report.sprints_more:
        out += ["", f"{report.sprints_more} earlier sprints of the period are not listed."]
    return [*out, ""]


def _planned_row(line: ReleaseLine) -> list[str]:
    forecast = line.forecast
    if forecast is None:
        dates = [text.DASH, text.DASH, text.DASH, text.DASH, ""]
    else:
        dates = [
            text.day(forecast.p50),
            text.day(forecast.p85),
            text.day(forecast.p95),
            text.chance(forecast.chance),
            md(forecast.note) if forecast.note else "",
        ]
    return [
        md(line.name),
        line.state.replace("_", " ").capitalize(),
        text.day(line.target_date),
        f"{line.done} of {line.items}",
        *dates,
    ]


def _releases(report: Report) -> list[str]:
    out = ["## Releases", "", "### Went live", ""]
    if report.live:
        rows = [
            [
                md(line.name),
                text.day(line.went_live_on),
                text.day(line.target_date),
                f"{line.done} of {line.items}",
            ]
            for line in report.live
        ]
        out.append(_table(["Release", "Went live", "Target", "Items done"], rows, right=(3,)))
    else:
        out.append("No release went live in the period.")
    out += ["", "### Planned", ""]
    if report.planned:
        out.append(
            _table(
                [
                    "Release",
                    "State",
                    "Target",
                    "Items done",
                    "50%",
                    "85%",
                    "95%",
                    "Chance of target",
                    "Note",
                ],
                [_planned_row(line) for line in report.planned],
                right=(3, 7),
            )
        )
        if report.unforecast:
            out += ["", f"{report.unforecast} later open releases are not listed."]
        out += [
            "",
            "50%, 85%, 95%: the day by which the remaining items (and those of the releases "
            "before) are done in that share of 10,000 simulated futures, from the throughput "
            "of the product's teams.",
        ]
    else:
        out.append("No release is planned.")
    return [*out, ""]


def _decisions(report: Report) -> list[str]:
    out = ["## Decisions taken", ""]
    if not report.decisions:
        return [*out, "No decision was taken in the period.", ""]
    rows = [
        [
            f"{decision.key} {md(decision.title)}",
            text.day(decision.decided_on),
            md(", ".join(decision.deciders)),
            md(decision.decision),
        ]
        for decision in report.decisions
    ]
    out.append(_table(["Decision", "Decided", "By", "What was decided"], rows))
    if report.decisions_more:
        out += ["", f"{report.decisions_more} earlier decisions of the period are not listed."]
    return [*out, ""]


def _outcomes(report: Report) -> list[str]:
    out = ["## Outcomes", ""]
    if not report.outcomes:
        return [*out, "No outcome review's window ended in the period.", ""]
    counts = report.verdicts
    out += [
        f"{len(report.outcomes)} outcome review{'s' if len(report.outcomes) != 1 else ''}: "
        f"{counts['met']} met, {counts['missed']} missed, {counts['inconclusive']} "
        f"inconclusive, {counts['pending']} pending.",
        "",
    ]
    rows = [
        [
            md(line.subject),
            md(line.metric),
            text.target(line.target, line.target_kind, line.target_level, line.unit),
            text.figure(line.baseline_value, line.unit),
            text.figure(line.observed_value, line.unit),
            text.verdict(line.verdict) + (f": {md(line.reason)}" if line.reason else ""),
            text.day(line.observed_until),
            md(line.learnings) if line.learnings else "",
        ]
        for line in report.outcomes
    ]
    out.append(
        _table(
            [
                "For",
                "Metric",
                "Target",
                "Baseline",
                "Observed",
                "Verdict",
                "Window ended",
                "Learnings",
            ],
            rows,
            right=(3, 4),
        )
    )
    if report.outcomes_more:
        out += ["", f"{report.outcomes_more} earlier outcome reviews are not listed."]
    return [*out, ""]


def _problems(report: Report) -> list[str]:
    out = ["## Top problems by evidence", ""]
    if not report.problems:
        return [*out, "No open customer problem has evidence yet.", ""]
    rows = [
        [
            md(problem.title),
            problem.status.replace("_", " ").capitalize(),
            str(problem.customers),
            text.money(problem.arr, report.currency),
            str(problem.insights),
            text.day(problem.latest_on),
        ]
        for problem in report.problems
    ]
    return [
        *out,
        _table(
            ["Problem", "Status", "Customers", "ARR", "Insights", "Latest heard"],
            rows,
            right=(2, 3, 4),
        ),
        "",
    ]


def _coverage(report: Report) -> list[str]:
    out = ["## Who carried product management", ""]
    out += [f"- {md(sentence)}" for sentence in report.coverage_summary]
    rows = [
        [
            md(line.label),
            md(", ".join(line.people)) if line.people else "Nobody",
            str(line.total),
            text.day(line.last_on),
        ]
        for line in report.coverage
    ]
    return [
        *out,
        "",
        _table(["Duty", "Who", "Times", "Last"], rows, right=(2,)),
        "",
    ]


def _focus(report: Report) -> list[str]:
    focus = report.focus
    if focus is None:
        return []
    top = (
        f"{focus.items} items fill the next two sprints ({focus.points:g} points at a velocity "
        f"of {focus.velocity:g})"
        if focus.velocity
        else f"The first {focus.items} items (no velocity yet)"
    )
    out = [
        "## Backlog focus",
        "",
        f"- {top}; {focus.customers} customers behind them, "
        f"{text.money(focus.arr, report.currency)} ARR.",
        f"- {len(focus.without_evidence)} without evidence"
        + (f": {md(', '.join(focus.without_evidence))}." if focus.without_evidence else "."),
        f"- {len(focus.stronger_left_out)} stronger problems with no item"
        + (f": {md(', '.join(focus.stronger_left_out))}." if focus.stronger_left_out else "."),
        f"- {focus.stale} untouched for {focus.stale_days} days or more; "
        f"{focus.ready} of {focus.items} ready or in progress.",
        "",
    ]
    return out


def report_markdown(report: Report) -> str:
    """The whole report as one Markdown document, ending with a newline."""
    lines = [
        f"# {report.product_key} {md(report.product_name)}: stakeholder update",
        "",
        f"{report.period.label} ({report.period.days} days). "
        f"Generated {report.generated_at:%-d %b %Y %H:%M} UTC.",
        "",
        *_goals(report),
        *_sprints(report),
        *_releases(report),
        *_outcomes(report),
        *_decisions(report),
        *_problems(report),
        *_focus(report),
        *_coverage(report),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"
