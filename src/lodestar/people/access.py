"""The gates that fetch people objects for an actor. Missing and forbidden answer alike: 404."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lodestar.core.errors import NotFound
from lodestar.people.errors import PeopleErrorCode
from lodestar.people.models import ApiToken, Invitation, Membership, Team, User
from lodestar.people.policy import Actor, can_see_token
from lodestar.people.tokens import hash_secret

_NO_WORKSPACE = "No workspace with that slug, or you are not a member of it."


def access_workspace(user: User, workspace_slug: str, *, token: ApiToken | None = None) -> Actor:
    """The actor for ``user`` in the workspace; a token only ever opens its own workspace."""
    if not user.is_authenticated or not user.is_active:
        raise NotFound(_NO_WORKSPACE)
    if token is not None and token.workspace.slug != workspace_slug:
        raise NotFound(_NO_WORKSPACE)
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(user=user, workspace__slug=workspace_slug)
        .first()
    )
    if membership is None:
        raise NotFound(_NO_WORKSPACE)
    return Actor(user=user, membership=membership)


def access_team(actor: Actor, team_slug: str) -> Team:
    team = Team.objects.filter(workspace_id=actor.workspace_id, slug=team_slug).first()
    if team is None:
        raise NotFound(
            f"No team '{team_slug}' in this workspace.", code=PeopleErrorCode.TEAM_NOT_FOUND
        )
    return team


def access_member(actor: Actor, email: str) -> Membership:
    membership = (
        Membership.objects.select_related("user", "workspace")
        .filter(workspace_id=actor.workspace_id, user__email=email.strip().lower())
        .first()
    )
    if membership is None:
        raise NotFound(
            f"{email} is not a member of this workspace.", code=PeopleErrorCode.MEMBER_NOT_FOUND
        )
    return membership


def access_token(actor: Actor, token_id: int) -> ApiToken:
    """A token of this workspace the actor may see (their own; any, for owners and admins)."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None or not can_see_token(actor, token):
        raise NotFound("No such API token.", code=PeopleErrorCode.TOKEN_NOT_FOUND)
    return token


def access_invitation(actor: Actor, invitation_id: int) -> Invitation:
    """An invitation of this workspace (the service decides who may act on it)."""
    invitation = (
        Invitation.objects.select_related("invited_by")
        .filter(pk=invitation_id, workspace_id=actor.workspace_id)
        .first()
    )
    if invitation is None:
        raise NotFound("No such invitation.", code=PeopleErrorCode.INVITATION_NOT_FOUND)
    return invitation


def token_expired_at(secret: str) -> dt.datetime | None:
    """When the token of ``secret`` expired, if that is why it no longer works (it is not
    revoked and its account is open); None otherwise. Read only for a refused token, to say
    why."""
    expired: dt.datetime | None = (
        ApiToken.objects.filter(
            token_hash=hash_secret(secret),
            revoked_at__isnull=True,
            user__is_active=True,
            expires_at__lte=timezone.now(),
        )
        .values_list("expires_at", flat=True)
        .first()
    )
    return expired


def authenticate_token(secret: str) -> ApiToken | None:
    """The live token for ``secret`` (and mark it used), or None: none, revoked, expired, or
    its user's account is closed."""
    token = (
        ApiToken.objects.select_related("user", "workspace")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or token.is_expired:
        return None
    now = timezone.now()
    # Write last_used_at at most once a minute so reads stay reads.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
