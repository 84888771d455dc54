"""Optimistic concurrency: every mutable row carries ``version``; a stale one answers 412."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.core.errors import StaleVersion
from lodestar.core.live import object_last_change


def _stale(obj: Any, expected: int, current: int | None) -> StaleVersion:
    """The 412, naming who changed the row last and when (one query, on this path only)."""
    last = object_last_change(obj) if obj.pk is not None else None
    what = f"This {obj._meta.verbose_name}"
    if last is None:
        now = f"the current one is {current}" if current is not None else "it has changed since"
        return StaleVersion(
            f"{what} was changed by someone else (you have version {expected}, {now}). "
            "Reload it and apply your change again."
        )
    return StaleVersion(
        f"{what} was changed by {last.who} at {last.when} — reload it and apply your change again.",
        changed_by=last.who,
        changed_at=last.at,
    )


def check_version(obj: Any, expected: int | None) -> None:
    """Bring ``obj`` up to the stored row, locked for the rest of the transaction, and raise
    ``StaleVersion`` when the caller claimed (``If-Match``) another version than that one.

    Without a claimed version the change applies to the current row, whoever wrote it last: a
    write never fails because another one committed between the caller's read and its own.
    """
    if obj.pk is not None:
        rows = type(obj)._base_manager.all()
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()
        obj.refresh_from_db(from_queryset=rows)
    if expected is not None and expected != obj.version:
        raise _stale(obj, expected, obj.version)


def bump(obj: Any, fields: list[str]) -> None:
    """Write ``fields`` with the next version, only if nobody wrote the row in between.

    A conditional ``UPDATE ... WHERE version = <seen>`` so two writers that read the same
    version cannot both win (no lost updates).
    """
    seen = obj.version
    now = timezone.now()
    values = {
        obj._meta.get_field(name).attname: getattr(obj, obj._meta.get_field(name).attname)
        for name in fields
    }
    written = (
        type(obj)
        ._base_manager.filter(pk=obj.pk, version=seen)
        .update(**values, version=seen + 1, updated_at=now)
    )
    if written != 1:
        raise _stale(obj, seen, None)
    obj.version = seen + 1
    obj.updated_at = now
