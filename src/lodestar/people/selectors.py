"""Every read of the people context, scoped to the actor's workspace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from lodestar.core.errors import Invalid
from lodestar.people.errors import PeopleErrorCode as Code
from lodestar.people.models import (
    ApiToken,
    Invitation,
    Membership,
    Role,
    Team,
    TeamMembership,
    TeamRole,
    User,
    Workspace,
)
from lodestar.people.policy import Actor, Permission, require, sees_every_token
from lodestar.people.tokens import hash_secret


def invitation_check(invitation: Invitation, *, now: dt.datetime | None = None) -> None:
    """Raise the reason an invitation can no longer be accepted (used, withdrawn, expired)."""
    if invitation.accepted_at is not None:
        raise Invalid.field(
            "token", "this invitation has already been used", code=Code.INVITATION_USED
        )
    if invitation.revoked_at is not None:
        raise Invalid.field(
            "token",
            "this invitation was withdrawn; ask for a new one",
            code=Code.INVITATION_USED,
        )
    if invitation.declined_at is not None:
        raise Invalid.field(
            "token",
            "this invitation was declined; ask for a new one",
            code=Code.INVITATION_USED,
        )
    if invitation.expires_at <= (now or timezone.now()):
        raise Invalid.field(
            "token", "this invitation has expired; ask for a new one", code=Code.INVITATION_EXPIRED
        )


def member_list(*, actor: Actor) -> QuerySet[Membership]:
    """The workspace's members with their users, by email."""
    return (
        Membership.objects.filter(workspace_id=actor.workspace_id)
        .select_related("user")
        .order_by("user__email")
    )


def workspace_owners(*, workspace: Workspace) -> QuerySet[Membership]:
    """The workspace's owners, earliest first (for commands run by the operator, no actor)."""
    return (
        Membership.objects.select_related("user", "workspace")
        .filter(workspace=workspace, role=Role.OWNER)
        .order_by("id")
    )


def product_manager_list(*, actor: Actor) -> list[Membership]:
    """Members whose job is product management (by job title), whatever hats they wear."""
    return [member for member in member_list(actor=actor) if member.is_product_manager]


def team_list(*, actor: Actor) -> QuerySet[Team]:
    return Team.objects.filter(workspace_id=actor.workspace_id).order_by("name", "slug")


def team_roster(*, actor: Actor, team: Team) -> QuerySet[TeamMembership]:
    """The hats currently worn in ``team``, with who wears them."""
    return (
        TeamMembership.objects.filter(
            team=team, team__workspace_id=actor.workspace_id, ended_at__isnull=True
        )
        .select_related("member__user")
        .order_by("role", "member__user__email")
    )


def product_owner_of(*, actor: Actor, team: Team) -> TeamMembership | None:
    """The current product owner's row of ``team`` (``started_at`` says since when), or None."""
    return (
        team_roster(actor=actor, team=team)
        .filter(role=TeamRole.PRODUCT_OWNER)
        .select_related("assigned_by")
    ).first()


def current_product_owners(*, teams: QuerySet[Team]) -> QuerySet[TeamMembership]:
    """The current product owners' rows of ``teams`` (a query of teams, read as a subquery),
    earliest assigned first, with their members and users."""
    return (
        TeamMembership.objects.select_related("member__user", "member__workspace")
        .filter(team__in=teams, role=TeamRole.PRODUCT_OWNER, ended_at__isnull=True)
        .order_by("id")
    )


def product_owner_history(*, actor: Actor, team: Team) -> QuerySet[TeamMembership]:
    """Everyone who wore ``team``'s product owner hat, newest first (the current one included)."""
    return (
        TeamMembership.objects.filter(
            team=team, team__workspace_id=actor.workspace_id, role=TeamRole.PRODUCT_OWNER
        )
        .select_related("member__user")
        .order_by("-started_at", "-id")
    )


@dataclass
class TeamHats:
    """Who wears which hat in one team, for the "who does what" page.

    ``product_managers`` are the workspace's members whose job is product management (the
    same list for every team): product management is a job, product owner a hat.
    """

    team: Team
    product_owner: TeamMembership | None = None
    previous_product_owners: list[TeamMembership] = field(default_factory=list)
    scrum_masters: list[TeamMembership] = field(default_factory=list)
    developers: list[TeamMembership] = field(default_factory=list)
    stakeholders: list[TeamMembership] = field(default_factory=list)
    product_managers: list[Membership] = field(default_factory=list)


def who_does_what(*, actor: Actor) -> list[TeamHats]:
    """Every team's hats, in three queries whatever the number of teams and people."""
    managers = product_manager_list(actor=actor)
    hats = {
        team.pk: TeamHats(team=team, product_managers=managers) for team in team_list(actor=actor)
    }
    rows = (
        TeamMembership.objects.filter(team__workspace_id=actor.workspace_id)
        .filter(team_id__in=list(hats))
        .select_related("member__user")
        .order_by("member__user__email", "-started_at")
    )
    for row in rows:
        entry = hats[row.team_id]
        if row.role == TeamRole.PRODUCT_OWNER:
            if row.ended_at is None:
                entry.product_owner = row
            else:
                entry.previous_product_owners.append(row)
        elif row.ended_at is not None:
            continue
        elif row.role == TeamRole.SCRUM_MASTER:
            entry.scrum_masters.append(row)
        elif row.role == TeamRole.DEVELOPER:
            entry.developers.append(row)
        elif row.role == TeamRole.STAKEHOLDER:
            entry.stakeholders.append(row)
    for entry in hats.values():
        entry.previous_product_owners.sort(key=lambda r: (r.ended_at, r.pk), reverse=True)
    return list(hats.values())


def token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    """The actor's own tokens; owners and admins see every token of the workspace."""
    tokens = ApiToken.objects.filter(workspace_id=actor.workspace_id).select_related("user")
    if not sees_every_token(actor):
        tokens = tokens.filter(user=actor.user)
    return tokens.order_by("id")


def invitation_list(*, actor: Actor, open_only: bool = True) -> QuerySet[Invitation]:
    """The workspace's invitations (by default only those still waiting for an answer)."""
    require(actor, Permission.MANAGE_MEMBERS)
    invitations = Invitation.objects.filter(workspace_id=actor.workspace_id).select_related(
        "invited_by"
    )
    if open_only:
        invitations = invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, declined_at__isnull=True
        )
    return invitations.order_by("id")


def invitations_for_user(*, user: User) -> QuerySet[Invitation]:
    """The invitations waiting for ``user``'s answer (addressed to their email, not expired), in
    any workspace, oldest first. Only the invitee sees this list."""
    return (
        Invitation.objects.filter(
            email=user.email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            declined_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("workspace", "invited_by")
        .order_by("id")
    )


def invitation_for_token(*, token: str) -> Invitation:
    """The invitation a link's token opens, while it can still be accepted (else Invalid)."""
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(token_hash=hash_secret((token or "").strip()))
        .first()
    )
    if invitation is None:
        raise Invalid.field("token", "is not a valid invitation link", code=Code.INVITATION_INVALID)
    invitation_check(invitation)
    return invitation
