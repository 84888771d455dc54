"""Sprint rules through the services: planning, starting, the goal, closing, refusals that
change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.selectors import item_readiness
from lodestar.backlog.selectors import team_velocity as backlog_velocity
from lodestar.core.errors import Forbidden, Invalid
from lodestar.core.history import describe
from lodestar.core.models import HistoryEntry
from lodestar.core.search import search
from lodestar.people.models import Team
from lodestar.sprints import selectors, services
from lodestar.sprints.models import (
    Sprint,
    SprintCapacity,
    SprintGoalChange,
    SprintItem,
    SprintSnapshot,
    SprintState,
)
from lodestar.strategy import services as strategy
from lodestar.strategy.models import Product, ProductGoal
from tests.conftest import Persona
from tests.sprints.conftest import END, START, MakeItem

pytestmark = pytest.mark.django_db


def _fields(error: Invalid) -> list[str]:
    return [e.field for e in error.errors]


def _state(sprint: Sprint) -> tuple[object, ...]:
    sprint.refresh_from_db()
    return (
        sprint.state,
        sprint.goal,
        sprint.version,
        sprint.goal_met,
        list(SprintItem.objects.filter(sprint=sprint).values_list("item_id", "outcome")),
        list(SprintCapacity.objects.filter(sprint=sprint).values_list("member_id", "days")),
    )


def _started(owner: Persona, sprint: Sprint, goal: str = "Ship the export") -> Sprint:
    return services.sprint_start(actor=owner.actor, sprint=sprint, goal=goal)


# -- creating -------------------------------------------------------------------------------


def test_a_sprint_works_from_the_teams_product(sprint: Sprint, product: Product) -> None:
    assert sprint.state == SprintState.PLANNED
    assert sprint.product == product
    assert sprint.workspace_id == product.workspace_id


@pytest.mark.parametrize(
    ("name", "start", "end", "field"),
    [
        ("", START, END, "name"),
        ("   ", START, END, "name"),
        ("x" * 101, START, END, "name"),
        ("Sprint 9", END, START, "end_date"),
        ("Sprint 9", START, START + dt.timedelta(days=400), "end_date"),
    ],
)
def test_bad_sprints_are_refused_naming_the_field(
    owner: Persona,
    team: Team,
    product: Product,
    name: str,
    start: dt.date,
    end: dt.date,
    field: str,
) -> None:
    with pytest.raises(Invalid) as caught:
        services.sprint_create(
            actor=owner.actor, team=team, name=name, start_date=start, end_date=end
        )
    assert _fields(caught.value) == [field]
    assert not Sprint.objects.exists()


def test_a_name_is_taken_once_per_team(owner: Persona, team: Team, sprint: Sprint) -> None:
    with pytest.raises(Invalid) as caught:
        services.sprint_create(
            actor=owner.actor, team=team, name="sprint 1", start_date=START, end_date=END
        )
    assert caught.value.code == "sprint_name_taken"
    assert Sprint.objects.count() == 1


def test_a_team_without_a_product_has_no_sprints(owner: Persona, workspace: object) -> None:
    lone = Team.objects.create(workspace=owner.membership.workspace, slug="lone", name="Lone")
    with pytest.raises(Invalid) as caught:
        services.sprint_create(
            actor=owner.actor, team=lone, name="S1", start_date=START, end_date=END
        )
    assert _fields(caught.value) == ["team"]


# -- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "admin", "po", "developer"])
def test_the_team_and_its_product_owner_plan_sprints(
    request: pytest.FixtureRequest, persona: str, po: Persona, team: Team, product: Product
) -> None:
    actor = request.getfixturevalue(persona).actor
    sprint = services.sprint_create(
        actor=actor, team=team, name="By " + persona, start_date=START, end_date=END
    )
    assert sprint.pk


@pytest.mark.parametrize("persona", ["viewer", "stranger", "scrum_master", "pm"])
def test_others_change_no_sprint(
    request: pytest.FixtureRequest,
    persona: str,
    team: Team,
    sprint: Sprint,
    make_item: MakeItem,
    owner: Persona,
) -> None:
    actor = request.getfixturevalue(persona).actor
    item = make_item("Export")
    before = _state(sprint)
    attempts = [
        lambda: services.sprint_create(
            actor=actor, team=team, name="Mine", start_date=START, end_date=END
        ),
        lambda: services.sprint_items_add(actor=actor, sprint=sprint, items=[item]),
        lambda: services.sprint_capacity_set(
            actor=actor,
            sprint=sprint,
            entries=[services.CapacityEntry(member=owner.membership, days=3)],
        ),
        lambda: services.sprint_start(actor=actor, sprint=sprint, goal="Mine"),
        lambda: services.sprint_update(actor=actor, sprint=sprint, name="Renamed"),
        lambda: services.sprint_delete(actor=actor, sprint=sprint),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden) as caught:
            attempt()
        assert caught.value.code == "forbidden_change_sprint"
    assert _state(sprint) == before
    assert Sprint.objects.count() == 1


# -- items ----------------------------------------------------------------------------------


def test_items_are_committed_once(owner: Persona, sprint: Sprint, make_item: MakeItem) -> None:
    first, second = make_item("One", estimate=3), make_item("Two", estimate=5)
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[first])
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[first, second])
    rows = SprintItem.objects.filter(sprint=sprint)
    assert sorted(rows.values_list("item__title", flat=True)) == ["One", "Two"]
    assert not rows.filter(added_after_start=True).exists()
    planning = selectors.sprint_planning(sprint=sprint)
    assert planning.committed_points == Decimal(8)
    assert planning.committed_items == 2


def test_items_of_another_product_are_refused(
    owner: Persona, sprint: Sprint, make_item: MakeItem
) -> None:
    other = strategy.product_create(actor=owner.actor, key="OTHR", name="Other")
    mine, theirs = make_item("Mine"), make_item("Theirs", product=other)
    with pytest.raises(Invalid) as caught:
        services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[mine, theirs])
    assert _fields(caught.value) == ["items[1]"]
    assert "OTHR-1 is not in the backlog of ACME" in caught.value.errors[0].message
    assert not SprintItem.objects.exists()


def test_an_item_is_in_one_open_sprint(
    owner: Persona, team: Team, sprint: Sprint, make_item: MakeItem
) -> None:
    item = make_item("Export")
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[item])
    later = services.sprint_create(
        actor=owner.actor, team=team, name="Sprint 2", start_date=END, end_date=END
    )
    with pytest.raises(Invalid) as caught:
        services.sprint_items_add(actor=owner.actor, sprint=later, items=[item])
    assert caught.value.code == "sprint_item_in_other_sprint"
    assert "already in Sprint 1" in caught.value.errors[0].message


def test_removing_an_item_not_in_the_sprint_is_refused(
    owner: Persona, sprint: Sprint, make_item: MakeItem
) -> None:
    item = make_item("Export")
    with pytest.raises(Invalid) as caught:
        services.sprint_items_remove(actor=owner.actor, sprint=sprint, items=[item])
    assert caught.value.code == "sprint_item_not_in_sprint"


def test_scope_added_after_the_start_is_marked(
    owner: Persona, sprint: Sprint, make_item: MakeItem
) -> None:
    planned, late = make_item("Planned", estimate=2), make_item("Late", estimate=3)
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[planned])
    _started(owner, sprint)
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[late])
    snapshot = services.snapshot_take(sprint=sprint)
    assert (snapshot.scope_points, snapshot.added_points, snapshot.added_items) == (
        Decimal(5),
        Decimal(3),
        1,
    )


# -- capacity ---------------------------------------------------------------------------------


def test_capacity_per_member(
    owner: Persona, developer: Persona, sprint: Sprint, make_item: MakeItem
) -> None:
    services.sprint_capacity_set(
        actor=developer.actor,
        sprint=sprint,
        entries=[
            services.CapacityEntry(member=developer.membership, days=8, points="5.5"),
            services.CapacityEntry(member=owner.membership, days=2),
        ],
    )
    services.sprint_items_add(
        actor=owner.actor, sprint=sprint, items=[make_item("Big", estimate=8)]
    )
    planning = selectors.sprint_planning(sprint=sprint)
    assert (planning.capacity_days, planning.capacity_points) == (Decimal(10), Decimal("5.5"))
    assert planning.warnings == [
        "The commitment (8 points) exceeds the team's capacity (5.5 points)."
    ]


@pytest.mark.parametrize(
    ("days", "points", "field", "message"),
    [
        (-1, None, "capacity[0].days", "must not be below zero"),
        (None, -0.5, "capacity[0].points", "must not be below zero"),
        (13, None, "capacity[0].days", "must be at most 12"),
        ("lots", None, "capacity[0].days", "must be a number"),
        (float("nan"), None, "capacity[0].days", "must be a number"),
        (1.25, None, "capacity[0].days", "use at most one decimal place"),
    ],
)
def test_bad_capacity_is_refused_and_changes_nothing(
    owner: Persona, sprint: Sprint, days: object, points: object, field: str, message: str
) -> None:
    services.sprint_capacity_set(
        actor=owner.actor, sprint=sprint, entries=[services.CapacityEntry(owner.membership, 4)]
    )
    before = _state(sprint)
    with pytest.raises(Invalid) as caught:
        services.sprint_capacity_set(
            actor=owner.actor,
            sprint=sprint,
            entries=[services.CapacityEntry(owner.membership, days, points)],  # type: ignore[arg-type]
        )
    assert [(e.field, e.message) for e in caught.value.errors] == [(field, message)]
    assert _state(sprint) == before


def test_capacity_below_zero_is_refused_by_the_database_too(owner: Persona, sprint: Sprint) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SprintCapacity.objects.create(sprint=sprint, member=owner.membership, days=-1)


# -- starting ---------------------------------------------------------------------------------


def test_starting_needs_a_goal_and_changes_nothing_without(owner: Persona, sprint: Sprint) -> None:
    before = _state(sprint)
    with pytest.raises(Invalid) as caught:
        services.sprint_start(actor=owner.actor, sprint=sprint)
    assert _fields(caught.value) == ["goal"]
    assert caught.value.code == "sprint_goal_required"
    assert _state(sprint) == before
    assert not SprintSnapshot.objects.exists()


def test_starting_ties_the_sprint_to_the_product_goal(
    owner: Persona, sprint: Sprint, goal: ProductGoal
) -> None:
    started = _started(owner, sprint)
    assert started.state == SprintState.ACTIVE
    assert started.product_goal == goal
    assert started.started_at is not None
    assert SprintSnapshot.objects.filter(sprint=sprint).count() == 1


def test_a_product_goal_of_another_product_is_refused(owner: Persona, sprint: Sprint) -> None:
    other = strategy.product_create(actor=owner.actor, key="OTHR", name="Other")
    foreign = strategy.goal_set(actor=owner.actor, product=other, statement="Elsewhere")
    with pytest.raises(Invalid) as caught:
        services.sprint_start(actor=owner.actor, sprint=sprint, goal="Ship", product_goal=foreign)
    assert _fields(caught.value) == ["product_goal"]
    sprint.refresh_from_db()
    assert sprint.state == SprintState.PLANNED


def test_two_active_sprints_in_a_team_are_refused(
    owner: Persona, team: Team, sprint: Sprint
) -> None:
    _started(owner, sprint)
    second = services.sprint_create(
        actor=owner.actor, team=team, name="Sprint 2", start_date=END, end_date=END
    )
    before = _state(second)
    with pytest.raises(Invalid) as caught:
        services.sprint_start(actor=owner.actor, sprint=second, goal="Also")
    assert caught.value.code == "sprint_already_active"
    assert "already runs Sprint 1" in caught.value.errors[0].message
    assert _state(second) == before


def test_the_database_holds_one_active_sprint_per_team(
    owner: Persona, team: Team, sprint: Sprint
) -> None:
    _started(owner, sprint)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sprint.objects.create(
            workspace=team.workspace,
            team=team,
            product=sprint.product,
            name="Sneaky",
            start_date=START,
            end_date=END,
            state=SprintState.ACTIVE,
            goal="Two at once",
        )


def test_starting_twice_is_refused(owner: Persona, sprint: Sprint) -> None:
    _started(owner, sprint)
    with pytest.raises(Invalid) as caught:
        services.sprint_start(actor=owner.actor, sprint=sprint, goal="Again")
    assert caught.value.code == "sprint_not_planned"


# -- the goal after the start ---------------------------------------------------------------


def test_the_goal_changes_after_the_start_only_with_a_reason(
    owner: Persona, developer: Persona, sprint: Sprint
) -> None:
    _started(owner, sprint, goal="Ship the export")
    before = _state(sprint)
    with pytest.raises(Invalid) as caught:
        services.sprint_update(actor=developer.actor, sprint=sprint, goal="Ship half")
    assert _fields(caught.value) == ["goal_reason"]
    assert _state(sprint) == before
    services.sprint_update(
        actor=developer.actor,
        sprint=sprint,
        goal="Ship half the export",
        goal_reason="The CSV library was dropped upstream",
    )
    change = SprintGoalChange.objects.get(sprint=sprint)
    assert (change.before, change.after, change.reason, change.changed_by) == (
        "Ship the export",
        "Ship half the export",
        "The CSV library was dropped upstream",
        developer.user,
    )


def test_a_planned_goal_changes_freely(owner: Persona, sprint: Sprint) -> None:
    services.sprint_update(actor=owner.actor, sprint=sprint, goal="First idea")
    services.sprint_update(actor=owner.actor, sprint=sprint, goal="Better idea")
    assert not SprintGoalChange.objects.exists()


# -- closing ----------------------------------------------------------------------------------


@pytest.fixture
def running(owner: Persona, sprint: Sprint, make_item: MakeItem) -> list[BacklogItem]:
    items = [make_item(f"Item {n}", estimate=points) for n, points in enumerate((1, 2, 3, 5))]
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=items)
    _started(owner, sprint)
    backlog.item_update(actor=owner.actor, item=items[0], status="done")
    return items


def test_closing_needs_a_decision_for_each_unfinished_item(
    owner: Persona, sprint: Sprint, running: list[BacklogItem]
) -> None:
    before = _state(sprint)
    with pytest.raises(Invalid) as caught:
        services.sprint_close(
            actor=owner.actor,
            sprint=sprint,
            goal_met=False,
            decisions={"ACME-2": "backlog", "ACME-3": "sideways", "ACME-1": "backlog"},
        )
    assert caught.value.code == "sprint_decisions_invalid"
    assert _fields(caught.value) == ["decisions[ACME-1]", "decisions[ACME-3]", "decisions[ACME-4]"]
    assert _state(sprint) == before


def test_carrying_work_needs_a_planned_sprint(
    owner: Persona, sprint: Sprint, running: list[BacklogItem]
) -> None:
    before = _state(sprint)
    with pytest.raises(Invalid) as caught:
        services.sprint_close(
            actor=owner.actor,
            sprint=sprint,
            goal_met=False,
            decisions={"ACME-2": "next_sprint", "ACME-3": "backlog", "ACME-4": "backlog"},
        )
    assert _fields(caught.value) == ["next_sprint"]
    assert "plan the next sprint first" in caught.value.errors[0].message
    assert _state(sprint) == before
    assert Sprint.objects.count() == 1


def test_closing_applies_each_decision(
    owner: Persona, team: Team, sprint: Sprint, running: list[BacklogItem]
) -> None:
    following = services.sprint_create(
        actor=owner.actor, team=team, name="Sprint 2", start_date=END, end_date=END
    )
    services.sprint_close(
        actor=owner.actor,
        sprint=sprint,
        goal_met=True,
        decisions={"acme-2": "next_sprint", "ACME-3": "backlog_top", "ACME-4": "backlog"},
        review_notes="Demoed **export**<script>alert(1)</script>",
        retrospective_notes="Pair more",
    )
    sprint.refresh_from_db()
    assert (sprint.state, sprint.goal_met) == (SprintState.CLOSED, True)
    assert (sprint.committed_points, sprint.completed_points) == (Decimal(11), Decimal(1))
    assert (sprint.committed_items, sprint.completed_items) == (4, 1)
    assert "<strong>export</strong>" in sprint.review_notes_html
    assert "<script>" not in sprint.review_notes_html
    outcomes = dict(SprintItem.objects.filter(sprint=sprint).values_list("item__key", "outcome"))
    assert outcomes == {
        "ACME-1": "done",
        "ACME-2": "next_sprint",
        "ACME-3": "backlog_top",
        "ACME-4": "backlog",
    }
    carried = SprintItem.objects.get(sprint=following)
    assert (carried.item.key, carried.carried_from) == ("ACME-2", sprint)
    top = BacklogItem.objects.filter(product=sprint.product).order_by("rank").first()
    assert top is not None
    assert top.key == "ACME-3"
    assert services.snapshot_take(sprint=following).carried_items == 1


def test_closing_a_closed_sprint_is_refused(
    owner: Persona, sprint: Sprint, running: list[BacklogItem]
) -> None:
    decisions = {"ACME-2": "backlog", "ACME-3": "backlog", "ACME-4": "backlog"}
    services.sprint_close(actor=owner.actor, sprint=sprint, goal_met=False, decisions=decisions)
    before = _state(sprint)
    with pytest.raises(Invalid) as caught:
        services.sprint_close(actor=owner.actor, sprint=sprint, goal_met=True, decisions=decisions)
    assert caught.value.code == "sprint_closed"
    assert _state(sprint) == before
    with pytest.raises(Invalid):
        services.sprint_update(actor=owner.actor, sprint=sprint, name="Renamed")


def test_a_developer_cannot_reorder_the_backlog_by_closing(
    owner: Persona, developer: Persona, sprint: Sprint, running: list[BacklogItem]
) -> None:
    before = _state(sprint)
    with pytest.raises(Forbidden):
        services.sprint_close(
            actor=developer.actor,
            sprint=sprint,
            goal_met=False,
            decisions={"ACME-2": "backlog_top", "ACME-3": "backlog", "ACME-4": "backlog"},
        )
    assert _state(sprint) == before


def test_a_planned_sprint_is_deleted_and_one_that_ran_stays(
    owner: Persona, team: Team, sprint: Sprint
) -> None:
    _started(owner, sprint)
    with pytest.raises(Exception, match="stays in the team's history"):
        services.sprint_delete(actor=owner.actor, sprint=sprint)
    spare = services.sprint_create(
        actor=owner.actor, team=team, name="Spare", start_date=END, end_date=END
    )
    services.sprint_delete(actor=owner.actor, sprint=spare)
    assert list(Sprint.objects.values_list("name", flat=True)) == ["Sprint 1"]


# -- velocity -----------------------------------------------------------------------------------


def _run_sprint(
    owner: Persona, team: Team, name: str, make_item: MakeItem, done: list[int]
) -> Sprint:
    sprint = services.sprint_create(
        actor=owner.actor, team=team, name=name, start_date=START, end_date=END
    )
    items = [make_item(f"{name} {points}", estimate=points) for points in done]
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=items)
    services.sprint_start(actor=owner.actor, sprint=sprint, goal="Finish")
    for item in items:
        backlog.item_update(actor=owner.actor, item=item, status="done")
    return services.sprint_close(actor=owner.actor, sprint=sprint, goal_met=True, decisions={})


def test_velocity_is_the_average_of_the_last_closed_sprints(
    owner: Persona, team: Team, product: Product, make_item: MakeItem
) -> None:
    assert selectors.team_velocity(team).sprints == 0
    assert backlog_velocity(product) is None
    for name, done in (("S1", [13]), ("S2", [3, 5]), ("S3", [8, 2]), ("S4", [5, 1])):
        _run_sprint(owner, team, name, make_item, done)
    velocity = selectors.team_velocity(team)
    assert (velocity.average, velocity.low, velocity.high, velocity.sprints) == (
        Decimal("8.0"),
        Decimal(6),
        Decimal(10),
        3,
    )
    assert backlog_velocity(product) == Decimal("8.0")


# -- snapshots ----------------------------------------------------------------------------------


def test_the_periodic_task_snapshots_active_sprints_once_a_day(
    owner: Persona, sprint: Sprint, make_item: MakeItem
) -> None:
    item = make_item("Only", estimate=5)
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[item])
    _started(owner, sprint)
    backlog.item_update(actor=owner.actor, item=item, status="done")
    assert services.snapshots_take_active() == 1
    snapshot = SprintSnapshot.objects.get(sprint=sprint)
    assert (snapshot.done_points, snapshot.remaining_points, snapshot.done_items) == (
        Decimal(5),
        Decimal(0),
        1,
    )


def test_the_definition_of_ready_measures_size_against_real_velocity(
    owner: Persona, team: Team, goal: ProductGoal, make_item: MakeItem
) -> None:
    item = make_item("Big one", goal=goal, estimate=5, acceptance_criteria=["It works"])

    def size() -> tuple[str, str]:
        check = next(c for c in item_readiness(item).checks if c.code == "size")
        return check.status, check.detail

    assert size()[0] == "not_measurable"
    _run_sprint(owner, team, "S1", make_item, [5, 1])
    # 5 points against half of a velocity of 6.
    assert size() == ("failed", "5 > 3 points: split it")


def test_planning_warns_when_the_commitment_exceeds_velocity(
    owner: Persona, team: Team, make_item: MakeItem
) -> None:
    _run_sprint(owner, team, "S1", make_item, [5, 1])
    planned = services.sprint_create(
        actor=owner.actor, team=team, name="S2", start_date=START, end_date=END
    )
    services.sprint_items_add(
        actor=owner.actor, sprint=planned, items=[make_item("Big", estimate=8)]
    )
    assert selectors.sprint_planning(sprint=planned).warnings == [
        "The commitment (8 points) exceeds the team's recent velocity (6 points a sprint over "
        "the last 1, from 6 to 6)."
    ]


def test_history_says_what_happened_in_words(
    owner: Persona, sprint: Sprint, make_item: MakeItem
) -> None:
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[make_item("Export")])
    _started(owner, sprint, goal="Ship")
    services.sprint_update(actor=owner.actor, sprint=sprint, goal="Ship less", goal_reason="Flu")
    services.sprint_close(
        actor=owner.actor, sprint=sprint, goal_met=True, decisions={"ACME-1": "backlog"}
    )
    lines = [
        describe(entry)
        for entry in HistoryEntry.objects.filter(object_type="sprints.sprint").order_by("id")
    ]
    assert lines == [
        "created sprint “Core: Sprint 1”",
        "added ACME-1 to sprint “Core: Sprint 1”",
        "started sprint “Core: Sprint 1”",
        "changed the goal of sprint “Core: Sprint 1” to “Ship less” because Flu",
        "closed sprint “Core: Sprint 1”; its goal was met",
    ]


def test_sprints_are_found_by_their_goal(owner: Persona, sprint: Sprint) -> None:
    _started(owner, sprint, goal="Reconcile invoices nightly")
    page = search(actor=owner.actor, text="invoices")
    assert [hit.title for hit in page.items] == ["Core: Sprint 1"]


def test_items_sent_to_the_top_keep_their_order(
    owner: Persona, sprint: Sprint, make_item: MakeItem
) -> None:
    make_item("Already first")
    first, second = make_item("First"), make_item("Second")
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[first, second])
    _started(owner, sprint)
    services.sprint_close(
        actor=owner.actor,
        sprint=sprint,
        goal_met=False,
        decisions={first.key: "backlog_top", second.key: "backlog_top"},
    )
    ordered = BacklogItem.objects.filter(product=sprint.product).order_by("rank")
    assert [item.title for item in ordered] == ["First", "Second", "Already first"]


# -- moving a card on the board ---------------------------------------------------------------


def test_a_card_moves_only_on_an_active_sprint_of_the_item_to_a_board_column(
    owner: Persona, viewer: Persona, sprint: Sprint, make_item: MakeItem
) -> None:
    card, outside = make_item("On the board", estimate=3), make_item("Not in the sprint")
    services.sprint_items_add(actor=owner.actor, sprint=sprint, items=[card])

    def move(item: BacklogItem, status: str = "in_progress", actor: Persona = owner) -> object:
        fresh = BacklogItem.objects.get(pk=item.pk)
        return services.sprint_card_move(
            actor=actor.actor, sprint=sprint, item=fresh, status=status,
            expected_version=fresh.version,
        )  # fmt: skip

    with pytest.raises(Invalid) as planned:
        move(card)
    assert _fields(planned.value) == ["sprint"]
    _started(owner, sprint)
    with pytest.raises(Invalid) as elsewhere:
        move(outside)
    assert _fields(elsewhere.value) == ["item"]
    with pytest.raises(Invalid) as column:
        move(card, status="wont_do")
    assert _fields(column.value) == ["status"]
    with pytest.raises(Forbidden):
        move(card, actor=viewer)
    assert BacklogItem.objects.get(pk=card.pk).status == "new"
    move(card)
    assert BacklogItem.objects.get(pk=card.pk).status == "in_progress"


def _snap(sprint: Sprint, day: dt.date) -> None:
    from django.utils import timezone

    services.snapshot_take(
        sprint=sprint, now=timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    )


def test_the_burndown_runs_to_the_day_a_late_sprint_closed(sprint: Sprint) -> None:
    closed_on = END + dt.timedelta(days=3)
    _snap(sprint, START)
    _snap(sprint, closed_on)
    Sprint.objects.filter(pk=sprint.pk).update(state=SprintState.CLOSED, goal="Ship")
    sprint.refresh_from_db()
    days = selectors.sprint_burndown(sprint=sprint, today=END + dt.timedelta(days=10))
    assert (days[0].day, days[-1].day) == (START, closed_on)
    assert days[-1].scope_points is not None
    assert all(d.ideal_points == 0 for d in days if d.day >= END)
    assert days[1].scope_points is None  # a day without a snapshot


def test_the_burndown_of_an_overrun_active_sprint_runs_to_today(sprint: Sprint) -> None:
    _snap(sprint, START)
    Sprint.objects.filter(pk=sprint.pk).update(state=SprintState.ACTIVE, goal="Ship")
    sprint.refresh_from_db()
    today = END + dt.timedelta(days=2)
    days = selectors.sprint_burndown(sprint=sprint, today=today)
    assert days[-1].day == today
    assert days[-1].scope_points is not None  # today's figures as they are now
    # Within its dates, one entry per day as before.
    assert len(selectors.sprint_burndown(sprint=sprint, today=START)) == (END - START).days + 1
