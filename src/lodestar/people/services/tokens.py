"""API tokens."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from lodestar.core.errors import Invalid
from lodestar.people.errors import PeopleErrorCode as Code
from lodestar.people.models import (
    ApiToken,
)
from lodestar.people.policy import (
    Actor,
    Permission,
    require,
    require_token_revoke,
)
from lodestar.people.services._common import (
    Action,
    _name,
    _record,
)
from lodestar.people.tokens import API_TOKEN_PREFIX, hash_secret, new_secret

# -- API tokens --------------------------------------------------------------------------------


# The longest life a token may be given; a token without an end is asked for as such (None).
TOKEN_DAYS_MAX = 366


def token_expiry(days: int | None, now: dt.datetime) -> dt.datetime | None:
    """When a token made at ``now`` to last ``days`` days stops working (None: never)."""
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= TOKEN_DAYS_MAX:
        raise Invalid.field(
            "expires_in_days",
            f"must be a whole number of days from 1 to {TOKEN_DAYS_MAX}; leave it out for a "
            "token that works until it is revoked",
            code=Code.TOKEN_EXPIRY_INVALID,
        )
    return now + dt.timedelta(days=days)


@transaction.atomic
def token_create(
    *, actor: Actor, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A bearer token for the actor in this workspace, and its secret (shown once). It stops
    working ``expires_in_days`` days from now (1 to 366), or when revoked if that is None."""
    name = _name(name, code=Code.TOKEN_NAME_INVALID)
    now = timezone.now()
    expires_at = token_expiry(expires_in_days, now)
    require(actor, Permission.CREATE_OWN_TOKENS)
    secret = new_secret(API_TOKEN_PREFIX)
    token = ApiToken.objects.create(
        workspace_id=actor.workspace_id,
        user=actor.user,
        name=name,
        prefix=secret[:12],
        token_hash=hash_secret(secret),
        created_at=now,
        expires_at=expires_at,
    )
    changes: dict[str, object] = {"name": name}
    if expires_at is not None:
        changes["expires_at"] = expires_at
    _record(actor.user, actor.workspace_id, token, Action.CREATED, changes)
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
