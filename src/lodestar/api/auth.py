"""API authentication: a bearer token, or the browser session with its CSRF token. The rate
limit is counted before either, for every API request (``api/ratelimit.py``)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from lodestar.people.access import access_workspace, authenticate_token
from lodestar.people.models import ApiToken, User
from lodestar.people.policy import Actor


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        # The rate limit (api/ratelimit.py) has looked the token up already.
        lookup = getattr(request, "api_token_lookup", None)
        api_token: ApiToken | None
        if lookup is not None and lookup.secret == token:
            api_token = lookup.token
        else:
            api_token = authenticate_token(token)
        if api_token is None:
            return None
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class Session(SessionAuth):
    """The signed-in browser session; ninja enforces the CSRF token on unsafe methods."""


API_AUTH = [BearerToken(), Session()]


def actor(request: HttpRequest, workspace_slug: str) -> Actor:
    """The actor of an authenticated API request in ``workspace_slug`` (404 when not a member)."""
    return access_workspace(
        request.auth,  # type: ignore[attr-defined]
        workspace_slug,
        token=getattr(request, "api_token", None),
    )
