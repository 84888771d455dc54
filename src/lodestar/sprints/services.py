"""Every write of the sprints context: planning, starting, changing the goal, closing, and the
daily snapshots. One transaction each; history recorded with the change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone

from lodestar.backlog import services as backlog
from lodestar.backlog.models import BacklogItem, ItemStatus
from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Conflict, FieldError, Invalid
from lodestar.core.history import history_record
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.people.models import Membership, Team
from lodestar.people.policy import Actor, require
from lodestar.sprints.errors import SprintErrorCode as Code
from lodestar.sprints.models import (
    BoardLimit,
    Outcome,
    Sprint,
    SprintCapacity,
    SprintGoalChange,
    SprintItem,
    SprintSnapshot,
    SprintState,
)
from lodestar.sprints.permissions import SprintPermission
from lodestar.strategy.models import GoalStatus, Product, ProductGoal
from lodestar.strategy.selectors import team_product

Action = HistoryEntry.Action

NAME_MAX = 100
GOAL_MAX = 300
REASON_MAX = 2000
NOTES_MAX = 50_000
# A sprint is a month at most in Scrum; a longer timebox is allowed (some teams run quarters)
# but not an unbounded one.
LENGTH_MAX_DAYS = 366
CAPACITY_DAYS_MAX = Decimal(LENGTH_MAX_DAYS)
CAPACITY_POINTS_MAX = Decimal(99999)
ITEMS_MAX = 500
# What closing may do with an unfinished item.
DECISIONS: Final = (Outcome.BACKLOG_TOP, Outcome.BACKLOG, Outcome.NEXT_SPRINT)
FINISHED = (ItemStatus.DONE, ItemStatus.WONT_DO)


class _Keep:
    """A keyword left out (None clears where clearing means something)."""


KEEP: Final = _Keep()


def _record(actor: Actor | None, sprint: Sprint, action: str, changes: dict[str, Any]) -> None:
    history_record(
        actor=actor.user if actor is not None else None,
        workspace_id=sprint.workspace_id,
        obj=sprint,
        action=action,
        changes=changes,
        label=f"{sprint.team.name}: {sprint.name}",
    )


def require_change(actor: Actor, team: Team, product: Product | None) -> None:
    """The team's developers, its product's owner, and admins change a team's sprints."""
    require(actor, SprintPermission.CHANGE_SPRINT, teams=[team], product=product)


def _clean_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise Invalid.field("name", "must not be empty", code=Code.SPRINT_NAME_INVALID)
    if len(name) > NAME_MAX:
        raise Invalid.field(
            "name", f"must be at most {NAME_MAX} characters", code=Code.SPRINT_NAME_INVALID
        )
    return name


def _clean_goal(value: str | None, field: str = "goal") -> str:
    goal = " ".join((value or "").split())
    if len(goal) > GOAL_MAX:
        raise Invalid.field(
            field, f"must be at most {GOAL_MAX} characters", code=Code.SPRINT_GOAL_INVALID
        )
    return goal


def _clean_notes(value: str, field: str) -> str:
    if not isinstance(value, str) or len(value) > NOTES_MAX:
        raise Invalid.field(
            field,
            f"must be text of at most {NOTES_MAX:,} characters",
            code=Code.SPRINT_NOTES_INVALID,
        )
    return value.strip()


