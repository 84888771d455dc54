"""HTTP details shared by routers: ETag / If-Match for optimistic concurrency, and answers to
the browser session kept out of every cache."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from ninja.renderers import JSONRenderer

from lodestar.core.errors import CoreErrorCode, Invalid

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')
# Versions are stored as 32-bit integers: a larger one was never sent by this API.
_VERSION_MAX = 2_147_483_647


# Declared (``openapi_extra=IF_MATCH``) on every operation that reads the header.
IF_MATCH: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": "If-Match",
            "required": False,
            "description": (
                'The ETag this API sent for the object ("3", W/"3" or 3; versions go up to '
                f"{_VERSION_MAX}), or *: the write applies only to that version, else 412."
            ),
            "schema": {"type": "string", "pattern": r'^[ \t]*(\*|(W/)?"?[0-9]{1,10}"?)[ \t]*$'},
        }
    ]
}


def if_match(request: HttpRequest) -> int | None:
    """The version the caller last saw, from ``If-Match`` (``"3"``, ``W/"3"`` or ``3``)."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    match = _ETAG.match(raw)
    if match is None or int(match.group(1)) > _VERSION_MAX:
        raise Invalid.field(
            "If-Match",
            'must be the ETag this API sent, for example "3"',
            code=CoreErrorCode.BAD_IF_MATCH,
        )
    return int(match.group(1))


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'


def json_answer(data: Any, status: int = 200) -> HttpResponse:
    """``data``, already shaped as the operation's declared answer, rendered as the API renders
    every answer (same encoder, same content type) without validating it again. For long lists
    built as plain values, where building and dumping a schema object per row cost more than
    reading the rows; a test compares such answers with the schema's."""
    content = json.dumps(data, cls=JSONRenderer.encoder_class, **JSONRenderer.json_dumps_params)
    return HttpResponse(
        content,
        status=status,
        content_type=f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}",
    )


def by_session(request: HttpRequest) -> bool:
    """Whether ``request`` is answered to the browser session: the API authenticated it by the
    session (not a bearer token), or it carries a signed-in session and no token (an answer
    replayed for an Idempotency-Key never reaches the authentication)."""
    if getattr(request, "auth", None) is not None:
        return not hasattr(request, "api_token")
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return signed_in and "Authorization" not in request.headers


class SessionAnswersMiddleware:
    """An API answer to the browser session is that person's data, fetched with a cookie: no
    cache may keep it (``Cache-Control: no-store``), and none may hand it to a request with
    another cookie (``Vary: Cookie``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/") and by_session(request):
            patch_cache_control(response, no_store=True, private=True)
            patch_vary_headers(response, ["Cookie"])
        return response
