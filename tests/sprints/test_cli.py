"""``lodestar sprint ...``: the same rules as the API, bad input as one line."""

from __future__ import annotations

import json

import pytest

from lodestar.backlog import services as backlog
from lodestar.sprints.models import Sprint, SprintCapacity, SprintGoalChange, SprintState
from lodestar.strategy.models import Product, ProductGoal
from tests.cli.support import error_line, run
from tests.conftest import Persona
from tests.sprints.conftest import MakeItem

pytestmark = pytest.mark.django_db

W = ("-w", "acme")


def test_a_sprint_from_planning_to_close(
    owner: Persona, developer: Persona, product: Product, goal: ProductGoal, make_item: MakeItem
) -> None:
    first, second = make_item("Export", estimate=3), make_item("Import", estimate=5)
    created = run(
        "sprint",
        "create",
        "Sprint 1",
        *W,
        "-t",
        "core",
        "--start",
        "2026-03-02",
        "--end",
        "2026-03-13",
        "--json",
    )
    assert created.exit_code == 0, created.output
    sprint_id = str(json.loads(created.stdout)["id"])
    assert run("sprint", "add", sprint_id, "acme-1", "ACME-2", *W).exit_code == 0
    capacity = run("sprint", "capacity", sprint_id, "dev@acme.test:8:5", "owner@acme.test::2", *W)
    assert capacity.exit_code == 0, capacity.output
    assert SprintCapacity.objects.count() == 2
    shown = run("sprint", "show", sprint_id, *W)
    assert "Committed: 8 points in 2 items" in shown.stdout
    assert (
        "Warning: The commitment (8 points) exceeds the team's capacity (7 points)." in shown.stdout
    )
    started = run("sprint", "start", sprint_id, *W, "--goal", "Exports people trust")
    assert started.exit_code == 0, started.output
    changed = run(
        "sprint",
        "goal",
        sprint_id,
        "Exports of dashboards",
        "--reason",
        "PDF slipped",
        *W,
        "--as",
        "dev@acme.test",
    )
    assert changed.exit_code == 0, changed.output
    assert SprintGoalChange.objects.get().reason == "PDF slipped"
    backlog.item_update(actor=owner.actor, item=first, status="done")
    listed = json.loads(run("sprint", "list", *W, "-t", "core", "--json").stdout)
    assert [(s["name"], s["state"]) for s in listed] == [("Sprint 1", "active")]
    closed = run(
        "sprint",
        "close",
        sprint_id,
        *W,
        "--goal-missed",
        "--decide",
        "ACME-2=backlog",
        "--retrospective",
        "Pair more",
    )
    assert closed.exit_code == 0, closed.output
    assert "Closed Sprint 1: 3 of 8 points done; goal missed." in closed.stdout
    sprint = Sprint.objects.get()
    assert (sprint.state, sprint.goal_met) == (SprintState.CLOSED, False)
    assert second.sprint_entries.get().outcome == "backlog"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ("create", "S", "-t", "core", "--start", "March", "--end", "2026-03-13"),
            "--start must be a date",
        ),
        (
            ("create", "S", "-t", "core", "--start", "2026-03-13", "--end", "2026-03-02"),
            "End date: must not be before",
        ),
        (
            ("create", "S", "-t", "nope", "--start", "2026-03-02", "--end", "2026-03-13"),
            "No team 'nope'",
        ),
        (("capacity", "{id}", "dev@acme.test:-1"), "must not be below zero"),
        (("capacity", "{id}", "dev@acme.test"), "write email:days"),
        (("capacity", "{id}", "dev@acme.test:lots"), "must be numbers"),
        (("capacity", "{id}", "who@acme.test:2"), "who@acme.test is not a member"),
        (("add", "{id}", "ACME-99"), "no item 'ACME-99'"),
        (("start", "{id}"), "a sprint starts with a sprint goal"),
        (("close", "{id}", "--goal-met"), "has not started"),
        (("close", "{id}", "--goal-met", "--decide", "ACME-1"), "--decide 'ACME-1': write KEY="),
        (("show", "999"), "No sprint 999"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    owner: Persona,
    developer: Persona,
    sprint: Sprint,
    make_item: MakeItem,
    args: tuple[str, ...],
    words: str,
) -> None:
    make_item("Export")
    before = (Sprint.objects.count(), SprintCapacity.objects.count(), sprint.version)
    result = run("sprint", *(arg.replace("{id}", str(sprint.pk)) for arg in args), *W)
    line = error_line(result)
    assert words in line, line
    sprint.refresh_from_db()
    assert (Sprint.objects.count(), SprintCapacity.objects.count(), sprint.version) == before


def test_a_viewer_changes_nothing(viewer: Persona, sprint: Sprint) -> None:
    result = run("sprint", "start", str(sprint.pk), *W, "--goal", "Mine", "--as", viewer.email)
    assert "Only the team's developers and its product owner" in error_line(result)
    sprint.refresh_from_db()
    assert sprint.state == SprintState.PLANNED
