"""Domain events: one per recorded change, in-process on commit, durable through the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from lodestar.core import events
from lodestar.core.events import Event
from lodestar.core.models import HistoryEntry, OutboxCursor, OutboxEvent
from lodestar.core.registry import Plugin, Subscriber, registry
from lodestar.people import services as people
from lodestar.people.models import Team
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


@pytest.fixture
def heard() -> Iterator[list[Event]]:
    """Events heard by an in-process subscriber declared for the test."""
    received: list[Event] = []
    with registry().scoped():
        registry().install(
            Plugin(name="listener", subscribers=[Subscriber("listener", received.append)])
        )
        yield received


def _rename(actor: Any, team: Team, name: str) -> Team:
    return people.team_update(actor=actor, team=team, name=name)


def test_a_change_is_one_outbox_row_and_one_event_after_commit(
    owner: Persona, team: Team, heard: list[Event], django_capture_on_commit_callbacks: Capture
) -> None:
    before = OutboxEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _rename(owner.actor, team, "Platform")
        assert heard == []  # nothing is heard before the transaction commits
    assert len(callbacks) == 1
    assert OutboxEvent.objects.count() == before + 1
    [event] = heard
    assert event.kind == "team.updated"
    assert (event.object_type, event.object_id, event.workspace_id) == (
        "team",
        team.pk,
        team.workspace_id,
    )
    assert event.actor_id == owner.user.pk
    assert event.fields == ["name"]
    assert event.changes["name"] == ["Core", "Platform"]
    outbox = OutboxEvent.objects.latest("id")
    assert (outbox.kind, outbox.history_id) == ("team.updated", event.history_id)


def test_a_rolled_back_change_publishes_nothing(
    owner: Persona, team: Team, heard: list[Event], django_capture_on_commit_callbacks: Capture
) -> None:
    before = OutboxEvent.objects.count()

    def rename_then_fail() -> None:
        with transaction.atomic():
            _rename(owner.actor, team, "Platform")
            raise RuntimeError("the caller fails after the service")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        rename_then_fail()
    assert heard == []
    assert OutboxEvent.objects.count() == before


def test_a_failing_subscriber_breaks_neither_the_write_nor_the_others(
    owner: Persona, team: Team, django_capture_on_commit_callbacks: Capture
) -> None:
    received: list[str] = []

    def broken(event: Event) -> None:
        raise ValueError("subscriber bug")

    with registry().scoped():
        registry().install(
            Plugin(
                name="listeners",
                subscribers=[
                    Subscriber("broken", broken),
                    Subscriber("after", lambda event: received.append(event.kind)),
                    Subscriber("items only", received.append, kinds=("item.*",)),
                ],
            )
        )
        with django_capture_on_commit_callbacks(execute=True):
            _rename(owner.actor, team, "Platform")
    team.refresh_from_db()
    assert team.name == "Platform"
    assert received == ["team.updated"]


def test_kinds_narrow_what_a_subscriber_hears() -> None:
    subscriber = Subscriber("s", print, kinds=("item.updated", "team.*"))
    assert subscriber.wants("item.updated")
    assert not subscriber.wants("item.created")
    assert subscriber.wants("team.created")
    assert Subscriber("all", print).wants("anything.at_all")


# -- the outbox --------------------------------------------------------------------------------


@pytest.fixture
def durable() -> Iterator[tuple[Subscriber, list[Event], list[int]]]:
    """A durable subscriber that fails on the events whose outbox ids are in ``fail_on``."""
    received: list[Event] = []
    fail_on: list[int] = []

    def handle(event: Event) -> None:
        if event.outbox_id in fail_on:
            raise ConnectionError("webhook target down")
        received.append(event)

    subscriber = Subscriber("webhooks", handle, durable=True)
    with registry().scoped():
        # The one durable subscriber of these tests: the installed ones (notifications) would
        # count in every delivery.
        for name in [n for n, p in registry().plugins.items() if p.subscribers]:
            registry().plugins.pop(name)
        registry().install(Plugin(name="webhooks", subscribers=[subscriber]))
        yield subscriber, received, fail_on


def test_a_new_durable_subscriber_hears_what_comes_after_it(
    owner: Persona, team: Team, durable: tuple[Subscriber, list[Event], list[int]]
) -> None:
    _, received, _ = durable
    _rename(owner.actor, team, "Before")
    assert events.deliver_pending() == 0  # the cursor starts at the end
    _rename(owner.actor, team, "After")
    assert events.deliver_pending() == 1
    assert [event.changes["name"] for event in received] == [["Before", "After"]]
    assert events.deliver_pending() == 0  # delivered once


def test_durable_delivery_is_in_order_and_retries_where_it_failed(
    owner: Persona, team: Team, durable: tuple[Subscriber, list[Event], list[int]]
) -> None:
    subscriber, received, fail_on = durable
    events.deliver_pending()
    for name in ["One", "Two", "Three"]:
        _rename(owner.actor, team, name)
    ids = list(OutboxEvent.objects.order_by("-id").values_list("id", flat=True)[:3])[::-1]
    fail_on.append(ids[1])
    assert events.deliver(subscriber) == 1
    cursor = OutboxCursor.objects.get(subscriber="webhooks")
    assert (cursor.position, cursor.failures) == (ids[0], 1)
    assert "webhook target down" in cursor.last_error
    assert events.deliver(subscriber) == 0  # still down: nothing overtakes the failed event
    fail_on.clear()
    assert events.deliver(subscriber) == 2
    assert [event.outbox_id for event in received] == ids
    assert [event.changes["name"][1] for event in received] == ["One", "Two", "Three"]
    cursor.refresh_from_db()
    assert (cursor.position, cursor.failures, cursor.last_error) == (ids[2], 0, "")


def _gap_after_one_event(owner: Persona, team: Team, now: dt.datetime) -> int:
    """One real event, then a row two ids later (the id between them missing); its id."""
    events.deliver_pending()
    _rename(owner.actor, team, "Seen")
    entry = HistoryEntry.objects.latest("id")
    last = OutboxEvent.objects.latest("id").pk
    OutboxEvent.objects.create(
        pk=last + 2,
        workspace_id=entry.workspace_id,
        kind="team.updated",
        history=entry,
        created_at=now,
    )
    return last


@pytest.mark.parametrize("out_of_order", [True, False])
def test_a_young_gap_waits_only_where_ids_commit_out_of_order(
    owner: Persona,
    team: Team,
    durable: tuple[Subscriber, list[Event], list[int]],
    monkeypatch: pytest.MonkeyPatch,
    out_of_order: bool,
) -> None:
    subscriber, received, _ = durable
    monkeypatch.setattr(events, "ids_may_commit_out_of_order", lambda connection: out_of_order)
    now = timezone.now()
    last = _gap_after_one_event(owner, team, now)
    if out_of_order:
        # The missing id may be a write that has yet to commit: wait while the gap is young.
        assert events.deliver(subscriber, now=now) == 1
        assert [event.outbox_id for event in received] == [last]
        now += events.GAP_GRACE + dt.timedelta(seconds=1)
    # An old gap (or any gap where ids commit in order) is a rolled-back write.
    assert events.deliver(subscriber, now=now) == (1 if out_of_order else 2)
    assert [event.outbox_id for event in received] == [last, last + 2]


def test_a_new_subscriber_starts_after_ids_already_handed_out(
    owner: Persona, team: Team, durable: tuple[Subscriber, list[Event], list[int]]
) -> None:
    subscriber, received, _ = durable
    _rename(owner.actor, team, "Before")
    OutboxEvent.objects.all().delete()  # purged: the table is empty, its sequence is not
    events.deliver_pending()
    _rename(owner.actor, team, "After")
    assert events.deliver(subscriber) == 1
    assert [event.changes["name"][1] for event in received] == ["After"]


def test_purge_keeps_what_a_subscriber_still_needs(
    owner: Persona, team: Team, durable: tuple[Subscriber, list[Event], list[int]]
) -> None:
    subscriber, _, fail_on = durable
    events.deliver_pending()
    for name in ["One", "Two"]:
        _rename(owner.actor, team, name)
    first, second = OutboxEvent.objects.order_by("-id").values_list("id", flat=True)[:2][::-1]
    fail_on.append(second)
    events.deliver(subscriber)
    later = timezone.now() + dt.timedelta(days=8)
    purged = events.purge_delivered(older_than=dt.timedelta(days=7), now=later)
    assert purged >= 1
    assert not OutboxEvent.objects.filter(pk=first).exists()
    assert OutboxEvent.objects.filter(pk=second).exists()  # not delivered yet: kept
    # Nothing is purged before it is old enough, delivered or not.
    fail_on.clear()
    events.deliver(subscriber)
    assert events.purge_delivered(older_than=dt.timedelta(days=7)) == 0


def test_the_worker_pump_delivers_and_stops(
    owner: Persona, team: Team, durable: tuple[Subscriber, list[Event], list[int]]
) -> None:
    _, received, _ = durable
    events.deliver_pending()
    _rename(owner.actor, team, "Pumped")
    pump = events.OutboxPump(interval=60)
    assert pump.run_once() == 1
    assert [event.kind for event in received] == ["team.updated"]
    _rename(owner.actor, team, "Stopped")
    pump.stop()
    assert pump.run_once() == 0  # a stopped pump delivers nothing more


def test_changes_recorded_in_bulk_are_heard_as_recorded_and_only_where_wanted(
    owner: Persona, team: Team, django_capture_on_commit_callbacks: Capture
) -> None:
    from lodestar.core.history import Change, history_record_many

    everything: list[Event] = []
    created_only: list[Event] = []
    at = timezone.now() - dt.timedelta(days=3)
    with registry().scoped():
        registry().install(
            Plugin(
                name="listeners",
                subscribers=[
                    Subscriber("everything", everything.append),
                    Subscriber("created", created_only.append, kinds=("team.created",)),
                ],
            )
        )
        with django_capture_on_commit_callbacks(execute=True):
            ids = history_record_many(
                workspace_id=team.workspace_id,
                changes=[
                    Change(obj=team, action=HistoryEntry.Action.UPDATED, changes={"name": "X"})
                    for _ in range(25)  # past the few rows written with a model object each
                ]
                + [Change(obj=team, action="created", actor=owner.user, label="Core", at=at)],
            )
    assert len(ids) == 26
    assert [event.history_id for event in everything] == ids
    assert [event.kind for event in everything] == ["team.updated"] * 25 + ["team.created"]
    [created] = created_only
    assert (created.history_id, created.actor_id, created.object_label, created.occurred_at) == (
        ids[-1],
        owner.user.pk,
        "Core",
        at,
    )
    assert (created.object_type, created.object_id, created.workspace_id) == (
        "team",
        team.pk,
        team.workspace_id,
    )
    assert everything[0].changes == {"name": "X"}
    outbox = OutboxEvent.objects.filter(history_id__in=ids).order_by("history_id")
    assert [(row.kind, row.history_id) for row in outbox][-1] == ("team.created", ids[-1])
    assert outbox.count() == 26


def test_changes_recorded_in_bulk_that_nobody_in_process_wants_register_no_callback(
    team: Team, django_capture_on_commit_callbacks: Capture
) -> None:
    from lodestar.core.history import Change, history_record_many

    with registry().scoped():
        registry().install(
            Plugin(
                name="listener",
                subscribers=[Subscriber("items", lambda event: None, kinds=("item.*",))],
            )
        )
        with django_capture_on_commit_callbacks() as callbacks:
            history_record_many(
                workspace_id=team.workspace_id,
                changes=[Change(obj=team, action="updated") for _ in range(3)],
            )
    assert callbacks == []
    assert OutboxEvent.objects.filter(kind="team.updated").count() >= 3
