"""How recorded activity is found: the activities of ``duties.DUTIES`` become aggregate queries
(one per duty and kind of object, ``GROUP BY`` the activity and the person: a count and the
last time), all of them sent as one ``UNION ALL``, so the work is the database's whatever
the number of history entries. The whole days of a period are read from the daily rollup
instead (``coverage/rollup.py``), once it holds them and has caught up with history.

A history entry counts when it is in the period, made by a person (the hourly evaluation and
the portal's visitors are nobody), and its object is still there, not in the trash, and in the
scope (the workspace, or one product): the object's own row is probed by primary key for
that (an ``EXISTS`` per entry), which is why each kind of object names its product here.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from lodestar.backlog.models import BacklogItem
from lodestar.core.models import HistoryEntry
from lodestar.coverage import duties
from lodestar.coverage.duties import Activity, Match, Rows
from lodestar.decisions.models import Decision
from lodestar.discovery.models import Feedback, Insight, Problem
from lodestar.discovery.risk_models import Experiment
from lodestar.outcomes.models import Metric, OutcomeReview, SuccessCriterion
from lodestar.releases.models import Release, RoadmapEntry, RoadmapShare
from lodestar.strategy.models import ProductGoal


@dataclass(frozen=True)
class Scope:
    """Where activity is counted: a workspace, and one product of it or all (None)."""

    workspace_id: int
    product_id: int | None


@dataclass(frozen=True)
class Stint:
    """A stretch of time a person belonged where the coverage looks (a hat worn in a team, the
    product owner hat of its product), from ``start`` until ``end`` (None: still)."""

    user_id: int
    start: dt.datetime
    end: dt.datetime | None


@dataclass(frozen=True)
class Window:
    """A stretch of time ``(since, until]`` whose activity counts: one person's
    (``user_id``), or everyone's (None)."""

    user_id: int | None
    since: dt.datetime
    until: dt.datetime


DAY = dt.timedelta(days=1)


def _midnight(when: dt.datetime) -> dt.datetime:
    """The midnight (UTC) at or before ``when``."""
    return when.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def windows(
    since: dt.datetime, until: dt.datetime, people: list[Stint] | None = None
) -> list[Window]:
    """The windows of ``(since, until]`` whose activity counts: the whole period for everyone
    (``people`` None), or each person's stints in whole days (UTC: from the midnight before
    they put the hat on to the one after they took it off) cut to the period, a person's
    overlapping stints (two hats at once) merged so that nothing they did counts twice. Whole
    days keep a team's read on the daily rollup, with history read only at the period's two
    ends, as for everyone."""
    if people is None:
        return [Window(None, since, until)]
    spans: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for stint in people:
        start = _midnight(stint.start)
        end = _midnight(stint.end) + DAY if stint.end is not None else until
        lo, hi = max(since, start), min(until, end)
        if lo < hi:
            spans.setdefault(stint.user_id, []).append((lo, hi))
    found = []
    for user_id, theirs in sorted(spans.items()):
        theirs.sort()
        merged = [theirs[0]]
        for lo, hi in theirs[1:]:
            if lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        found += [Window(user_id, lo, hi) for lo, hi in merged]
    return found


def within(found: list[Window], person: str, time: str) -> Q:
    """A filter keeping the rows of ``found``'s windows: ``person`` and ``time`` name the
    row's person and when it happened. Windows of the same stretch of time become one range
    with its people (``IN``), so the usual case, one stretch, is one range the index reads."""
    stretches: dict[tuple[dt.datetime, dt.datetime], set[int] | None] = {}
    for w in found:
        key = (w.since, w.until)
        who = stretches.get(key, set())
        if w.user_id is None or who is None:
            stretches[key] = None  # everyone's
        else:
            stretches[key] = who | {w.user_id}
    return reduce(
        operator.or_,
        (
            Q(**{f"{time}__gt": lo, f"{time}__lte": hi})
            & (Q(**{f"{person}__in": sorted(who)}) if who is not None else Q())
            for (lo, hi), who in stretches.items()
        ),
    )