def _check_dates(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise Invalid.field(
            "end_date",
            f"must not be before the start date ({start.isoformat()})",
            code=Code.SPRINT_DATES_INVALID,
        )
    if (end - start).days + 1 > LENGTH_MAX_DAYS:
        raise Invalid.field(
            "end_date",
            f"a sprint lasts at most {LENGTH_MAX_DAYS} days",
            code=Code.SPRINT_DATES_INVALID,
        )


def _check_name_free(team: Team, name: str, exclude: int | None = None) -> None:
    taken = Sprint.objects.filter(team=team, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise Invalid.field(
            "name", f"{team.name} already has a sprint named '{name}'", code=Code.SPRINT_NAME_TAKEN
        )


def _check_product_goal(sprint: Sprint, goal: ProductGoal | None) -> None:
    if goal is not None and goal.product_id != sprint.product_id:
        raise Invalid.field(
            "product_goal",
            f"is not a Product Goal of {sprint.product.key}",
            code=Code.SPRINT_PRODUCT_GOAL_INVALID,
        )


def _refuse_closed(sprint: Sprint) -> None:
    if sprint.state == SprintState.CLOSED:
        raise Invalid.field(
            "sprint", f"{sprint.name} is closed; it changes no more", code=Code.SPRINT_CLOSED
        )


@transaction.atomic
def sprint_create(
    *,
    actor: Actor,
    team: Team,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    goal: str = "",
) -> Sprint:
    """A planned sprint of ``team``, working from the backlog of the team's product."""
    product = team_product(team)
    require_change(actor, team, product)
    if product is None:
        raise Invalid.field(
            "team",
            f"{team.name} works from no product yet; link it to a product first",
            code=Code.SPRINT_TEAM_WITHOUT_PRODUCT,
        )
    name = _clean_name(name)
    _check_dates(start_date, end_date)
    _check_name_free(team, name)
    sprint = Sprint.objects.create(
        workspace_id=team.workspace_id,
        team=team,
        product=product,
        name=name,
        start_date=start_date,
        end_date=end_date,
        goal=_clean_goal(goal),
        created_by=actor.user,
    )
    _record(
        actor,
        sprint,
        Action.CREATED,
        {
            "name": sprint.name,
            "start_date": start_date.isoformat(),
            "end_date": end_date.isoformat(),
        },
    )
    return sprint


@transaction.atomic
def sprint_update(
    *,
    actor: Actor,
    sprint: Sprint,
    expected_version: int | None = None,
    name: str | _Keep = KEEP,
    start_date: dt.date | _Keep = KEEP,
    end_date: dt.date | _Keep = KEEP,
    goal: str | _Keep = KEEP,
    goal_reason: str | None = None,
    review_notes: str | _Keep = KEEP,
    retrospective_notes: str | _Keep = KEEP,
) -> Sprint:
    """Change a sprint. Once it has started, its goal changes only with ``goal_reason``
    (kept with the before and after); once it is closed, only its notes change."""
    require_change(actor, sprint.team, sprint.product)
    check_version(sprint, expected_version)
    changes: dict[str, Any] = {}
    closed = sprint.state == SprintState.CLOSED
    if closed and not all(isinstance(value, _Keep) for value in (name, start_date, end_date, goal)):
        _refuse_closed(sprint)
    if not isinstance(name, _Keep):
        cleaned = _clean_name(name)
        if cleaned != sprint.name:
            _check_name_free(sprint.team, cleaned, exclude=sprint.pk)
            changes["name"] = [sprint.name, cleaned]
            sprint.name = cleaned
    new_start = sprint.start_date if isinstance(start_date, _Keep) else start_date
    new_end = sprint.end_date if isinstance(end_date, _Keep) else end_date
    if (new_start, new_end) != (sprint.start_date, sprint.end_date):
        _check_dates(new_start, new_end)
        if new_start != sprint.start_date:
            changes["start_date"] = [sprint.start_date.isoformat(), new_start.isoformat()]
        if new_end != sprint.end_date:
            changes["end_date"] = [sprint.end_date.isoformat(), new_end.isoformat()]
        sprint.start_date, sprint.end_date = new_start, new_end
    if not isinstance(goal, _Keep):
        _change_goal(actor, sprint, goal, goal_reason, changes)
    for field, value in (
        ("review_notes", review_notes),
        ("retrospective_notes", retrospective_notes),
    ):
        if not isinstance(value, _Keep):
            text = _clean_notes(value, field)
            if text != getattr(sprint, field):
                changes[field] = [getattr(sprint, field), text]
                setattr(sprint, field, text)
                setattr(sprint, f"{field}_html", render_markdown(text))
    if not changes:
        return sprint
    fields = [name for name in changes if name != "goal_reason"]
    fields += [f"{name}_html" for name in changes if name.endswith("_notes")]
    bump(sprint, fields)
    _record(actor, sprint, Action.UPDATED, changes)
    return sprint


def _change_goal(
    actor: Actor, sprint: Sprint, goal: str, reason: str | None, changes: dict[str, Any]
) -> None:
    cleaned = _clean_goal(goal)
    if cleaned == sprint.goal:
        return
    if sprint.state == SprintState.ACTIVE:
        if not cleaned:
            raise Invalid.field(
                "goal",
                "a running sprint keeps a goal; write the new one",
                code=Code.SPRINT_GOAL_REQUIRED,
            )
        why = (reason or "").strip()
        if not why:
            raise Invalid.field(
                "goal_reason",
                "say why the sprint goal changes after the start (it is kept with the change)",
                code=Code.SPRINT_GOAL_REASON_REQUIRED,
            )
        if len(why) > REASON_MAX:
            raise Invalid.field(
                "goal_reason",
                f"must be at most {REASON_MAX} characters",
                code=Code.SPRINT_GOAL_REASON_REQUIRED,
            )
        SprintGoalChange.objects.create(
            sprint=sprint,
            before=sprint.goal,
            after=cleaned,
            reason=why,
            changed_by=actor.user,
            changed_at=timezone.now(),
        )
        changes["goal_reason"] = why
    changes["goal"] = [sprint.goal, cleaned]
    sprint.goal = cleaned


@transaction.atomic
def sprint_delete(*, actor: Actor, sprint: Sprint, expected_version: int | None = None) -> None:
    """Delete a planned sprint (its commitments go with it; the items stay in the backlog).
    A sprint that ran is part of the team's history and stays."""
    require_change(actor, sprint.team, sprint.product)
    check_version(sprint, expected_version)
    if sprint.state != SprintState.PLANNED:
        raise Conflict(
            f"{sprint.name} has {'run' if sprint.state == SprintState.CLOSED else 'started'}; "
            "a sprint that ran stays in the team's history.",
            code=Code.SPRINT_HAS_WORK,
        )
    _record(actor, sprint, Action.DELETED, {"name": sprint.name})
    sprint.delete()


# -- items ------------------------------------------------------------------------------------


def _check_items(sprint: Sprint, items: Sequence[BacklogItem], field: str = "items") -> None:
    if len(items) > ITEMS_MAX:
        raise Invalid.field(
            field, f"give at most {ITEMS_MAX} items at once", code=Code.SPRINT_ITEMS_INVALID
        )
    for index, item in enumerate(items):
        if item.workspace_id != sprint.workspace_id or item.product_id != sprint.product_id:
            raise Invalid.field(
                f"{field}[{index}]",
                f"{item.key} is not in the backlog of {sprint.product.key}, which "
                f"{sprint.team.name} works from",
                code=Code.SPRINT_ITEMS_INVALID,
            )


@transaction.atomic
def sprint_items_add(*, actor: Actor, sprint: Sprint, items: Sequence[BacklogItem]) -> Sprint:
    """Commit ``items`` (of the team's product backlog) to the sprint; those already in it stay
    as they are. An item is in one open sprint at a time. Added after the start, it counts as
    added scope."""
    require_change(actor, sprint.team, sprint.product)
    check_version(sprint, None)
    _refuse_closed(sprint)
    if not items:
        raise Invalid.field("items", "name at least one item", code=Code.SPRINT_ITEMS_INVALID)
    _check_items(sprint, items)
    ids = [item.pk for item in items]
    elsewhere = dict(
        SprintItem.objects.filter(
            item_id__in=ids, sprint__state__in=[SprintState.PLANNED, SprintState.ACTIVE]
        )
        .exclude(sprint=sprint)
        .values_list("item_id", "sprint__name")
    )
    present = set(
        SprintItem.objects.filter(sprint=sprint, item_id__in=ids).values_list("item_id", flat=True)
    )
    for index, item in enumerate(items):
        if item.pk in elsewhere:
            raise Invalid.field(
                f"items[{index}]",
                f"{item.key} is already in {elsewhere[item.pk]}; remove it there first",
                code=Code.SPRINT_ITEM_IN_OTHER_SPRINT,
            )
    now = timezone.now()
    new = [item for item in dict.fromkeys(items) if item.pk not in present]
    SprintItem.objects.bulk_create(
        [
            SprintItem(
                sprint=sprint,
                item=item,
                workspace_id=sprint.workspace_id,
                added_at=now,
                added_by=actor.user,
                added_after_start=sprint.state == SprintState.ACTIVE,
            )
            for item in new
        ]
    )
    if new:
        bump(sprint, [])
        _record(actor, sprint, Action.UPDATED, {"items_added": [item.key for item in new]})
    return sprint


@transaction.atomic
def sprint_items_remove(*, actor: Actor, sprint: Sprint, items: Sequence[BacklogItem]) -> Sprint:
    """Take ``items`` out of the sprint (back to the backlog only: they never left it)."""
    require_change(actor, sprint.team, sprint.product)
    check_version(sprint, None)
    _refuse_closed(sprint)
    if not items:
        raise Invalid.field("items", "name at least one item", code=Code.SPRINT_ITEMS_INVALID)
    rows = {
        row.item_id: row for row in SprintItem.objects.filter(sprint=sprint, item__in=list(items))
    }
    for index, item in enumerate(items):
        if item.pk not in rows:
            raise Invalid.field(
                f"items[{index}]",
                f"{item.key} is not in {sprint.name}",
                code=Code.SPRINT_ITEM_NOT_IN_SPRINT,
            )
    SprintItem.objects.filter(pk__in=[row.pk for row in rows.values()]).delete()
    bump(sprint, [])
    _record(actor, sprint, Action.UPDATED, {"items_removed": [item.key for item in items]})
    return sprint


# -- capacity ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapacityEntry:
    """What one member gives the sprint: days available and/or points (None: not said)."""

    member: Membership
    days: Decimal | float | int | str | None = None
    points: Decimal | float | int | str | None = None


def _amount(value: Any, field: str, limit: Decimal) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite():
        raise Invalid.field(field, "must be a number", code=Code.SPRINT_CAPACITY_INVALID)
    if number < 0:
        raise Invalid.field(field, "must not be below zero", code=Code.SPRINT_CAPACITY_INVALID)
    if number > limit:
        raise Invalid.field(field, f"must be at most {limit}", code=Code.SPRINT_CAPACITY_INVALID)
    if number != number.quantize(Decimal("0.1")):
        raise Invalid.field(
            field, "use at most one decimal place", code=Code.SPRINT_CAPACITY_INVALID
        )
    return number


def _text(value: Decimal | None) -> str | None:
    """A number as history stores it (JSON has no decimals)."""
    return None if value is None else str(value)


@transaction.atomic
def sprint_capacity_set(
    *, actor: Actor, sprint: Sprint, entries: Sequence[CapacityEntry]
) -> list[SprintCapacity]:
    """Replace the sprint's capacity with ``entries`` (one per member; days no more than the
    sprint lasts)."""
    require_change(actor, sprint.team, sprint.product)
    check_version(sprint, None)
    _refuse_closed(sprint)
    length = Decimal((sprint.end_date - sprint.start_date).days + 1)
    seen: set[int] = set()
    rows: list[SprintCapacity] = []
    for index, entry in enumerate(entries):
        where = f"capacity[{index}]"
        if entry.member.workspace_id != sprint.workspace_id:
            raise Invalid.field(
                f"{where}.member",
                "is not a member of this workspace",
                code=Code.SPRINT_CAPACITY_INVALID,
            )
        if entry.member.pk in seen:
            raise Invalid.field(
                f"{where}.member", "is named twice", code=Code.SPRINT_CAPACITY_INVALID
            )
        seen.add(entry.member.pk)
        days = _amount(entry.days, f"{where}.days", min(length, CAPACITY_DAYS_MAX))
        points = _amount(entry.points, f"{where}.points", CAPACITY_POINTS_MAX)
        rows.append(SprintCapacity(sprint=sprint, member=entry.member, days=days, points=points))
    SprintCapacity.objects.filter(sprint=sprint).delete()
    SprintCapacity.objects.bulk_create(rows)
    bump(sprint, [])
    _record(
        actor,
        sprint,
        Action.UPDATED,
        {
            "capacity": [
                {
                    "member": row.member.user.email,
                    "days": _text(row.days),
                    "points": _text(row.points),
                }
                for row in rows
            ]
        },
    )
    return rows


# -- starting and closing ---------------------------------------------------------------------


@transaction.atomic
def sprint_start(
    *,
    actor: Actor,
    sprint: Sprint,
    expected_version: int | None = None,
    goal: str | None = None,
    product_goal: ProductGoal | _Keep | None = KEEP,
) -> Sprint:
    """Start a planned sprint: it needs a sprint goal, and its team no other active sprint.
    It serves ``product_goal``, by default the product's active Product Goal. A snapshot of
    its scope is taken at once."""
    require_change(actor, sprint.team, sprint.product)
    check_version(sprint, expected_version)
    if sprint.state != SprintState.PLANNED:
        raise Invalid.field(
            "state",
            f"{sprint.name} is {sprint.state}; only a planned sprint starts",
            code=Code.SPRINT_CLOSED
            if sprint.state == SprintState.CLOSED
            else Code.SPRINT_NOT_PLANNED,
        )
    text = _clean_goal(goal) if goal is not None else sprint.goal
    if not text:
        raise Invalid.field(
            "goal",
            "a sprint starts with a sprint goal: say what this sprint is for",
            code=Code.SPRINT_GOAL_REQUIRED,
        )
    active = Sprint.objects.filter(team=sprint.team, state=SprintState.ACTIVE).exclude(pk=sprint.pk)
    running = active.values_list("name", flat=True).first()
    if running is not None:
        raise Invalid.field(
            "state",
            f"{sprint.team.name} already runs {running}; close it before starting another",
            code=Code.SPRINT_ALREADY_ACTIVE,
        )
    if isinstance(product_goal, _Keep):
        chosen = ProductGoal.objects.filter(
            product_id=sprint.product_id, status=GoalStatus.ACTIVE
        ).first()
    else:
        chosen = product_goal
        _check_product_goal(sprint, chosen)
    changes: dict[str, Any] = {"state": [sprint.state, SprintState.ACTIVE]}
    if text != sprint.goal:
        changes["goal"] = [sprint.goal, text]
    sprint.goal = text
    sprint.state = SprintState.ACTIVE
    sprint.started_at = timezone.now()
    sprint.product_goal = chosen
    if chosen is not None:
        changes["product_goal"] = chosen.statement
    try:
        with transaction.atomic():
            bump(sprint, ["goal", "state", "started_at", "product_goal"])
    except IntegrityError as exc:  # another start won the race: the constraint says so
        raise Invalid.field(
            "state",
            f"{sprint.team.name} already runs another sprint; close it before starting one",
            code=Code.SPRINT_ALREADY_ACTIVE,
        ) from exc
    _record(actor, sprint, Action.UPDATED, changes)
    snapshot_take(sprint=sprint)
    return sprint


def _next_sprint(sprint: Sprint, given: Sprint | None) -> Sprint:
    if given is not None:
        if given.team_id != sprint.team_id or given.state != SprintState.PLANNED:
            raise Invalid.field(
                "next_sprint",
                f"must be a planned sprint of {sprint.team.name}",
                code=Code.SPRINT_NEXT_INVALID,
            )
        return given
    found = (
        Sprint.objects.filter(team=sprint.team, state=SprintState.PLANNED)
        .order_by("start_date", "id")
        .first()
    )
    if found is None:
        raise Invalid.field(
            "next_sprint",
            f"{sprint.team.name} has no planned sprint to carry work into; plan the next "
            "sprint first, or send the items back to the backlog",
            code=Code.SPRINT_NEXT_INVALID,
        )
    return found


@transaction.atomic
def sprint_close(
    *,
    actor: Actor,
    sprint: Sprint,
    goal_met: bool,
    decisions: Mapping[str, str],
    expected_version: int | None = None,
    next_sprint: Sprint | None = None,
    review_notes: str | None = None,
    retrospective_notes: str | None = None,
) -> Sprint:
    """Close the active sprint. Every unfinished item needs a decision, by its key: back to
    the backlog where it was (``backlog``), at its top (``backlog_top``, which orders the
    backlog: the product owner's or an admin's call), or into the next sprint
    (``next_sprint``: the planned sprint named, else the team's next planned one; none is
    created). Records whether the sprint goal was met, the notes, and the figures velocity is
    read from; takes the last snapshot."""
    require_change(actor, sprint.team, sprint.product)
    check_version(sprint, expected_version)
    if sprint.state != SprintState.ACTIVE:
        closed = sprint.state == SprintState.CLOSED
        raise Invalid.field(
            "state",
            f"{sprint.name} is already closed" if closed else f"{sprint.name} has not started",
            code=Code.SPRINT_CLOSED if closed else Code.SPRINT_NOT_ACTIVE,
        )
    if not isinstance(goal_met, bool):
        raise Invalid.field("goal_met", "say whether the sprint goal was met (true or false)")
    entries = list(
        SprintItem.objects.filter(sprint=sprint).select_related("item").order_by("item__rank")
    )
    unfinished = [entry for entry in entries if entry.item.status not in FINISHED]
    wanted = {key.strip().upper(): value for key, value in decisions.items()}
    errors: list[FieldError] = []
    keys = {entry.item.key for entry in unfinished}
    for key in sorted(set(wanted) - keys):
        errors.append(
            FieldError(f"decisions[{key}]", f"{key} is not an unfinished item of {sprint.name}")
        )
    for entry in unfinished:
        decision = wanted.get(entry.item.key)
        if decision is None:
            errors.append(
                FieldError(
                    f"decisions[{entry.item.key}]",
                    "decide: backlog, backlog_top or next_sprint",
                )
            )
        elif decision not in DECISIONS:
            errors.append(
                FieldError(
                    f"decisions[{entry.item.key}]", "must be backlog, backlog_top or next_sprint"
                )
            )
    if errors:
        raise Invalid.fields(errors, code=Code.SPRINT_DECISIONS_INVALID)
    notes = {
        field: _clean_notes(value, field)
        for field, value in (
            ("review_notes", review_notes),
            ("retrospective_notes", retrospective_notes),
        )
        if value is not None
    }
    carried = [entry for entry in unfinished if wanted[entry.item.key] == Outcome.NEXT_SPRINT]
    target = _next_sprint(sprint, next_sprint) if carried else None
    snapshot_take(sprint=sprint)
    figures = _figures(sprint)
    now = timezone.now()
    for entry in entries:
        if entry.item.status == ItemStatus.DONE:
            entry.outcome = Outcome.DONE
        elif entry.item.status == ItemStatus.WONT_DO:
            entry.outcome = Outcome.DROPPED
        else:
            entry.outcome = wanted[entry.item.key]
    SprintItem.objects.bulk_update(entries, ["outcome"])
    # Moved to the top last first, so that they keep their order there.
    for entry in reversed(unfinished):
        if entry.outcome == Outcome.BACKLOG_TOP:
            backlog.item_move(actor=actor, item=entry.item, position="top")
    if target is not None:
        SprintItem.objects.filter(sprint=target, item__in=[e.item for e in carried]).delete()
        SprintItem.objects.bulk_create(
            [
                SprintItem(
                    sprint=target,
                    item=entry.item,
                    workspace_id=sprint.workspace_id,
                    added_at=now,
                    added_by=actor.user,
                    carried_from=sprint,
                )
                for entry in carried
            ]
        )
        bump(target, [])
    sprint.state = SprintState.CLOSED
    sprint.closed_at = now
    sprint.goal_met = goal_met
    sprint.committed_points = figures.scope_points
    sprint.completed_points = figures.done_points
    sprint.committed_items = figures.scope_items
    sprint.completed_items = figures.done_items
    fields = [
        "state",
        "closed_at",
        "goal_met",
        "committed_points",
        "completed_points",
        "committed_items",
        "completed_items",
    ]
    for field, text in notes.items():
        setattr(sprint, field, text)
        setattr(sprint, f"{field}_html", render_markdown(text))
        fields += [field, f"{field}_html"]
    bump(sprint, fields)
    _record(
        actor,
        sprint,
        Action.UPDATED,
        {
            "state": [SprintState.ACTIVE, SprintState.CLOSED],
            "goal_met": goal_met,
            "completed_points": _text(figures.done_points),
            "decisions": {entry.item.key: entry.outcome for entry in unfinished},
            **({"carried_into": target.name} if target is not None else {}),
        },
    )
    return sprint


# -- snapshots --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """A sprint's scope as it stands: what was committed (won't-do items left out), what is
    done and what remains, in points and items; what was added after the start and what was
    carried over from an earlier sprint."""

    scope_points: Decimal
    done_points: Decimal
    remaining_points: Decimal
    scope_items: int
    done_items: int
    remaining_items: int
    added_points: Decimal
    added_items: int
    carried_points: Decimal
    carried_items: int


def _figures(sprint: Sprint) -> Figures:
    """``Figures`` of the sprint's items (one query)."""
    rows = SprintItem.objects.filter(sprint=sprint).values_list(
        "item__estimate", "item__status", "added_after_start", "carried_from_id"
    )
    zero = Decimal(0)
    scope = done = added = carried = zero
    scope_n = done_n = added_n = carried_n = 0
    for estimate, status, after_start, carried_from in rows:
        if status == ItemStatus.WONT_DO:
            continue
        points = estimate or zero
        scope += points
        scope_n += 1
        if status == ItemStatus.DONE:
            done += points
            done_n += 1
        if after_start:
            added += points
            added_n += 1
        if carried_from is not None:
            carried += points
            carried_n += 1
    return Figures(
        scope_points=scope,
        done_points=done,
        remaining_points=scope - done,
        scope_items=scope_n,
        done_items=done_n,
        remaining_items=scope_n - done_n,
        added_points=added,
        added_items=added_n,
        carried_points=carried,
        carried_items=carried_n,
    )


def sprint_figures(sprint: Sprint) -> Figures:
    """The sprint's figures now (for the burndown's today and the planning page)."""
    return _figures(sprint)


def snapshot_take(*, sprint: Sprint, now: dt.datetime | None = None) -> SprintSnapshot:
    """Store today's snapshot of the sprint (replacing an earlier one of the same day)."""
    now = now or timezone.now()
    figures = _figures(sprint)
    snapshot, _ = SprintSnapshot.objects.update_or_create(
        sprint=sprint,
        day=timezone.localdate(now),
        defaults={"workspace_id": sprint.workspace_id, "taken_at": now, **figures.__dict__},
    )
    return snapshot


def snapshots_take_active(*, now: dt.datetime | None = None) -> int:
    """Snapshot every active sprint (the worker's periodic task); returns how many."""
    count = 0
    for sprint in Sprint.objects.filter(state=SprintState.ACTIVE).order_by("pk"):
        with transaction.atomic():
            snapshot_take(sprint=sprint, now=now)
        count += 1
    return count


BOARD_STATUSES: Final = (ItemStatus.NEW, ItemStatus.READY, ItemStatus.IN_PROGRESS, ItemStatus.DONE)
BOARD_LIMIT_MAX = 999


def board_limits_set(
    *, actor: Actor, team: Team, limits: Mapping[str, str | int | None]
) -> dict[str, int]:
    """Replace the team's work-in-progress limits, one per board column (status); an empty
    value removes a column's limit. Anything but a whole number from 1 to 999 is a 422 naming
    the column, and nothing changes."""
    require_change(actor, team, team_product(team))
    errors: list[FieldError] = []
    wanted: dict[str, int] = {}
    for status, raw in limits.items():
        if status not in BOARD_STATUSES:
            errors.append(FieldError(f"limits.{status}", "is not a column of the board"))
            continue
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue
        try:
            value = int(text)
        except ValueError:
            value = 0
        if not 1 <= value <= BOARD_LIMIT_MAX:
            label = ItemStatus(status).label
            errors.append(
                FieldError(
                    f"limits.{status}",
                    f"the limit of {label} must be a whole number from 1 to {BOARD_LIMIT_MAX}, "
                    "or empty for none",
                )
            )
            continue
        wanted[status] = value
    if errors:
        raise Invalid.fields(errors, code=Code.BOARD_LIMIT_INVALID)
    with transaction.atomic():
        BoardLimit.objects.filter(team=team).delete()
        BoardLimit.objects.bulk_create(
            BoardLimit(team=team, workspace_id=team.workspace_id, status=status, limit=value)
            for status, value in wanted.items()
        )
    return wanted


def sprint_card_move(
    *, actor: Actor, sprint: Sprint, item: BacklogItem, status: str, expected_version: int
) -> BacklogItem:
    """Move a card on the active sprint's board: ``item`` (one of the sprint's) to one of the
    board's columns, if it is still at ``expected_version`` (else ``StaleVersion``). Who may
    is who may change the sprint; the change itself is the backlog's item update (its
    Definition of Ready check, history and flow record included)."""
    if sprint.state != SprintState.ACTIVE:
        raise Invalid.field(
            "sprint", f"{sprint.name} is {sprint.state}: only an active sprint's board moves cards"
        )
    require_change(actor, sprint.team, sprint.product)
    if not SprintItem.objects.filter(sprint=sprint, item=item).exists():
        raise Invalid.field("item", f"{item.key} is not in {sprint.name}")
    if status not in BOARD_STATUSES:
        raise Invalid.field("status", "pick one of the board's columns")
    return backlog.item_update(
        actor=actor, item=item, expected_version=expected_version, status=status
    )
