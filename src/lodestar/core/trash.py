"""The trash: deleting moves a row there; it can be restored for ``TRASH_RETENTION_DAYS``.

A kind of object takes part by declaring ``trash=TrashRules(...)`` on its ``ObjectType`` in its
context's plugin (``core.registry``), with ``delete`` and ``restore`` permissions; the services
here then move, restore, list and purge any of them, with the same rules and the same history
everywhere:

    ObjectType(name="item", model=BacklogItem, label="backlog item", title=...,
               permissions={"delete": "edit_content", "restore": "edit_content", ...},
               trash=TrashRules(select_related=("product",), on_restore=rank_on_restore))
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from lodestar.core.actors import Actor
from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Invalid, NotFound
from lodestar.core.history import history_record, history_record_bulk
from lodestar.core.models import HistoryEntry, TrashableModel
from lodestar.core.pagination import check_limit
from lodestar.core.registry import ObjectType, TrashRules, registry

PURGE_BATCH_SIZE = 500


class TrashErrorCode(StrEnum):
    NOT_FOUND = "trash_not_found"
    ALREADY_IN_TRASH = "already_in_trash"
    NOT_IN_TRASH = "not_in_trash"
    EXPIRED = "trash_expired"


def trashable_types() -> list[ObjectType]:
    """The kinds of object that go to the trash, by name."""
    return registry().trashable()


def _model(entry: ObjectType) -> type[TrashableModel]:
    model: type[TrashableModel] = entry.model  # type: ignore[assignment]
    return model


def _related(query: QuerySet[Any], rules: TrashRules) -> QuerySet[Any]:
    """``query`` joined to what the rules read (without names, ``select_related`` would
    follow every foreign key)."""
    return query.select_related(*rules.select_related) if rules.select_related else query


def trashable_for(obj_or_model: Any) -> ObjectType:
    """The declaration of a trashable model; LookupError when it does not go to the trash."""
    object_type = registry().object_type_for(obj_or_model)
    if object_type.trash is None:
        raise LookupError(f"{object_type.model.__name__} does not go to the trash")
    return object_type


def retention() -> dt.timedelta:
    return dt.timedelta(days=settings.TRASH_RETENTION_DAYS)


def restore_until(obj: TrashableModel) -> dt.datetime | None:
    """The last moment ``obj`` can be restored (None when it is not in the trash)."""
    return obj.deleted_at + retention() if obj.deleted_at is not None else None


def _locked(entry: ObjectType, obj: TrashableModel) -> TrashableModel:
    """The row as stored now, locked for the rest of the transaction."""
    current: TrashableModel = _model(entry).all_objects.select_for_update().get(pk=obj.pk)
    return current


def _refresh(obj: TrashableModel, current: TrashableModel) -> None:
    """Bring ``obj`` up to date with the stored trash state and version."""
    obj.deleted_at = current.deleted_at
    obj.deleted_by_id = current.deleted_by_id
    obj.version = current.version


def trash_move(
    *, actor: Actor, obj: TrashableModel, expected_version: int | None = None
) -> TrashableModel:
    """Move ``obj`` to the trash (restorable for the retention period); records history."""
    entry = trashable_for(obj)
    if entry.workspace_id_of(obj) != actor.workspace_id:
        raise NotFound("No such object in this workspace.", code=TrashErrorCode.NOT_FOUND)
    registry().authorize(actor, entry, "delete", obj)
    rules = entry.trash
    assert rules is not None  # noqa: S101 - trashable_for checked it
    with transaction.atomic():
        current = _locked(entry, obj)
        _refresh(obj, current)
        check_version(obj, expected_version)
        if obj.deleted_at is not None:
            raise Invalid.field(
                "id", "is already in the trash", code=TrashErrorCode.ALREADY_IN_TRASH
            )
        changed = list(rules.on_trash(actor, obj)) if rules.on_trash else []
        obj.deleted_at = timezone.now()
        obj.deleted_by = actor.user
        bump(obj, ["deleted_at", "deleted_by", *changed])
        history_record(
            actor=actor.user,
            workspace_id=actor.workspace_id,
            obj=obj,
            action=HistoryEntry.Action.DELETED,
            changes={"deleted_at": [None, obj.deleted_at]},
            label=entry.title(obj),
        )
    return obj


def trash_restore(
    *, actor: Actor, obj: TrashableModel, expected_version: int | None = None
) -> TrashableModel:
    """Take ``obj`` out of the trash. Refuses (422) when it is not in the trash or its
    retention period is over."""
    entry = trashable_for(obj)
    if entry.workspace_id_of(obj) != actor.workspace_id:
        raise NotFound("No such object in this workspace.", code=TrashErrorCode.NOT_FOUND)
    registry().authorize(actor, entry, "restore", obj)
    rules = entry.trash
    assert rules is not None  # noqa: S101 - trashable_for checked it
    with transaction.atomic():
        current = _locked(entry, obj)
        _refresh(obj, current)
        check_version(obj, expected_version)
        deleted_at = obj.deleted_at
        if deleted_at is None:
            raise Invalid.field("id", "is not in the trash", code=TrashErrorCode.NOT_IN_TRASH)
        if timezone.now() > deleted_at + retention():
            raise Invalid.field(
                "id",
                f"was deleted more than {settings.TRASH_RETENTION_DAYS} days ago and can no "
                "longer be restored",
                code=TrashErrorCode.EXPIRED,
            )
        changed = list(rules.on_restore(actor, obj)) if rules.on_restore else []
        obj.deleted_at = None
        obj.deleted_by = None
        bump(obj, ["deleted_at", "deleted_by", *changed])
        history_record(
            actor=actor.user,
            workspace_id=actor.workspace_id,
            obj=obj,
            action=HistoryEntry.Action.RESTORED,
            changes={"deleted_at": [deleted_at, None]},
            label=entry.title(obj),
        )
    return obj


def access_trashed(actor: Actor, type_name: str, object_id: int) -> TrashableModel:
    """A row of a registered type in the actor's workspace, in the trash or not (the restore
    service says which); an unknown type, a missing row and another workspace's row are 404."""
    entry = registry().object_type(type_name)
    obj = None
    if entry is not None and entry.trash is not None:
        obj = _related(
            _model(entry).all_objects.filter(pk=object_id, **{entry.workspace: actor.workspace_id}),
            entry.trash,
        ).first()
    if obj is None:
        raise NotFound(
            f"No {type_name} {object_id} in this workspace's trash.", code=TrashErrorCode.NOT_FOUND
        )
    found: TrashableModel = obj
    return found


