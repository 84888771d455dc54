"""API tokens."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lodestar.core.errors import Invalid
from lodestar.core.mail import site_url
from lodestar.people.emails import enqueue, render_email
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


# How long before its end a token's holder is told (once) that it will stop working.
EXPIRY_WARNING = dt.timedelta(days=7)


def tokens_warn_expiring(now: dt.datetime | None = None) -> int:
    """Email the holder of each live token that stops working within ``EXPIRY_WARNING``,
    once, with the day it ends and where to make a new one; returns how many were told.

    A token made for a short time is not warned about before half its life has passed (a
    7-day token made for a test run would otherwise be announced at once). Each token is
    claimed by one conditional update, so two workers never send the same warning."""
    now = now or timezone.now()
    due = ApiToken.objects.select_related("user", "workspace").filter(
        revoked_at__isnull=True,
        expiry_warned_at__isnull=True,
        user__is_active=True,
        expires_at__gt=now,
        expires_at__lte=now + EXPIRY_WARNING,
    )
    warned = 0
    for token in due:
        assert token.expires_at is not None  # noqa: S101 - filtered above
        if now - token.created_at < token.expires_at - now:
            continue
        with transaction.atomic():
            claimed = ApiToken.objects.filter(pk=token.pk, expiry_warned_at__isnull=True).update(
                expiry_warned_at=now
            )
            if not claimed:
                continue
            ends = timezone.localtime(token.expires_at)
            enqueue(
                render_email(
                    "token_expiring",
                    to=token.user.email,
                    subject=f"Your API token “{token.name}” in {token.workspace.name} stops "
                    f"working on {ends:%-d %B %Y}",
                    context={
                        "name": token.name,
                        "prefix": token.prefix,
                        "workspace": token.workspace.name,
                        "ends": ends,
                        "last_used_at": token.last_used_at,
                        "link": site_url()
                        + reverse(
                            "people:token_page", kwargs={"workspace_slug": token.workspace.slug}
                        ),
                    },
                )
            )
        warned += 1
    return warned


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
