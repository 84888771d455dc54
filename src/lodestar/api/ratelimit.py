"""The API rate limit, counted in the database so that it holds across every worker process and
every machine that shares the database (``core.ratelimit``).

Each API request is counted once, before anything else reads it, against the first of: its
bearer token (when the token is valid), its signed-in session user, or else its client
address (unauthenticated requests, such as guessed tokens, are limited too). Every counted
answer says where the caller stands: ``RateLimit-Limit``, ``RateLimit-Remaining`` and
``RateLimit-Reset`` (seconds until the window ends); beyond the limit the answer is a 429
problem with ``Retry-After``, and the operation does not run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from lodestar.api.errors import problem_response
from lodestar.core import ratelimit
from lodestar.core.errors import RateLimited
from lodestar.people.access import authenticate_token
from lodestar.people.models import ApiToken

API_PREFIX = "/api/"


@dataclass(frozen=True)
class TokenLookup:
    """The bearer secret of a request and the live token it names (None when it names none),
    looked up once by the rate limit and reused by the API's authentication."""

    secret: str
    token: ApiToken | None


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def _identity(request: HttpRequest) -> tuple[str, int]:
    """The counter key of ``request`` and its limit per window."""
    secret = _bearer(request)
    if secret is not None:
        token = authenticate_token(secret)
        request.api_token_lookup = TokenLookup(secret, token)  # type: ignore[attr-defined]
        if token is not None:
            return f"api:token:{token.pk}", settings.API_RATE_LIMIT_PER_MINUTE
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"api:user:{user.pk}", settings.API_RATE_LIMIT_PER_MINUTE
    address = ratelimit.client_address(request)
    return f"api:address:{address}", settings.API_ANONYMOUS_RATE_LIMIT_PER_MINUTE


class ApiRateLimitMiddleware:
    """Counts every request under /api/ and refuses those beyond the caller's limit (429).

    Runs after the session is read and before the body is parsed or an Idempotency-Key is
    claimed, so a refused request costs one statement and claims nothing. A limit of 0 turns
    that limit off.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        key, limit = _identity(request)
        if limit <= 0:
            return self.get_response(request)
        moment = ratelimit.now()
        counted = ratelimit.hit(key, window=settings.API_RATE_LIMIT_WINDOW_SECONDS, at=moment)
        reset = counted.seconds_left(moment)
        if counted.count > limit:
            response = problem_response(
                request,
                RateLimited(
                    f"More than {limit} requests in {settings.API_RATE_LIMIT_WINDOW_SECONDS} "
                    f"seconds from this caller; wait {reset} s before sending more.",
                    retry_after=reset,
                ),
            )
        else:
            response = self.get_response(request)
        response["RateLimit-Limit"] = str(limit)
        response["RateLimit-Remaining"] = str(max(0, limit - counted.count))
        response["RateLimit-Reset"] = str(reset)
        return response