@dataclass(frozen=True)
class TrashedRow:
    """One row of the trash listing."""

    type: str
    id: int
    label: str
    deleted_at: dt.datetime
    deleted_by: Any
    restore_until: dt.datetime
    obj: Any

    @property
    def restorable(self) -> bool:
        return timezone.now() <= self.restore_until


@dataclass(frozen=True)
class TrashPage:
    items: list[TrashedRow]
    next_cursor: str | None


def _encode_cursor(row: TrashedRow) -> str:
    raw = json.dumps([row.deleted_at.isoformat(), row.type, row.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime, str, int]:
    problem = Invalid.field("cursor", "is not a cursor this list gave out")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        when, type_name, object_id = values
        moment = dt.datetime.fromisoformat(when)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise problem from exc
    if not (isinstance(type_name, str) and isinstance(object_id, int)) or moment.tzinfo is None:
        raise problem
    return moment, type_name, object_id


def _after_cursor(entry: ObjectType, cursor: tuple[dt.datetime, str, int]) -> Q:
    """Rows of ``entry`` that come after ``cursor`` in (deleted_at desc, type, id desc) order."""
    when, type_name, object_id = cursor
    if entry.name < type_name:
        # Types sort ascending within one instant, so this type's rows at ``when`` came first.
        return Q(deleted_at__lt=when)
    if entry.name > type_name:
        return Q(deleted_at__lte=when)
    return Q(deleted_at__lt=when) | Q(deleted_at=when, pk__lt=object_id)


def _newest_first(rows: list[TrashedRow]) -> None:
    """Sort by (deleted_at desc, type, id desc), the order the cursor encodes."""
    rows.sort(key=lambda row: row.id, reverse=True)
    rows.sort(key=lambda row: row.type)
    rows.sort(key=lambda row: row.deleted_at, reverse=True)


def trash_list(*, actor: Actor, cursor: str | None = None, limit: int | None = None) -> TrashPage:
    """The workspace's trash across every registered type, most recently deleted first.

    One query per registered type, whatever the page size.
    """
    registry().require(actor, "view")
    size = check_limit(limit)
    position = _decode_cursor(cursor) if cursor else None
    rows: list[TrashedRow] = []
    for entry in trashable_types():
        assert entry.trash is not None  # noqa: S101 - trashable_types() has only these
        qs = (
            _model(entry)
            .all_objects.filter(deleted_at__isnull=False, **{entry.workspace: actor.workspace_id})
            .select_related("deleted_by", *entry.trash.select_related)
        )
        if position is not None:
            qs = qs.filter(_after_cursor(entry, position))
        for obj in qs.order_by("-deleted_at", "-pk")[: size + 1]:
            rows.append(
                TrashedRow(
                    type=entry.name,
                    id=obj.pk,
                    label=entry.title(obj),
                    deleted_at=obj.deleted_at,
                    deleted_by=obj.deleted_by,
                    restore_until=obj.deleted_at + retention(),
                    obj=obj,
                )
            )
    _newest_first(rows)
    page = rows[:size]
    next_cursor = _encode_cursor(page[-1]) if len(rows) > size else None
    return TrashPage(items=page, next_cursor=next_cursor)


def purge_trashed_before(cutoff: dt.datetime, *, batch_size: int = PURGE_BATCH_SIZE) -> int:
    """Delete for good every row trashed before ``cutoff``, in batches of ``batch_size`` (one
    short transaction each); each purge is recorded in the history. Returns how many."""
    purged = 0
    for entry in trashable_types():
        assert entry.trash is not None  # noqa: S101 - trashable_types() has only these
        while True:
            with transaction.atomic():
                batch = list(
                    _related(
                        _model(entry).all_objects.filter(deleted_at__lt=cutoff), entry.trash
                    ).order_by("pk")[:batch_size]
                )
                if not batch:
                    break
                history_record_bulk(
                    [
                        HistoryEntry(
                            workspace_id=entry.workspace_id_of(obj),
                            actor=None,
                            object_type=obj._meta.label_lower,
                            object_id=obj.pk,
                            object_label=entry.title(obj)[:255],
                            action=HistoryEntry.Action.PURGED,
                            changes={"deleted_at": obj.deleted_at.isoformat()},
                        )
                        for obj in batch
                    ]
                )
                _model(entry).all_objects.filter(pk__in=[obj.pk for obj in batch]).delete()
                purged += len(batch)
    return purged
