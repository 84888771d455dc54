"""HTTP details shared by routers: ETag / If-Match for optimistic concurrency."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse

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
