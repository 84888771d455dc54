"""The daily rollup (``coverage/rollup.py``): coverage read from it says exactly what history
says, after writes, trashes and restores in any order, at the period's exact edges, and
before the subscriber has caught up (history is read then)."""

from __future__ import annotations

import datetime as dt

import pytest

from lodestar.backlog import services as backlog
from lodestar.core import events, trash
from lodestar.core.models import HistoryEntry
from lodestar.core.registry import registry
from lodestar.coverage import activity, rollup
from lodestar.coverage.models import ActivityDay, RollupState
from lodestar.coverage.selectors import coverage_for
from lodestar.decisions import services as decisions
from lodestar.discovery import services as discovery
from lodestar.outcomes import services as outcomes
from lodestar.releases import roadmap
from lodestar.releases import services as releases
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product
from tests.conftest import Persona
from tests.coverage.conftest import NOW, ago, dated, newest

FEEDBACK, INSIGHT, ITEM, DECISION = (
    "discovery.feedback",
    "discovery.insight",
    "backlog.backlogitem",
    "decisions.decision",
)


def _subscriber() -> object:
    [found] = [s for s in registry().subscribers(durable=True) if s.name == rollup.SUBSCRIBER]
    return found


def catch_up() -> None:
    """Run the rollup's subscriber over every event not read yet (what the worker does)."""
    while events.deliver(_subscriber()):  # type: ignore[arg-type]
        pass


@pytest.fixture(autouse=True)
def _listening(db: None) -> None:
    # A new subscriber hears what comes after it: start it before the scenario.
    catch_up()


def from_history(
    scope: activity.Scope,
    since: dt.datetime,
    until: dt.datetime,
    people: list[activity.Stint] | None = None,
    keys: frozenset[str] | None = None,
) -> set[tuple]:
    """The answer read from history alone (no rollup), of every activity or ``keys``'."""
    counted = activity.windows(since, until, people)
    rows = activity._union(activity._rows(scope, counted) + activity._recorded(scope, counted))
    return {
        (key, user_id, count, last)
        for key, user_id, count, last in rows
        if keys is None or key in keys
    }


def answer(
    scope: activity.Scope,
    since: dt.datetime,
    until: dt.datetime,
    people: list[activity.Stint] | None = None,
    keys: frozenset[str] | None = None,
) -> set[tuple]:
    found = activity.tallies(scope, since, until, people, keys)
    return {(t.activity, t.user_id, t.count, t.last) for t in found}


def last_from_history(
    scope: activity.Scope,
    since: dt.datetime,
    until: dt.datetime,
    keys: frozenset[str],
    people: list[activity.Stint] | None = None,
) -> dict[str, dt.datetime]:
    """The last time of each of ``keys``, read from history alone."""
    last: dict[str, dt.datetime] = {}
    for key, _, _, when in from_history(scope, since, until, people, keys):
        last[key] = max(when, last.get(key, when))
    return last


# Some activities only (what the look back before a period reads): one from a context's rows,
# two from history.
SOME = frozenset({"interview_held", "item_moved", "decision_logged"})


def used_rollup(scope: activity.Scope, since: dt.datetime, until: dt.datetime) -> bool:
    state = rollup.state(scope.workspace_id)
    if state is None or state.dirty or rollup.covered(state, since, until) is None:
        return False
    [(_, _, pending, _)] = list(rollup.pending(scope.workspace_id, state.end))
    return pending == 0


def check(
    product: Product,
    *,
    days: int = 30,
    until: dt.datetime = NOW,
    people: list[activity.Stint] | None = None,
) -> None:
    """Every scope and period reads the same from the rollup as from history, for everyone
    and for ``people`` (a team's, their stints starting and ending inside days)."""
    for product_id in (None, product.pk):
        scope = activity.Scope(product.workspace_id, product_id)
        for since in (until - dt.timedelta(days=days), until - dt.timedelta(days=3, hours=5)):
            assert answer(scope, since, until) == from_history(scope, since, until)
            assert answer(scope, since, until, keys=SOME) == from_history(
                scope, since, until, keys=SOME
            )
            assert activity.last_done(scope, since, until, SOME) == last_from_history(
                scope, since, until, SOME
            )
            if people is not None:
                assert answer(scope, since, until, people) == from_history(
                    scope, since, until, people
                )
                assert activity.last_done(scope, since, until, SOME, people) == (
                    last_from_history(scope, since, until, SOME, people)
                )


