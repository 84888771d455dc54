"""Teams and the hats worn in them, the product owner hat above all."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Conflict, Invalid, NotFound
from lodestar.core.history import changes_since, snapshot
from lodestar.people.errors import PeopleErrorCode as Code
from lodestar.people.models import (
    Membership,
    Team,
    TeamMembership,
    TeamRole,
)
from lodestar.people.policy import (
    Actor,
    Permission,
    hat_moves,
    hat_permission,
    require,
    require_hat_added,
)
from lodestar.people.services._common import (
    Action,
    _name,
    _record,
    _same_workspace,
    _slug,
)

# -- teams and hats ----------------------------------------------------------------------------


def _free_team_slug(workspace_id: int, base: str) -> str:
    base = (base[:44].strip("-")) or "team"
    taken = set(
        Team.objects.filter(workspace_id=workspace_id, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def team_create(*, actor: Actor, name: str, slug: str = "", description: str = "") -> Team:
    """A Scrum team; without ``slug`` one is made from the name."""
    name = _name(name)
    require(actor, Permission.MANAGE_TEAMS)
    if slug:
        slug = _slug(slug, Code.TEAM_SLUG_INVALID)
        if Team.objects.filter(workspace_id=actor.workspace_id, slug=slug).exists():
            raise Invalid.field(
                "slug", "is taken by another team; choose another", code=Code.TEAM_SLUG_TAKEN
            )
    else:
        slug = _free_team_slug(actor.workspace_id, slugify(name))
    team = Team.objects.create(
        workspace_id=actor.workspace_id, slug=slug, name=name, description=description or ""
    )
    _record(actor.user, actor.workspace_id, team, Action.CREATED, {"slug": slug, "name": name})
    return team


@transaction.atomic
def team_update(
    *,
    actor: Actor,
    team: Team,
    name: str | None = None,
    description: str | None = None,
    expected_version: int | None = None,
) -> Team:
    name = _name(name) if name is not None else None
    require(actor, Permission.MANAGE_TEAMS)
    check_version(team, expected_version)
    before = snapshot(team, ["name", "description"])
    if name is not None:
        team.name = name
    if description is not None:
        team.description = description
    changes = changes_since(team, before)
    if not changes:
        return team
    bump(team, list(changes))
    _record(actor.user, actor.workspace_id, team, Action.UPDATED, changes)
    return team


def _lock_team(team: Team) -> None:
    """Lock the team row (hat moves queue instead of racing) and read its current version."""
    version = Team.objects.select_for_update().filter(pk=team.pk).values_list("version", flat=True)
    team.version = version.get()


def _team_role(value: str) -> TeamRole:
    if value not in TeamRole.values:
        raise Invalid.field(
            "role", f"must be one of {', '.join(TeamRole.values)}", code=Code.TEAM_ROLE_INVALID
        )
    return TeamRole(value)


@transaction.atomic
def team_role_add(*, actor: Actor, team: Team, member: Membership, role: str) -> TeamMembership:
    """Give ``member`` a hat in ``team`` (scrum master, developer, stakeholder)."""
    hat = _team_role(role)
    require_hat_added(hat)
    _same_workspace(actor, member)
    require(actor, hat_permission(hat), teams=[team])
    if TeamMembership.objects.filter(
        team=team, member=member, role=hat, ended_at__isnull=True
    ).exists():
        raise Conflict(
            f"{member.user.email} is already {hat.label.lower()} in {team.name}.",
            code=Code.TEAM_ROLE_HELD,
        )
    row = TeamMembership.objects.create(team=team, member=member, role=hat, assigned_by=actor.user)
    _record(
        actor.user, actor.workspace_id, team, Action.UPDATED, {hat.value: [None, member.user.email]}
    )
    return row


@transaction.atomic
def team_role_end(*, actor: Actor, team: Team, member: Membership, role: str) -> None:
    """Take a hat off ``member`` in ``team``; the row stays, ended, for history."""
    hat = _team_role(role)
    _same_workspace(actor, member)
    require(actor, hat_permission(hat), teams=[team])
    row = (
        TeamMembership.objects.select_for_update()
        .filter(team=team, member=member, role=hat, ended_at__isnull=True)
        .first()
    )
    if row is None:
        raise NotFound(
            f"{member.user.email} is not {hat.label.lower()} in {team.name}.",
            code=Code.TEAM_ROLE_NOT_HELD,
        )
    if hat_moves(hat):
        _lock_team(team)
        bump(team, [])
    row.ended_at = timezone.now()
    row.save(update_fields=["ended_at"])
    _record(
        actor.user, actor.workspace_id, team, Action.UPDATED, {hat.value: [member.user.email, None]}
    )
