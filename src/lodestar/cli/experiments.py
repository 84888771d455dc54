"""``lodestar experiment ...`` and ``lodestar risk ...``: experiments and product risks, through
the same services as the API.

lodestar experiment list -w acme [-p ACME] [--status running] [--json]
lodestar experiment add "Pricing fake door" -w acme -p ACME --method fake_door \\
    --signal "5% click" --problem 7 --item ACME-3
lodestar experiment conclude 4 validated -w acme [--seen "9% clicked"]
lodestar risk list problem:7 -w acme [--json]          (or item:ACME-3, an epic)
lodestar risk set problem:7 value addressed -w acme [--note "..."] [--experiment 4]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption, checked_limit

if TYPE_CHECKING:
    from lodestar.backlog.models import BacklogItem
    from lodestar.discovery.models import Problem
    from lodestar.discovery.risk_models import Experiment
    from lodestar.people.policy import Actor

experiment_app = typer.Typer(help="Experiments: plan, conclude and list them.")
experiment_app.info.no_args_is_help = True
risk_app = typer.Typer(help="The four product risks of a problem or an epic.")
risk_app.info.no_args_is_help = True

SubjectArgument = Annotated[
    str, typer.Argument(help="problem:<id> or item:<key> (an epic), like problem:7.")
]

COLUMNS = [
    ("id", "Id"),
    ("product", "Product"),
    ("method", "Method"),
    ("status", "Status"),
    ("result", "Result"),
    ("title", "Title"),
]
RISK_COLUMNS = [
    ("kind", "Risk"),
    ("status", "Status"),
    ("experiment", "Experiment"),
    ("note", "Evidence"),
]


def experiment_data(
    experiment: Experiment, problems: list[int], items: list[str]
) -> dict[str, Any]:
    """The experiment with the keys the API answers."""
    return {
        "id": experiment.pk,
        "product": experiment.product.key,
        "title": experiment.title,
        "hypothesis": experiment.hypothesis,
        "method": experiment.method,
        "success_signal": experiment.success_signal,
        "status": experiment.status,
        "result": experiment.result,
        "result_text": experiment.result_text,
        "started_on": experiment.started_on,
        "ended_on": experiment.ended_on,
        "problems": problems,
        "items": items,
        "version": experiment.version,
    }


def _subject(actor: Actor, ref: str) -> Problem | BacklogItem:
    from lodestar.backlog.access import access_item
    from lodestar.discovery.access import access_problem

    kind, _, key = ref.partition(":")
    if kind == "problem" and key:
        return access_problem(actor, key)
    if kind == "item" and key:
        return access_item(actor, key)
    raise CliError(f"name a problem or an epic, like problem:7 or item:ACME-3 (it is {ref!r}).")


@experiment_app.command("list")
def experiment_list(
    workspace: WorkspaceOption,
    product: Annotated[
        str | None, typer.Option("--product", "-p", help="The product's key.")
    ] = None,
    email: AsOption = None,
    status: Annotated[str | None, typer.Option(help="planned, running or concluded.")] = None,
    limit: Annotated[int, typer.Option(help="How many, at most (1-500).")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List experiments, the newest first."""
    setup_django()
    from lodestar.discovery.risk_models import ExperimentStatus
    from lodestar.discovery.risk_selectors import experiment_links
    from lodestar.discovery.risk_selectors import experiment_list as rows_of
    from lodestar.strategy.refs import product_ref_or_none

    checked_limit(limit)
    if status is not None and status not in ExperimentStatus.values:
        raise CliError(f"--status must be planned, running or concluded (it is {status!r}).")
    actor = acting(workspace, email)
    of_product = product_ref_or_none(actor, product, field="--product")
    rows = list(
        rows_of(actor=actor, product_id=of_product.pk if of_product else None, status=status)[
            :limit
        ]
    )
    links = experiment_links(rows)
    output.print_listing(
        [experiment_data(e, *links[e.pk]) for e in rows],
        COLUMNS,
        as_json=as_json,
        title="Experiments",
        empty="No experiments (or none matches).",
        one_line={"title": 1},
    )