def test_the_rollup_reads_what_history_says_through_writes_trashes_and_restores(
    owner: Persona, po: Persona, pm: Persona, product: Product
) -> None:
    other = strategy.product_create(actor=owner.actor, key="BETA", name="Beta")
    items = [
        backlog.item_create(actor=owner.actor, product=p, title=f"Item {n}")
        for n, p in enumerate((product, product, other))
    ]
    made = []
    for n, item in enumerate(items):
        mover = po if item.product_id == product.pk else owner
        backlog.item_move(actor=mover.actor, item=item, position="bottom")
        dated(newest(ITEM, action="moved"), ago(n + 2, microseconds=n))
        backlog.item_update(actor=mover.actor, item=item, acceptance_criteria=[f"Works {n}"])
        dated(newest(ITEM, action="updated"), ago(n + 5))
    for n, target in enumerate((product, other, product)):
        made.append(decisions.decision_create(actor=pm.actor, product=target, title=f"D{n}"))
        dated(newest(DECISION), ago(n * 4 + 1))
    feedback = discovery.feedback_create(
        actor=pm.actor, text="Heard it", source="sales", product=product
    )
    dated(newest(FEEDBACK), ago(6))
    discovery.insight_create(actor=pm.actor, feedback=feedback, quote="Heard")
    dated(newest(INSIGHT), ago(9))  # a day of its own: it leaves with its feedback
    catch_up()

    state = RollupState.objects.get(workspace_id=product.workspace_id)
    assert state.end == rollup.midnight(dt.datetime.now(dt.UTC))
    assert ActivityDay.objects.filter(workspace_id=product.workspace_id).exists()
    scope = activity.Scope(product.workspace_id, product.pk)
    assert used_rollup(scope, ago(30), NOW)
    check(product)
    # A team's people: the product owner from the middle of a day, the product manager for
    # a stretch ending inside another, and again later (two windows of one person).
    team = [
        activity.Stint(po.user.pk, ago(4.4), None),
        activity.Stint(pm.user.pk, ago(12.3), ago(5.2)),
        activity.Stint(pm.user.pk, ago(2.5), ago(0.7)),
        activity.Stint(pm.user.pk, ago(11), ago(8)),  # inside the one before: merged
    ]
    check(product, people=team)
    assert answer(scope, ago(30), NOW, team) != answer(scope, ago(30), NOW)
    before = coverage_for(owner.actor, product=product, days=30, now=NOW)

    # Trashed: the decision and the item leave, and the feedback takes its insight with it.
    trash.trash_move(actor=owner.actor, obj=made[0])
    trash.trash_move(actor=owner.actor, obj=items[1])
    trash.trash_move(actor=owner.actor, obj=feedback)
    assert not used_rollup(scope, ago(30), NOW)  # not caught up: history is read
    check(product)
    catch_up()
    assert used_rollup(scope, ago(30), NOW)
    check(product)
    after = coverage_for(owner.actor, product=product, days=30, now=NOW)
    totals = {row.duty.key: row.total for row in after.duties}
    assert totals["make_product_decisions"] == 1
    assert totals["order_backlog"] == 1
    assert totals["pull_research_together"] == 0
    assert totals["talk_to_customers"] == 0

    # Restored, in another order: everything counts again, as before.
    for obj in (feedback, made[0], items[1]):
        trash.trash_restore(actor=owner.actor, obj=obj)
        check(product)
        catch_up()
        check(product)
    again = coverage_for(owner.actor, product=product, days=30, now=NOW)
    assert [(r.duty.key, r.total, r.last) for r in again.duties] == [
        (r.duty.key, r.total, r.last) for r in before.duties
    ]

    # Trashed again and one more write, then caught up at once.
    trash.trash_move(actor=owner.actor, obj=made[2])
    decisions.decision_create(actor=pm.actor, product=product, title="Late")
    dated(newest(DECISION), ago(8))
    check(product)
    catch_up()
    assert used_rollup(scope, ago(30), NOW)
    check(product)


