"""``lodestar outcomes ...``: success criteria and outcome reviews, through the same services
as the API.

lodestar outcomes criterion -w acme -p ACME --release 2026.4 --metric checkout-conversion \\
    --target 5 --kind relative [--baseline 3.1] [--baseline-days 28] [--window-days 28]
lodestar outcomes criteria -w acme -p ACME [--release 2026.4] [--json]
lodestar outcomes evaluate -w acme -p ACME [--release 2026.4 | --item ACME-12] [--json]
lodestar outcomes list -w acme -p ACME [--verdict missed] [--json]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, ProductOption, WorkspaceOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption

if TYPE_CHECKING:
    from lodestar.outcomes.models import OutcomeReview, SuccessCriterion

outcomes_app = typer.Typer(help="Success criteria of releases and epics, and their outcomes.")
outcomes_app.info.no_args_is_help = True

ReleaseOption = Annotated[
    str | None, typer.Option("--release", help="A release of the product: its name or id.")
]
ItemOption = Annotated[str | None, typer.Option("--item", help="An epic of the product: its key.")]
VERDICTS = ("pending", "met", "missed", "inconclusive")


def criterion_data(criterion: SuccessCriterion) -> dict[str, Any]:
    from lodestar.outcomes.services import criterion_label

    review = getattr(criterion, "review", None)
    return {
        "id": criterion.pk,
        "label": criterion_label(criterion),
        "metric": criterion.metric.key,
        "release": criterion.release.name if criterion.release else None,
        "item": criterion.item.key if criterion.item else None,
        "target": criterion.target,
        "target_kind": criterion.target_kind,
        "baseline": criterion.baseline,
        "baseline_window_days": criterion.baseline_window_days,
        "evaluation_window_days": criterion.evaluation_window_days,
        "verdict": review.verdict if review else None,
    }


def review_data(review: OutcomeReview) -> dict[str, Any]:
    from lodestar.outcomes.services import criterion_label

    criterion = review.criterion
    return {
        "id": review.pk,
        "label": criterion_label(criterion),
        "of": criterion.release.name if criterion.release else criterion.item.key,  # type: ignore[union-attr]
        "verdict": review.verdict,
        "final": review.final,
        "baseline_value": _figure(review.baseline_value),
        "observed_value": _figure(review.observed_value),
        "target_level": _figure(review.target_level),
        "observed_until": review.observed_until,
        "reason": review.reason,
    }


def _figure(value: float | None) -> float | None:
    """Six significant digits: what a measured mean can claim."""
    return None if value is None else float(f"{value:.6g}")


def _number(value: float | None) -> str:
    return "none" if value is None else f"{value:.6g}"


@outcomes_app.command("criterion")
def criterion_add(
    workspace: WorkspaceOption,
    product: ProductOption,
    metric: Annotated[str, typer.Option("--metric", help="The metric's key.")],
    target: Annotated[str, typer.Option("--target", help="A level, or a change in percent.")],
    kind: Annotated[
        str, typer.Option("--kind", help="absolute (a level) or relative (percent of baseline).")
    ],
    release: ReleaseOption = None,
    item: ItemOption = None,
    baseline: Annotated[
        str | None, typer.Option(help="Given; else computed from the days before going live.")
    ] = None,
    baseline_days: Annotated[int, typer.Option(help="Baseline window: 7 to 365 days.")] = 28,
    window_days: Annotated[int, typer.Option(help="Evaluation window: 7 to 365 days.")] = 28,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set a success criterion on a release or an epic."""
    setup_django()
    from lodestar.outcomes import services
    from lodestar.outcomes.access import access_metric
    from lodestar.outcomes.refs import epic_of, release_of
    from lodestar.strategy.access import access_product

    if (release is None) == (item is None):
        raise CliError("Give --release or --item (one of them): what the criterion is for.")
    actor = acting(workspace, email)
    found = access_product(actor, product)
    criterion = services.criterion_create(
        actor=actor,
        product=found,
        metric=access_metric(actor, found, metric),
        release=release_of(actor, found, release) if release is not None else None,
        item=epic_of(actor, found, item) if item is not None else None,
        target=target,
        target_kind=kind.strip().lower(),
        baseline=baseline,
        baseline_window_days=baseline_days,
        evaluation_window_days=window_days,
    )
    if as_json:
        output.print_json(criterion_data(criterion))
        return
    output.console.print(
        f"Set success criterion {criterion.pk}: "
        f"{output.visible(services.criterion_label(criterion), keep='')}.",
        markup=False,
    )


