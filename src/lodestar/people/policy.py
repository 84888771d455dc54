"""The access policy: the one place that decides what each workspace role and team hat may do.

Services call ``require(actor, Permission.X, team=...)``; nothing else compares roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import QuerySet

from lodestar.core.errors import Forbidden
from lodestar.people.models import (
    ApiToken,
    Membership,
    Role,
    Team,
    TeamMembership,
    TeamRole,
    User,
    Workspace,
)


class Permission(StrEnum):
    VIEW = "view"
    EDIT_CONTENT = "edit_content"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_OWNERS = "manage_owners"
    MANAGE_TEAMS = "manage_teams"
    ASSIGN_TEAM_ROLES = "assign_team_roles"
    MOVE_PRODUCT_OWNER_HAT = "move_product_owner_hat"
    ORDER_BACKLOG = "order_backlog"
    SET_PRODUCT_GOAL = "set_product_goal"
    MANAGE_PRODUCTS = "manage_products"
    CREATE_OWN_TOKENS = "create_own_tokens"
    MANAGE_WORKSPACE = "manage_workspace"


_ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.MEMBER: frozenset(
        {Permission.VIEW, Permission.EDIT_CONTENT, Permission.CREATE_OWN_TOKENS}
    ),
    Role.ADMIN: frozenset(
        {
            Permission.VIEW,
            Permission.EDIT_CONTENT,
            Permission.CREATE_OWN_TOKENS,
            Permission.MANAGE_MEMBERS,
            Permission.MANAGE_TEAMS,
            Permission.ASSIGN_TEAM_ROLES,
            Permission.MOVE_PRODUCT_OWNER_HAT,
            Permission.MANAGE_PRODUCTS,
            # Admins are the fallback when a team's product owner is away or the hat is vacant.
            Permission.ORDER_BACKLOG,
            Permission.SET_PRODUCT_GOAL,
        }
    ),
}
_ROLE_PERMISSIONS[Role.OWNER] = _ROLE_PERMISSIONS[Role.ADMIN] | {
    Permission.MANAGE_OWNERS,
    Permission.MANAGE_WORKSPACE,
}

# What wearing the product owner hat adds, on the teams (and their product) where it is worn.
_PRODUCT_OWNER_PERMISSIONS = frozenset({Permission.ORDER_BACKLOG, Permission.SET_PRODUCT_GOAL})


@dataclass(frozen=True)
class Actor:
    """Who is acting, in which workspace: resolved once per request, token or CLI call."""

    user: User
    membership: Membership

    @property
    def workspace(self) -> Workspace:
        return self.membership.workspace

    @property
    def workspace_id(self) -> int:
        return self.membership.workspace_id

    @property
    def role(self) -> str:
        return self.membership.role


def role_allows(role: str, permission: Permission) -> bool:
    return permission in _ROLE_PERMISSIONS.get(role, frozenset())


def wears_product_owner_hat(
    actor: Actor, team_ids: list[int] | QuerySet[Team] | None = None
) -> bool:
    """Whether the actor is the current product owner of a team (of any of ``team_ids``, a
    list of ids or a query of teams, read as a subquery)."""
    holds = TeamMembership.objects.filter(
        member=actor.membership, role=TeamRole.PRODUCT_OWNER, ended_at__isnull=True
    )
    if team_ids is not None:
        ids = team_ids.values("pk") if isinstance(team_ids, QuerySet) else team_ids
        holds = holds.filter(team_id__in=ids)
    return holds.exists()


Teams = list[Team] | QuerySet[Team]


def can(actor: Actor, permission: Permission, *, teams: Teams | None = None) -> bool:
    """Whether ``actor`` may do ``permission``; ``teams`` are the teams the act concerns (a
    query of teams costs nothing unless the hat decides, and then one query in all).

    A viewer can never write, whatever hat they wear: the hat adds product-owner rights to a
    member's role, not to a read-only seat.
    """
    if role_allows(actor.role, permission):
        return True
    if (
        permission in _PRODUCT_OWNER_PERMISSIONS
        and teams is not None
        and role_allows(actor.role, Permission.EDIT_CONTENT)
    ):
        if isinstance(teams, QuerySet):
            return wears_product_owner_hat(actor, teams)
        return bool(teams) and wears_product_owner_hat(actor, [team.pk for team in teams])
    return False


_REFUSALS: dict[Permission, str] = {
    Permission.VIEW: "You are not a member of this workspace.",
    Permission.EDIT_CONTENT: "Viewers can read but not change anything in this workspace.",
    Permission.MANAGE_MEMBERS: "Only workspace owners and admins manage members.",
    Permission.MANAGE_OWNERS: "Only workspace owners can grant or change the owner role.",
    Permission.MANAGE_TEAMS: "Only workspace owners and admins manage teams.",
    Permission.ASSIGN_TEAM_ROLES: "Only workspace owners and admins assign team roles.",
    Permission.MOVE_PRODUCT_OWNER_HAT: (
        "Only workspace owners and admins give the product owner hat to someone."
    ),
    Permission.ORDER_BACKLOG: (
        "Only the team's product owner (or a workspace admin) orders the Product Backlog."
    ),
    Permission.SET_PRODUCT_GOAL: (
        "Only the product owner of a team on this product (or a workspace admin) changes "
        "its Product Goal."
    ),
    Permission.MANAGE_PRODUCTS: "Only workspace owners and admins create or change products.",
    Permission.CREATE_OWN_TOKENS: "Viewers cannot create API tokens.",
    Permission.MANAGE_WORKSPACE: "Only workspace owners change the workspace itself.",
}


def require(actor: Actor, permission: Permission, *, teams: Teams | None = None) -> None:
    """Raise ``Forbidden`` with a sentence saying who may, unless ``can`` allows it."""
    if not can(actor, permission, teams=teams):
        raise Forbidden(_REFUSALS[permission], code=f"forbidden_{permission.value}")


def _member_change_permission(
    actor: Actor, member: Membership, *, new_role: str | None, removing: bool
) -> Permission | None:
    """The permission a change to ``member`` lacks, or None when the actor may make it."""
    if (member.role == Role.OWNER or new_role == Role.OWNER) and not role_allows(
        actor.role, Permission.MANAGE_OWNERS
    ):
        return Permission.MANAGE_OWNERS
    if role_allows(actor.role, Permission.MANAGE_MEMBERS):
        return None
    if member.pk == actor.membership.pk:
        # Anyone may leave a workspace; members (not viewers) keep their own job title current.
        if removing:
            return None
        if new_role is None and role_allows(actor.role, Permission.EDIT_CONTENT):
            return None
        if new_role is None:
            return Permission.EDIT_CONTENT
    return Permission.MANAGE_MEMBERS


def can_change_member(
    actor: Actor, member: Membership, *, new_role: str | None = None, removing: bool = False
) -> bool:
    """Whether ``actor`` may change ``member`` (its role when ``new_role``; or remove it).

    Only owners grant, change or take away the owner role; owners and admins manage everyone
    else; a member may edit their own job title and anyone may leave.
    """
    return _member_change_permission(actor, member, new_role=new_role, removing=removing) is None


def require_member_change(
    actor: Actor, member: Membership, *, new_role: str | None = None, removing: bool = False
) -> None:
    missing = _member_change_permission(actor, member, new_role=new_role, removing=removing)
    if missing is not None:
        raise Forbidden(_REFUSALS[missing], code=f"forbidden_{missing.value}")


def can_see_token(actor: Actor, token: ApiToken) -> bool:
    """Holders see their own tokens; owners and admins see every token of the workspace."""
    return token.workspace_id == actor.workspace_id and (
        token.user_id == actor.user.pk or role_allows(actor.role, Permission.MANAGE_MEMBERS)
    )


def require_token_revoke(actor: Actor, token: ApiToken) -> None:
    """Only the token's holder or a workspace owner or admin revokes it."""
    if not can_see_token(actor, token):
        raise Forbidden(
            "Only the token's holder or a workspace owner or admin revokes it.",
            code=f"forbidden_{Permission.MANAGE_MEMBERS.value}",
        )
