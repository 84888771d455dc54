"""The access policy: the one place that decides what each workspace role and team hat may do.

Services call ``require(actor, permission, teams=...)``; pages ask ``can(...)`` to decide what
to show. Nothing else compares roles or hats: the rules are written here, once.

**Workspace roles** (``Role``): a *viewer* reads, and may create their own API tokens, which
act with the viewer's role and so only read; a *member* also writes content; an *admin* also
manages members, teams, hats and products, and stands in for a team's product owner; an
*owner* also grants the owner role and changes the workspace.

**Permissions are declarations.** Each is a ``PermissionRule``: its name, the workspace roles
that have it, whether wearing the product owner hat adds it, and the sentence a refusal says
(with its error code). The people context declares its own below (``Permission``); every
other context writes its own in ``<context>/permissions.py`` and declares them in its plugin
(``Plugin(permissions=...)``, see ``core.registry``), collected the first time a permission is
checked, so a new context plugs in without editing this module. A name declared twice, or an
unknown name checked, is a programming error (``ImproperlyConfigured`` / ``LookupError``).

**Hats.** The *product owner* hat belongs to a product, not to a team: one holder per product
at a time (or none), shared by every team that works from it, as the Scrum Guide has it. It
moves from one member to another, never added; only owners and admins move it; a viewer never
wears it (``may_wear_hat``). The product lives in strategy, so who wears it is asked through
``people.extensions.PRODUCT_OWNERS``. Wearing it adds the permissions declared with
``product_owner_hat`` for acts on that product (named as ``product=``) or on the teams that work
from it (``teams=``), and only to a seat that may write: a viewer's hat adds nothing.
*Scrum master*, *developer* and *stakeholder* are worn in a team (``TeamRole``), added and ended
by owners and admins; anyone may wear them, viewers included (a stakeholder often is one).
Wearing the developer hat in a team adds the permissions declared with ``developer_hat`` for
acts on those teams (the product's teams, for an act on a product).

**Scores** (backlog, declared there): business value is the product owner's call, effort is
the developers'. The value side of a score (reach, impact, confidence, business value, time
criticality, risk reduction, a scorecard's criteria) is set by the product's owner; the effort
side (effort, job size) by the developers of its teams, or by the product owner recording the
number they gave. Admins stand in for both. A scrum master or a stakeholder sets neither
(unless they also wear one of those hats); a viewer never.

**Members**: only owners grant, change or take away the owner role (``can_grant_role``,
``grantable_roles``); owners and admins manage everyone else; a member (not a viewer) edits
their own job title; anyone may leave; a workspace always keeps an owner
(``require_an_owner_left``). **API tokens**: their holder sees and revokes them, and so do
owners and admins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from lodestar.core.errors import Conflict, Forbidden, Invalid
from lodestar.core.registry import registry
from lodestar.people.errors import PeopleErrorCode as Code
from lodestar.people.extensions import wears_product_owner_hat_of
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

# Who has a permission, as declarations write it.
EVERYONE = frozenset({Role.VIEWER, Role.MEMBER, Role.ADMIN, Role.OWNER})
WRITERS = frozenset({Role.MEMBER, Role.ADMIN, Role.OWNER})
MANAGERS = frozenset({Role.ADMIN, Role.OWNER})
OWNERS = frozenset({Role.OWNER})


@dataclass(frozen=True)
class PermissionRule:
    """One permission, declared once by the context it belongs to.

    ``roles`` are the workspace roles that have it; ``product_owner_hat`` says whether wearing
    the product owner hat of the product the act concerns adds it (to a seat that may write),
    ``developer_hat`` whether wearing the developer hat in a team it concerns does;
    ``refusal`` is the sentence a refused actor reads, ``code`` the error code it carries.
    """

    permission: str
    roles: frozenset[str]
    refusal: str
    code: str
    product_owner_hat: bool = False
    developer_hat: bool = False


class Permission(StrEnum):
    """The people context's permissions (other contexts declare theirs in ``permissions.py``)."""

    VIEW = "view"
    EDIT_CONTENT = "edit_content"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_OWNERS = "manage_owners"
    MANAGE_TEAMS = "manage_teams"
    ASSIGN_TEAM_ROLES = "assign_team_roles"
    MOVE_PRODUCT_OWNER_HAT = "move_product_owner_hat"
    CREATE_OWN_TOKENS = "create_own_tokens"
    MANAGE_WORKSPACE = "manage_workspace"
    MANAGE_SETTINGS = "manage_settings"
    # Names of permissions that strategy and backlog declare (and own), kept here so callers
    # written before the declarations still read ``Permission.X``. Never add one: a context's
    # new permission lives in its own ``permissions.py``, declared by its plugin.
    MANAGE_PRODUCTS = "manage_products"
    SET_PRODUCT_GOAL = "set_product_goal"
    ORDER_BACKLOG = "order_backlog"


