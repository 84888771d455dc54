"""Every write of the people context: one transaction each, policy enforced, history recorded."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Conflict, Invalid, NotFound
from lodestar.core.history import changes_since, history_record, snapshot
from lodestar.core.models import HistoryEntry
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
from lodestar.people.policy import (
    Actor,
    Permission,
    require,
    require_member_change,
    require_token_revoke,
)
from lodestar.people.tokens import API_TOKEN_PREFIX, hash_secret, new_secret

Action = HistoryEntry.Action

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
_SLUG_RULE = "use 1 to 50 lowercase letters, digits and dashes, starting and ending with one"
NAME_MAX = 100
JOB_TITLE_MAX = 100


# -- input checks (each names the field to fix) ------------------------------------------------


def _email(value: str, field: str = "email") -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise Invalid.field(
            field, "must be an email address like ada@example.com", code=Code.EMAIL_INVALID
        ) from exc
    return email


def _role(value: str, field: str = "role") -> Role:
    if value not in Role.values:
        raise Invalid.field(
            field, f"must be one of {', '.join(Role.values)}", code=Code.ROLE_INVALID
        )
    return Role(value)


def _name(value: str, field: str = "name", code: str = Code.NAME_INVALID) -> str:
    name = (value or "").strip()
    if not name:
        raise Invalid.field(field, "must not be empty", code=code)
    if len(name) > NAME_MAX:
        raise Invalid.field(field, f"must be at most {NAME_MAX} characters", code=code)
    return name


def _job_title(value: str) -> str:
    title = (value or "").strip()
    if len(title) > JOB_TITLE_MAX:
        raise Invalid.field(
            "job_title",
            f"must be at most {JOB_TITLE_MAX} characters",
            code=Code.JOB_TITLE_INVALID,
        )
    return title


def _slug(value: str, code: str) -> str:
    slug = (value or "").strip()
    if not _SLUG.match(slug):
        raise Invalid.field("slug", _SLUG_RULE, code=code)
    return slug


def _same_workspace(actor: Actor, member: Membership, field: str = "member") -> None:
    if member.workspace_id != actor.workspace_id:
        raise Invalid.field(field, "is not a member of this workspace", code=Code.NOT_A_MEMBER)


def _record(
    actor_user: User | None,
    workspace_id: int,
    obj: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
    label: str = "",
) -> None:
    history_record(
        actor=actor_user,
        workspace_id=workspace_id,
        obj=obj,
        action=action,
        changes=changes,
        label=label,
    )


# -- users and workspaces ----------------------------------------------------------------------


@transaction.atomic
def user_create(*, email: str, password: str, full_name: str = "") -> User:
    """A new user who signs in with ``email``. Users belong to no workspace, so no history."""
    address = _email(email)
    full_name = (full_name or "").strip()
    if len(full_name) > 150:
        raise Invalid.field("full_name", "must be at most 150 characters", code=Code.NAME_INVALID)
    if User.objects.filter(email=address).exists():
        raise Invalid.field(
            "email", "already belongs to a user; sign in instead", code=Code.EMAIL_TAKEN
        )
    try:
        validate_password(password, user=User(email=address, full_name=full_name))
    except ValidationError as exc:
        raise Invalid.field("password", " ".join(exc.messages), code=Code.PASSWORD_INVALID) from exc
    return User.objects.create_user(address, password, full_name=full_name)


@transaction.atomic
def workspace_create(*, slug: str, name: str, owner: User) -> Workspace:
    """A workspace with ``owner`` as its first owner."""
    slug = _slug(slug, Code.WORKSPACE_SLUG_INVALID)
    name = _name(name)
    if Workspace.objects.filter(slug=slug).exists():
        raise Invalid.field("slug", "is taken; choose another", code=Code.WORKSPACE_SLUG_TAKEN)
    workspace = Workspace.objects.create(slug=slug, name=name)
    membership = Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    _record(owner, workspace.pk, workspace, Action.CREATED, {"slug": slug, "name": name})
    _record(owner, workspace.pk, membership, Action.CREATED, {"role": Role.OWNER.value})
    return workspace


# -- members and invitations -------------------------------------------------------------------


def _check_new_member(workspace_id: int, email: str) -> None:
    if Membership.objects.filter(workspace_id=workspace_id, user__email=email).exists():
        raise Conflict(f"{email} is already a member of this workspace.", code=Code.ALREADY_MEMBER)


@transaction.atomic
def member_add(*, actor: Actor, email: str, role: str, job_title: str = "") -> Membership:
    """Add an existing user to the actor's workspace (invite people who have no account)."""
    address = _email(email)
    new_role = _role(role)
    title = _job_title(job_title)
    require(actor, Permission.MANAGE_MEMBERS)
    if new_role == Role.OWNER:
        require(actor, Permission.MANAGE_OWNERS)
    user = User.objects.filter(email=address, is_active=True).first()
    if user is None:
        raise Invalid.field(
            "email", "has no account here yet; send an invitation", code=Code.USER_NOT_FOUND
        )
    _check_new_member(actor.workspace_id, address)
    membership = Membership.objects.create(
        workspace_id=actor.workspace_id, user=user, role=new_role, job_title=title
    )
    membership.workspace = actor.workspace
    _record(
        actor.user,
        actor.workspace_id,
        membership,
        Action.CREATED,
        {"role": new_role.value, "job_title": title},
    )
    return membership


