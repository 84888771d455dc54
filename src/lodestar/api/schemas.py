"""Schemas every router shares: strict input, problem documents, cursor pages."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from ninja import Schema
from pydantic import ConfigDict, Field

from lodestar.core.pagination import MAX_LIMIT

T = TypeVar("T")

# The limits the server enforces, stated in the OpenAPI document so that clients know them.
Limit = Annotated[
    int, Field(ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT} (default 50)")
]
# Ids are positive 64-bit integers: anything else can name nothing.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class InSchema(Schema):
    """Base of request bodies: an unknown field is an error that names it, never ignored."""

    model_config = ConfigDict(extra="forbid")


class FieldErrorOut(Schema):
    field: str
    message: str


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[FieldErrorOut] | None = None
    # A 412 (``stale_version``) names who changed the object last and when (UTC, ISO 8601).
    changed_by: str | None = None
    changed_at: str | None = None


class PageOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None


ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE_ERRORS = {**ERRORS, 409: ProblemOut, 412: ProblemOut}