PERMISSIONS = [
    PermissionRule(
        Permission.VIEW, EVERYONE, "You are not a member of this workspace.", Code.FORBIDDEN_VIEW
    ),
    PermissionRule(
        Permission.EDIT_CONTENT,
        WRITERS,
        "Viewers can read but not change anything in this workspace.",
        Code.FORBIDDEN_EDIT_CONTENT,
    ),
    PermissionRule(
        # Everyone, viewers included: a token acts with its holder's role, so a viewer's token
        # reads (a stakeholder's script reading the roadmap) and every write refuses it.
        Permission.CREATE_OWN_TOKENS,
        EVERYONE,
        "Only members of this workspace create API tokens in it.",
        Code.FORBIDDEN_CREATE_OWN_TOKENS,
    ),
    PermissionRule(
        Permission.MANAGE_MEMBERS,
        MANAGERS,
        "Only workspace owners and admins manage members.",
        Code.FORBIDDEN_MANAGE_MEMBERS,
    ),
    PermissionRule(
        Permission.MANAGE_TEAMS,
        MANAGERS,
        "Only workspace owners and admins manage teams.",
        Code.FORBIDDEN_MANAGE_TEAMS,
    ),
    PermissionRule(
        Permission.ASSIGN_TEAM_ROLES,
        MANAGERS,
        "Only workspace owners and admins assign team roles.",
        Code.FORBIDDEN_ASSIGN_TEAM_ROLES,
    ),
    PermissionRule(
        Permission.MOVE_PRODUCT_OWNER_HAT,
        MANAGERS,
        "Only workspace owners and admins give the product owner hat to someone.",
        Code.FORBIDDEN_MOVE_PRODUCT_OWNER_HAT,
    ),
    PermissionRule(
        Permission.MANAGE_OWNERS,
        OWNERS,
        "Only workspace owners can grant or change the owner role.",
        Code.FORBIDDEN_MANAGE_OWNERS,
    ),
    PermissionRule(
        Permission.MANAGE_SETTINGS,
        MANAGERS,
        "Only workspace owners and admins change the workspace's settings.",
        Code.FORBIDDEN_MANAGE_SETTINGS,
    ),
    PermissionRule(
        Permission.MANAGE_WORKSPACE,
        OWNERS,
        "Only workspace owners change the workspace itself.",
        Code.FORBIDDEN_MANAGE_WORKSPACE,
    ),
]


def _declared(module_name: str, rules: object) -> list[PermissionRule]:
    if not isinstance(rules, list | tuple) or not all(
        isinstance(rule, PermissionRule) for rule in rules
    ):
        raise ImproperlyConfigured(f"{module_name}: permissions must be PermissionRules.")
    for rule in rules:
        unknown = set(rule.roles) - set(Role.values)
        if unknown or not rule.refusal or not rule.code:
            raise ImproperlyConfigured(
                f"{module_name}: permission '{rule.permission}' needs known roles "
                f"(not {sorted(unknown)}), a refusal sentence and an error code."
            )
    return list(rules)


@cache
def permission_rules() -> dict[str, PermissionRule]:
    """Every declared permission by name: people's, then each installed context's
    (``Plugin.permissions`` in its plugin module), in the order of ``INSTALLED_APPS``."""
    found = _declared(__name__, PERMISSIONS)
    for plugin in registry().plugins.values():
        if plugin.name != "people" and plugin.permissions:
            found += _declared(f"the {plugin.name} plugin", plugin.permissions)
    rules: dict[str, PermissionRule] = {}
    for rule in found:
        if str(rule.permission) in rules:
            raise ImproperlyConfigured(f"Permission '{rule.permission}' is declared twice.")
        rules[str(rule.permission)] = rule
    return rules


def permission_rule(permission: str) -> PermissionRule:
    """The declaration of ``permission``; an undeclared name is a programming error."""
    try:
        return permission_rules()[str(permission)]
    except KeyError:
        raise LookupError(f"No context declares the permission '{permission}'.") from None


