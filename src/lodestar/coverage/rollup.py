"""The daily rollup of counted activity (``coverage.models.ActivityDay``): what makes coverage
over a long period cheap. The whole days of a period are read from it, the partial days at
its two ends from history (``coverage/activity.py``).

It is derived from history only, and each day is rebuilt from scratch (never incremented), so
building a day twice is harmless. The durable subscriber ``coverage.rollup`` (declared in
``coverage/plugin.py``, run by the worker) keeps it:

- the first event of a workspace starts building every whole day of its history (at most
  ``MAX_DAYS`` back), ``SEAL_DAYS`` at a time, the newest first; each later event (and, for a
  quiet workspace, the hourly ``coverage.tasks.seal_rollups`` and the tasks it queues, a slice
  each) builds the next slice and
  seals the days that ended since (up to the last midnight);
- an entry dated inside the rolled-up days (written late, or imported with an earlier date)
  rebuilds its day;
- an object going to the trash, coming back, purged, deleted or moved to another product (a
  change of ``product``) rebuilds every rolled-up day its history touches; a piece of
  feedback carries its insights, a deleted success criterion every outcome review (its own
  goes with it, and records nothing).

Until the subscriber has read an event that changes the rolled-up days, coverage is read from
history alone (``stale``), so what it says is always what history says.
"""

from __future__ import annotations

import datetime as dt
import operator
from functools import reduce
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from lodestar.core.events import Event
from lodestar.core.models import HistoryEntry, OutboxCursor, OutboxEvent
from lodestar.coverage import activity, duties
from lodestar.coverage.models import ActivityDay, RollupState
from lodestar.discovery.models import Insight

SUBSCRIBER = "coverage.rollup"
MAX_DAYS = 1827  # the longest period (five years) and a day
DAY = dt.timedelta(days=1)
# The most days one call of ``seal`` builds (a query each): a first build of years of history
# waits its turn between the worker's other work, in slices of this many days.
SEAL_DAYS = 60
# The longest a changed day waits for the workspace's later events before it is rebuilt.
DIRTY_FOR = dt.timedelta(minutes=1)
# The row ``pending`` reads as (never an activity's key).
STALE = "~stale"
# Actions that change which entries count (the object leaves or comes back).
LIVENESS = (
    HistoryEntry.Action.DELETED,
    HistoryEntry.Action.RESTORED,
    HistoryEntry.Action.PURGED,
)
COUNTED_TYPES = tuple(
    sorted(
        {a.source.object_type for _, a in duties.activities() if isinstance(a.source, duties.Match)}
    )
)


def midnight(when: dt.datetime) -> dt.datetime:
    """The midnight (UTC) at or before ``when``."""
    utc = when.astimezone(dt.UTC)
    return utc.replace(hour=0, minute=0, second=0, microsecond=0)


def day_of(when: dt.datetime) -> dt.date:
    """The rollup day holding an entry made at ``when``: ``d`` holds ``(d 00:00, d+1 00:00]``."""
    return (when.astimezone(dt.UTC) - dt.timedelta(microseconds=1)).date()


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def state(workspace_id: int) -> RollupState | None:
    return RollupState.objects.filter(workspace_id=workspace_id).first()


def covered(
    found: RollupState | None, since: dt.datetime, until: dt.datetime
) -> tuple[dt.datetime, dt.datetime] | None:
    """The whole days of ``(since, until]`` the rollup holds, as ``(lo, hi]`` (two midnights),
    or None when it holds none of them."""
    if found is None:
        return None
    first = midnight(since)
    if first < since:
        first += DAY
    lo = max(first, found.start)
    hi = min(midnight(until), found.end)
    return (lo, hi) if lo < hi else None


def read(
    scope: activity.Scope, found: list[activity.Window], keys: frozenset[str] | None = None
) -> QuerySet[Any]:
    """The rollup's counts over the days of ``found``'s windows (each ``(lo, hi]`` between two
    midnights), by activity and person (only the activities ``keys``, when given)."""
    rows = _days(scope, found)
    if keys is not None:
        rows = rows.filter(activity__in=sorted(keys))
    grouped: QuerySet[Any] = (
        rows.order_by()
        .values("activity", "actor_id")
        .annotate(total=Sum("count"), latest=Max("last"))
        .values_list("activity", "actor_id", "total", "latest")
    )
    return grouped