@transaction.atomic
def invitation_create(
    *, actor: Actor, email: str, role: str, job_title: str = ""
) -> tuple[Invitation, str]:
    """An invitation and its secret token (shown once; only its hash is stored).

    Inviting an address again withdraws the earlier, still open invitation.
    """
    address = _email(email)
    new_role = _role(role)
    title = _job_title(job_title)
    require(actor, Permission.MANAGE_MEMBERS)
    if new_role == Role.OWNER:
        require(actor, Permission.MANAGE_OWNERS)
    _check_new_member(actor.workspace_id, address)
    now = timezone.now()
    for earlier in Invitation.objects.filter(
        workspace_id=actor.workspace_id,
        email=address,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ):
        Invitation.objects.filter(pk=earlier.pk).update(
            revoked_at=now, updated_at=now, version=F("version") + 1
        )
        _record(
            actor.user, actor.workspace_id, earlier, Action.UPDATED, {"revoked_at": [None, now]}
        )
    secret = new_secret()
    invitation = Invitation.objects.create(
        workspace_id=actor.workspace_id,
        email=address,
        role=new_role,
        job_title=title,
        token_hash=hash_secret(secret),
        invited_by=actor.user,
        expires_at=now + dt.timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    invitation.workspace = actor.workspace
    _record(
        actor.user,
        actor.workspace_id,
        invitation,
        Action.CREATED,
        {"email": address, "role": new_role.value},
    )
    return invitation, secret


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
    if invitation.expires_at <= (now or timezone.now()):
        raise Invalid.field(
            "token", "this invitation has expired; ask for a new one", code=Code.INVITATION_EXPIRED
        )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the invitation's workspace as ``user`` (whose email must be the invited one)."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("workspace")
        .filter(token_hash=hash_secret((token or "").strip()))
        .first()
    )
    if invitation is None:
        raise Invalid.field("token", "is not a valid invitation link", code=Code.INVITATION_INVALID)
    invitation_check(invitation)
    if user.email != invitation.email:
        raise Invalid.field(
            "token",
            f"this invitation was sent to {invitation.email}; sign in with that address",
            code=Code.INVITATION_WRONG_USER,
        )
    _check_new_member(invitation.workspace_id, user.email)
    membership = Membership.objects.create(
        workspace=invitation.workspace,
        user=user,
        role=invitation.role,
        job_title=invitation.job_title,
    )
    before = snapshot(invitation, ["accepted_at"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    bump(invitation, ["accepted_at", "accepted_by"])
    _record(
        user, invitation.workspace_id, invitation, Action.UPDATED, changes_since(invitation, before)
    )
    _record(
        user,
        invitation.workspace_id,
        membership,
        Action.CREATED,
        {"role": invitation.role, "job_title": invitation.job_title, "invitation": invitation.pk},
    )
    return membership


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation: Invitation) -> None:
    """Withdraw an open invitation; its link stops working. Withdrawing twice is harmless."""
    require(actor, Permission.MANAGE_MEMBERS)
    if invitation.revoked_at is not None or invitation.accepted_at is not None:
        return
    before = snapshot(invitation, ["revoked_at"])
    invitation.revoked_at = timezone.now()
    bump(invitation, ["revoked_at"])
    _record(
        actor.user,
        actor.workspace_id,
        invitation,
        Action.UPDATED,
        changes_since(invitation, before),
    )


def _keep_an_owner(member: Membership) -> None:
    """Refuse to leave the workspace without an owner; locks the owners while deciding."""
    if member.role != Role.OWNER:
        return
    owners = list(
        Membership.objects.select_for_update()
        .filter(workspace_id=member.workspace_id, role=Role.OWNER)
        .values_list("pk", flat=True)
    )
    if owners == [member.pk]:
        raise Conflict(
            "A workspace must keep at least one owner; make someone else an owner first.",
            code=Code.LAST_OWNER,
        )


@transaction.atomic
def member_update(
    *,
    actor: Actor,
    member: Membership,
    role: str | None = None,
    job_title: str | None = None,
    expected_version: int | None = None,
) -> Membership:
    """Change a member's workspace role and/or job title."""
    new_role = _role(role) if role is not None else None
    if new_role == member.role:
        new_role = None
    title = _job_title(job_title) if job_title is not None else None
    _same_workspace(actor, member)
    require_member_change(actor, member, new_role=new_role)
    check_version(member, expected_version)
    if new_role is not None:
        _keep_an_owner(member)
    before = snapshot(member, ["role", "job_title"])
    if new_role is not None:
        member.role = new_role
    if title is not None:
        member.job_title = title
    changes = changes_since(member, before)
    if not changes:
        return member
    bump(member, list(changes))
    _record(actor.user, actor.workspace_id, member, Action.UPDATED, changes)
    return member


@transaction.atomic
def member_remove(*, actor: Actor, member: Membership, expected_version: int | None = None) -> None:
    """Remove a member: their hats end (recorded), their tokens here are revoked."""
    _same_workspace(actor, member)
    require_member_change(actor, member, removing=True)
    check_version(member, expected_version)
    _keep_an_owner(member)
    now = timezone.now()
    for hat in TeamMembership.objects.filter(member=member, ended_at__isnull=True).select_related(
        "team"
    ):
        _record(
            actor.user,
            actor.workspace_id,
            hat.team,
            Action.UPDATED,
            {hat.role: [member.user.email, None]},
        )
    ApiToken.objects.filter(
        workspace_id=member.workspace_id, user_id=member.user_id, revoked_at__isnull=True
    ).update(revoked_at=now)
    _record(
        actor.user,
        actor.workspace_id,
        member,
        Action.DELETED,
        {"role": member.role, "job_title": member.job_title},
    )
    member.delete()


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
    if hat == TeamRole.PRODUCT_OWNER:
        raise Invalid.field(
            "role",
            "the product owner hat moves with PUT .../roles/product-owner, not added",
            code=Code.TEAM_ROLE_INVALID,
        )
    _same_workspace(actor, member)
    require(actor, Permission.ASSIGN_TEAM_ROLES, teams=[team])
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
    if hat == TeamRole.PRODUCT_OWNER:
        require(actor, Permission.MOVE_PRODUCT_OWNER_HAT, teams=[team])
    else:
        require(actor, Permission.ASSIGN_TEAM_ROLES, teams=[team])
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
    if hat == TeamRole.PRODUCT_OWNER:
        _lock_team(team)
        bump(team, [])
    row.ended_at = timezone.now()
    row.save(update_fields=["ended_at"])
    _record(
        actor.user, actor.workspace_id, team, Action.UPDATED, {hat.value: [member.user.email, None]}
    )


@transaction.atomic
def product_owner_set(
    *,
    actor: Actor,
    team: Team,
    member: Membership | None,
    expected_version: int | None = None,
) -> TeamMembership | None:
    """Move the product owner hat of ``team`` to ``member`` (None leaves it vacant).

    The previous holder's row is ended and a new one started at the same instant, so the
    history shows who wore the hat, and when. The team's version moves with the hat, so
    ``expected_version`` (the team's) guards against moving it on a stale view.
    """
    if member is not None:
        _same_workspace(actor, member)
        if member.role == Role.VIEWER:
            raise Invalid.field(
                "member",
                "is a viewer and cannot order the backlog; make them a member first",
                code=Code.VIEWER_CANNOT_OWN_PRODUCT,
            )
    require(actor, Permission.MOVE_PRODUCT_OWNER_HAT, teams=[team])
    _lock_team(team)
    check_version(team, expected_version)
    current = (
        TeamMembership.objects.select_related("member__user")
        .filter(team=team, role=TeamRole.PRODUCT_OWNER, ended_at__isnull=True)
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
    row = None
    if member is not None:
        row = TeamMembership.objects.create(
            team=team,
            member=member,
            role=TeamRole.PRODUCT_OWNER,
            started_at=now,
            assigned_by=actor.user,
        )
    bump(team, [])
    _record(
        actor.user,
        actor.workspace_id,
        team,
        Action.MOVED,
        {
            TeamRole.PRODUCT_OWNER.value: [
                current.member.user.email if current else None,
                member.user.email if member else None,
            ]
        },
    )
    return row


# -- API tokens --------------------------------------------------------------------------------


@transaction.atomic
def token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """A bearer token for the actor in this workspace, and its secret (shown once)."""
    name = _name(name, code=Code.TOKEN_NAME_INVALID)
    require(actor, Permission.CREATE_OWN_TOKENS)
    secret = new_secret(API_TOKEN_PREFIX)
    token = ApiToken.objects.create(
        workspace_id=actor.workspace_id,
        user=actor.user,
        name=name,
        prefix=secret[:12],
        token_hash=hash_secret(secret),
    )
    _record(actor.user, actor.workspace_id, token, Action.CREATED, {"name": name})
    return token, secret


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> None:
    """Revoke a token at once; revoking a revoked token is harmless."""
    require_token_revoke(actor, token)
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    _record(
        actor.user,
        actor.workspace_id,
        token,
        Action.UPDATED,
        {"revoked_at": [None, token.revoked_at]},
    )
