"""Every write of the outcomes context: metrics (define, change, delete) and their samples
(pushed in batches, imported from a file). One transaction each; a metric's changes are
recorded in history and published as events, samples are not (a push is not news)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import IntegrityError, connections, transaction

from lodestar.core.concurrency import bump, check_version
from lodestar.core.db import insert_values, large_writes
from lodestar.core.errors import FieldError, Invalid
from lodestar.core.history import changes_since, history_record, snapshot
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.core.trash import trash_move
from lodestar.outcomes import rollup
from lodestar.outcomes import samples as sample_input
from lodestar.outcomes.errors import OutcomeErrorCode as Code
from lodestar.outcomes.models import Aggregation, Direction, Metric, MetricSample
from lodestar.outcomes.permissions import OutcomePermission
from lodestar.people.policy import Actor, require
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