def _days(scope: activity.Scope, found: list[activity.Window]) -> QuerySet[Any]:
    """The rollup's rows of ``scope`` over the days of ``found``'s windows (each ``(lo, hi]``
    between two midnights), each person's own when the window is theirs."""
    days = (
        Q(day__gte=w.since.date(), day__lt=w.until.date())
        & (Q(actor_id=w.user_id) if w.user_id is not None else Q())
        for w in found
    )
    # The days of every window first (what the index reads), then each person's own.
    rows = ActivityDay.objects.filter(
        workspace_id=scope.workspace_id,
        day__gte=min(w.since for w in found).date(),
        day__lt=max(w.until for w in found).date(),
    ).filter(reduce(operator.or_, days))
    if scope.product_id is not None:
        rows = rows.filter(product_id=scope.product_id)
    return rows


def pending(workspace_id: int, end: dt.datetime) -> QuerySet[Any]:
    """The events of the workspace the subscriber has not read yet that change the rolled-up
    days (``end``: where they end): counted, as one row (``stale`` and how many)."""
    position = Subquery(OutboxCursor.objects.filter(subscriber=SUBSCRIBER).values("position")[:1])
    changes = (
        Q(history__created_at__lte=end)
        | Q(history__action__in=LIVENESS)
        | Q(history__changes__has_key="product")
    )
    grouped: QuerySet[Any] = (
        OutboxEvent.objects.filter(workspace_id=workspace_id)
        .filter(pk__gt=Coalesce(position, Value(0)))
        .filter(changes)
        .order_by()
        .annotate(
            activity=Value(STALE),
            actor=Value(0),
        )
        .values("activity", "actor")
        .annotate(count=Count("id"), last=Max("created_at"))
        .values_list("activity", "actor", "count", "last")
    )
    return grouped


def rebuild(workspace_id: int, days: set[dt.date]) -> None:
    """Build ``days`` of the workspace again from history (one query a day)."""
    scope = activity.Scope(workspace_id, None)
    for day in sorted(days):
        since = _start(day)
        rows = activity.by_product(scope, since, since + DAY)
        with transaction.atomic():
            ActivityDay.objects.filter(workspace_id=workspace_id, day=day).delete()
            ActivityDay.objects.bulk_create(
                ActivityDay(
                    workspace_id=workspace_id,
                    day=day,
                    product_id=product_id,
                    activity=key,
                    actor_id=actor_id,
                    count=count,
                    last=last,
                )
                for key, actor_id, product_id, count, last in rows
            )


def complete(found: RollupState) -> bool:
    """Whether the rollup reaches back as far as it ever needs to (``MAX_DAYS`` before its
    end; ``seal`` moves ``start`` there once the days before it hold no history)."""
    return found.start <= found.end - MAX_DAYS * DAY


def behind(found: RollupState, now: dt.datetime | None = None) -> bool:
    """Whether ``seal`` has days to build: ones that ended since, or older ones."""
    return found.end < midnight(now or timezone.now()) or not complete(found)


