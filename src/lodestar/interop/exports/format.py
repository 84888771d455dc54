"""The export format: which tables of which contexts make up a workspace, how each row is
written as JSON and read back (docs/EXPORT.md).

Every installed model is one of four things, decided here once:

- the **workspace** itself (``people.workspace``, one row);
- a **workspace table**: it reaches the workspace through foreign keys that cannot be empty
  (found by walking the models, so a context added later is exported without a change here);
- **global** (``people.user``): written as far as the workspace's rows refer to it, restored by
  matching an email to an existing user;
- **excluded**, with the reason (secrets, sessions, the outbox, the search index, framework
  tables).

A model that is none of these stops every export (``UndeclaredModel``), so a new model is
never left out by accident. Columns that name an object without a foreign key (a kind and an
id: history, comments, watches, links) are declared in ``SOFT_REFERENCES`` and rewritten on
restore like foreign keys; an integer column ending in ``_id`` that is not declared there or in
``PLAIN_IDS`` is refused the same way.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models

FORMAT_NAME = "lodestar-workspace-export"
# The version of the layout of the files and their rows. A change that a restore of an older
# file must know about raises it, with a step in ``exports/migrations.py``.
SCHEMA_VERSION = 1

WORKSPACE = "people.workspace"
USER = "people.user"
# Users are written with these columns only: never a password hash, a last sign-in or staff
# rights. A restored user who is new to the instance has no usable password.
USER_FIELDS = ("id", "email", "full_name", "is_active", "date_joined")

# Models of the workspace's data that are not exported, and why (docs/EXPORT.md).
EXCLUDED: dict[str, str] = {
    "auth.permission": "Django's permission table, the same on every instance",
    "auth.group": "Django's groups, unused by Lodestar",
    "auth.group_permissions": "Django's groups, unused by Lodestar",
    "people.user_groups": "Django's groups, unused by Lodestar",
    "people.user_user_permissions": "Django's permissions, unused by Lodestar",
    "contenttypes.contenttype": "Django's table of models, the same on every instance",
    "sessions.session": "sign-in sessions: secrets",
    "django_tasks_database.dbtaskresult": "the worker's queue, not the workspace's data",
    "people.apitoken": "API tokens: secrets (made again after a restore)",
    "people.invitation": "invitations carry a secret token (invite again after a restore)",
    "releases.roadmapshare": "share links carry a secret token (share again after a restore)",
    "core.outboxevent": "events already told; a restore tells none",
    "core.outboxcursor": "the durable subscribers' place in the outbox",
    "core.ratecounter": "rate limits of the running instance",
    "core.searchentry": "the search index, rebuilt by the restore",
    "api.idempotencyrecord": "answers kept for retried API requests",
    "cli.periodictaskrun": "when the worker last ran each periodic task",
    "interop.exportrun": "the exports themselves",
    "interop.workspacerestore": "the ids a restore mapped: the next export's manifest carries "
    "them (restored_from)",
    "interop.importrun": "imports run on the exporting instance (their files stay there)",
    "interop.webhook": "webhooks carry a signing secret (made again after a restore)",
    "interop.webhookdelivery": "deliveries of events already told",
    "coverage.activityday": "the coverage's daily rollup, rebuilt from the restored history",
    "coverage.rollupstate": "where the coverage's rollup stands on the exporting instance",
}

GLOBAL = frozenset({USER})


@dataclass(frozen=True)
class SoftReference:
    """A pair of columns naming any kind of object: ``type_field`` holds a registry kind
    (``item``) or, with ``by_label``, a model label (``backlog.backlogitem``)."""

    type_field: str
    id_field: str
    by_label: bool = False


SOFT_REFERENCES: dict[str, SoftReference] = {
    "core.historyentry": SoftReference("object_type", "object_id", by_label=True),
    "comments.comment": SoftReference("target_type", "target_id"),
    "decisions.decisionlink": SoftReference("target_type", "target_id"),
    "releases.roadmapentry": SoftReference("target_type", "target_id"),
    "notifications.mention": SoftReference("target_type", "target_id"),
    "notifications.watch": SoftReference("target_type", "target_id"),
    "notifications.notification": SoftReference("target_type", "target_id"),
    # What an import made of each record of another tool, so importing again after a restore
    # updates instead of duplicating.
    "interop.externalref": SoftReference("kind", "object_id"),
}
# Integer columns holding the id of one kind of object without a foreign key.
FIXED_REFERENCES: dict[str, dict[str, str]] = {
    "notifications.mention": {"comment_id": "comments.comment"},
}
# Integer columns ending in ``_id`` that hold no id of ours.
PLAIN_IDS: dict[str, frozenset[str]] = {}


class UndeclaredModel(Exception):
    """A model that is neither of the workspace, global nor excluded (a programming error)."""


@dataclass(frozen=True)
class Table:
    """One exported table: its file, its rows' columns and how each refers to others."""

    label: str  # app_label.modelname
    model: type[models.Model]
    path: str  # the lookup from a row to the workspace's id ("pk" for the workspace)
    columns: tuple[str, ...]  # attribute names, the primary key first
    # column -> the label of the table it refers to (foreign keys and fixed references)
    references: Mapping[str, str]
    soft: SoftReference | None = None

    @property
    def file(self) -> str:
        app_label, model_name = self.label.split(".")
        return f"{app_label}/{model_name}.jsonl"