@experiment_app.command("add")
def experiment_add(
    title: Annotated[str, typer.Argument(help="The experiment's title.")],
    workspace: WorkspaceOption,
    product: Annotated[str, typer.Option("--product", "-p", help="The product's key.")],
    email: AsOption = None,
    hypothesis: Annotated[str, typer.Option(help="What you believe (Markdown).")] = "",
    method: Annotated[
        str,
        typer.Option(
            help="interview, prototype, fake_door, ab_test, concierge, survey, data_analysis, "
            "technical_spike or other."
        ),
    ] = "interview",
    signal: Annotated[str, typer.Option(help="What would count as success.")] = "",
    status: Annotated[str, typer.Option(help="planned or running.")] = "planned",
    problem: Annotated[
        list[int] | None, typer.Option(help="A problem it tests (its id); repeat for more.")
    ] = None,
    item: Annotated[
        list[str] | None, typer.Option(help="An item it tests (its key); repeat for more.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Plan an experiment, linked to problems and items."""
    setup_django()
    from lodestar.backlog.refs import item_refs
    from lodestar.discovery import risk_services
    from lodestar.discovery.refs import problem_refs
    from lodestar.strategy.refs import product_ref

    actor = acting(workspace, email)
    problems = problem_refs(actor, list(problem or []), field="--problem")
    items = item_refs(actor, list(item or []), field="--item")
    experiment = risk_services.experiment_create(
        actor=actor,
        product=product_ref(actor, product, field="--product"),
        title=title,
        hypothesis=hypothesis,
        method=method,
        success_signal=signal,
        status=status,
        problems=problems,
        items=items,
    )
    data = experiment_data(experiment, [p.pk for p in problems], [i.key for i in items])
    if as_json:
        output.print_json(data)
        return
    output.console.print(
        f"Planned experiment {experiment.pk}: {output.visible(experiment.title, keep='')}",
        markup=False,
    )


@experiment_app.command("conclude")
def experiment_conclude(
    experiment_id: Annotated[int, typer.Argument(help="The experiment's id.")],
    result: Annotated[str, typer.Argument(help="validated, invalidated or inconclusive.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    seen: Annotated[str | None, typer.Option(help="What was seen (Markdown).")] = None,
) -> None:
    """Conclude an experiment with its result."""
    setup_django()
    from lodestar.discovery import risk_services
    from lodestar.discovery.access import access_experiment

    actor = acting(workspace, email)
    experiment = risk_services.experiment_update(
        actor=actor,
        experiment=access_experiment(actor, experiment_id),
        status="concluded",
        result=result,
        result_text=seen,
    )
    output.console.print(
        f"Concluded experiment {experiment.pk}: {experiment.result}.", markup=False
    )


@risk_app.command("list")
def risk_list(
    subject: SubjectArgument,
    workspace: WorkspaceOption,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """The four risks of a problem or an epic."""
    setup_django()
    from lodestar.discovery import risk_services
    from lodestar.discovery.risk_selectors import subject_risks

    actor = acting(workspace, email)
    of = _subject(actor, subject)
    risk_services.check_risk_subject(actor, of)
    rows = [
        {
            "kind": risk.kind,
            "status": risk.status,
            "experiment": risk.experiment.pk if risk.experiment else None,
            "note": risk.note,
            "version": risk.version,
        }
        for risk in subject_risks(of)
    ]
    output.print_listing(
        rows, RISK_COLUMNS, as_json=as_json, title="Product risks", empty="", one_line={"note": 1}
    )


@risk_app.command("set")
def risk_set(
    subject: SubjectArgument,
    kind: Annotated[str, typer.Argument(help="value, usability, feasibility or viability.")],
    status: Annotated[str, typer.Argument(help="unknown, testing or addressed.")],
    workspace: WorkspaceOption,
    email: AsOption = None,
    note: Annotated[str | None, typer.Option(help="The evidence (Markdown).")] = None,
    experiment: Annotated[
        int | None, typer.Option(help="The experiment that addressed it (its id).")
    ] = None,
) -> None:
    """Set one risk of a problem or an epic."""
    setup_django()
    from lodestar.discovery import risk_services
    from lodestar.discovery.refs import experiment_ref

    actor = acting(workspace, email)
    risk = risk_services.risk_set(
        actor=actor,
        subject=_subject(actor, subject),
        kind=kind,
        status=status,
        note=note,
        experiment=experiment_ref(actor, experiment, field="--experiment")
        if experiment is not None
        else ...,
    )
    output.console.print(f"The {risk.kind} risk is {risk.status}.", markup=False)


def register(app: typer.Typer) -> None:
    """Add the ``experiment`` and ``risk`` command groups to ``app``."""
    app.add_typer(experiment_app, name="experiment")
    app.add_typer(risk_app, name="risk")
