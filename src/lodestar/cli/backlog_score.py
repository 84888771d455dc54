"""``lodestar backlog score`` and ``lodestar backlog suggest-order``: prioritization from the
terminal, through the same services (and rules) as the API.

    lodestar backlog score ACME-12 -w acme --as po@acme.test
    lodestar backlog score ACME-12 -w acme --as po@acme.test --framework rice \\
        --set reach=500 --set impact=2 --set confidence=80 --set effort=2
    lodestar backlog suggest-order ACME -w acme --as po@acme.test --framework wsjf [--apply]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from lodestar.cli import output
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption

if TYPE_CHECKING:
    from lodestar.backlog.prioritization.models import Score
    from lodestar.backlog.prioritization.selectors import Suggestion

WorkspaceOption = Annotated[str, typer.Option("--workspace", "-w", help="The workspace's slug.")]
AsOption = Annotated[str, typer.Option("--as", help="Act as the member with this email.")]
FrameworkOption = Annotated[
    str | None,
    typer.Option("--framework", "-f", help="rice, wsjf, ice, value_effort or scorecard."),
]


def parse_sets(pairs: list[str]) -> dict[str, float]:
    """``["reach=500", "impact=0.5"]`` as ``{"reach": 500.0, "impact": 0.5}``."""
    inputs: dict[str, float] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CliError(f"--set {pair}: write NAME=NUMBER, for example --set reach=500.")
        try:
            inputs[name] = float(raw.strip().rstrip("%"))
        except ValueError:
            raise CliError(f"--set {pair}: '{raw}' is not a number.") from None
    return inputs


def _score_data(score: Score) -> dict[str, Any]:
    return {
        "framework": score.framework,
        "value": score.value,
        "inputs": score.inputs,
        "explanation": score.explanation,
        "stale": score.stale,
        "entered_by": score.entered_by.email if score.entered_by else None,
        "updated_at": score.updated_at,
        "version": score.version,
    }


def _print_score(score: Score) -> None:
    from lodestar.backlog.prioritization.frameworks import ScoreResult, fmt

    result = ScoreResult.from_dict(score.explanation)
    stale = "  [yellow](stale: the scorecard changed; score it again)[/]" if score.stale else ""
    output.console.print(f"[bold]{result.framework.display_name}: {fmt(score.value)}[/]{stale}")
    output.console.print(output.visible(result.text), markup=False)


def score(
    item_key: Annotated[str, typer.Argument(help="The item, e.g. ACME-12.")],
    workspace: WorkspaceOption,
    email: AsOption,
    framework: FrameworkOption = None,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="An input as NAME=NUMBER; repeat for each input."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show an item's scores with their explanations, or set one with --framework and --set.

    Inputs left out keep the value the item's current score under that framework has.
    """
    setup_django()
    from lodestar.backlog.access import access_item
    from lodestar.backlog.prioritization import selectors, services
    from lodestar.cli.people import actor_for

    actor = actor_for(email, workspace)
    item = access_item(actor, item_key)
    if sets:
        if framework is None:
            raise CliError("--set needs --framework (rice, wsjf, ice, value_effort, scorecard).")
        chosen = selectors.parse_framework(framework)
        # Inputs not given keep their current value, so "--set confidence=50" changes just that.
        current = {s.framework: s.inputs for s in selectors.item_scores(actor=actor, item=item)}
        inputs = {**current.get(chosen, {}), **parse_sets(sets)}
        scores = [services.score_set(actor=actor, item=item, framework=chosen, inputs=inputs)]
    else:
        scores = selectors.item_scores(actor=actor, item=item)
        if framework is not None:
            chosen = selectors.parse_framework(framework)
            scores = [s for s in scores if s.framework == chosen]
    if as_json:
        output.print_json({"item": item.key, "scores": [_score_data(s) for s in scores]})
        return
    output.console.print(f"[bold]{item.key}[/] {escape(output.visible(item.title, keep=''))}")
    if not scores:
        output.console.print("Not scored yet. Set a score with --framework and --set NAME=NUMBER.")
    for entry in scores:
        _print_score(entry)


def _suggestion_rows(suggestion: Suggestion) -> list[dict[str, Any]]:
    return [
        {
            "position": row.suggested_position,
            "key": row.key,
            "title": row.title,
            "score": row.score,
            "now": row.current_position,
            "change": (
                "unscored"
                if row.score is None
                else f"up {row.moved}"
                if row.moved > 0
                else f"down {-row.moved}"
                if row.moved < 0
                else "same"
            ),
        }
        for row in suggestion.items
    ]


def suggest_order(
    product_key: Annotated[str, typer.Argument(help="The product, e.g. ACME.")],
    workspace: WorkspaceOption,
    email: AsOption,
    framework: Annotated[
        str, typer.Option("--framework", "-f", help="rice, wsjf, ice, value_effort or scorecard.")
    ],
    apply: Annotated[
        bool, typer.Option("--apply", help="Put the items where suggested (product owner).")
    ] = False,
    items: Annotated[
        list[str] | None,
        typer.Option("--item", help="With --apply: only this item; repeat for several."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show the not-started backlog sorted by a framework beside the current order."""
    setup_django()
    from lodestar.backlog.prioritization import selectors, services
    from lodestar.cli.people import actor_for
    from lodestar.strategy.access import access_product

    actor = actor_for(email, workspace)
    product = access_product(actor, product_key)
    if items and not apply:
        raise CliError("--item only makes sense with --apply.")
    if apply:
        moved = services.suggest_apply(
            actor=actor, product=product, framework=framework, item_keys=items or None
        )
        output.err_console.print(
            f"Moved {len(moved)} item(s): {', '.join(i.key for i in moved) or 'none needed'}."
        )
    suggestion = selectors.suggest_order(actor=actor, product=product, framework=framework)
    output.print_listing(
        _suggestion_rows(suggestion),
        [
            ("position", "#"),
            ("key", "Item"),
            ("title", "Title"),
            ("score", suggestion.framework.display_name),
            ("now", "Now"),
            ("change", "Change"),
        ],
        as_json=as_json,
        title=f"{product.key} by {suggestion.framework.display_name} "
        f"({suggestion.moves_needed} move(s) to apply all)",
        empty="No items to order (none is new or ready).",
    )


def register(backlog_app: typer.Typer) -> None:
    """Add ``score`` and ``suggest-order`` to the ``backlog`` command group."""
    backlog_app.command("score")(score)
    backlog_app.command("suggest-order")(suggest_order)
