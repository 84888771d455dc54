"""Text that no database can store is bad input, named by its field, for every operation.

PostgreSQL refuses the NUL character in text, and neither database can store a lone UTF-16
surrogate (``"\\ud800"``, which JSON allows): left in, either became a 500 when the row was
written. A JSON body can only carry them as ``\\u`` escapes, so the body is searched for those
first (no cost for every other request) and, when one is there, parsed to name the field in a
422. The check runs before the Idempotency-Key is claimed, so a refused request claims nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from lodestar.api.errors import ApiErrorCode, problem_response
from lodestar.core.errors import Invalid

# A NUL or any surrogate written as a JSON escape (surrogate pairs are checked once parsed).
_SUSPECT = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _problem(text: str) -> str | None:
    if "\x00" in text:
        return "must not contain the NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text (it holds a lone surrogate such as \\ud800)"
    return None


def check_text(value: Any, path: str = "") -> None:
    """Raise a 422 naming the first string (key or value) in ``value`` that cannot be stored."""
    if isinstance(value, str):
        problem = _problem(value)
        if problem:
            raise Invalid.field(path or "body", problem, code=ApiErrorCode.TEXT_INVALID)
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _problem(key):
                raise Invalid.field(
                    path or "body",
                    f"has a field name that {_problem(key)}",
                    code=ApiErrorCode.TEXT_INVALID,
                )
            check_text(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_text(item, f"{path}[{index}]")


class StorableTextMiddleware:
    """Refuse an API request whose JSON body holds text no database can store (422)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in _BODY_METHODS
            and request.path.startswith("/api/")
            and _SUSPECT.search(request.body)
        ):
            try:
                data = json.loads(request.body)
            except ValueError:
                data = None  # not JSON at all: the API's own parser says so
            try:
                check_text(data)
            except Invalid as error:
                return problem_response(request, error)
        return self.get_response(request)
