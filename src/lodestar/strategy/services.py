"""Every write of the strategy context: one transaction each, policy enforced, history recorded."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lodestar.core.concurrency import bump, check_version
from lodestar.core.db import increment
from lodestar.core.errors import Invalid, NotFound
from lodestar.core.history import changes_since, history_record, snapshot
from lodestar.core.models import HistoryEntry
from lodestar.core.points import UNKNOWN, format_points, parse_points
from lodestar.people.models import Membership, Team, TeamRole
from lodestar.people.policy import (
    Actor,
    Permission,
    hat_permission,
    require,
    require_may_wear_hat,
)
from lodestar.strategy.errors import StrategyErrorCode as Code
from lodestar.strategy.models import (
    GoalStatus,
    Product,
    ProductGoal,
    ProductOwnerHat,
    ProductTeam,
    default_definition_of_ready,
)
from lodestar.strategy.permissions import StrategyPermission

Action = HistoryEntry.Action

_KEY = re.compile(r"^[A-Z]{2,10}$")
NAME_MAX = 100
STATEMENT_MAX = 300
SCALE_MAX = 20
CLOSED_GOAL_STATUSES = (GoalStatus.ACHIEVED, GoalStatus.ABANDONED)

# -- input checks (each names the field to fix) ------------------------------------------------


def clean_product_key(value: str) -> str:
    key = (value or "").strip()
    if not _KEY.match(key):
        raise Invalid.field(
            "key",
            "must be 2 to 10 capital letters A-Z (no digits, spaces or dashes), for example ACME",
            code=Code.PRODUCT_KEY_INVALID,
        )
    return key


def _name(value: str) -> str:
    name = (value or "").strip()
    if not name:
        raise Invalid.field("name", "must not be empty", code=Code.PRODUCT_NAME_INVALID)
    if len(name) > NAME_MAX:
        raise Invalid.field(
            "name", f"must be at most {NAME_MAX} characters", code=Code.PRODUCT_NAME_INVALID
        )
    return name


def _statement(value: str) -> str:
    statement = (value or "").strip()
    if not statement:
        raise Invalid.field("statement", "must not be empty", code=Code.GOAL_STATEMENT_INVALID)
    if len(statement) > STATEMENT_MAX:
        raise Invalid.field(
            "statement",
            f"must be at most {STATEMENT_MAX} characters; put the detail in the description",
            code=Code.GOAL_STATEMENT_INVALID,
        )
    return statement


# The Definition of Ready's checks: switched on or off, and those with a threshold (None: off).
DOR_SWITCHES = ("acceptance_criteria", "estimate", "serves_goal")
DOR_THRESHOLDS = ("max_velocity_share", "value_risk_above_points")


def clean_definition_of_ready(value: dict[str, Any]) -> dict[str, Any]:
    """A complete Definition of Ready from ``value`` (missing checks keep their default)."""
    field = "definition_of_ready"
    if not isinstance(value, dict):
        raise Invalid.field(field, "must be an object", code=Code.DEFINITION_OF_READY_INVALID)
    clean = default_definition_of_ready()
    for name, setting in value.items():
        if name in DOR_SWITCHES:
            if not isinstance(setting, bool):
                raise Invalid.field(
                    f"{field}.{name}",
                    "must be true or false",
                    code=Code.DEFINITION_OF_READY_INVALID,
                )
        elif name == "max_velocity_share":
            if setting is not None and (
                isinstance(setting, bool) or not isinstance(setting, int) or not 1 <= setting <= 100
            ):
                raise Invalid.field(
                    f"{field}.{name}",
                    "must be a whole percentage from 1 to 100, or null to skip the check",
                    code=Code.DEFINITION_OF_READY_INVALID,
                )
        elif name == "value_risk_above_points":
            if setting is not None and (
                isinstance(setting, bool)
                or not isinstance(setting, int)
                or not 0 <= setting <= 1000
            ):
                raise Invalid.field(
                    f"{field}.{name}",
                    "must be a whole number of points from 0 to 1000 (items larger than it need "
                    "their value risk addressed), or null to skip the check",
                    code=Code.DEFINITION_OF_READY_INVALID,
                )
        else:
            known = ", ".join((*DOR_SWITCHES, *DOR_THRESHOLDS))
            raise Invalid.field(
                f"{field}.{name}",
                f"is not a readiness check; use {known}",
                code=Code.DEFINITION_OF_READY_INVALID,
            )
        clean[name] = setting
    return clean


def clean_estimate_scale(values: Sequence[object]) -> list[str]:
    """The scale as canonical strings, ascending, with ``"?"`` last when present."""
    field = "estimate_scale"
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise Invalid.field(field, "must be a list", code=Code.ESTIMATE_SCALE_INVALID)
    if not values or len(values) > SCALE_MAX:
        raise Invalid.field(
            field, f"must have 1 to {SCALE_MAX} values", code=Code.ESTIMATE_SCALE_INVALID
        )
    numbers: list[Decimal] = []
    unknown = False
    for index, raw in enumerate(values):
        if raw == UNKNOWN:
            unknown = True
            continue
        points = parse_points(raw)
        if points is None:
            raise Invalid.field(
                f"{field}[{index}]",
                'must be a number of points from 0 to 99999.9 (one decimal at most) or "?"',
                code=Code.ESTIMATE_SCALE_INVALID,
            )
        numbers.append(points)
    if len(set(numbers)) != len(numbers):
        raise Invalid.field(field, "must not repeat a value", code=Code.ESTIMATE_SCALE_INVALID)
    if not numbers:
        raise Invalid.field(
            field, "needs at least one number of points", code=Code.ESTIMATE_SCALE_INVALID
        )
    scale = [format_points(n) for n in sorted(numbers)]
    return [*scale, UNKNOWN] if unknown else scale


def _record(actor: Actor, obj: Any, action: str, changes: dict[str, Any]) -> None:
    history_record(
        actor=actor.user,
        workspace_id=actor.workspace_id,
        obj=obj,
        action=action,
        changes=changes,
    )


# -- products ------------------------------------------------------------------------------------


@transaction.atomic
def product_create(
    *,
    actor: Actor,
    key: str,
    name: str,
    vision: str = "",
    definition_of_ready: dict[str, Any] | None = None,
    estimate_scale: Sequence[object] | None = None,
) -> Product:
    """A product of the actor's workspace; ``key`` prefixes its backlog item keys."""
    require(actor, StrategyPermission.MANAGE_PRODUCTS)
    product = Product(
        workspace_id=actor.workspace_id,
        key=clean_product_key(key),
        name=_name(name),
        vision=vision or "",
        definition_of_ready=clean_definition_of_ready(definition_of_ready or {}),
    )
    if estimate_scale is not None:
        product.estimate_scale = clean_estimate_scale(estimate_scale)
    if Product.objects.filter(workspace_id=actor.workspace_id, key=product.key).exists():
        raise Invalid.field(
            "key",
            f"{product.key} is already the key of a product in this workspace",
            code=Code.PRODUCT_KEY_TAKEN,
        )
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:  # a concurrent create took the key first
        raise Invalid.field(
            "key",
            f"{product.key} is already the key of a product in this workspace",
            code=Code.PRODUCT_KEY_TAKEN,
        ) from exc
    product.workspace = actor.workspace
    _record(actor, product, Action.CREATED, {"key": product.key, "name": product.name})
    return product


