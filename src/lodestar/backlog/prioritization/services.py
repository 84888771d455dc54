"""Every write of prioritization: scores, scorecards, and applying a suggested order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lodestar.backlog.models import BacklogItem
from lodestar.backlog.permissions import BacklogPermission
from lodestar.backlog.prioritization import ordering
from lodestar.backlog.prioritization.derived import (
    DERIVABLE,
    FROM_EVIDENCE,
    REACH_INPUT,
    counted_in_words,
    derived_reach,
    source_text,
)
from lodestar.backlog.prioritization.errors import PrioritizationErrorCode as Code
from lodestar.backlog.prioritization.frameworks import (
    FRAMEWORK_INPUTS,
    Criterion,
    Framework,
    ScoreInputError,
    compute,
    criteria_parse,
)
from lodestar.backlog.prioritization.models import Score, Scorecard
from lodestar.backlog.prioritization.selectors import Suggestion, parse_framework, suggest_order
from lodestar.backlog.services.ordering import item_move
from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import FieldError, Invalid, NotFound, StaleVersion
from lodestar.core.history import history_record
from lodestar.core.models import HistoryEntry
from lodestar.people.policy import Actor, Permission, require
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import product_team_query

Action = HistoryEntry.Action


def _invalid(error: ScoreInputError, *, prefix: str, code: str) -> Invalid:
    errors = [
        FieldError(p.field if p.field == "framework" else f"{prefix}{p.field}", p.message)
        for p in error.problems
    ]
    return Invalid.fields(errors, code=code)


def _entered_by(actor: Actor) -> str:
    name = actor.user.full_name or actor.user.email
    return f"entered by {name} on {timezone.localdate().isoformat()}"


def _criteria(scorecard: Scorecard | None) -> tuple[Criterion, ...]:
    return criteria_parse(scorecard.criteria) if scorecard and scorecard.criteria else ()


def _kept_sources(previous: Score | None, inputs: Mapping[str, object]) -> dict[str, str]:
    """Sources of the inputs whose value did not change: they keep who entered them, and when."""
    if previous is None:
        return {}
    before = {entry["field"]: entry for entry in previous.explanation.get("inputs", [])}
    return {
        name: before[name]["source"]
        for name, value in inputs.items()
        if name in before
        and previous.inputs.get(name) == value
        # A number that came from evidence and is now typed in is the actor's from now on.
        and not str(before[name]["source"]).startswith(FROM_EVIDENCE)
    }


def _require_score_rights(
    actor: Actor,
    item: BacklogItem,
    framework: Framework,
    inputs: Mapping[str, object],
    previous: Score | None,
    derived: frozenset[str] = frozenset(),
) -> None:
    """Refuse inputs the actor may not set: business value is the product owner's call,
    effort the developers' (``backlog/permissions.py``). Only the inputs that change count, so
    a developer re-sending the product owner's reach with a new effort is fine. Choosing
    whether reach comes from evidence is choosing reach: it counts when it changes."""
    before = previous.inputs if previous is not None else {}
    changed = {
        name for name, value in inputs.items() if name not in derived and before.get(name) != value
    }
    was_derived = {REACH_INPUT} if previous is not None and previous.reach_from_evidence else set()
    changed |= was_derived ^ set(derived)
    if not changed:
        return
    sides = {spec.name: spec.side for spec in FRAMEWORK_INPUTS.get(framework, ())}
    # A scorecard's criteria are all business value.
    needed = {sides.get(name, "value") for name in changed}
    if "value" in needed:
        require(actor, BacklogPermission.SCORE_VALUE, product=item.product)
    if "effort" in needed:
        require(
            actor,
            BacklogPermission.SCORE_EFFORT,
            product=item.product,
            teams=product_team_query(item.product),
        )


def _summary(score: Score | None) -> dict[str, Any] | None:
    if score is None:
        return None
    summary: dict[str, Any] = {"value": score.value, "inputs": score.inputs}
    if score.reach_from_evidence:
        summary["derived"] = [REACH_INPUT]
    return summary


def _derived_names(framework: Framework, derived: Sequence[str]) -> frozenset[str]:
    """The inputs asked to come from evidence, or 422 naming each one that cannot."""
    allowed = DERIVABLE.get(framework, ())
    errors = [
        FieldError(
            f"derived.{index}",
            f"{framework.display_name} has no input '{name}' that evidence can give"
            if allowed
            else f"{framework.display_name} takes no input from evidence; only RICE's reach can",
        )
        for index, name in enumerate(derived)
        if name not in allowed
    ]
    if errors:
        raise Invalid.fields(errors, code=Code.INPUT_INVALID)
    return frozenset(derived)


def _with_derived(
    item: BacklogItem, inputs: Mapping[str, object], derived: frozenset[str]
) -> tuple[dict[str, object], dict[str, str]]:
    """``inputs`` completed with the derived ones, and their sources in words."""
    if not derived:
        return dict(inputs), {}
    given = [name for name in derived if name in inputs]
    if given:
        raise Invalid.fields(
            [
                FieldError(f"inputs.{name}", "comes from evidence; leave it out, or enter it")
                for name in given
            ],
            code=Code.INPUT_INVALID,
        )
    answer = derived_reach([item]).get(item.pk)
    if answer is None:
        raise Invalid.field(
            "derived",
            "nothing in this workspace gives reach from evidence; enter reach instead",
            code=Code.INPUT_INVALID,
        )
    return {**inputs, REACH_INPUT: answer.value}, {REACH_INPUT: source_text(answer)}


@transaction.atomic
def score_set(
    *,
    actor: Actor,
    item: BacklogItem,
    framework: str,
    inputs: Mapping[str, object],
    expected_version: int | None = None,
    derived: Sequence[str] = (),
) -> Score:
    """Store the item's score under ``framework`` (replacing its current one) and explain it.

    Inputs whose value did not change keep their original source; the others are attributed to
    the actor today. ``derived`` names inputs taken from evidence instead (RICE's ``reach``:
    the customers behind the item's problems), left out of ``inputs``; the explanation names
    where the number came from, and the score follows the evidence from then on. Bad input
    answers 422 naming ``inputs.<field>`` (or ``derived.<i>``) and what is allowed.
    """
    require(actor, Permission.EDIT_CONTENT)
    chosen = parse_framework(framework)
    from_evidence = _derived_names(chosen, derived)
    previous = Score.objects.select_for_update().filter(item=item, framework=chosen).first()
    _require_score_rights(actor, item, chosen, inputs, previous, from_evidence)
    if previous is not None:
        check_version(previous, expected_version)
    elif expected_version is not None:
        raise StaleVersion(
            f"{item.key} has no {chosen.display_name} score any more; reload it and score again."
        )
    criteria: tuple[Criterion, ...] = ()
    if chosen is Framework.SCORECARD:
        criteria = _criteria(Scorecard.objects.filter(product_id=item.product_id).first())
        if not criteria:
            raise Invalid.field(
                "framework",
                "this product has no scorecard yet; define its criteria first",
                code=Code.NO_SCORECARD,
            )
    mine = _entered_by(actor)
    entered = inputs
    inputs, evidence = _with_derived(item, entered, from_evidence)
    sources = {name: mine for name in entered} | _kept_sources(previous, entered) | evidence
    try:
        result = counted_in_words(
            compute(chosen, inputs, criteria=criteria, sources=sources), evidence
        )
    except ScoreInputError as error:
        raise _invalid(error, prefix="inputs.", code=Code.INPUT_INVALID) from error
    before = _summary(previous)
    score = previous or Score(workspace_id=actor.workspace_id, item=item, framework=chosen)
    score.inputs = {name: inputs[name] for name in inputs}
    score.value = result.value
    score.explanation = result.as_dict()
    score.stale = False
    score.reach_from_evidence = bool(from_evidence)
    score.entered_by = actor.user
    if previous is None:
        try:
            with transaction.atomic():
                score.save()
        except IntegrityError as exc:  # someone scored it under this framework just now
            raise StaleVersion(
                f"Someone else scored {item.key} with {chosen.display_name} at the same time; "
                "reload it and apply your change again.",
                code=Code.SCORE_CONFLICT,
            ) from exc
    elif before != _summary(score) or previous.stale:
        bump(
            score,
            ["inputs", "value", "explanation", "stale", "reach_from_evidence", "entered_by"],
        )
    else:
        return score
    history_record(
        actor=actor.user,
        workspace_id=actor.workspace_id,
        obj=item,
        action=Action.UPDATED,
        changes={f"score_{chosen.value}": [before, _summary(score)]},
    )
    return score


@transaction.atomic
def score_clear(*, actor: Actor, item: BacklogItem, framework: str) -> None:
    """Remove the item's score under ``framework``; the item becomes unscored there. Taking
    a score away drops its business value too: the product owner's call."""
    require(actor, Permission.EDIT_CONTENT)
    chosen = parse_framework(framework)
    require(actor, BacklogPermission.SCORE_VALUE, product=item.product)
    score = Score.objects.filter(item=item, framework=chosen).first()
    if score is None:
        raise NotFound(f"{item.key} has no {chosen.display_name} score.", code=Code.SCORE_NOT_FOUND)
    before = _summary(score)
    score.delete()
    history_record(
        actor=actor.user,
        workspace_id=actor.workspace_id,
        obj=item,
        action=Action.UPDATED,
        changes={f"score_{chosen.value}": [before, None]},
    )


def scores_refresh_derived(*, workspace_id: int, item_ids: Sequence[int] | None = None) -> int:
    """Compute again the scores whose reach comes from evidence (all of the workspace's, or
    those of ``item_ids``), after the evidence changed; returns how many changed.

    Like a scorecard's rescoring, nobody did this: no history line, but the score's version
    moves, so a form opened before refuses to overwrite the new number. Constant queries:
    the scores, the sources' answers, one bulk update.
    """
    with transaction.atomic():
        rows = Score.objects.select_for_update().filter(
            workspace_id=workspace_id, framework=Framework.RICE, reach_from_evidence=True
        )
        if item_ids is not None:
            rows = rows.filter(item_id__in=list(item_ids))
        scores = list(rows.select_related("item").order_by("pk"))
        if not scores:
            return 0
        answers = derived_reach([score.item for score in scores])
        now = timezone.now()
        changed: list[Score] = []
        for score in scores:
            answer = answers.get(score.item_id)
            if answer is None:  # no source speaks for it any more: keep the last number
                continue
            kept = {entry["field"]: entry["source"] for entry in score.explanation["inputs"]}
            inputs = {**score.inputs, REACH_INPUT: answer.value}
            result = counted_in_words(
                compute(Framework.RICE, inputs, sources=kept | {REACH_INPUT: source_text(answer)}),
                [REACH_INPUT],
            )
            if score.inputs == inputs and score.explanation == result.as_dict():
                continue
            score.inputs = inputs
            score.value = result.value
            score.explanation = result.as_dict()
            score.version += 1
            score.updated_at = now
            changed.append(score)
        Score.objects.bulk_update(
            changed, ["inputs", "value", "explanation", "version", "updated_at"], batch_size=500
        )
        return len(changed)


def _rescore(product: Product, criteria: tuple[Criterion, ...]) -> None:
    """Recompute the product's scorecard scores for new criteria or weights.

    A score whose inputs no longer fit (a new criterion, a narrower scale) is marked stale
    rather than dropped: its inputs are kept for when someone scores it again.
    """
    now = timezone.now()
    scores = list(
        Score.objects.select_for_update().filter(
            item__product=product, framework=Framework.SCORECARD
        )
    )
    for score in scores:
        kept = {entry["field"]: entry["source"] for entry in score.explanation.get("inputs", [])}
        inputs = {c.key: score.inputs[c.key] for c in criteria if c.key in score.inputs}
        try:
            result = compute(Framework.SCORECARD, inputs, criteria=criteria, sources=kept)
        except ScoreInputError:
            score.stale = True
        else:
            score.value = result.value
            score.explanation = result.as_dict()
            score.stale = False
        score.version += 1
        score.updated_at = now
    Score.objects.bulk_update(
        scores, ["value", "explanation", "stale", "version", "updated_at"], batch_size=500
    )


@transaction.atomic
def scorecard_set(
    *,
    actor: Actor,
    product: Product,
    criteria: Sequence[Mapping[str, object]],
    expected_version: int | None = None,
) -> Scorecard:
    """Define the product's weighted scorecard; its items' scorecard scores are recomputed."""
    require(actor, BacklogPermission.EDIT_SCORECARD, product=product)
    try:
        parsed = criteria_parse(criteria)
    except ScoreInputError as error:
        raise _invalid(error, prefix="", code=Code.SCORECARD_INVALID) from error
    stored = [c.as_dict() for c in parsed]
    scorecard = Scorecard.objects.select_for_update().filter(product=product).first()
    if scorecard is None:
        if expected_version is not None:
            raise StaleVersion(f"{product.key} has no scorecard yet; reload and try again.")
        scorecard = Scorecard(workspace_id=actor.workspace_id, product=product)
        before: list[dict[str, Any]] | None = None
        scorecard.criteria = stored
        scorecard.updated_by = actor.user
        try:
            with transaction.atomic():
                scorecard.save()
        except IntegrityError as exc:
            raise StaleVersion(
                f"Someone else defined {product.key}'s scorecard at the same time; reload it.",
                code=Code.SCORE_CONFLICT,
            ) from exc
    else:
        check_version(scorecard, expected_version)
        before = scorecard.criteria
        if before == stored:
            return scorecard
        scorecard.criteria = stored
        scorecard.updated_by = actor.user
        bump(scorecard, ["criteria", "updated_by"])
    _rescore(product, parsed)
    history_record(
        actor=actor.user,
        workspace_id=actor.workspace_id,
        obj=scorecard,
        action=Action.CREATED if before is None else Action.UPDATED,
        changes={"criteria": [before, stored]},
        label=f"Scorecard of {product.key}",
    )
    return scorecard


def suggest_apply(
    *,
    actor: Actor,
    product: Product,
    framework: str,
    item_keys: Sequence[str] | None = None,
) -> list[BacklogItem]:
    """Apply the suggested order, for every item or only ``item_keys``; returns the moved items.

    Each chosen item takes its suggested position; the others keep their relative order. Only
    the fewest items needed are moved, each through ``item_move`` (one row written per move).
    """
    require(actor, BacklogPermission.ORDER_BACKLOG, product=product)
    with transaction.atomic():
        suggestion = suggest_order(actor=actor, product=product, framework=framework)
        return _apply(actor, product, suggestion, item_keys)


def _apply(
    actor: Actor, product: Product, suggestion: Suggestion, item_keys: Sequence[str] | None
) -> list[BacklogItem]:
    current = [row.key for row in sorted(suggestion.items, key=lambda r: r.current_position)]
    suggested = [row.key for row in suggestion.items]
    if item_keys is None:
        chosen = set(current)
    else:
        known = set(current)
        errors = [
            FieldError(f"items.{index}", f"{key} is not an item of this suggested order")
            for index, key in enumerate(item_keys)
            if key.strip().upper() not in known
        ]
        if errors:
            raise Invalid.fields(errors, code=Code.ITEM_NOT_IN_SUGGESTION)
        chosen = {key.strip().upper() for key in item_keys}
    target = ordering.partial_target(current, suggested, chosen)
    steps = ordering.move_steps(current, target)
    if not steps:
        return []
    named = {step.key for step in steps} | {s.after or s.before or "" for s in steps}
    items = {
        item.key: item
        for item in BacklogItem.objects.select_related("product").filter(
            product=product, workspace_id=actor.workspace_id, key__in=named
        )
    }
    moved: list[BacklogItem] = []
    for step in steps:
        item = items[step.key]
        if step.after is not None:
            moved.append(item_move(actor=actor, item=item, after=items[step.after]))
        else:
            moved.append(item_move(actor=actor, item=item, before=items[step.before or ""]))
        items[step.key] = moved[-1]
    return moved