@dataclass(frozen=True)
class Tally:
    """One person's count of one activity in the period, and when they did it last."""

    activity: str
    user_id: int
    count: int
    last: dt.datetime


# Each kind of object: its live rows (the default managers leave the trash out) of a scope, and
# the path to its product (an insight's is its feedback's).
_PRODUCT: dict[str, str] = {duties.INSIGHT: "feedback__product_id"}

_OBJECTS: dict[str, Callable[[Scope], QuerySet[Any]]] = {
    duties.FEEDBACK: lambda s: _in(Feedback.objects.filter(workspace_id=s.workspace_id), s),
    duties.INSIGHT: lambda s: _in(
        Insight.objects.filter(workspace_id=s.workspace_id, feedback__deleted_at__isnull=True),
        s,
        "feedback__product_id",
    ),
    duties.PROBLEM: lambda s: _in(Problem.objects.filter(workspace_id=s.workspace_id), s),
    duties.EXPERIMENT: lambda s: _in(Experiment.objects.filter(workspace_id=s.workspace_id), s),
    duties.ITEM: lambda s: _in(BacklogItem.objects.filter(workspace_id=s.workspace_id), s),
    duties.GOAL: lambda s: _in(ProductGoal.objects.filter(product__workspace_id=s.workspace_id), s),
    duties.DECISION: lambda s: _in(Decision.objects.filter(workspace_id=s.workspace_id), s),
    duties.RELEASE: lambda s: _in(Release.objects.filter(workspace_id=s.workspace_id), s),
    duties.ROADMAP_ENTRY: lambda s: _in(
        RoadmapEntry.objects.filter(workspace_id=s.workspace_id), s
    ),
    duties.ROADMAP_SHARE: lambda s: _in(
        RoadmapShare.objects.filter(workspace_id=s.workspace_id), s
    ),
    duties.METRIC: lambda s: _in(Metric.objects.filter(workspace_id=s.workspace_id), s),
    duties.CRITERION: lambda s: _in(
        SuccessCriterion.objects.filter(workspace_id=s.workspace_id), s
    ),
    duties.REVIEW: lambda s: _in(OutcomeReview.objects.filter(workspace_id=s.workspace_id), s),
}


def _in(rows: QuerySet[Any], scope: Scope, product: str = "product_id") -> QuerySet[Any]:
    if scope.product_id is not None:
        rows = rows.filter(**{product: scope.product_id})
    return rows


def _matching(match: Match) -> Q:
    """The conditions on an entry's recorded changes, as a filter."""
    condition = Q(object_type=match.object_type, action__in=match.actions)
    for key in match.has:
        condition &= Q(changes__has_key=key)
    for key in match.lacks:
        condition &= ~Q(changes__has_key=key)
    for key, values in match.value.items():
        condition &= Q(**{f"changes__{key}__in": list(values)})
    for key, values in match.after.items():
        condition &= Q(**{f"changes__{key}__1__in": list(values)})
    for key, prefix in match.not_prefix.items():
        # A change without the key passes: only a value that starts with the prefix is left out.
        condition &= ~Q(**{f"changes__{key}__startswith": prefix}) | ~Q(changes__has_key=key)
    return condition


