"""Schemas of the trash API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from lodestar.core.trash import TrashedRow, trashable_for


class TrashDeletedByOut(Schema):
    email: str
    full_name: str


class TrashItemOut(Schema):
    type: str
    id: int
    label: str
    deleted_at: dt.datetime
    deleted_by: TrashDeletedByOut | None
    restore_until: dt.datetime
    restorable: bool

    @classmethod
    def of(cls, row: TrashedRow) -> TrashItemOut:
        user = row.deleted_by
        return cls(
            type=row.type,
            id=row.id,
            label=row.label,
            deleted_at=row.deleted_at,
            deleted_by=TrashDeletedByOut(email=user.email, full_name=user.full_name)
            if user
            else None,
            restore_until=row.restore_until,
            restorable=row.restorable,
        )


class TrashRestoredOut(Schema):
    type: str
    id: int
    label: str
    version: int

    @classmethod
    def of(cls, obj: object) -> TrashRestoredOut:
        entry = trashable_for(obj)
        return cls(
            type=entry.name,
            id=obj.pk,  # type: ignore[attr-defined]
            label=entry.label(obj),
            version=obj.version,  # type: ignore[attr-defined]
        )
