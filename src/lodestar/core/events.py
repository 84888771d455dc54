"""Domain events: one per recorded change, published when the change commits.

Every service records its changes with ``core.history.history_record`` inside its transaction;
that call also publishes the change as an event, so no service can write without telling:

- **in-process subscribers** (``Subscriber(durable=False)``) are called right after the
  transaction commits, in the order the changes were made; one that fails is logged and never
  breaks the write (which has already committed) nor the subscribers after it;
- **durable subscribers** (``Subscriber(durable=True)``: webhooks, notifications) read the
  outbox table (``OutboxEvent``, written in the same transaction as the change) from the worker:
  at least once, in order. A subscriber that fails stops at that event and gets it again on the
  next round, so events of one object never overtake each other.

An event's ``kind`` is ``<object type>.<action>`` (``item.updated``, ``team.created``), where the
object type is the name its context declared in the registry (``core.registry``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from lodestar.core.db import (
    ids_may_commit_out_of_order,
    insert_plain_rows,
    last_assigned_id,
)
from lodestar.core.models import HistoryEntry, OutboxCursor, OutboxEvent
from lodestar.core.registry import Subscriber, registry

logger = logging.getLogger("lodestar.events")

# Transactions that were given an outbox id but have not committed yet leave a gap in the ids
# a reader sees. A reader waits this long at a gap before taking it for a rolled-back write.
GAP_GRACE = dt.timedelta(seconds=30)
BATCH_SIZE = 200


@dataclass(frozen=True)
class Event:
    """What changed: the kind of change, the object, who did it, which fields, and when."""

    kind: str
    workspace_id: int
    object_type: str
    object_id: int
    object_label: str
    action: str
    actor_id: int | None
    changes: dict[str, Any]
    occurred_at: dt.datetime
    history_id: int
    outbox_id: int | None = None

    @property
    def fields(self) -> list[str]:
        """The names of the fields the change touched."""
        return list(self.changes)


def type_name(model_label: str) -> str:
    """The registry name of a model (``item``), or its ``app.model`` label when undeclared."""
    declared = registry().object_type_for_label(model_label)
    return declared.name if declared is not None else model_label


def event_of(entry: HistoryEntry, *, outbox_id: int | None = None) -> Event:
    name = type_name(entry.object_type)
    return Event(
        kind=f"{name}.{entry.action}",
        workspace_id=entry.workspace_id,
        object_type=name,
        object_id=entry.object_id,
        object_label=entry.object_label,
        action=entry.action,
        actor_id=entry.actor_id,
        changes=dict(entry.changes or {}),
        occurred_at=entry.created_at,
        history_id=entry.pk,
        outbox_id=outbox_id,
    )


# -- publishing --------------------------------------------------------------------------------


# The values of a recorded change, in the order ``publish_rows`` takes them (the history
# entry's columns but its id).
RECORDED_COLUMNS = (
    "workspace_id",
    "actor_id",
    "object_type",
    "object_id",
    "object_label",
    "action",
    "changes",
    "created_at",
)


def publish(entries: Sequence[HistoryEntry]) -> None:
    """Publish the changes ``entries`` record: outbox rows now (in the caller's transaction),
    in-process subscribers once it commits. Called by ``core.history``."""
    publish_rows(
        [entry.pk for entry in entries],
        [tuple(getattr(entry, name) for name in RECORDED_COLUMNS) for entry in entries],
    )


def publish_rows(ids: Sequence[int], rows: Sequence[Sequence[Any]]) -> None:
    """As ``publish`` for history entries given as their ids and rows of values (in the order
    of ``RECORDED_COLUMNS``), as a bulk write records them: an ``Event`` is made only for a
    change some in-process subscriber wants."""
    if not ids:
        return
    names: dict[str, str] = {}
    kinds: list[str] = []
    for row in rows:
        label = row[2]
        name = names.get(label)
        if name is None:
            name = names[label] = type_name(label)
        kinds.append(f"{name}.{row[5]}")
    insert_plain_rows(
        OutboxEvent,
        ["workspace_id", "kind", "history_id", "created_at"],
        [(row[0], kind, pk, row[7]) for row, kind, pk in zip(rows, kinds, ids, strict=True)],
    )
    subscribers = registry().subscribers(durable=False)
    if not subscribers:
        return
    wanted: dict[str, bool] = {}
    events: list[Event] = []
    for row, kind, pk in zip(rows, kinds, ids, strict=True):
        heard = wanted.get(kind)
        if heard is None:
            heard = wanted[kind] = any(subscriber.wants(kind) for subscriber in subscribers)
        if heard:
            workspace_id, actor_id, label, object_id, object_label, action, changes, at = row
            events.append(
                Event(
                    kind=kind,
                    workspace_id=workspace_id,
                    object_type=names[label],
                    object_id=object_id,
                    object_label=object_label,
                    action=action,
                    actor_id=actor_id,
                    changes=dict(changes or {}),
                    occurred_at=at,
                    history_id=pk,
                )
            )
    if events:
        transaction.on_commit(lambda: dispatch(events), robust=True)


def dispatch(events: Iterable[Event]) -> None:
    """Hand ``events`` to every in-process subscriber that wants them; failures are logged."""
    subscribers = registry().subscribers(durable=False)
    for event in events:
        for subscriber in subscribers:
            if not subscriber.wants(event.kind):
                continue
            try:
                subscriber.handler(event)
            except Exception:
                logger.exception("Subscriber %s failed on %s.", subscriber.name, event.kind)


# -- the outbox ----------------------------------------------------------------------------------


def _cursor(name: str) -> OutboxCursor:
    """A subscriber's cursor; a new subscriber starts at the end (it hears what comes next,
    not what was being written as it arrived)."""
    cursor = OutboxCursor.objects.filter(subscriber=name).first()
    if cursor is None:
        visible = OutboxEvent.objects.aggregate(end=Max("id"))["end"] or 0
        end = max(visible, last_assigned_id(OutboxEvent, connection))
        cursor, _ = OutboxCursor.objects.get_or_create(subscriber=name, defaults={"position": end})
    return cursor


def _readable(rows: list[OutboxEvent], position: int, now: dt.datetime) -> list[OutboxEvent]:
    """The rows a reader may handle now: on a database where ids can commit out of order, up
    to the first gap that is still young (a write that may yet commit with the missing id)."""
    if not ids_may_commit_out_of_order(connection):
        return rows
    ready: list[OutboxEvent] = []
    expected = position + 1
    for row in rows:
        if row.pk != expected and now - row.created_at < GAP_GRACE:
            break
        ready.append(row)
        expected = row.pk + 1
    return ready


def deliver(subscriber: Subscriber, *, now: dt.datetime | None = None) -> int:
    """Hand ``subscriber`` the outbox events after its cursor, in order; returns how many it
    handled. It stops at the first event it fails on, which it gets again next time."""
    now = now or timezone.now()
    cursor = _cursor(subscriber.name)
    rows = list(
        OutboxEvent.objects.filter(pk__gt=cursor.position)
        .select_related("history")
        .order_by("pk")[:BATCH_SIZE]
    )
    handled = 0
    for row in _readable(rows, cursor.position, now):
        event = event_of(row.history, outbox_id=row.pk)
        if subscriber.wants(event.kind):
            try:
                subscriber.handler(event)
            except Exception as exc:
                logger.exception(
                    "Durable subscriber %s failed on event %s.", subscriber.name, row.pk
                )
                OutboxCursor.objects.filter(pk=cursor.pk).update(
                    failures=cursor.failures + 1, last_error=repr(exc)[:2000], updated_at=now
                )
                return handled
        cursor.position = row.pk
        OutboxCursor.objects.filter(pk=cursor.pk).update(
            position=row.pk, failures=0, last_error="", updated_at=now
        )
        cursor.failures = 0
        handled += 1
    return handled


def deliver_pending(*, now: dt.datetime | None = None) -> int:
    """One round of delivery to every durable subscriber; returns how many events were handled."""
    return sum(deliver(s, now=now) for s in registry().subscribers(durable=True))


def purge_delivered(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Delete outbox rows older than ``older_than`` that every durable subscriber has read."""
    now = now or timezone.now()
    names = [s.name for s in registry().subscribers(durable=True)]
    qs = OutboxEvent.objects.filter(created_at__lt=now - older_than)
    if names:
        for name in names:
            # A subscriber with no cursor yet starts at the end: nothing before it is owed to it.
            _cursor(name)
        low = OutboxCursor.objects.filter(subscriber__in=names).aggregate(low=Min("position"))
        qs = qs.filter(pk__lte=low["low"] or 0)
    deleted, _ = qs.delete()
    return deleted


class OutboxPump(threading.Thread):
    """A daemon thread of the worker: delivers the outbox every few seconds."""

    def __init__(self, interval: float | None = None) -> None:
        super().__init__(name="lodestar-outbox", daemon=True)
        self.interval = interval if interval is not None else settings.OUTBOX_POLL_SECONDS
        self.stopped = threading.Event()

    def run_once(self) -> int:
        """Deliver until the outbox has nothing more for anyone (or the pump is stopped)."""
        delivered = 0
        while not self.stopped.is_set():
            handled = deliver_pending()
            if not handled:
                break
            delivered += handled
        return delivered

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                self.run_once()
            except Exception:
                # A database hiccup must not stop delivery; the next round retries.
                logger.exception("Could not deliver the outbox; retrying.")
            finally:
                connection.close()
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