_PRODUCT_FIELDS = ["name", "vision", "definition_of_ready", "estimate_scale"]


@transaction.atomic
def product_update(
    *,
    actor: Actor,
    product: Product,
    name: str | None = None,
    vision: str | None = None,
    definition_of_ready: dict[str, Any] | None = None,
    estimate_scale: Sequence[object] | None = None,
    expected_version: int | None = None,
) -> Product:
    """Change a product. ``None`` leaves a field as it is; the key never changes.

    The name and the estimation scale are workspace administration (MANAGE_PRODUCTS); the
    vision and the Definition of Ready also belong to the product's product owner, who
    answers for them in Scrum.
    """
    if name is not None or estimate_scale is not None:
        require(actor, StrategyPermission.MANAGE_PRODUCTS)
    else:
        require(actor, StrategyPermission.SET_PRODUCT_GOAL, product=product)
    check_version(product, expected_version)
    before = snapshot(product, _PRODUCT_FIELDS)
    if name is not None:
        product.name = _name(name)
    if vision is not None:
        product.vision = vision
    if definition_of_ready is not None:
        product.definition_of_ready = clean_definition_of_ready(
            {**product.definition_of_ready, **definition_of_ready}
        )
    if estimate_scale is not None:
        product.estimate_scale = clean_estimate_scale(estimate_scale)
    changes = changes_since(product, before)
    if changes:
        bump(product, list(changes))
        _record(actor, product, Action.UPDATED, changes)
    return product


