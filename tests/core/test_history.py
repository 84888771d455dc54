from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from lodestar.core.history import (
    Change,
    changes_since,
    history_for,
    history_recent,
    history_record,
    history_record_many,
)
from lodestar.core.models import HistoryEntry
from lodestar.people.models import Team, Workspace
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

Action = HistoryEntry.Action


def test_changes_since_names_each_changed_field_with_before_and_after(team: Team) -> None:
    before = {"name": team.name, "description": team.description}
    team.name = "Core platform"
    assert changes_since(team, before) == {"name": ["Core", "Core platform"]}


def test_history_for_lists_one_objects_changes_newest_first(
    owner: Persona, team: Team, workspace: Workspace
) -> None:
    history_record(actor=owner.user, workspace_id=workspace.pk, obj=team, action=Action.CREATED)
    history_record(
        actor=owner.user,
        workspace_id=workspace.pk,
        obj=team,
        action=Action.UPDATED,
        changes={"name": ["Core", "Platform"]},
    )
    entries = list(history_for(workspace_id=workspace.pk, obj=team))
    assert [e.action for e in entries] == [Action.UPDATED, Action.CREATED]
    assert entries[0].changes == {"name": ["Core", "Platform"]}
    assert entries[0].actor == owner.user


def test_history_recent_shows_a_burst_of_edits_once_and_keeps_other_peoples(
    owner: Persona, admin: Persona, team: Team, workspace: Workspace
) -> None:
    start = timezone.now() - dt.timedelta(minutes=10)
    steps = [(owner, Action.UPDATED)] * 3 + [(admin, Action.UPDATED), (owner, Action.UPDATED)]
    for minute, (persona, action) in enumerate(steps):
        entry = history_record(
            actor=persona.user, workspace_id=workspace.pk, obj=team, action=action
        )
        HistoryEntry.objects.filter(pk=entry.pk).update(
            created_at=start + dt.timedelta(minutes=minute)
        )
    recent = history_recent(workspace_id=workspace.pk, limit=10)
    assert [e.actor_id for e in recent] == [owner.user.pk, admin.user.pk, owner.user.pk]
    assert len(history_recent(workspace_id=workspace.pk, limit=2)) == 2


def test_history_record_many_writes_each_change_with_its_actor_and_date(
    owner: Persona, team: Team, workspace: Workspace, django_assert_num_queries: Any
) -> None:
    long_ago = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    # One insert of the history rows, one of their events in the outbox.
    with django_assert_num_queries(2):
        entries = history_record_many(
            workspace_id=workspace.pk,
            changes=[
                Change(obj=team, action=Action.CREATED, changes={"name": team.name}),
                Change(
                    obj=team,
                    action=Action.UPDATED,
                    changes={"when": long_ago},
                    label="Old label",
                    actor=owner.user,
                    at=long_ago,
                ),
            ],
        )
    assert len(entries) == 2
    created, updated = history_for(workspace_id=workspace.pk, obj=team).order_by("pk")
    assert (created.actor_id, created.object_label, created.changes) == (
        None,
        str(team),
        {"name": team.name},
    )
    assert created.created_at > long_ago
    assert (updated.actor_id, updated.created_at, updated.object_label) == (
        owner.user.pk,
        long_ago,
        "Old label",
    )
    assert updated.changes == {"when": long_ago.isoformat()}
