"""Every read of the people context, scoped to the actor's workspace."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from lodestar.core.errors import Invalid
from lodestar.people.errors import PeopleErrorCode as Code
from lodestar.people.extensions import HatSpell, SharedOwner, shared_owners
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


def team_names(*, actor: Actor, ids: list[int]) -> list[str]:
    """The names of the workspace's teams ``ids``, by name."""
    if not ids:
        return []
    return list(
        Team.objects.filter(workspace_id=actor.workspace_id, pk__in=ids)
        .order_by("name")
        .values_list("name", flat=True)
    )


def team_roster(*, actor: Actor, team: Team) -> QuerySet[TeamMembership]:
    """The hats currently worn in ``team``, with who wears them."""
    return (
        TeamMembership.objects.filter(
            team=team, team__workspace_id=actor.workspace_id, ended_at__isnull=True
        )
        .select_related("member__user")
        .order_by("role", "member__user__email")
    )


@dataclass(frozen=True)
class Worn:
    """A hat someone wears now, as the pages list it: a hat in a team, or the product owner
    hat of a product (``where`` names the team or the product, ``url`` its page)."""

    role: str
    label: str
    where: str
    url: str
    started_at: dt.datetime


@dataclass
class TeamHats:
    """Who wears which hat for one team, for the team and "who does what" pages.

    ``product`` is the product the team works from, whose product owner the team shares with
    every other team on it (None: the team works from no product, so it has no product
    owner). ``product_managers`` are the workspace's members whose job is product management
    (the same list for every team): product management is a job, product owner a hat.
    """

    team: Team
    product: SharedOwner | None = None
    scrum_masters: list[TeamMembership] = field(default_factory=list)
    developers: list[TeamMembership] = field(default_factory=list)
    stakeholders: list[TeamMembership] = field(default_factory=list)
    product_managers: list[Membership] = field(default_factory=list)

    @property
    def product_owner(self) -> HatSpell | None:
        return self.product.current if self.product else None

    @property
    def previous_product_owners(self) -> list[HatSpell]:
        return self.product.earlier if self.product else []


@dataclass
class ProductHats:
    """The teams that work from one product and the product owner they share (``owner``
    None: teams that work from no product)."""

    owner: SharedOwner | None
    teams: list[TeamHats]


def who_does_what(*, actor: Actor) -> list[TeamHats]:
    """Every team's hats and the product owner it shares, in four queries whatever the
    number of teams, products and people."""
    managers = product_manager_list(actor=actor)
    hats = {
        team.pk: TeamHats(team=team, product_managers=managers) for team in team_list(actor=actor)
    }
    for owner in shared_owners(actor.workspace_id, list(hats)):
        for team_id in owner.team_ids:
            if team_id in hats:
                hats[team_id].product = owner
    rows = (
        TeamMembership.objects.filter(team__workspace_id=actor.workspace_id)
        .filter(team_id__in=list(hats), ended_at__isnull=True)
        .exclude(role=TeamRole.PRODUCT_OWNER)
        .select_related("member__user")
        .order_by("member__user__email", "-started_at")
    )
    for row in rows:
        entry = hats[row.team_id]
        if row.role == TeamRole.SCRUM_MASTER:
            entry.scrum_masters.append(row)
        elif row.role == TeamRole.DEVELOPER:
            entry.developers.append(row)
        elif row.role == TeamRole.STAKEHOLDER:
            entry.stakeholders.append(row)
    return list(hats.values())


def by_product(teams: list[TeamHats]) -> list[ProductHats]:
    """``teams`` grouped by the product they work from (in product order), then the teams
    that work from none."""
    groups: dict[int, ProductHats] = {}
    loose: list[TeamHats] = []
    for hats in teams:
        if hats.product is None:
            loose.append(hats)
        else:
            groups.setdefault(id(hats.product), ProductHats(hats.product, [])).teams.append(hats)
    ordered = sorted(
        groups.values(), key=lambda group: group.owner.product_label if group.owner else ""
    )
    return ordered + ([ProductHats(None, loose)] if loose else [])


def hats_by_member(teams: list[TeamHats], *, workspace_slug: str) -> dict[int, list[Worn]]:
    """Each member's current hats (from ``who_does_what``): the product owner hats of the
    products first (each once, however many teams share it), then the hats in teams."""
    worn: dict[int, list[Worn]] = defaultdict(list)
    seen: set[int] = set()
    label = dict(TeamRole.choices)
    for hats in teams:
        owner = hats.product
        if owner is not None and owner.current is not None and id(owner) not in seen:
            seen.add(id(owner))
            worn[owner.current.member.pk].append(
                Worn(
                    TeamRole.PRODUCT_OWNER,
                    label[TeamRole.PRODUCT_OWNER],
                    owner.product_label,
                    owner.product_url,
                    owner.current.started_at,
                )
            )
    for hats in teams:
        team_url = reverse("people:team_detail", args=[workspace_slug, hats.team.slug])
        for row in [*hats.scrum_masters, *hats.developers, *hats.stakeholders]:
            worn[row.member_id].append(
                Worn(row.role, label[row.role], hats.team.name, team_url, row.started_at)
            )
    return worn


def token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    """The actor's own tokens; owners and admins see every token of the workspace."""
    tokens = ApiToken.objects.filter(workspace_id=actor.workspace_id).select_related("user")
    if not sees_every_token(actor):
        tokens = tokens.filter(user=actor.user)
    return tokens.order_by("id")


def my_token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    """The actor's own tokens in this workspace, live ones first, newest first (the token page:
    everyone sees only their own there, admins included)."""
    return ApiToken.objects.filter(workspace_id=actor.workspace_id, user=actor.user).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-id"
    )


def account_workspaces(*, user: User) -> QuerySet[Membership]:
    """The user's memberships with their workspace and how many live API tokens they hold
    there (``live_tokens``), by workspace name: one query."""
    return (
        Membership.objects.filter(user=user)
        .select_related("workspace")
        .annotate(
            live_tokens=Count(
                "workspace__api_tokens",
                filter=Q(workspace__api_tokens__user=user, workspace__api_tokens__revoked_at=None),
            )
        )
        .order_by("workspace__name")
    )


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