@outcomes_app.command("criteria")
def criteria_list(
    workspace: WorkspaceOption,
    product: ProductOption,
    release: ReleaseOption = None,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the product's success criteria (of one release when named)."""
    setup_django()
    from lodestar.outcomes.refs import release_of
    from lodestar.outcomes.selectors import criterion_list
    from lodestar.strategy.access import access_product

    actor = acting(workspace, email)
    found = access_product(actor, product)
    rows = criterion_list(product=found)
    if release is not None:
        rows = rows.filter(release=release_of(actor, found, release))
    output.print_listing(
        [criterion_data(c) for c in rows],
        [
            ("id", "Id"),
            ("label", "Criterion"),
            ("release", "Release"),
            ("item", "Epic"),
            ("verdict", "Verdict"),
        ],
        as_json=as_json,
        title="Success criteria",
        empty="No success criterion on this product yet.",
    )


@outcomes_app.command("evaluate")
def evaluate(
    workspace: WorkspaceOption,
    product: ProductOption,
    release: ReleaseOption = None,
    item: ItemOption = None,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Evaluate now the criteria whose release or epic went live: a closed window gets its
    verdict, an open one the figures so far."""
    setup_django()
    from lodestar.outcomes import services
    from lodestar.outcomes.refs import epic_of, release_of
    from lodestar.strategy.access import access_product

    if release is not None and item is not None:
        raise CliError("Give --release or --item, not both.")
    actor = acting(workspace, email)
    found = access_product(actor, product)
    reviews = services.outcomes_evaluate(
        actor=actor,
        product=found,
        release=release_of(actor, found, release) if release is not None else None,
        item=epic_of(actor, found, item) if item is not None else None,
    )
    rows = [review_data(review) for review in reviews]
    if as_json:
        output.print_json(rows)
        return
    for row in rows:
        verdict = row["verdict"] if row["final"] else "so far (window open)"
        output.console.print(
            f"{row['of']}: {output.visible(row['label'], keep='')}: {verdict.upper()} · baseline "
            f"{_number(row['baseline_value'])}, observed {_number(row['observed_value'])}, "
            f"target {_number(row['target_level'])}. {output.visible(row['reason'], keep='')}",
            markup=False,
        )


@outcomes_app.command("list")
def outcomes_list(
    workspace: WorkspaceOption,
    product: ProductOption,
    verdict: Annotated[
        str | None, typer.Option(help="pending, met, missed or inconclusive.")
    ] = None,
    email: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the product's outcome reviews, the latest window first."""
    setup_django()
    from lodestar.outcomes.selectors import review_list
    from lodestar.strategy.access import access_product

    if verdict is not None and verdict not in VERDICTS:
        raise CliError(f"--verdict must be one of {', '.join(VERDICTS)} (it is {verdict!r}).")
    actor = acting(workspace, email)
    rows = review_list(actor=actor, product=access_product(actor, product), verdict=verdict)
    output.print_listing(
        [review_data(r) for r in rows],
        [
            ("id", "Id"),
            ("label", "Criterion"),
            ("of", "Of"),
            ("verdict", "Verdict"),
            ("baseline_value", "Baseline"),
            ("observed_value", "Observed"),
            ("target_level", "Target"),
            ("observed_until", "Window closed"),
        ],
        as_json=as_json,
        title="Outcome reviews",
        empty="No outcome reviewed yet.",
    )


def register(app: typer.Typer) -> None:
    app.add_typer(outcomes_app, name="outcomes")
