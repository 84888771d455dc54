"""Every write of the outcomes context: metrics (define, change, delete) and their samples
(pushed in batches, imported from a file). One transaction each; a metric's changes are
recorded in history and published as events, samples are not (a push is not news)."""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from lodestar.backlog.models import BacklogItem, ItemKind, ItemStatus
from lodestar.backlog.services import item_create, items_mark
from lodestar.core.concurrency import bump, check_version
from lodestar.core.db import insert_values, large_writes
from lodestar.core.errors import FieldError, Invalid
from lodestar.core.history import changes_since, history_record, snapshot
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.core.trash import trash_move
from lodestar.discovery.models import Problem
from lodestar.discovery.services import problem_items_link, problem_update
from lodestar.outcomes import rollup, selectors
from lodestar.outcomes import samples as sample_input
from lodestar.outcomes.errors import OutcomeErrorCode as Code
from lodestar.outcomes.models import (
    FLOAT_MAX,
    WINDOW_MAX_DAYS,
    WINDOW_MIN_DAYS,
    Aggregation,
    Direction,
    Metric,
    MetricSample,
    OutcomeReview,
    SuccessCriterion,
    TargetKind,
    Verdict,
)
from lodestar.outcomes.permissions import OutcomePermission
from lodestar.people.policy import Actor, require
from lodestar.releases.models import Release, ReleaseState
from lodestar.strategy.models import Product

KEY = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")
DESCRIPTION_MAX = 10_000
# Times per DELETE of replaced samples (within SQLite's parameters per statement).
DELETE_CHUNK = 10_000
_FIELDS = ["name", "unit", "direction", "aggregation", "description", "time_zone"]


# -- checks -----------------------------------------------------------------------------------


def clean_key(key: str) -> str:
    value = (key or "").strip().lower()
    if not KEY.match(value):
        raise Invalid.field(
            "key",
            "must be 2 to 40 characters: lower-case letters, digits, - and _, starting with a "
            "letter (like checkout-conversion)",
            code=Code.METRIC_KEY_INVALID,
        )
    return value


