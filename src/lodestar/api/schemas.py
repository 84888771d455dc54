"""Schemas every router shares: strict input, problem documents, cursor pages."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema
from pydantic import ConfigDict

T = TypeVar("T")


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


class PageOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None


ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE_ERRORS = {**ERRORS, 409: ProblemOut, 412: ProblemOut}