def _history(
    group: list[tuple[Activity, Match]],
    scope: Scope,
    found: list[Window],
    *,
    by_product: bool = False,
) -> QuerySet[Any]:
    """The activities of one duty on one kind of object, in one pass over its entries: each
    entry is given the activity it matches (a duty's activities never match the same entry),
    then counted by activity and person. The kind and the actions come first, so the entries
    are read from the history's coverage index in time order; the conditions on the changes
    then keep the few entries that count, and only those are told apart by the ``CASE``.
    ``by_product``: counted by product too (each object's, 0 for none), for the daily rollup
    (``coverage/rollup.py``)."""
    object_type = group[0][1].object_type
    conditions = [(activity.key, _matching(match)) for activity, match in group]
    which = Case(
        *(When(condition, then=Value(key)) for key, condition in conditions),
        output_field=CharField(),
    )
    entries = (
        HistoryEntry.objects.filter(
            workspace_id=scope.workspace_id,
            object_type=object_type,
            action__in=sorted({action for _, match in group for action in match.actions}),
        )
        .filter(reduce(operator.or_, (condition for _, condition in conditions)))
        .filter(within(found, "actor_id", "created_at"), actor_id__isnull=False)
        # An EXISTS probe of the object's primary key per entry, not an IN list of every
        # object: the entries are then read in time order from the history's coverage index.
        .filter(Exists(_OBJECTS[object_type](scope).filter(pk=OuterRef("object_id"))))
        .order_by()
        .annotate(activity=which)
    )
    if by_product:
        product = Subquery(
            _OBJECTS[object_type](scope)
            .filter(pk=OuterRef("object_id"))
            .values(_PRODUCT.get(object_type, "product_id"))[:1]
        )
        return (
            entries.annotate(product=Coalesce(product, Value(0), output_field=BigIntegerField()))
            .values("activity", "actor_id", "product")
            .annotate(count=Count("id"), last=Max("created_at"))
            .values_list("activity", "actor_id", "product", "count", "last")
        )
    return (
        entries.values("activity", "actor_id")
        .annotate(count=Count("id"), last=Max("created_at"))
        .values_list("activity", "actor_id", "count", "last")
    )


def _interview_participants(activity: Activity, scope: Scope, found: list[Window]) -> QuerySet[Any]:
    """Members who took part in an interview (feedback from the ``interview`` source, dated
    when it was held), its capturer left out: capturing it already counts for them."""
    through = Feedback.member_participants.through
    # The auto-created through model's stubs know no annotations, hence the looser type.
    rows: QuerySet[Any] = (
        through.objects.filter(
            feedback__workspace_id=scope.workspace_id,
            feedback__deleted_at__isnull=True,
            feedback__source="interview",
        )
        .filter(within(found, "membership__user_id", "feedback__received_at"))
        .exclude(membership__user_id=Coalesce(F("feedback__captured_by_id"), Value(0)))
    )
    if scope.product_id is not None:
        rows = rows.filter(feedback__product_id=scope.product_id)
    grouped: QuerySet[Any] = (
        rows.order_by()
        .values("membership__user_id")
        .annotate(
            activity=Value(activity.key), count=Count("id"), last=Max("feedback__received_at")
        )
        .values_list("activity", "membership__user_id", "count", "last")
    )
    return grouped


_ROWS = {duties.INTERVIEW_PARTICIPANTS.name: _interview_participants}


def _groups(keys: frozenset[str] | None = None) -> list[list[tuple[Activity, Match]]]:
    """The history activities (only ``keys``, when given) by duty and kind of object."""
    groups: dict[tuple[str, str], list[tuple[Activity, Match]]] = {}
    for duty, activity in duties.activities():
        if isinstance(activity.source, Match) and (keys is None or activity.key in keys):
            groups.setdefault((duty.key, activity.source.object_type), []).append(
                (activity, activity.source)
            )
    return list(groups.values())


def _recorded(
    scope: Scope, found: list[Window], keys: frozenset[str] | None = None
) -> list[QuerySet[Any]]:
    """The activities read from history in ``found``'s windows, a query per duty and kind."""
    return [_history(group, scope, found) for group in _groups(keys)]


def _rows(
    scope: Scope, found: list[Window], keys: frozenset[str] | None = None
) -> list[QuerySet[Any]]:
    """The activities read from a context's own rows in ``found``'s windows."""
    return [
        _ROWS[activity.source.name](activity, scope, found)
        for _, activity in duties.activities()
        if isinstance(activity.source, Rows) and (keys is None or activity.key in keys)
    ]


def by_product(scope: Scope, since: dt.datetime, until: dt.datetime) -> list[Any]:
    """The activities read from history over ``(since, until]`` by person and product (0 for
    none): ``(activity, user_id, product_id, count, last)``, in one query (the rollup's day)."""
    found = windows(since, until)
    queries = [_history(group, scope, found, by_product=True) for group in _groups()]
    return list(queries[0].union(*queries[1:], all=True))


