"""API tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

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
