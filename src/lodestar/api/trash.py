"""HTTP API of the trash: what was deleted in a workspace, and restoring it. The trash itself
(``core.trash``) knows nothing of HTTP."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Limit, PageOut
from lodestar.core import trash
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
            label=entry.title(obj),
            version=obj.version,  # type: ignore[attr-defined]
        )


router = Router(tags=["trash"])


@router.get(
    "/{workspace_slug}/trash",
    response={200: PageOut[TrashItemOut], **ERRORS},
    operation_id="trash_list",
)
def trash_list(
    request: HttpRequest, workspace_slug: str, limit: Limit | None = None, cursor: str | None = None
) -> PageOut[TrashItemOut]:
    """Everything in the workspace's trash, most recently deleted first."""
    actor = request_actor(request, workspace_slug)
    page = trash.trash_list(actor=actor, cursor=cursor, limit=limit)
    return PageOut[TrashItemOut](
        items=[TrashItemOut.of(row) for row in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/{workspace_slug}/trash/{object_type}/{object_id}/restore",
    response={200: TrashRestoredOut, **WRITE_ERRORS},
    operation_id="trash_restore",
    openapi_extra=IF_MATCH,
)
def trash_restore(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    object_type: str,
    object_id: int,
) -> TrashRestoredOut:
    """Take an object out of the trash (within the retention period)."""
    actor = request_actor(request, workspace_slug)
    obj = trash.access_trashed(actor, object_type, object_id)
    restored = trash.trash_restore(actor=actor, obj=obj, expected_version=if_match(request))
    set_etag(response, restored.version)
    return TrashRestoredOut.of(restored)