@dataclass(frozen=True)
class Actor:
    """Who is acting, in which workspace: resolved once per request, token or CLI call."""

    user: User
    membership: Membership
    # Whether the actor wears each product's product owner hat, by product id, as asked so far:
    # the checks of one request (order, steer, score) ask the database once per product.
    hats_seen: dict[int, bool] = field(default_factory=dict, compare=False, repr=False)

    @property
    def workspace(self) -> Workspace:
        return self.membership.workspace

    @property
    def workspace_id(self) -> int:
        return self.membership.workspace_id

    @property
    def role(self) -> str:
        return self.membership.role


def role_allows(role: str, permission: str) -> bool:
    """Whether the workspace role ``role`` has ``permission`` by itself (without a hat)."""
    return role in permission_rule(permission).roles


# -- hats --------------------------------------------------------------------------------------


def hat_moves(hat: str) -> bool:
    """Whether ``hat`` has one holder that moves from member to member (the product owner
    hat, which a product has), rather than being added to and ended for each wearer."""
    return hat == TeamRole.PRODUCT_OWNER


def addable_hats() -> list[TeamRole]:
    """The hats given by adding a wearer in a team: scrum master, developer, stakeholder."""
    return [hat for hat in TeamRole if not hat_moves(hat)]


def hat_permission(hat: str) -> Permission:
    """The permission that puts ``hat`` on someone or takes it off."""
    return Permission.MOVE_PRODUCT_OWNER_HAT if hat_moves(hat) else Permission.ASSIGN_TEAM_ROLES


def may_wear_hat(member: Membership, hat: str) -> bool:
    """Whether ``member`` may wear ``hat``: a viewer never wears the product owner hat (it
    orders the backlog, which a read-only seat cannot); any member wears the others."""
    return not hat_moves(hat) or role_allows(member.role, Permission.EDIT_CONTENT)


def require_may_wear_hat(member: Membership, hat: str, *, field: str = "member") -> None:
    """Refuse, naming ``field``, a hat that ``member`` may not wear (422)."""
    if not may_wear_hat(member, hat):
        raise Invalid.field(
            field,
            "is a viewer and cannot order the backlog; make them a member first",
            code=Code.VIEWER_CANNOT_OWN_PRODUCT,
        )


def require_hat_added(hat: str, *, field: str = "role") -> None:
    """Refuse to add the product owner hat to a team (422 naming ``field``): it belongs to
    the product the team works from, and moves there."""
    if hat_moves(hat):
        raise Invalid.field(
            field,
            "the product owner hat belongs to a product, shared by every team that works from "
            "it; give it on the product's page or with PUT .../products/{key}/product-owner",
            code=Code.TEAM_ROLE_INVALID,
        )


Teams = list[Team] | QuerySet[Team]


def wears_product_owner_hat(
    actor: Actor, teams: Teams | list[int] | None = None, *, product: Any = None
) -> bool:
    """Whether the actor wears the product owner hat of ``product``, or of the product that
    any of ``teams`` (teams, their ids, or a query of them) works from."""
    if product is None:
        if teams is None:
            return False
        return wears_product_owner_hat_of(actor.membership, teams=teams)
    if product.pk not in actor.hats_seen:
        actor.hats_seen[product.pk] = wears_product_owner_hat_of(actor.membership, product=product)
    return actor.hats_seen[product.pk]


def wears_developer_hat(actor: Actor, teams: Teams | list[int]) -> bool:
    """Whether the actor is currently a developer in any of ``teams``."""
    if isinstance(teams, QuerySet):
        ids: Any = teams.values("pk")
    else:
        ids = [team if isinstance(team, int) else team.pk for team in teams]
        if not ids:
            return False
    return TeamMembership.objects.filter(
        member=actor.membership, role=TeamRole.DEVELOPER, ended_at__isnull=True, team_id__in=ids
    ).exists()


# -- permissions -------------------------------------------------------------------------------