def test_an_entry_dated_into_rolled_up_days_is_read_until_its_day_is_rebuilt(
    owner: Persona, pm: Persona, product: Product
) -> None:
    decisions.decision_create(actor=pm.actor, product=product, title="First")
    dated(newest(DECISION), ago(3))
    catch_up()
    scope = activity.Scope(product.workspace_id, product.pk)
    assert used_rollup(scope, ago(30), NOW)
    # Written now, with an earlier date (as an import does): it counts at once.
    late = decisions.decision_create(actor=pm.actor, product=product, title="Imported")
    dated(newest(DECISION, object_id=late.pk), ago(10))
    before = rollup.state(product.workspace_id)
    assert before is not None
    catch_up()
    check(product)
    coverage = coverage_for(owner.actor, product=product, days=30, now=NOW)
    assert {row.duty.key: row.total for row in coverage.duties}["make_product_decisions"] == 2


def test_the_period_edges_are_exact_across_the_rolled_up_days(
    owner: Persona, po: Persona, product: Product
) -> None:
    pair = [backlog.item_create(actor=owner.actor, product=product, title=t) for t in "AB"]
    until = dt.datetime(2026, 11, 15, 9, 30, tzinfo=dt.UTC)
    since = until - dt.timedelta(days=10)
    midnight = dt.datetime(2026, 11, 10, tzinfo=dt.UTC)
    one = dt.timedelta(microseconds=1)
    moments = [
        since,  # out
        since + one,  # in
        midnight,  # in, the last instant of the 9th's day
        midnight + one,  # in, the first of the 10th's
        until,  # in
        until + one,  # out
        rollup.midnight(since) + dt.timedelta(days=1),  # in, a whole day's end
    ]
    for n, when in enumerate(moments):
        backlog.item_move(actor=po.actor, item=pair[n % 2], position="bottom")
        dated(newest(ITEM, action="moved"), when)
    catch_up()
    scope = activity.Scope(product.workspace_id, product.pk)
    assert used_rollup(scope, since, until)
    [tally] = activity.tallies(scope, since, until)
    assert tally.count == 5
    assert tally.last == until
    assert answer(scope, since, until) == from_history(scope, since, until)
    assert rollup.day_of(midnight) == dt.date(2026, 11, 9)
    assert rollup.day_of(midnight + one) == dt.date(2026, 11, 10)


def test_the_read_stays_at_eight_queries_with_the_rollup(
    owner: Persona,
    po: Persona,
    product: Product,
    django_assert_max_num_queries: object,
) -> None:
    pair = [backlog.item_create(actor=owner.actor, product=product, title=t) for t in "AB"]
    for n, days in enumerate((1, 20, 40)):
        backlog.item_move(actor=po.actor, item=pair[n % 2], position="bottom")
        dated(newest(ITEM, action="moved"), ago(days))
    catch_up()
    # Six, and two for when the duties nobody carried were done last before the period.
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        coverage = coverage_for(owner.actor, product=product, days=90, now=NOW)
    assert {row.duty.key: row.total for row in coverage.duties}["order_backlog"] == 3


