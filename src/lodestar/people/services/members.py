"""Members and invitations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Conflict, Invalid, NotFound
from lodestar.core.history import changes_since, snapshot
from lodestar.core.mail import site_url
from lodestar.people.emails import enqueue, render_email
from lodestar.people.errors import PeopleErrorCode as Code
from lodestar.people.extensions import release_product_owner_hats
from lodestar.people.models import (
    ApiToken,
    Invitation,
    Membership,
    Role,
    Team,
    TeamMembership,
    User,
    Workspace,
)
from lodestar.people.policy import (
    Actor,
    Permission,
    require,
    require_an_owner_left,
    require_grant_role,
    require_member_change,
)
from lodestar.people.selectors import invitation_check
from lodestar.people.services._common import (
    Action,
    _email,
    _handle,
    _job_title,
    _record,
    _role,
    _same_workspace,
)
from lodestar.people.tokens import hash_secret, new_secret

# -- members and invitations -------------------------------------------------------------------


def _check_new_member(workspace_id: int, email: str) -> None:
    if Membership.objects.filter(workspace_id=workspace_id, user__email=email).exists():
        raise Conflict(f"{email} is already a member of this workspace.", code=Code.ALREADY_MEMBER)


def _join(*, workspace_id: int, user: User, role: str, job_title: str) -> Membership:
    """A membership for ``user``: the one they left, brought back, or a new one."""
    former = Membership.all_objects.filter(
        workspace_id=workspace_id, user=user, removed_at__isnull=False
    ).first()
    if former is None:
        return Membership.objects.create(
            workspace_id=workspace_id, user=user, role=role, job_title=job_title
        )
    former.role, former.job_title, former.removed_at = role, job_title, None
    bump(former, ["role", "job_title", "removed_at"])
    return former


def _add_existing_user(
    *, by: User | None, workspace: Workspace, email: str, role: Role, job_title: str
) -> Membership:
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        raise Invalid.field(
            "email",
            "has no account here yet; create it with 'lodestar user create' or send an invitation",
            code=Code.USER_NOT_FOUND,
        )
    _check_new_member(workspace.pk, email)
    membership = _join(workspace_id=workspace.pk, user=user, role=role, job_title=job_title)
    membership.workspace = workspace
    _record(
        by, workspace.pk, membership, Action.CREATED, {"role": role.value, "job_title": job_title}
    )
    return membership


@transaction.atomic
def member_add(*, actor: Actor, email: str, role: str, job_title: str = "") -> Membership:
    """Add a user who has an account straight away, without asking them.

    Only for the demo, which seeds its own people. Everyone else joins by accepting an
    invitation (``invitation_create``); the server's operator has ``member_add_by_operator``.
    """
    new_role = _role(role)
    require_grant_role(actor, new_role)
    return _add_existing_user(
        by=actor.user,
        workspace=actor.workspace,
        email=_email(email),
        role=new_role,
        job_title=_job_title(job_title),
    )


@transaction.atomic
def member_add_by_operator(
    *, workspace: Workspace, email: str, role: str, job_title: str = ""
) -> Membership:
    """The server operator adds a user to ``workspace`` at once (``lodestar member add``): only
    someone with the server's data can run it, so no invitation is asked for. The history says
    Lodestar did it."""
    return _add_existing_user(
        by=None,
        workspace=workspace,
        email=_email(email),
        role=_role(role),
        job_title=_job_title(job_title),
    )


def invitation_link(secret: str, site: str | None = None) -> str:
    """The absolute link an invitee opens (``site``: scheme and host, ``core.mail.site_url``)."""
    return f"{site or site_url()}{reverse('people:invitation', args=[secret])}"


def _send_invitation(invitation: Invitation, inviter: User, secret: str, site: str | None) -> None:
    """Email the invitation's link to the invitee (by the worker, once this transaction
    commits). Names go into the subject cleaned of line breaks (``core.mail.header_text``)."""
    workspace = invitation.workspace
    context = {
        "inviter": inviter.display_name,
        "inviter_email": inviter.email,
        "workspace": workspace.name,
        "role": invitation.get_role_display().lower(),
        "job_title": invitation.job_title,
        "link": invitation_link(secret, site),
        "days": settings.INVITATION_TTL_DAYS,
        "expires_at": invitation.expires_at,
    }
    enqueue(
        render_email(
            "invitation",
            to=invitation.email,
            subject=f"{inviter.display_name} invited you to {workspace.name} on Lodestar",
            context=context,
        )
    )


@transaction.atomic
def invitation_create(
    *,
    actor: Actor,
    email: str,
    role: str,
    job_title: str = "",
    site: str | None = None,
    send: bool = True,
) -> tuple[Invitation, str]:
    """An invitation and its secret token (shown once; only its hash is stored), emailed to
    the invitee with its link (``site``: where links start, ``core.mail.site_url``) unless
    ``send`` is False (an import names people it does not email; the invitation can be
    resent from the members page).

    This is how anyone joins a workspace: nobody is added without saying yes. The answer is the
    same whether or not the address has an account here, so it tells the inviter nothing about
    other workspaces' people. Inviting an address again withdraws the earlier, still open
    invitation.
    """
    address = _email(email)
    new_role = _role(role)
    title = _job_title(job_title)
    require_grant_role(actor, new_role)
    _check_new_member(actor.workspace_id, address)
    now = timezone.now()
    for earlier in Invitation.objects.filter(
        workspace_id=actor.workspace_id,
        email=address,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        declined_at__isnull=True,
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
    if send:
        _send_invitation(invitation, actor.user, secret, site)
    return invitation, secret


@transaction.atomic
def invitation_resend(
    *, actor: Actor, invitation: Invitation, site: str | None = None
) -> tuple[Invitation, str]:
    """Email an open invitation again with a fresh link, valid for another
    ``INVITATION_TTL_DAYS`` (an expired one included); the earlier link stops working, since
    only one secret's hash is kept. Refused for an accepted, declined or withdrawn one."""
    require(actor, Permission.MANAGE_MEMBERS)
    invitation = (
        Invitation.objects.select_for_update().select_related("workspace").get(pk=invitation.pk)
    )
    if not invitation.is_open:
        raise Conflict(
            f"The invitation for {invitation.email} was already answered or withdrawn; "
            "invite the address again instead.",
            code=Code.INVITATION_NOT_OPEN,
        )
    _check_new_member(invitation.workspace_id, invitation.email)
    secret = new_secret()
    before = snapshot(invitation, ["expires_at"])
    invitation.token_hash = hash_secret(secret)
    invitation.expires_at = timezone.now() + dt.timedelta(days=settings.INVITATION_TTL_DAYS)
    bump(invitation, ["token_hash", "expires_at"])
    _record(
        actor.user,
        actor.workspace_id,
        invitation,
        Action.UPDATED,
        {**changes_since(invitation, before), "resent": True},
    )
    _send_invitation(invitation, actor.user, secret, site)
    return invitation, secret