def label_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _relations(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model]


def _paths(candidates: Iterable[type[models.Model]]) -> dict[str, str]:
    """For each model that reaches the workspace through foreign keys that cannot be empty,
    the shortest such lookup (a direct ``workspace`` first)."""
    found: dict[str, str] = {WORKSPACE: "pk"}
    pending = [m for m in candidates if label_of(m) not in found]
    changed = True
    while changed:
        changed = False
        for model in list(pending):
            best: str | None = None
            for field in _relations(model):
                if field.null:
                    continue
                target = label_of(field.related_model)  # type: ignore[arg-type]
                if target == USER or target not in found:
                    continue
                rest = found[target]
                path = field.name if rest == "pk" else f"{field.name}__{rest}"
                if best is None or path.count("__") < best.count("__"):
                    best = path
            if best is not None:
                found[label_of(model)] = best
                pending.remove(model)
                changed = True
    return found


def plan(
    all_models: Iterable[type[models.Model]] | None = None,
    *,
    excluded: Mapping[str, str] = EXCLUDED,
) -> list[Table]:
    """Every exported table, the workspace first, then each table after those it refers to
    (where no cycle prevents it); raises ``UndeclaredModel`` naming every model that is
    neither of the workspace, global nor excluded."""
    if all_models is None:
        all_models = apps.get_models(include_auto_created=True)
    candidates = [
        m
        for m in all_models
        if label_of(m) not in excluded and label_of(m) not in GLOBAL and not m._meta.proxy
    ]
    paths = _paths(candidates)
    problems = [
        f"{label_of(m)} reaches no workspace through foreign keys that cannot be empty: give "
        "it one, or declare it in interop.exports.format.EXCLUDED or GLOBAL with the reason"
        for m in candidates
        if label_of(m) not in paths
    ]
    tables: dict[str, Table] = {}
    for model in candidates:
        label = label_of(model)
        if label not in paths:
            continue
        references: dict[str, str] = {}
        for field in _relations(model):
            target = label_of(field.related_model)  # type: ignore[arg-type]
            if target in excluded:
                problems.append(f"{label}.{field.name} refers to {target}, which is excluded")
            references[field.attname] = target
        fixed = FIXED_REFERENCES.get(label, {})
        references.update(fixed)
        soft = SOFT_REFERENCES.get(label)
        for field in model._meta.concrete_fields:
            if (
                not field.is_relation
                and field.name.endswith("_id")
                and isinstance(field, models.IntegerField)
                and field.name not in fixed
                and (soft is None or field.name != soft.id_field)
                and field.name not in PLAIN_IDS.get(label, frozenset())
            ):
                problems.append(
                    f"{label}.{field.name} looks like an id: declare it in "
                    "interop.exports.format (SOFT_REFERENCES, FIXED_REFERENCES or PLAIN_IDS)"
                )
        pk = model._meta.pk
        assert pk is not None  # noqa: S101 - every concrete model has one
        columns = (pk.attname, *(f.attname for f in model._meta.concrete_fields if f is not pk))
        tables[label] = Table(label, model, paths[label], columns, references, soft)
    if problems:
        raise UndeclaredModel("; ".join(problems))
    return _ordered(tables)


def _ordered(tables: dict[str, Table]) -> list[Table]:
    """The tables, each after the tables it refers to, ties by label (a stable order)."""
    done: list[Table] = []
    seen: set[str] = set()

    def visit(label: str, trail: tuple[str, ...]) -> None:
        if label in seen or label not in tables or label in trail:
            return
        for target in sorted(tables[label].references.values()):
            if target != label:
                visit(target, (*trail, label))
        seen.add(label)
        done.append(tables[label])

    visit(WORKSPACE, ())
    for label in sorted(tables):
        visit(label, ())
    return done