def seal(
    workspace_id: int, now: dt.datetime | None = None, *, most: int | None = None
) -> RollupState:
    """Roll up whole days not rolled up yet, at most ``most`` (``SEAL_DAYS``) in one call:
    first those that ended by ``now`` since the last call (the oldest first), then older ones
    back to the workspace's first history and at most ``MAX_DAYS`` back (the newest first).

    A workspace's first build (years of history, a query a day) so goes in slices between the
    worker's other work, the recent days first: each later event, and the periodic
    ``seal_behind``, builds the next slice. What the rollup does not hold yet is read from
    history (``activity``), so a rollup partly built is never wrong, only slower to read."""
    most = SEAL_DAYS if most is None else most
    end = midnight(now or timezone.now())
    found = state(workspace_id)
    if found is None:
        found = RollupState(workspace_id=workspace_id, start=end, end=end)
    days: set[dt.date] = set()
    day = found.end.date()
    while _start(day) < end and len(days) < most:
        days.add(day)
        day += DAY
    new_end = max(found.end, _start(day))
    new_start = found.start
    if not complete(found) and len(days) < most:
        oldest = (
            HistoryEntry.objects.filter(workspace_id=workspace_id)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        back_to = max(midnight(oldest) if oldest else end, end - MAX_DAYS * DAY)
        day = found.start.date() - DAY
        while _start(day) >= back_to and len(days) < most:
            days.add(day)
            new_start = _start(day)
            day -= DAY
        if new_start <= back_to:
            # No history before it: the days back to the longest period hold nothing.
            new_start = min(new_start, new_end - MAX_DAYS * DAY)
    if days or found.pk is None or new_start != found.start:
        rebuild(workspace_id, days)
        found.start, found.end = new_start, new_end
        found.save()
    return found


def any_behind(now: dt.datetime | None = None) -> bool:
    """Whether some workspace's rollup is behind (``behind``)."""
    return any(behind(found, now) for found in RollupState.objects.all())


def seal_behind(now: dt.datetime | None = None) -> int:
    """Build the next slice of every workspace's rollup that is behind (``seal``); returns
    how many were. For a quiet workspace, whose events do not come to build it."""
    sealed = 0
    for found in RollupState.objects.all():
        if behind(found, now):
            seal(found.workspace_id, now)
            sealed += 1
    return sealed


def _touched(workspace_id: int, event: Event, found: RollupState) -> set[dt.date]:
    """The rolled-up days whose counts ``event`` may change."""
    days: set[dt.date] = set()
    label = (
        HistoryEntry.objects.filter(pk=event.history_id)
        .values_list("object_type", flat=True)
        .first()
    )
    if label is None or label not in COUNTED_TYPES:
        return days
    if found.start < event.occurred_at <= found.end:
        days.add(day_of(event.occurred_at))
    if event.action in LIVENESS or "product" in event.changes:
        objects = Q(object_type=label, object_id=event.object_id)
        if label == duties.FEEDBACK:
            insights = Insight.all_objects.filter(feedback_id=event.object_id).values("pk")
            objects |= Q(object_type=duties.INSIGHT, object_id__in=insights)
        if label == duties.CRITERION and event.action != HistoryEntry.Action.RESTORED:
            # Its outcome review is deleted with it, without an entry of its own.
            objects |= Q(object_type=duties.REVIEW, actor_id__isnull=False)
        for when in HistoryEntry.objects.filter(
            objects,
            workspace_id=workspace_id,
            created_at__gt=found.start,
            created_at__lte=found.end,
        ).values_list("created_at", flat=True):
            days.add(day_of(when))
    return days


def handle(event: Event) -> None:
    """The subscriber: keep the workspace's rollup true to history after ``event``. The days
    it changes are rebuilt once the workspace's later events in the outbox are read too (an
    import dated in the past rebuilds each of its days once, not once an entry), or after
    ``DIRTY_FOR`` at most; until then they are ``dirty`` and history is read alone."""
    found = state(event.workspace_id)
    if found is None:
        seal(event.workspace_id)
        return
    days = _touched(event.workspace_id, event, found)
    dirty = {dt.date.fromisoformat(day) for day in found.dirty} | days
    if dirty:
        now = timezone.now()
        since = found.dirty_since or now
        later = (
            event.outbox_id is not None
            and OutboxEvent.objects.filter(
                workspace_id=event.workspace_id, pk__gt=event.outbox_id
            ).exists()
        )
        if later and now - since < DIRTY_FOR:
            found.dirty = sorted(day.isoformat() for day in dirty)
            found.dirty_since = since
        else:
            rebuild(event.workspace_id, dirty)
            found.dirty, found.dirty_since = [], None
        found.save()
    if behind(found):
        seal(event.workspace_id)
