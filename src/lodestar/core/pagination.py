"""Keyset (cursor) pagination: stable under concurrent inserts and O(page) at any depth."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from lodestar.core.errors import Invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

# A row: a model object, or a dict of ``values()``.
R = TypeVar("R")


@dataclass(frozen=True)
class Page(Generic[R]):
    items: list[R]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, width: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise Invalid.field("cursor", "is not a cursor this list gave out") from exc
    if not isinstance(values, list) or len(values) != width:
        raise Invalid.field("cursor", "is not a cursor this list gave out")
    return values


def cursor_after(obj: Any, order: list[str]) -> str:
    """The cursor ``paginate(..., order=order)`` gives out for a page that ends at ``obj``
    (for a list cut by other means, such as a window, whose rest is paged)."""
    return _encode([_attr(obj, field.lstrip("-")) for field in order])


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1 or limit > MAX_LIMIT:
        raise Invalid.field("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


def paginate(
    queryset: models.QuerySet[Any, R],
    *,
    order: list[str],
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[R]:
    """One page of ``queryset`` ordered by ``order`` (fields, ``-field`` for descending; the
    last must be unique, such as the id). ``queryset`` may be a ``values()`` one whose rows
    hold the ``order`` fields.

    The cursor holds the sort values of the last row, so the next page is a range scan.
    """
    size = check_limit(limit)
    qs = queryset.order_by(*order)
    names = [field.lstrip("-") for field in order]
    if cursor:
        values = _decode(cursor, len(order))
        after = Q()
        # (a, b, c) > (x, y, z)  ==  a > x  OR (a = x AND b > y) OR (a = x AND b = y AND c > z)
        # (with < for a descending field)
        for i, field in enumerate(order):
            compare = "lt" if field.startswith("-") else "gt"
            term = Q(**{f"{names[i]}__{compare}": values[i]})
            for j in range(i):
                term &= Q(**{names[j]: values[j]})
            after |= term
        try:
            qs = qs.filter(after)
        except (ValueError, TypeError, ValidationError) as exc:
            raise Invalid.field("cursor", "is not a cursor this list gave out") from exc
    rows = list(qs[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = _encode([_attr(last, name) for name in names])
    return Page(items=rows, next_cursor=next_cursor)


def _attr(obj: Any, path: str) -> Any:
    if isinstance(obj, dict):  # a row of ``values()``
        return obj[path]
    for part in path.split("__"):
        obj = getattr(obj, part)
    if isinstance(obj, models.Model):
        return obj.pk
    return obj