def change_references(table: Table) -> dict[str, str]:
    """The keys of a history entry's ``changes`` on a row of ``table`` that hold ids: each
    foreign key by its name and its column (``parent`` and ``parent_id``) -> the table it
    refers to. A restore rewrites the ids under them (``[before, after]`` or one value)."""
    found: dict[str, str] = {}
    for field in _relations(table.model):
        target = table.references.get(field.attname)
        if target is not None and not field.many_to_many:
            found[field.name] = target
            found[field.attname] = target
    return found


def map_change(value: Any, mapping: Mapping[int, int]) -> Any:
    """A recorded change (``[before, after]`` or one value) with each id mapped; an id the map
    does not hold (an object deleted before the export) becomes minus itself."""

    def one(old: Any) -> Any:
        if isinstance(old, int) and not isinstance(old, bool):
            return mapping.get(old, -abs(old))
        return old

    if isinstance(value, list):
        return [one(v) for v in value]
    return one(value)


def id_runs(mapping: Mapping[int, int]) -> list[list[int]]:
    """A map of ids as runs ``[first old id, first new id, how many]``, in the order of the old
    ids: a restore gives consecutive rows consecutive ids, so a table is a few runs."""
    runs: list[list[int]] = []
    for old in sorted(mapping):
        new = mapping[old]
        if runs:
            last = runs[-1]
            if old == last[0] + last[2] and new == last[1] + last[2]:
                last[2] += 1
                continue
        runs.append([old, new, 1])
    return runs


def from_runs(runs: Iterable[Iterable[int]]) -> dict[int, int]:
    """The map ``id_runs`` wrote."""
    mapping: dict[int, int] = {}
    for old, new, count in runs:
        mapping.update(zip(range(old, old + count), range(new, new + count), strict=True))
    return mapping


# -- rows as JSON -------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # pragma: no cover - USE_TZ: the database gives aware values
            raise ValueError("naive datetime in the database")
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot write a {type(value).__name__} in an export")


@functools.cache
def _sorted_positions(columns: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((name, index) for index, name in enumerate(columns)))


def encode_row(columns: tuple[str, ...], values: tuple[Any, ...]) -> bytes:
    """One line of a table's file: the row as a JSON object, its keys sorted, no spaces.

    Only the row's own keys are sorted: a JSON column's object keeps the order it was written
    in (a history entry's ``changes`` are told in that order), which the database gives back
    the same each time, so two exports of the same data still hold the same bytes."""
    if len(values) != len(columns):
        raise ValueError(f"{len(values)} values for {len(columns)} columns")
    return (
        json.dumps(
            {name: values[index] for name, index in _sorted_positions(columns)},
            default=_json_value,
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
        + b"\n"
    )


# Field types whose JSON value is already what the database takes.
_AS_IS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BooleanField",
        "CharField",
        "EmailField",
        "SlugField",
        "TextField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "ForeignKey",
        "OneToOneField",
        "FloatField",
    }
)


def decoder(field: models.Field[Any, Any], connection: Any) -> Callable[[Any], Any] | None:
    """How a JSON value of ``field`` becomes a database value; None: as it is.

    The common types go straight to the database's own adapters (a restore converts millions
    of values: the field's ``to_python`` and ``get_db_prep_save`` cost three times as much for
    the same result); any other type goes through the field."""
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    ops = connection.ops
    if kind == "DateTimeField":
        adapt_datetime = ops.adapt_datetimefield_value
        parse_datetime = dt.datetime.fromisoformat
        if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
            # SQLite keeps a date-time as the text of its naive UTC value: an export's
            # "2026-09-11T02:03:32.811646+00:00" (checked by parsing it) is stored as
            # "2026-09-11 02:03:32.811646" without the zone conversions of the adapter (a
            # restore adapts hundreds of thousands); any other spelling goes through it.
            def utc_text(value: Any) -> Any:
                if value is None:
                    return None
                moment = parse_datetime(value)
                if len(value) in (25, 32) and value[10] == "T" and value.endswith("+00:00"):
                    return f"{value[:10]} {value[11:-6]}"
                return adapt_datetime(moment)

            return utc_text
        return lambda value: None if value is None else adapt_datetime(parse_datetime(value))
    if kind == "DateField":
        adapt_date = ops.adapt_datefield_value
        parse_date = dt.date.fromisoformat
        return lambda value: None if value is None else adapt_date(parse_date(value))
    if kind == "JSONField":
        adapt_json = ops.adapt_json_value
        encoder = field.encoder  # type: ignore[attr-defined]
        return lambda value: None if value is None else adapt_json(value, encoder)
    if kind == "BinaryField":

        def binary(value: Any) -> Any:
            if value is None:
                return None
            return field.get_db_prep_save(base64.b64decode(value), connection)

        return binary

    def convert(value: Any) -> Any:
        if value is None:
            return None
        return field.get_db_prep_save(field.to_python(value), connection)

    return convert