def test_deleted_objects_leave_the_rollup_with_what_went_with_them(
    owner: Persona, po: Persona, pm: Persona, product: Product
) -> None:
    metric = outcomes.metric_create(
        actor=pm.actor, product=product, key="export-time", name="Export time", direction="lower"
    )
    release = releases.release_create(actor=po.actor, product=product, name="2026.2")
    criterion = outcomes.criterion_create(
        actor=pm.actor,
        product=product,
        metric=metric,
        target=5,
        target_kind="absolute",
        release=release,
    )
    releases.release_go_live(actor=po.actor, release=release, force=True, reason="Launch day")
    outcomes.outcomes_evaluate(actor=pm.actor, product=product, release=release)
    entry = roadmap.roadmap_entry_add(
        actor=po.actor, product=product, type="release", target=str(release.pk), lane="now"
    )
    dated(HistoryEntry.objects.filter(workspace_id=product.workspace_id), ago(5))
    # The review on a day of its own: only the criterion's deletion says it went.
    dated(HistoryEntry.objects.filter(object_type="outcomes.outcomereview"), ago(7))
    catch_up()
    scope = activity.Scope(product.workspace_id, product.pk)
    assert used_rollup(scope, ago(30), NOW)
    check(product)
    assert {t.activity for t in activity.tallies(scope, ago(30), NOW)} >= {
        "criterion_set",
        "outcome_evaluated",
        "roadmap_updated",
    }

    outcomes.criterion_delete(actor=pm.actor, criterion=criterion)
    roadmap.roadmap_entry_remove(actor=po.actor, product=product, entry=entry)
    check(product)
    catch_up()
    assert used_rollup(scope, ago(30), NOW)
    check(product)
    left = {t.activity for t in activity.tallies(scope, ago(30), NOW)}
    assert not left & {"criterion_set", "outcome_evaluated", "roadmap_updated"}