@transaction.atomic
def team_product_set(*, actor: Actor, team: Team, product: Product | None) -> Team:
    """Make ``team`` work from ``product``'s backlog (None: from no product's). The link is
    strategy's own row; the team itself is not written, its history records the change."""
    require(actor, Permission.MANAGE_TEAMS)
    if team.workspace_id != actor.workspace_id or (
        product is not None and product.workspace_id != actor.workspace_id
    ):
        raise Invalid.field("product", "is not a product of this workspace")
    link = ProductTeam.objects.select_for_update().filter(team=team).first()
    before = link.product_id if link is not None else None
    after = product.pk if product is not None else None
    if before == after:
        return team
    if product is None:
        ProductTeam.objects.filter(team=team).delete()
    elif link is None:
        ProductTeam.objects.create(team=team, product=product)
    else:
        ProductTeam.objects.filter(pk=link.pk).update(product=product)
    _record(actor, team, Action.UPDATED, {"product": [before, after]})
    return team


@transaction.atomic
def team_product_leave(*, actor: Actor, team: Team, product: Product) -> Team:
    """Stop ``team`` working from ``product``'s backlog; refused (422 naming ``team``) when it
    does not work from that product, so a stale page never unlinks it from another one."""
    require(actor, Permission.MANAGE_TEAMS)
    link = ProductTeam.objects.select_for_update().filter(team=team).first()
    if link is None or link.product_id != product.pk:
        raise Invalid.field(
            "team", f"does not work from {product.key}", code=Code.TEAM_NOT_ON_PRODUCT
        )
    return team_product_set(actor=actor, team=team, product=None)


# -- the product owner hat -----------------------------------------------------------------------


@transaction.atomic
def product_owner_set(
    *,
    actor: Actor,
    product: Product,
    member: Membership | None,
    expected_version: int | None = None,
) -> ProductOwnerHat | None:
    """Give the product owner hat of ``product`` to ``member`` (None leaves it vacant).

    One product owner per product, shared by every team that works from it. The holder's row
    ends and the next one's starts at the same instant, so the rows are the hat's history. The
    product's version moves with the hat: ``expected_version`` (the product's) guards against
    moving it on a stale view. Only owners and admins move it; a viewer never wears it.
    """
    if member is not None:
        if member.workspace_id != actor.workspace_id or member.removed_at is not None:
            raise Invalid.field(
                "member", "is not a member of this workspace", code=Code.PRODUCT_OWNER_INVALID
            )
        require_may_wear_hat(member, TeamRole.PRODUCT_OWNER)
    require(actor, hat_permission(TeamRole.PRODUCT_OWNER), product=product)
    check_version(product, expected_version)  # locks the product: hat moves queue
    current = (
        ProductOwnerHat.objects.select_related("member__user")
        .filter(product=product, ended_at__isnull=True)
        .first()
    )
    if current is not None and member is not None and current.member_id == member.pk:
        return current
    if current is None and member is None:
        return None
    now = timezone.now()
    if current is not None:
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    hat = None
    if member is not None:
        hat = ProductOwnerHat.objects.create(
            product=product, member=member, started_at=now, assigned_by=actor.user
        )
    bump(product, [])
    actor.hats_seen.clear()
    _record(
        actor,
        product,
        Action.MOVED,
        {
            "product_owner": [
                current.member.user.email if current else None,
                member.user.email if member else None,
            ]
        },
    )
    return hat


def product_owner_release(actor: Actor, member: Membership) -> None:
    """End every product owner hat ``member`` wears: they are leaving the workspace. Called by
    people's ``member_remove`` inside its transaction (``people.extensions``); each product
    records the hat left vacant, and its version moves with the hat."""
    now = timezone.now()
    hats = ProductOwnerHat.objects.select_for_update().filter(member=member, ended_at__isnull=True)
    for hat in hats.select_related("product", "member__user"):
        product = hat.product
        check_version(product, None)
        hat.ended_at = now
        hat.save(update_fields=["ended_at"])
        bump(product, [])
        _record(actor, product, Action.UPDATED, {"product_owner": [member.user.email, None]})


# -- Product Goals -------------------------------------------------------------------------------