def _text(field: str, value: str, most: int, code: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Invalid.field(field, "must not be empty", code=code)
    if len(text) > most:
        raise Invalid.field(field, f"must be at most {most} characters", code=code)
    return text


def clean_time_zone(value: str) -> str:
    name = (value or "").strip() or "UTC"
    if name not in _zones():
        raise Invalid.field(
            "time_zone",
            f"'{name[:64]}' is not a time zone; use a name like UTC or Europe/Berlin",
            code=Code.METRIC_TIME_ZONE_INVALID,
        )
    return name


@cache
def _zones() -> frozenset[str]:
    """The IANA zone names this machine knows (not its files' other names, such as
    ``posixrules``)."""
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def _choice(field: str, value: str, choices: type[Direction] | type[Aggregation]) -> str:
    if value not in choices.values:
        raise Invalid.field(
            field, f"must be one of {', '.join(choices.values)}", code=Code.METRIC_CHOICE_INVALID
        )
    return value


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field == "name":
            cleaned[field] = _text("name", value, 100, Code.METRIC_NAME_INVALID, required=True)
        elif field == "unit":
            cleaned[field] = _text("unit", value, 20, Code.METRIC_UNIT_INVALID)
        elif field == "description":
            cleaned[field] = _text(
                "description", value, DESCRIPTION_MAX, Code.METRIC_DESCRIPTION_INVALID
            )
        elif field == "direction":
            cleaned[field] = _choice("direction", value, Direction)
        elif field == "aggregation":
            cleaned[field] = _choice("aggregation", value, Aggregation)
        elif field == "time_zone":
            cleaned[field] = clean_time_zone(value)
        else:
            raise TypeError(f"unknown metric field {field}")
    return cleaned


def _taken(product: Product, key: str) -> Invalid:
    return Invalid.field(
        "key",
        f"{key} is already the key of a metric of {product.key} (perhaps one in the trash)",
        code=Code.METRIC_KEY_TAKEN,
    )


# -- metrics ----------------------------------------------------------------------------------


def metric_create(
    *,
    actor: Actor,
    product: Product,
    key: str,
    name: str,
    direction: str,
    unit: str = "",
    aggregation: str = Aggregation.MEAN,
    description: str = "",
    time_zone: str = "UTC",
) -> Metric:
    """A metric of ``product`` (its key unique in the product, the trash included)."""
    require(actor, OutcomePermission.DEFINE_METRICS, product=product)
    values = _clean(
        {
            "name": name,
            "unit": unit,
            "direction": direction,
            "aggregation": aggregation,
            "description": description,
            "time_zone": time_zone,
        }
    )
    metric = Metric(
        workspace_id=actor.workspace_id,
        product=product,
        key=clean_key(key),
        created_by=actor.user,
        description_html=render_markdown(values["description"]),
        **values,
    )
    if Metric.all_objects.filter(product=product, key=metric.key).exists():
        raise _taken(product, metric.key)
    try:
        with transaction.atomic():
            metric.save()
            history_record(
                actor=actor.user,
                workspace_id=actor.workspace_id,
                obj=metric,
                action=HistoryEntry.Action.CREATED,
                changes={"key": metric.key, "name": metric.name},
                label=metric.name,
            )
    except IntegrityError as exc:  # a concurrent create took the key first
        raise _taken(product, metric.key) from exc
    return metric


def metric_update(
    *, actor: Actor, metric: Metric, expected_version: int | None = None, **changes: Any
) -> Metric:
    """Change the metric's name, unit, direction, aggregation, description or time zone (its
    key stays: scripts push to it)."""
    require(actor, OutcomePermission.DEFINE_METRICS, product=metric.product)
    unknown = sorted(set(changes) - set(_FIELDS))
    if unknown:
        raise Invalid.fields(
            [FieldError(field, "cannot be changed") for field in unknown],
            code=Code.METRIC_CHOICE_INVALID,
        )
    values = _clean(changes)
    with transaction.atomic():
        check_version(metric, expected_version)
        before = snapshot(metric, _FIELDS)
        for field, value in values.items():
            setattr(metric, field, value)
        if "description" in values:
            metric.description_html = render_markdown(metric.description)
        changed = changes_since(metric, before)
        if not changed:
            return metric
        bump(metric, [*changed, *(["description_html"] if "description" in changed else [])])
        if "time_zone" in changed:
            rollup.rebuild(metric)
        history_record(
            actor=actor.user,
            workspace_id=actor.workspace_id,
            obj=metric,
            action=HistoryEntry.Action.UPDATED,
            changes=changed,
            label=metric.name,
        )
    return metric


def metric_delete(*, actor: Actor, metric: Metric, expected_version: int | None = None) -> Metric:
    """Move the metric (and so its samples, kept) to the trash, restorable."""
    require(actor, OutcomePermission.DEFINE_METRICS, product=metric.product)
    return trash_move(actor=actor, obj=metric, expected_version=expected_version)  # type: ignore[return-value]


# -- samples ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    """What a push wrote: new samples, and samples whose stored time came again (replaced)."""

    created: int
    replaced: int

    @property
    def received(self) -> int:
        return self.created + self.replaced


def _refused(parsed: sample_input.Parsed, what: str) -> Invalid:
    code = Code.SAMPLES_INVALID
    if any(e.field in ("samples", "file") and "at most" in e.message for e in parsed.errors):
        code = Code.SAMPLES_TOO_MANY
    elif any(e.field == "file" for e in parsed.errors) and what == "file":
        code = Code.SAMPLES_FILE_INVALID
    error = Invalid.fields(parsed.errors, code=code)
    more = parsed.error_count - len(parsed.errors)
    if more > 0:
        error.detail += f"; and {more:,} more"
    return error


def _write(
    *, actor: Actor, metric: Metric, samples: Sequence[tuple[dt.datetime, float]]
) -> PushResult:
    """Store ``samples`` (distinct, UTC, finite): a time already stored is replaced."""
    require(actor, OutcomePermission.PUSH_SAMPLES, product=metric.product)
    times = [at for at, _ in samples]
    rows = MetricSample.objects.filter(metric=metric)
    with transaction.atomic(), large_writes():
        # One writer of a metric's samples at a time (its days are aggregated again after
        # the write); on SQLite the write lock already queues them.
        Metric.objects.select_for_update().filter(pk=metric.pk).values_list("pk").first()
        replaced = 0
        # Most pushes append: one probe of the index says whether any time may be stored.
        if rows.filter(at__gte=min(times), at__lte=max(times)).exists():
            for start in range(0, len(times), DELETE_CHUNK):
                chunk = times[start : start + DELETE_CHUNK]
                replaced += rows.filter(at__in=chunk)._raw_delete(rows.db)
        # Straight to the database values: a model object per sample would cost more than
        # writing it (bench/outcomes.py).
        adapt = connections[rows.db].ops.adapt_datetimefield_value
        workspace_id, metric_id = metric.workspace_id, metric.pk
        insert_values(
            MetricSample,
            ["workspace_id", "metric_id", "at", "value"],
            [(workspace_id, metric_id, adapt(at), value) for at, value in samples],
        )
        rollup.refresh_days(metric, rollup.local_days(metric, times))
        # Reviews written before now are evaluated again by the periodic task (late samples).
        Metric.objects.filter(pk=metric.pk).update(samples_changed_at=timezone.now())
    return PushResult(created=len(samples) - replaced, replaced=replaced)


def samples_push(*, actor: Actor, metric: Metric, samples: Sequence[object]) -> PushResult:
    """Store a batch (``[{"at", "value"}]``, at most ``MAX_BATCH``): all of it, or nothing
    and a 422 naming each bad row (``samples[3].value``)."""
    require(actor, OutcomePermission.PUSH_SAMPLES, product=metric.product)
    parsed = sample_input.parse_batch(samples)
    if parsed.errors:
        raise _refused(parsed, "batch")
    return _write(actor=actor, metric=metric, samples=parsed.samples)


def samples_import(*, actor: Actor, metric: Metric, data: bytes, kind: str = "csv") -> PushResult:
    """Store the samples of a file (CSV with ``at,value`` columns, or JSON lines with
    ``kind="jsonl"``): all of it, or nothing and a 422 naming each bad line."""
    require(actor, OutcomePermission.PUSH_SAMPLES, product=metric.product)
    parse = sample_input.parse_json_lines if kind == "jsonl" else sample_input.parse_csv
    parsed = parse(data)
    if parsed.errors:
        raise _refused(parsed, "file")
    return _write(actor=actor, metric=metric, samples=parsed.samples)


# -- success criteria -------------------------------------------------------------------------

# The label a missed outcome puts on the open items of its problems, and the one follow-up
# items are made with (both findable in the backlog's filters).
MISSED_LABEL = "outcome-missed"
FOLLOW_UP_LABEL = "outcome-follow-up"
LEARNINGS_MAX = 20_000
FOLLOW_UPS_MAX = 10


def criterion_label(criterion: SuccessCriterion) -> str:
    """How a criterion reads: "Checkout conversion +5% (relative)" or "... reaches 3.2 %"."""
    metric = criterion.metric
    unit = metric.unit
    suffix = unit if unit == "%" else (f" {unit}" if unit else "")
    if criterion.target_kind == TargetKind.RELATIVE:
        change = f"{criterion.target:+g}%"
        return f"{metric.name} {change} on its baseline"
    verb = "at least" if metric.direction == Direction.HIGHER else "at most"
    return f"{metric.name} {verb} {criterion.target:g}{suffix}"


def _finite(field: str, value: object) -> float:
    """``value`` as a finite number (a number, or text that reads as one), else a refusal
    naming ``field``."""
    if value is None or value == "" or isinstance(value, bool):
        raise Invalid.field(field, "must be a number", code=Code.CRITERION_INVALID)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Invalid.field(
            field, f"must be a number ('{str(value)[:40]}' is not)", code=Code.CRITERION_INVALID
        ) from None
    if not math.isfinite(number) or abs(number) > FLOAT_MAX:
        raise Invalid.field(field, "must be a finite number", code=Code.CRITERION_INVALID)
    return number


def _window(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid.field(field, "must be a whole number of days", code=Code.CRITERION_INVALID)
    text = str(value).strip()
    if not text.isdigit() or len(text) > 4:
        raise Invalid.field(field, "must be a whole number of days", code=Code.CRITERION_INVALID)
    days = int(text)
    if not WINDOW_MIN_DAYS <= days <= WINDOW_MAX_DAYS:
        raise Invalid.field(
            field,
            f"must be {WINDOW_MIN_DAYS} to {WINDOW_MAX_DAYS} days (it was {days})",
            code=Code.CRITERION_INVALID,
        )
    return days


def _record_criterion(actor: Actor, criterion: SuccessCriterion, action: str) -> None:
    changes = {
        "metric": criterion.metric.key,
        "target": criterion.target,
        "target_kind": criterion.target_kind,
        "release": criterion.release.name if criterion.release else None,
        "item": criterion.item.key if criterion.item else None,
    }
    history_record(
        actor=actor.user,
        workspace_id=criterion.workspace_id,
        obj=criterion,
        action=action,
        changes=changes,
        label=criterion_label(criterion),
    )


@transaction.atomic
def criterion_create(
    *,
    actor: Actor,
    product: Product,
    metric: Metric,
    target: object,
    target_kind: str,
    release: Release | None = None,
    item: BacklogItem | None = None,
    baseline: object = None,
    baseline_window_days: object = 28,
    evaluation_window_days: object = 28,
) -> SuccessCriterion:
    """What success means for ``release`` or the epic ``item`` (one of them) of ``product``:
    ``metric`` reaching ``target`` over the evaluation window after going live. Refused for a
    cancelled release, an item that is not an epic, or a metric the release or epic is already
    measured by."""
    require(actor, OutcomePermission.SET_CRITERIA, product=product)
    if (release is None) == (item is None):
        raise Invalid.field(
            "release",
            "name the release or the epic the criterion is for (one of them)",
            code=Code.CRITERION_INVALID,
        )
    if metric.product_id != product.pk or metric.workspace_id != actor.workspace_id:
        raise Invalid.field(
            "metric", f"is not a metric of {product.key}", code=Code.CRITERION_INVALID
        )
    if release is not None:
        if release.product_id != product.pk:
            raise Invalid.field(
                "release", f"is not a release of {product.key}", code=Code.CRITERION_INVALID
            )
        if release.state == ReleaseState.CANCELLED:
            raise Invalid.field(
                "release",
                f"{release.name} is cancelled: it will not go live to be measured",
                code=Code.CRITERION_INVALID,
            )
    if item is not None:
        if item.product_id != product.pk:
            raise Invalid.field(
                "item", f"is not an item of {product.key}", code=Code.CRITERION_INVALID
            )
        if item.kind != ItemKind.EPIC:
            raise Invalid.field(
                "item",
                f"{item.key} is a {item.get_kind_display().lower()}; success criteria are set "
                "on releases and epics",
                code=Code.CRITERION_INVALID,
            )
    if target_kind not in TargetKind.values:
        raise Invalid.field(
            "target_kind",
            f"must be one of {', '.join(TargetKind.values)}",
            code=Code.CRITERION_INVALID,
        )
    level = _finite("target", target)
    given = None if baseline is None or baseline == "" else _finite("baseline", baseline)
    if target_kind == TargetKind.RELATIVE and given == 0:
        raise Invalid.field(
            "baseline",
            "a change in percent needs a baseline other than 0; give an absolute target",
            code=Code.CRITERION_INVALID,
        )
    criterion = SuccessCriterion(
        workspace_id=actor.workspace_id,
        product=product,
        metric=metric,
        release=release,
        item=item,
        target=level,
        target_kind=target_kind,
        baseline=given,
        baseline_window_days=_window("baseline_window_days", baseline_window_days),
        evaluation_window_days=_window("evaluation_window_days", evaluation_window_days),
        created_by=actor.user,
    )
    taken = SuccessCriterion.objects.filter(metric=metric)
    taken = taken.filter(release=release) if release is not None else taken.filter(item=item)
    if taken.exists():
        what = release.name if release is not None else item.key  # type: ignore[union-attr]
        raise Invalid.field(
            "metric",
            f"{what} is already measured by {metric.key}; remove that criterion first",
            code=Code.CRITERION_TAKEN,
        )
    try:
        with transaction.atomic():
            criterion.save()
    except IntegrityError as exc:  # a concurrent create took it first
        raise Invalid.field(
            "metric",
            f"is already a criterion of this {'release' if release else 'epic'}",
            code=Code.CRITERION_TAKEN,
        ) from exc
    _record_criterion(actor, criterion, HistoryEntry.Action.CREATED)
    return criterion


@transaction.atomic
def criterion_delete(*, actor: Actor, criterion: SuccessCriterion) -> None:
    """Remove a criterion, unless its outcome has been reviewed after its window closed: that
    review is the record of whether it worked, and stays."""
    require(actor, OutcomePermission.SET_CRITERIA, product=criterion.product)
    review = OutcomeReview.objects.filter(criterion=criterion).first()
    if review is not None and review.final:
        raise Invalid(
            f"The outcome of “{criterion_label(criterion)}” was reviewed "
            f"({review.get_verdict_display().lower()}) on {review.evaluated_at:%d %b %Y}; "
            "a reviewed criterion stays as the record.",
            code=Code.CRITERION_FIXED,
        )
    _record_criterion(actor, criterion, HistoryEntry.Action.DELETED)
    criterion.delete()


# -- outcome reviews --------------------------------------------------------------------------


def _review_record(actor: Actor | None, review: OutcomeReview, changes: dict[str, Any]) -> None:
    history_record(
        actor=actor.user if actor is not None else None,
        workspace_id=review.workspace_id,
        obj=review,
        action=HistoryEntry.Action.UPDATED
        if review.evaluations > 1 or "verdict" not in changes
        else HistoryEntry.Action.CREATED,
        changes=changes,
        label=criterion_label(review.criterion),
    )


def _mark_problem_items(review: OutcomeReview) -> list[str]:
    """The open items of the problems behind a missed outcome, marked in the backlog."""
    item_ids = selectors.criterion_item_ids(review.criterion)
    items = list(
        BacklogItem.objects.filter(
            product_id=review.product_id,
            problem_links__problem__item_links__item_id__in=item_ids,
            problem_links__problem__deleted_at__isnull=True,
        )
        .exclude(status__in=(ItemStatus.DONE, ItemStatus.WONT_DO))
        .distinct()
        .order_by("rank")
    )
    marked = items_mark(product=review.product, items=items, label=MISSED_LABEL)
    return [item.key for item in marked]


def _evaluate(
    actor: Actor | None, criterion: SuccessCriterion, now: dt.datetime
) -> OutcomeReview | None:
    """Evaluate ``criterion`` as of ``now`` and keep the review (None: not live yet)."""
    windows = selectors.criterion_windows(criterion, now=now)
    if windows is None:
        return None
    result = selectors.outcome_evaluation(
        metric=criterion.metric,
        baseline=(windows.baseline_from, windows.baseline_until),
        observed=(windows.observed_from, windows.observed_until),
        target=criterion.target,
        target_kind=criterion.target_kind,
        given_baseline=criterion.baseline,
    )
    final = windows.closed
    verdict = Verdict(str(result.verdict)) if final else Verdict.PENDING
    values: dict[str, Any] = {
        "verdict": verdict,
        "final": final,
        "reason": result.reason,
        "started_on": windows.started_on,
        "baseline_from": None if criterion.baseline is not None else windows.baseline_from,
        "baseline_until": None if criterion.baseline is not None else windows.baseline_until,
        "observed_from": windows.observed_from,
        "observed_until": windows.observed_until,
        "baseline_value": result.baseline_value,
        "baseline_given": result.baseline_given,
        "observed_value": result.observed_value,
        "target_level": result.target_level,
        "baseline_days": result.baseline_days,
        "observed_days": result.observed_days,
        "test": asdict(result.test) if result.test is not None else {},
        "evaluated_at": now,
    }
    review = (
        OutcomeReview.objects.select_for_update()
        .select_related("criterion__metric", "product")
        .filter(criterion=criterion)
        .first()
    )
    if review is None:
        review = OutcomeReview(
            workspace_id=criterion.workspace_id,
            product_id=criterion.product_id,
            criterion=criterion,
            **values,
        )
        review.save()
        changes: dict[str, Any] = {"verdict": [None, str(verdict)]}
    else:
        before = review.verdict
        for field, value in values.items():
            setattr(review, field, value)
        review.evaluations += 1
        bump(review, [*values, "evaluations"])
        changes = {"verdict": [before, str(verdict)]} if before != verdict else {}
        changes["evaluations"] = review.evaluations
    _review_record(actor, review, changes)
    if verdict == Verdict.MISSED and review.marked_at is None:
        marked = _mark_problem_items(review)
        review.marked_at = now
        review.save(update_fields=["marked_at"])
        if marked:
            _review_record(None, review, {"marked": marked})
    return review


def outcomes_evaluate(
    *,
    actor: Actor,
    product: Product,
    release: Release | None = None,
    item: BacklogItem | None = None,
    criterion: SuccessCriterion | None = None,
    now: dt.datetime | None = None,
) -> list[OutcomeReview]:
    """Evaluate now (on demand) the product's criteria whose release or epic went live (those
    of ``release`` or the epic ``item``, or ``criterion`` alone): a closed window gets its
    verdict, an open one the figures so far (``pending``).
    Refused, naming why, when none of them is live yet."""
    require(actor, OutcomePermission.REVIEW_OUTCOMES, product=product)
    now = now or timezone.now()
    rows = selectors.criterion_list(product=product)
    if release is not None:
        rows = rows.filter(release=release)
    if item is not None:
        rows = rows.filter(item=item)
    if criterion is not None:
        rows = rows.filter(pk=criterion.pk)
    criteria = list(rows)
    if not criteria:
        raise Invalid(
            "There is no success criterion to evaluate"
            + (f" on {release.name}" if release is not None else "")
            + (f" on {item.key}" if item is not None else "")
            + ": set one on a release or an epic first.",
            code=Code.OUTCOME_NOT_DUE,
        )
    reviews = []
    with transaction.atomic():
        for each in criteria:
            review = _evaluate(actor, each, now)
            if review is not None:
                reviews.append(review)
    if not reviews:
        raise Invalid(
            "Nothing to evaluate yet: "
            + ("its release or epic has not" if len(criteria) == 1 else "none of them has")
            + " gone live, and an outcome is measured from going live.",
            code=Code.OUTCOME_NOT_DUE,
        )
    return reviews


def outcomes_evaluate_due(*, now: dt.datetime | None = None) -> int:
    """The periodic task: write the review of every criterion whose evaluation window has
    closed and that has none yet (or only a pending one), and evaluate again the reviews whose
    metric got samples after they were written (late samples). One transaction per criterion.
    Returns how many reviews were written."""
    now = now or timezone.now()
    written = 0
    for criterion in selectors.criteria_due(now=now):
        with transaction.atomic():
            if _evaluate(None, criterion, now) is not None:
                written += 1
    return written


@transaction.atomic
def review_conclude(
    *,
    actor: Actor,
    review: OutcomeReview,
    learnings: str | None = None,
    follow_ups: Sequence[str] = (),
    problem: Problem | None = None,
    problem_status: str | None = None,
    expected_version: int | None = None,
) -> OutcomeReview:
    """What the product manager makes of an outcome, in one step: the learnings (Markdown),
    follow-up backlog items (titles; made at the bottom of the backlog, labelled, and linked
    to ``problem`` when one is named) and a new status for ``problem``. All or nothing."""
    require(actor, OutcomePermission.REVIEW_OUTCOMES, product=review.product)
    check_version(review, expected_version)
    changes: dict[str, Any] = {}
    if learnings is not None:
        text = _text("learnings", learnings, LEARNINGS_MAX, Code.OUTCOME_CONCLUDE_INVALID)
        if text != review.learnings:
            review.learnings = text
            review.learnings_html = render_markdown(text)
            review.learnings_by = actor.user
            review.learnings_at = timezone.now()
            changes["learnings"] = True
    titles = [str(title or "").strip() for title in follow_ups]
    titles = [title for title in titles if title]
    if len(titles) > FOLLOW_UPS_MAX:
        raise Invalid.field(
            "follow_ups",
            f"make at most {FOLLOW_UPS_MAX} follow-up items at once ({len(titles)} were sent)",
            code=Code.OUTCOME_CONCLUDE_INVALID,
        )
    if (
        problem is not None
        and not selectors.problems_of_criterion(review.criterion).filter(pk=problem.pk).exists()
    ):
        raise Invalid.field(
            "problem",
            f"#{problem.pk} is not a problem the items of this outcome solve",
            code=Code.OUTCOME_CONCLUDE_INVALID,
        )
    if problem_status is not None and problem is None:
        raise Invalid.field(
            "problem", "name the problem whose status changes", code=Code.OUTCOME_CONCLUDE_INVALID
        )
    if not changes and not titles and problem_status is None:
        raise Invalid(
            "Nothing to save: write learnings, name follow-up items or choose the problem's "
            "new status.",
            code=Code.OUTCOME_CONCLUDE_INVALID,
        )
    made: list[BacklogItem] = []
    for index, title in enumerate(titles):
        try:
            made.append(
                item_create(
                    actor=actor, product=review.product, title=title, labels=[FOLLOW_UP_LABEL]
                )
            )
        except Invalid as error:
            raise Invalid.fields(
                [FieldError(f"follow_ups[{index}]", e.message) for e in error.errors]
                or [FieldError(f"follow_ups[{index}]", error.detail)],
                code=Code.OUTCOME_CONCLUDE_INVALID,
            ) from error
    if made:
        review.follow_ups.add(*made)
        changes["follow_ups"] = [item.key for item in made]
        if problem is not None:
            problem_items_link(actor=actor, problem=problem, items=made)
    if problem_status is not None and problem is not None:
        before = problem.status
        problem_update(actor=actor, problem=problem, status=problem_status)
        if problem.status != before:
            changes["problem_status"] = [before, problem.status]
    bump(review, ["learnings", "learnings_html", "learnings_by", "learnings_at"])
    _review_record(actor, review, changes)
    return review
