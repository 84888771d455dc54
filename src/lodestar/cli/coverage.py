"""``lodestar coverage``: who carried each product-management duty in the last N days, the
same coverage as the API, as a table (``--json``: the API's shape).

lodestar coverage -w acme [--product ACME | --team checkout] [--days 90] [--as EMAIL] [--json]
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import JsonOption

COLUMNS = [
    ("duty", "Duty"),
    ("person", "Who"),
    ("job_title", "Job title"),
    ("hats", "Hats"),
    ("count", "Count"),
    ("last", "Last"),
]


def _rows(coverage: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for duty in coverage.duties:
        if duty.nobody:
            rows.append(
                {
                    "duty": duty.duty.label,
                    "person": f"nobody in {coverage.days} days",
                    "last": duty.before or "none on record",
                }
            )
            continue
        for index, carrier in enumerate(duty.people):
            rows.append(
                {
                    "duty": duty.duty.label if index == 0 else "",
                    "person": f"{carrier.name} (former member)" if carrier.former else carrier.name,
                    "job_title": carrier.job_title,
                    "hats": list(carrier.hats),
                    "count": carrier.count,
                    "last": carrier.last,
                }
            )
    return rows


def coverage_command(
    workspace: WorkspaceOption,
    product: Annotated[
        str | None, typer.Option("--product", "-p", help="A product's key (default: all).")
    ] = None,
    team: Annotated[
        str | None,
        typer.Option("--team", "-t", help="A team's slug: the product it works from."),
    ] = None,
    days: Annotated[
        str | None, typer.Option("--days", "-d", help="The last N days, 1 to 1826 (default 90).")
    ] = None,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """For each product-management duty, who carried it in the last N days, how often and
    when last, counted from what Lodestar recorded."""
    setup_django()
    from lodestar.coverage.facts import coverage_summary
    from lodestar.coverage.schemas import CoverageOut
    from lodestar.coverage.selectors import clean_days, coverage_for
    from lodestar.people.access import access_team
    from lodestar.strategy.access import access_product

    period = clean_days(days, field="--days")
    actor = acting(workspace, email)
    found_product = access_product(actor, product) if product else None
    found_team = access_team(actor, team) if team else None
    coverage = coverage_for(actor, product=found_product, team=found_team, days=period)
    summary = coverage_summary(actor, coverage)
    if as_json:
        output.print_json(CoverageOut.of(coverage, summary).model_dump(mode="json"))
        return
    where = (
        f"team {coverage.team.name} ({coverage.product.key})"
        if coverage.team is not None and coverage.product is not None
        else coverage.product.key
        if coverage.product is not None
        else f"workspace {coverage.workspace_slug}"
    )
    output.print_table(
        _rows(coverage),
        COLUMNS,
        title=f"Coverage of {where}, last {coverage.days} days",
        one_line={"job_title": 1, "hats": 2},
    )
    output.console.print("What the evidence shows:")
    for sentence in summary:
        output.console.print(f"- {sentence.text}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``coverage`` command to ``app``."""
    app.command("coverage")(coverage_command)