def _union(queries: list[QuerySet[Any]]) -> list[tuple[str, int, int, dt.datetime | None]]:
    return list(queries[0].union(*queries[1:], all=True))


def _gathered(
    scope: Scope,
    counted: list[Window],
    keys: frozenset[str] | None,
    *,
    stretches: bool = True,
) -> list[tuple[str, int, int, dt.datetime | None]]:
    """The rows ``(activity, user_id, count, last)`` of ``counted``'s windows (of the
    activities ``keys``, or all), in one query after the rollup's state: the whole days the
    rollup holds from it, the rest from history. When the rollup has not caught up with a
    change to those days yet (``rollup.pending``), everything is read from history.
    ``stretches``: the rest is read a stretch of time at a time (a range of the index each;
    else all of it at once, a smaller statement)."""
    from lodestar.coverage import rollup

    rows = _rows(scope, counted, keys)
    state = rollup.state(scope.workspace_id)
    if state is None or state.dirty:
        return _union(rows + _recorded(scope, counted, keys))
    whole, edges = [], []
    for window in counted:
        days = rollup.covered(state, window.since, window.until)
        if days is None:
            edges.append(window)
            continue
        lo, hi = days
        whole.append(Window(window.user_id, lo, hi))
        if window.since < lo:
            edges.append(Window(window.user_id, window.since, lo))
        if hi < window.until:
            edges.append(Window(window.user_id, hi, window.until))
    queries = [*rows, *([rollup.read(scope, whole, keys)] if whole else [])]
    # The partial days, a stretch at a time: each read as one range of the index.
    apart: dict[tuple[dt.datetime, ...], list[Window]] = {}
    for window in edges:
        apart.setdefault((window.since, window.until) if stretches else (), []).append(window)
    for same in apart.values():
        queries += _recorded(scope, same, keys)
    found = _union([*queries, rollup.pending(scope.workspace_id, state.end)])
    if any(key == rollup.STALE and count for key, _, count, _ in found):
        return _union(rows + _recorded(scope, counted, keys))
    return [row for row in found if row[0] != rollup.STALE]


def tallies(
    scope: Scope,
    since: dt.datetime,
    until: dt.datetime,
    people: list[Stint] | None = None,
    keys: frozenset[str] | None = None,
) -> list[Tally]:
    """Every person's count and last time of every activity in ``(since, until]`` (the start
    excluded, the end included), in one query after the rollup's state (``_gathered``).
    ``people``: only what these people did while they belonged (a team's), else everyone's.
    ``keys``: only these activities (every one when None)."""
    counted = windows(since, until, people)
    if not counted or (keys is not None and not keys):
        return []
    found = _gathered(scope, counted, keys)
    merged: dict[tuple[str, int], Tally] = {}
    for key, user_id, count, last in found:
        if last is None:  # never: a count's rows have a last time
            continue
        before = merged.get((key, user_id))
        if before is not None:
            count, last = before.count + count, max(before.last, last)
        merged[(key, user_id)] = Tally(key, user_id, count, last)
    return list(merged.values())


def last_done(
    scope: Scope,
    since: dt.datetime,
    until: dt.datetime,
    keys: frozenset[str],
    people: list[Stint] | None = None,
) -> dict[str, dt.datetime]:
    """The last time each activity of ``keys`` was done in ``(since, until]`` (by ``people``
    while they belonged, else anyone), for those done at all: read like ``tallies``, but the
    partial days at the windows' edges all at once (a look back of years has few entries of
    the activities asked for, and a statement per stretch costs more to build than to run).
    The rollup's rows are read along ``coverage_day_activity_idx``: those of ``keys`` only."""
    counted = windows(since, until, people)
    if not counted or not keys:
        return {}
    found = _gathered(scope, counted, keys, stretches=False)
    last: dict[str, dt.datetime] = {}
    for key, _, _, when in found:
        if when is not None:
            last[key] = max(when, last.get(key, when))
    return last