def _require_goal_rights(actor: Actor, product: Product) -> None:
    require(actor, StrategyPermission.SET_PRODUCT_GOAL, product=product)


def _outcome(value: str, field: str) -> GoalStatus:
    if value not in CLOSED_GOAL_STATUSES:
        raise Invalid.field(field, "must be achieved or abandoned", code=Code.GOAL_OUTCOME_INVALID)
    return GoalStatus(value)


def _close(actor: Actor, goal: ProductGoal, outcome: GoalStatus) -> None:
    before = snapshot(goal, ["status", "ended_at"])
    goal.status = outcome
    goal.ended_at = timezone.now()
    bump(goal, ["status", "ended_at"])
    _record(actor, goal, Action.UPDATED, changes_since(goal, before))


@transaction.atomic
def goal_set(
    *,
    actor: Actor,
    product: Product,
    statement: str,
    description: str = "",
    previous_outcome: str = GoalStatus.ACHIEVED,
) -> ProductGoal:
    """Make a new active goal; the active one (if any) closes as ``previous_outcome``."""
    _require_goal_rights(actor, product)
    statement = _statement(statement)
    outcome = _outcome(previous_outcome, "previous_outcome")
    # Lock the product so two concurrent goal changes queue instead of both closing one goal.
    Product.objects.select_for_update().filter(pk=product.pk).first()
    current = ProductGoal.objects.filter(product=product, status=GoalStatus.ACTIVE).first()
    if current is not None:
        _close(actor, current, outcome)
    goal = ProductGoal.objects.create(
        product=product, statement=statement, description=description or ""
    )
    _record(actor, goal, Action.CREATED, {"statement": statement, "status": goal.status})
    return goal


@transaction.atomic
def goal_update(
    *,
    actor: Actor,
    goal: ProductGoal,
    statement: str | None = None,
    description: str | None = None,
    status: str | None = None,
    expected_version: int | None = None,
) -> ProductGoal:
    """Reword a goal and, with ``status``, close it; ``None`` leaves a field as it is.

    A closed goal stays closed: a new direction is a new goal (``goal_set``), so the history
    of what the product aimed at stays honest.
    """
    _require_goal_rights(actor, goal.product)
    check_version(goal, expected_version)
    outcome = _outcome(status, "status") if status is not None else None
    if outcome is not None and goal.status != GoalStatus.ACTIVE:
        raise Invalid.field(
            "status",
            f"this goal is already {goal.status}; set a new goal instead of reopening it",
            code=Code.GOAL_CLOSED,
        )
    before = snapshot(goal, ["statement", "description"])
    if statement is not None:
        goal.statement = _statement(statement)
    if description is not None:
        goal.description = description
    changes = changes_since(goal, before)
    if changes:
        bump(goal, list(changes))
        _record(actor, goal, Action.UPDATED, changes)
    if outcome is not None:
        _close(actor, goal, outcome)
    return goal


def goal_close(
    *, actor: Actor, goal: ProductGoal, outcome: str, expected_version: int | None = None
) -> ProductGoal:
    """Close the active goal as achieved or abandoned; the product has no active goal after."""
    return goal_update(actor=actor, goal=goal, status=outcome, expected_version=expected_version)


# -- item numbers and the product lock (used by the contexts that number and order items) ------


def product_lock(*, product_id: int) -> None:
    """Serialize the writers of one product's backlog order and item numbers until commit.

    ``SELECT ... FOR UPDATE`` on PostgreSQL (a lock, not a write); on SQLite every write
    transaction is ``BEGIN IMMEDIATE``, which already serializes writers. Call it inside the
    caller's transaction.
    """
    list(Product.objects.select_for_update().filter(pk=product_id).values_list("pk", flat=True))


def product_item_numbers_take(*, product: Product, count: int = 1) -> int:
    """Take ``count`` consecutive item numbers of ``product`` and return the first.

    One UPDATE, which also locks the product until commit (as ``product_lock`` does), so the
    numbers and ranks of concurrent writers queue; a committed number is never handed out
    again (a rolled-back transaction gives its numbers back). ``product`` is told its new
    ``next_item_number``.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    following = increment(Product, pk=product.pk, field="next_item_number", by=count)
    if following is None:
        raise NotFound(f"Product {product.key} no longer exists.", code=Code.PRODUCT_NOT_FOUND)
    product.next_item_number = following
    return following - count
