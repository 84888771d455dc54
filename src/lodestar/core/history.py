"""The change history: services call ``history_record`` inside their transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from lodestar.core import events
from lodestar.core.db import insert_plain_rows, insert_rows
from lodestar.core.models import HistoryEntry
from lodestar.core.registry import registry
from lodestar.core.search.index import sync_entries, sync_many, sync_objects

# Values that are JSON-safe as they are (most of a change's values: texts, numbers, None).
_AS_IS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value (foreign keys by id, dates ISO, enums by value)."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # One spelling per number ("5", not "5.0" read back beside "5" just parsed), so an
        # unchanged value never shows up as a change.
        return format(value.normalize(), "f")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The current values of ``fields`` (foreign keys as ids), for a later ``changes_since``."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = _plain(getattr(obj, attname))
    return values


def changes_since(obj: models.Model, before: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for each field in ``before`` whose value changed."""
    after = snapshot(obj, list(before))
    return {name: [before[name], after[name]] for name in before if before[name] != after[name]}


def history_record(
    *,
    actor: Any,
    workspace_id: int,
    obj: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
    label: str = "",
) -> HistoryEntry:
    """Record one change and publish it as a domain event (``core.events``). Call it from the
    service, inside the service's transaction."""
    entry = HistoryEntry.objects.create(
        workspace_id=workspace_id,
        actor=actor if getattr(actor, "pk", None) else None,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_label=(label or str(obj))[:255],
        action=action,
        changes={k: _plain(v) for k, v in (changes or {}).items()},
    )
    # The search index follows the object (stored, updated, or out when deleted or trashed).
    sync_objects([(obj, str(action))])
    events.publish([entry])
    return entry


def history_record_bulk(
    entries: list[HistoryEntry], *, objects: dict[tuple[str, int], models.Model] | None = None
) -> list[HistoryEntry]:
    """Record many prepared changes (one ``INSERT`` per batch) and publish them. The search
    index follows in one statement per batch; ``objects`` gives the changed objects by
    ``(object_type, object_id)`` when the caller has them (else they are read, a query per
    kind)."""
    created = insert_rows(HistoryEntry, entries)
    if created and created[0].pk is None:  # a database that does not return ids
        raise RuntimeError("bulk history needs a database that returns inserted ids")
    sync_entries(created, objects)
    events.publish(created)
    return created


def history_for(*, workspace_id: int, obj: models.Model) -> models.QuerySet[HistoryEntry]:
    """The history of one object, newest first."""
    return HistoryEntry.objects.filter(
        workspace_id=workspace_id, object_type=obj._meta.label_lower, object_id=obj.pk
    ).select_related("actor")


def history_recent(*, workspace_id: int, limit: int) -> list[HistoryEntry]:
    """The workspace's latest changes, newest first, with a burst of edits to one object by one
    person (say, several fields saved one after another) shown once."""
    entries = HistoryEntry.objects.filter(workspace_id=workspace_id).select_related("actor")
    recent: list[HistoryEntry] = []
    for entry in entries[: limit * 4]:
        last = recent[-1] if recent else None
        if last is not None and (
            last.actor_id,
            last.object_type,
            last.object_id,
            last.action,
        ) == (entry.actor_id, entry.object_type, entry.object_id, entry.action):
            continue
        recent.append(entry)
        if len(recent) == limit:
            break
    return recent


# -- history in words ----------------------------------------------------------------------

_VERBS: dict[str, str] = {
    HistoryEntry.Action.CREATED.value: "created",
    HistoryEntry.Action.UPDATED.value: "updated",
    HistoryEntry.Action.DELETED.value: "deleted",
    HistoryEntry.Action.RESTORED.value: "restored",
    HistoryEntry.Action.MOVED.value: "moved",
    HistoryEntry.Action.PURGED.value: "purged",
}


def before_after(value: Any) -> tuple[Any, Any]:
    """A recorded change as ``(before, after)`` (a bare value is an ``after``)."""
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return None, value


def describe(entry: HistoryEntry, names: Mapping[str, str] | None = None) -> str:
    """One line saying what ``entry`` did, without the actor (the page shows who): in the words
    the object's context declared (``ObjectType.describe``), else "<verb> <kind> “<label>”".

    ``names`` maps email addresses (as history records people) to the names to show.
    """
    object_type = registry().object_type_for_label(entry.object_type)
    if object_type is not None and object_type.describe is not None:
        special = object_type.describe(entry, names or {})
        if special:
            return special
    verb = _VERBS.get(entry.action, entry.action)
    kind = object_type.label if object_type else entry.object_type.rsplit(".", 1)[-1]
    label = f"“{entry.object_label}”" if entry.object_label else ""
    return f"{verb} {kind} {label}".strip()


@dataclass(frozen=True)
class Change:
    """One change for ``history_record_many``: as ``history_record``'s arguments, plus when it
    happened (None: now), for an import that carries its original dates."""

    obj: models.Model
    action: str
    changes: dict[str, Any] | None = None
    label: str = ""
    actor: Any = None
    at: dt.datetime | None = None


# The columns ``history_record_many`` writes, in the order of its rows (``core.events``
# publishes the same rows).
HISTORY_COLUMNS = events.RECORDED_COLUMNS


def history_record_many(*, workspace_id: int, changes: Iterable[Change]) -> list[int]:
    """Record many changes as rows of values (``core.db.insert_plain_rows``: one statement per
    batch, no model object per entry) and publish them; returns the entries' ids, in order.
    Call it from the service, inside its transaction, as ``history_record``. The search index
    follows the changed objects (which the changes hold: nothing is read back)."""
    now = timezone.now()
    changes = list(changes)
    labels: dict[type[models.Model], str] = {}
    rows: list[tuple[Any, ...]] = []
    for change in changes:
        obj, actor = change.obj, change.actor
        model = type(obj)
        object_type = labels.get(model)
        if object_type is None:
            object_type = labels[model] = obj._meta.label_lower
        rows.append(
            (
                workspace_id,
                actor.pk if getattr(actor, "pk", None) else None,
                object_type,
                obj.pk,
                (change.label or str(obj))[:255],
                str(change.action),
                {k: _plain(v) for k, v in (change.changes or {}).items()},
                change.at or now,
            )
        )
    ids = insert_plain_rows(HistoryEntry, HISTORY_COLUMNS, rows)
    sync_many([(change.obj, str(change.action)) for change in changes])
    events.publish_rows(ids, rows)
    return ids