def test_a_burst_dated_in_the_past_rebuilds_each_day_once_after_its_last_event(
    owner: Persona, pm: Persona, product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    decisions.decision_create(actor=pm.actor, product=product, title="First")
    dated(newest(DECISION), ago(10))
    catch_up()
    # An import's burst: many entries, each dated days back.
    for n in range(6):
        decisions.decision_create(actor=pm.actor, product=product, title=f"Imported {n}")
        dated(newest(DECISION), ago(n % 3 + 4))
    rebuilt: list[set[dt.date]] = []
    real = rollup.rebuild
    monkeypatch.setattr(
        rollup, "rebuild", lambda ws, days: (rebuilt.append(set(days)), real(ws, days))[1]
    )
    catch_up()

    assert len(rebuilt) == 1
    assert rebuilt[0] == {rollup.day_of(ago(days)) for days in (4, 5, 6)}
    scope = activity.Scope(product.workspace_id, product.pk)
    assert used_rollup(scope, ago(30), NOW)
    check(product)
    coverage = coverage_for(owner.actor, product=product, days=30, now=NOW)
    assert {row.duty.key: row.total for row in coverage.duties}["make_product_decisions"] == 7


def test_changed_days_not_rebuilt_yet_are_read_from_history(
    owner: Persona, pm: Persona, product: Product
) -> None:
    decisions.decision_create(actor=pm.actor, product=product, title="First")
    dated(newest(DECISION), ago(3))
    catch_up()
    state = rollup.state(product.workspace_id)
    assert state is not None
    # As if the subscriber had marked a day and waited for later events.
    ActivityDay.objects.filter(workspace_id=product.workspace_id).delete()
    RollupState.objects.filter(pk=state.pk).update(dirty=[rollup.day_of(ago(3)).isoformat()])
    scope = activity.Scope(product.workspace_id, product.pk)
    assert not used_rollup(scope, ago(30), NOW)
    check(product)
    [tally] = activity.tallies(scope, ago(30), NOW)
    assert tally.count == 1


def test_a_first_build_goes_in_slices_the_newest_days_first_and_reads_true_meanwhile(
    owner: Persona, pm: Persona, product: Product
) -> None:
    """Years of history are rolled up ``SEAL_DAYS`` at a time (the newest days first), each
    later call building the next slice; until the last, the days not built yet are read from
    history, so coverage says what history says at every step."""
    for n, days in enumerate((150, 100, 40, 5)):
        decisions.decision_create(actor=pm.actor, product=product, title=f"D{n}")
        dated(newest(DECISION), ago(days))
    now = dt.datetime.now(dt.UTC)
    end = rollup.midnight(now)

    first = rollup.seal(product.workspace_id, now, most=60)
    assert (first.start, first.end) == (end - 60 * rollup.DAY, end)
    assert not rollup.complete(first)
    assert rollup.behind(first, now)
    built = ActivityDay.objects.filter(workspace_id=product.workspace_id)
    assert built.exists()
    assert not built.filter(day__lt=first.start.date()).exists()
    check(product, days=180)

    assert rollup.seal_behind(now) == 1  # the next slice, for a workspace no event comes to
    second = rollup.state(product.workspace_id)
    assert second is not None
    assert second.start == end - 120 * rollup.DAY
    check(product, days=180)

    last = rollup.seal(product.workspace_id, now, most=60)
    # Back to the first history; the days before it hold nothing, up to the longest period.
    assert rollup.complete(last)
    assert last.start == end - rollup.MAX_DAYS * rollup.DAY
    assert built.filter(day=rollup.day_of(ago(150))).exists()
    assert not rollup.behind(last, now)
    assert rollup.seal_behind(now) == 0
    check(product, days=180)
    coverage = coverage_for(owner.actor, product=product, days=180, now=NOW)
    assert {row.duty.key: row.total for row in coverage.duties}["make_product_decisions"] == 4


def test_days_that_ended_since_come_before_older_ones_and_a_quiet_workspace_has_none(
    owner: Persona, product: Product
) -> None:
    now = dt.datetime.now(dt.UTC)
    end = rollup.midnight(now)
    workspace_id = product.workspace_id
    # Only today's history: nothing before it to build; the rollup is whole at once.
    found = rollup.seal(workspace_id, now, most=2)
    assert rollup.complete(found)
    assert found.end == end
    # Three days later, two a call: the two oldest of the days that ended since, then the last.
    later = now + 3 * rollup.DAY
    step = rollup.seal(workspace_id, later, most=2)
    assert step.end == end + 2 * rollup.DAY
    assert rollup.behind(step, later)
    assert rollup.seal(workspace_id, later, most=2).end == end + 3 * rollup.DAY
    assert not rollup.behind(rollup.state(workspace_id), later)  # type: ignore[arg-type]


def test_the_hourly_task_builds_a_quiet_workspace_whole_a_queued_task_a_slice(
    owner: Persona, pm: Persona, product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No event comes: the hourly task builds a slice and queues the next as a task of its
    own (run at once by the tests' backend), until the rollup is whole."""
    from lodestar.coverage import tasks

    decisions.decision_create(actor=pm.actor, product=product, title="Long ago")
    dated(newest(DECISION), ago(200))
    rollup.seal(product.workspace_id, most=1)  # the first event's slice, made small
    monkeypatch.setattr(rollup, "SEAL_DAYS", 60)
    queued: list[int] = []
    real = tasks.seal_rollups_next

    class Counted:
        def enqueue(self) -> object:
            queued.append(1)
            return real.enqueue()

    monkeypatch.setattr(tasks, "seal_rollups_next", Counted())
    assert rollup.any_behind()
    assert tasks.seal_rollups.call() == 1
    found = rollup.state(product.workspace_id)
    assert found is not None
    assert rollup.complete(found)
    assert not rollup.any_behind()
    assert len(queued) >= 3  # about 220 days, 60 a slice, each slice a task
    assert tasks.seal_rollups.call() == 0  # nothing behind: nothing queued
    check(product, days=210)


def test_a_rollup_built_whole_before_slices_is_marked_whole_in_one_call(
    pm: Persona, product: Product
) -> None:
    """A state from before the slices (its start the day of the first history) needs no day
    built again: one call finds nothing older and marks it whole."""
    decisions.decision_create(actor=pm.actor, product=product, title="Then")
    dated(newest(DECISION), ago(20))
    now = dt.datetime.now(dt.UTC)
    end = rollup.midnight(now)
    oldest = HistoryEntry.objects.order_by("created_at").values_list("created_at", flat=True)[0]
    RollupState.objects.create(
        workspace_id=product.workspace_id, start=rollup.midnight(oldest), end=end
    )
    rollup.rebuild(product.workspace_id, {rollup.day_of(ago(20))})
    rows = ActivityDay.objects.count()
    found = rollup.seal(product.workspace_id, now)
    assert rollup.complete(found)
    assert found.end == end
    assert ActivityDay.objects.count() == rows
    assert not rollup.behind(found, now)