def can(actor: Actor, permission: str, *, teams: Teams | None = None, product: Any = None) -> bool:
    """Whether ``actor`` may do ``permission``. ``product`` is the product the act concerns,
    ``teams`` the teams it concerns; either lets a hat decide (a query of teams costs nothing
    unless the hat decides, and then one query). A developer hat counts in ``teams`` only: pass
    the product's teams with the product where it may decide.

    A viewer can never write, whatever hat they wear: a hat adds rights to a member's role,
    not to a read-only seat.
    """
    rule = permission_rule(permission)
    if actor.role in rule.roles:
        return True
    if not role_allows(actor.role, Permission.EDIT_CONTENT):
        return False
    if rule.product_owner_hat and wears_product_owner_hat(actor, teams, product=product):
        return True
    return bool(rule.developer_hat and teams is not None and wears_developer_hat(actor, teams))


def refusal(permission: str) -> Forbidden:
    """The error that refuses ``permission``: its declared sentence and code."""
    rule = permission_rule(permission)
    return Forbidden(rule.refusal, code=rule.code)


def require(
    actor: Actor, permission: str, *, teams: Teams | None = None, product: Any = None
) -> None:
    """Raise ``Forbidden`` with a sentence saying who may, unless ``can`` allows it."""
    if not can(actor, permission, teams=teams, product=product):
        raise refusal(permission)


# -- members -----------------------------------------------------------------------------------


def _grant_permission(role: str) -> Permission:
    return Permission.MANAGE_OWNERS if role == Role.OWNER else Permission.MANAGE_MEMBERS


def can_grant_role(actor: Actor, role: str) -> bool:
    """Whether ``actor`` may give someone the workspace role ``role`` (add, invite, change):
    owners and admins grant roles, and only owners grant the owner role."""
    return can(actor, Permission.MANAGE_MEMBERS) and can(actor, _grant_permission(role))


def require_grant_role(actor: Actor, role: str) -> None:
    """Refuse, with the reason, unless ``can_grant_role`` allows it."""
    require(actor, Permission.MANAGE_MEMBERS)
    require(actor, _grant_permission(role))


def grantable_roles(actor: Actor) -> list[Role]:
    """The roles ``actor`` may give, in ``Role`` order (none for members and viewers)."""
    return [role for role in Role if can_grant_role(actor, role)]


def offered_roles(actor: Actor, *, current: str | None = None) -> list[Role]:
    """The roles a members form lists for ``actor``: every role but the owner role, which
    only owners may pick; a member's ``current`` role is always shown, even to an admin who
    cannot change it. (The service still decides on submit.)"""
    may_grant_owner = can(actor, Permission.MANAGE_OWNERS)
    return [role for role in Role if role != Role.OWNER or may_grant_owner or current == Role.OWNER]


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
        raise refusal(missing)


def workspace_owner_ids(workspace_id: int, *, lock: bool = False) -> list[int]:
    """The memberships holding the owner role (locked, inside a transaction, with ``lock``)."""
    owners = Membership.objects.filter(workspace_id=workspace_id, role=Role.OWNER)
    if lock:
        owners = owners.select_for_update()
    return list(owners.values_list("pk", flat=True))


def require_an_owner_left(member: Membership) -> None:
    """Refuse to demote or remove the workspace's last owner (409). Call it inside the
    change's transaction: it locks the owners while deciding, so two such changes queue."""
    if member.role != Role.OWNER:
        return
    if workspace_owner_ids(member.workspace_id, lock=True) == [member.pk]:
        raise Conflict(
            "A workspace must keep at least one owner; make someone else an owner first.",
            code=Code.LAST_OWNER,
        )


# -- API tokens --------------------------------------------------------------------------------


def can_see_token(actor: Actor, token: ApiToken) -> bool:
    """Holders see their own tokens; owners and admins see every token of the workspace."""
    return token.workspace_id == actor.workspace_id and (
        token.user_id == actor.user.pk or role_allows(actor.role, Permission.MANAGE_MEMBERS)
    )


def sees_every_token(actor: Actor) -> bool:
    """Whether ``actor`` sees the tokens of every member (owners and admins), not only theirs."""
    return role_allows(actor.role, Permission.MANAGE_MEMBERS)


def require_token_revoke(actor: Actor, token: ApiToken) -> None:
    """Only the token's holder or a workspace owner or admin revokes it."""
    if not can_see_token(actor, token):
        raise Forbidden(
            "Only the token's holder or a workspace owner or admin revokes it.",
            code=Code.FORBIDDEN_MANAGE_MEMBERS,
        )


def people_who_may_wear(members: Iterable[Membership], hat: str) -> list[Membership]:
    """``members`` who may wear ``hat`` (the product owner hat's candidates leave viewers out)."""
    return [member for member in members if may_wear_hat(member, hat)]
