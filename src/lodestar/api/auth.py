"""API authentication: a bearer token, or the browser session with its CSRF token."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from lodestar.core.errors import RateLimited
from lodestar.people.access import access_workspace, authenticate_token
from lodestar.people.models import User
from lodestar.people.policy import Actor


def _rate_limit(key: str) -> None:
    """A fixed one-minute window per token or session user; 429 with Retry-After beyond it."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    bucket = f"api-rate:{key}"
    cache.add(bucket, 0, timeout=60)
    try:
        count = cache.incr(bucket)
    except ValueError:
        cache.set(bucket, 1, timeout=60)
        count = 1
    if count > limit:
        raise RateLimited(
            f"More than {limit} requests in a minute; slow down and retry later.", retry_after=60
        )


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = authenticate_token(token)
        if api_token is None:
            return None
        _rate_limit(f"token:{api_token.pk}")
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class Session(SessionAuth):
    """The signed-in browser session; ninja enforces the CSRF token on unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user:
            _rate_limit(f"user:{user.pk}")
        return user


API_AUTH = [BearerToken(), Session()]


def actor(request: HttpRequest, workspace_slug: str) -> Actor:
    """The actor of an authenticated API request in ``workspace_slug`` (404 when not a member)."""
    return access_workspace(
        request.auth,  # type: ignore[attr-defined]
        workspace_slug,
        token=getattr(request, "api_token", None),
    )