def _accept(invitation: Invitation, user: User) -> Membership:
    invitation_check(invitation)
    if user.email != invitation.email:
        raise Invalid.field(
            "token",
            f"this invitation was sent to {invitation.email}; sign in with that address",
            code=Code.INVITATION_WRONG_USER,
        )
    _check_new_member(invitation.workspace_id, user.email)
    membership = _join(
        workspace_id=invitation.workspace_id,
        user=user,
        role=invitation.role,
        job_title=invitation.job_title,
    )
    membership.workspace = invitation.workspace
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
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the invitation's workspace as ``user`` (whose email must be the invited one), by the
    link's token."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("workspace")
        .filter(token_hash=hash_secret((token or "").strip()))
        .first()
    )
    if invitation is None:
        raise Invalid.field("token", "is not a valid invitation link", code=Code.INVITATION_INVALID)
    return _accept(invitation, user)


def _own_invitation(user: User, invitation_id: int) -> Invitation:
    """The invitation ``invitation_id`` addressed to ``user``, locked; anyone else's is 404."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("workspace")
        .filter(pk=invitation_id, email=user.email)
        .first()
    )
    if invitation is None:
        raise NotFound(f"You have no invitation {invitation_id}.", code=Code.INVITATION_NOT_FOUND)
    return invitation


@transaction.atomic
def invitation_accept_own(*, user: User, invitation_id: int) -> Membership:
    """Accept an invitation addressed to ``user``'s email, signed in (the app or the API):
    being signed in as that address is the proof the link would give."""
    return _accept(_own_invitation(user, invitation_id), user)


@transaction.atomic
def invitation_decline(*, user: User, invitation_id: int) -> None:
    """Say no to an invitation addressed to ``user``; its link stops working. The workspace's
    admins see it declined. Declining twice is harmless."""
    invitation = _own_invitation(user, invitation_id)
    if invitation.declined_at is not None:
        return
    invitation_check(invitation)
    before = snapshot(invitation, ["declined_at"])
    invitation.declined_at = timezone.now()
    bump(invitation, ["declined_at"])
    _record(
        user, invitation.workspace_id, invitation, Action.UPDATED, changes_since(invitation, before)
    )


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


def _check_handle_free(member: Membership, handle: str) -> None:
    """Refuse a handle another member (past ones too) or a team of the workspace has (422)."""
    others = Membership.all_objects.filter(
        workspace_id=member.workspace_id, handle__iexact=handle
    ).exclude(pk=member.pk)
    if others.exists():
        raise Invalid.field(
            "handle",
            f"@{handle} is taken by another member; choose another",
            code=Code.HANDLE_TAKEN,
        )
    if Team.objects.filter(workspace_id=member.workspace_id, slug__iexact=handle).exists():
        raise Invalid.field(
            "handle", f"@{handle} is a team's name here; choose another", code=Code.HANDLE_TAKEN
        )


@transaction.atomic
def member_update(
    *,
    actor: Actor,
    member: Membership,
    role: str | None = None,
    job_title: str | None = None,
    handle: str | None = None,
    expected_version: int | None = None,
) -> Membership:
    """Change a member's workspace role, job title and/or handle (``@quinn``: who may change the
    job title may change the handle, so a member sets their own)."""
    new_role = _role(role) if role is not None else None
    if new_role == member.role:
        new_role = None
    title = _job_title(job_title) if job_title is not None else None
    new_handle = _handle(handle) if handle is not None else None
    _same_workspace(actor, member)
    require_member_change(actor, member, new_role=new_role)
    check_version(member, expected_version)
    if new_role is not None:
        require_an_owner_left(member)
    if new_handle is not None and new_handle != member.handle:
        _check_handle_free(member, new_handle)
    before = snapshot(member, ["role", "job_title", "handle"])
    if new_role is not None:
        member.role = new_role
    if title is not None:
        member.job_title = title
    if new_handle is not None:
        member.handle = new_handle
    changes = changes_since(member, before)
    if not changes:
        return member
    bump(member, list(changes))
    _record(actor.user, actor.workspace_id, member, Action.UPDATED, changes)
    return member


@transaction.atomic
def member_remove(*, actor: Actor, member: Membership, expected_version: int | None = None) -> None:
    """Remove a member: their hats end (kept in the teams' and products' history), their tokens
    are revoked."""
    _same_workspace(actor, member)
    require_member_change(actor, member, removing=True)
    check_version(member, expected_version)
    require_an_owner_left(member)
    now = timezone.now()
    current_hats = TeamMembership.objects.filter(member=member, ended_at__isnull=True)
    for hat in current_hats.select_related("team"):
        _record(
            actor.user,
            actor.workspace_id,
            hat.team,
            Action.UPDATED,
            {hat.role: [member.user.email, None]},
        )
    current_hats.update(ended_at=now)
    release_product_owner_hats(actor, member)
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
    member.removed_at = now
    bump(member, ["removed_at"])
