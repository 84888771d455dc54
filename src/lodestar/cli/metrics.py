"""``lodestar metrics ...``: a product's metrics and their samples, through the same services
as the API.

lodestar metrics list -w acme -p ACME [--json]
lodestar metrics add checkout-conversion "Checkout conversion" -w acme -p ACME --unit % \\
    --direction higher [--aggregation mean] [--time-zone Europe/Berlin]
lodestar metrics show checkout-conversion -w acme -p ACME [--days 30] [--json]
lodestar metrics push checkout-conversion samples.csv -w acme -p ACME    (CSV: at,value)
lodestar metrics push checkout-conversion - -w acme -p ACME --format jsonl < samples.jsonl
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, ProductOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption
from lodestar.outcomes.samples import MAX_FILE_BYTES  # plain Python: no Django needed

if TYPE_CHECKING:
    from lodestar.outcomes.models import Metric
    from lodestar.people.policy import Actor

metrics_app = typer.Typer(help="Metrics of a product and their samples.")
metrics_app.info.no_args_is_help = True

MetricArgument = Annotated[str, typer.Argument(help="The metric's key.")]
COLUMNS = [
    ("key", "Key"),
    ("name", "Metric"),
    ("unit", "Unit"),
    ("direction", "Better"),
    ("aggregation", "Each day"),
    ("time_zone", "Zone"),
]


def metric_data(metric: Metric) -> dict[str, Any]:
    """The metric with the keys the API answers."""
    return {
        "product": metric.product.key,
        "key": metric.key,
        "name": metric.name,
        "unit": metric.unit,
        "direction": metric.direction,
        "aggregation": metric.aggregation,
        "description": metric.description,
        "time_zone": metric.time_zone,
        "version": metric.version,
    }


def _metric(actor: Actor, product: str, key: str) -> Metric:
    from lodestar.outcomes.access import access_metric
    from lodestar.strategy.access import access_product

    return access_metric(actor, access_product(actor, product), key)


@metrics_app.command("list")
def metrics_list(
    workspace: WorkspaceOption,
    product: ProductOption,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the product's metrics."""
    setup_django()
    from lodestar.outcomes.selectors import metric_list
    from lodestar.strategy.access import access_product

    actor = acting(workspace, email)
    rows = [
        metric_data(m) for m in metric_list(actor=actor, product=access_product(actor, product))
    ]
    output.print_listing(
        rows, COLUMNS, as_json=as_json, title="Metrics", empty="No metrics on this product yet."
    )


@metrics_app.command("add")
def metrics_add(
    key: MetricArgument,
    name: Annotated[str, typer.Argument(help="The metric's name.")],
    workspace: WorkspaceOption,
    product: ProductOption,
    direction: Annotated[str, typer.Option(help="higher or lower: which way is better.")],
    unit: Annotated[str, typer.Option(help="Such as %, users, ms.")] = "",
    aggregation: Annotated[str, typer.Option(help="mean, sum or last: a day's value.")] = "mean",
    time_zone: Annotated[str, typer.Option(help="The zone its days are counted in.")] = "UTC",
    description: Annotated[str, typer.Option(help="Markdown.")] = "",
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Define a metric of the product."""
    setup_django()
    from lodestar.outcomes import services
    from lodestar.strategy.access import access_product

    actor = acting(workspace, email)
    metric = services.metric_create(
        actor=actor,
        product=access_product(actor, product),
        key=key,
        name=name,
        direction=direction.strip().lower(),
        unit=unit,
        aggregation=aggregation.strip().lower(),
        time_zone=time_zone,
        description=description,
    )
    if as_json:
        output.print_json(metric_data(metric))
        return
    output.console.print(
        f"Defined metric {metric.key} ({output.visible(metric.name, keep='')}) on "
        f"{metric.product.key}.",
        markup=False,
    )


@metrics_app.command("show")
def metrics_show(
    key: MetricArgument,
    workspace: WorkspaceOption,
    product: ProductOption,
    days: Annotated[int, typer.Option(help="The last days of its daily series (1-3660).")] = 30,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a metric and the last days of its daily series."""
    setup_django()
    from lodestar.outcomes.selectors import daily_series

    if not 1 <= days <= 3660:
        raise CliError(f"--days must be 1 to 3660 (it is {days}).")
    actor = acting(workspace, email)
    metric = _metric(actor, product, key)
    series = daily_series(metric=metric)[-days:]
    data = metric_data(metric)
    data["days"] = [{"day": d.day, "value": d.value, "samples": d.samples} for d in series]
    if as_json:
        output.print_json(data)
        return
    shown = output.visible
    unit = f" {metric.unit}" if metric.unit else ""
    output.console.print(
        f"{metric.product.key}/{metric.key}: {shown(metric.name, keep='')} "
        f"({metric.direction} is better; each day the {metric.aggregation}, {metric.time_zone})",
        markup=False,
    )
    if not series:
        output.console.print("No samples yet.", markup=False)
    for day in series:
        output.console.print(f"  {day.day}  {day.value:.6g}{unit}  ({day.samples})", markup=False)


@metrics_app.command("push")
def metrics_push(
    key: MetricArgument,
    source: Annotated[str, typer.Argument(help="A file, or - for standard input.")],
    workspace: WorkspaceOption,
    product: ProductOption,
    format: Annotated[
        str, typer.Option("--format", help="csv (at,value header) or jsonl; default: by name.")
    ] = "",
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store samples from a CSV file (at,value) or JSON lines: all, or none and each bad line
    named. A time already stored is replaced."""
    setup_django()
    from lodestar.core.errors import Invalid
    from lodestar.outcomes import services
    from lodestar.outcomes.samples import row_sentence

    kind = format.strip().lower() or ("jsonl" if source.endswith((".jsonl", ".ndjson")) else "csv")
    if kind not in ("csv", "jsonl"):
        raise CliError(f"--format must be csv or jsonl (it is {format!r}).")
    if source == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise CliError(f"No file {source}.")
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise CliError(f"The input is larger than {MAX_FILE_BYTES:,} bytes; split it.")
    actor = acting(workspace, email)
    metric = _metric(actor, product, key)
    try:
        result = services.samples_import(actor=actor, metric=metric, data=data, kind=kind)
    except Invalid as error:
        more = error.detail.rsplit("; and ", 1)
        rest = f" And {more[1]}." if len(more) == 2 and more[1].endswith(" more") else ""
        raise CliError(" ".join(row_sentence(e) for e in error.errors) + rest) from None
    if as_json:
        output.print_json(
            {"received": result.received, "created": result.created, "replaced": result.replaced}
        )
        return
    output.console.print(
        f"Pushed {result.received:,} samples to {metric.product.key}/{metric.key} "
        f"({result.created:,} new, {result.replaced:,} replaced).",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(metrics_app, name="metrics")
