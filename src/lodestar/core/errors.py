"""Domain errors and their RFC 9457 problem+json form.

Services raise these; the API renders them as ``application/problem+json``, pages as messages
and the CLI as one line with exit code 2. Each context has its own ``errors.py`` with a
``StrEnum`` of stable codes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar


class CoreErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"
    VALIDATION = "validation_error"
    CONFLICT = "conflict"
    STALE_VERSION = "stale_version"
    PRECONDITION_REQUIRED = "precondition_required"
    RATE_LIMITED = "rate_limited"
    BAD_IF_MATCH = "bad_if_match"
    SERVER_ERROR = "server_error"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class DomainError(Exception):
    """Base of every error a user can cause; carries an HTTP status and a stable code."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    default_code: ClassVar[str] = CoreErrorCode.VALIDATION

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = str(code or self.default_code)
        self.errors = errors or []
        self.headers = headers or {}

    def problem(self, *, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"urn:lodestar:problem:{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [error.as_dict() for error in self.errors]
        return body


class NotFound(DomainError):
    """Missing, in another workspace, or not visible to the actor: all answer the same."""

    status = 404
    title = "Not found"
    default_code = CoreErrorCode.NOT_FOUND


class Unauthenticated(DomainError):
    status = 401
    title = "Authentication required"
    default_code = CoreErrorCode.UNAUTHENTICATED


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    default_code = CoreErrorCode.FORBIDDEN


class Invalid(DomainError):
    """Input that cannot be accepted; ``errors`` names each field and what to fix."""

    status = 422
    title = "Invalid input"
    default_code = CoreErrorCode.VALIDATION

    @classmethod
    def field(cls, field: str, message: str, *, code: str | None = None) -> Invalid:
        return cls.fields([FieldError(field, message)], code=code)

    @classmethod
    def fields(cls, errors: list[FieldError], *, code: str | None = None) -> Invalid:
        """Several fields at once; the detail lists them as the API writes them."""
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or "The request is invalid."
        return cls(detail, code=code, errors=errors)


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    default_code = CoreErrorCode.CONFLICT


class StaleVersion(DomainError):
    """A write claimed a version that is no longer the row's; when the history says who wrote
    the row last, ``changed_by`` and ``changed_at`` name them (problem+json extension members)."""

    status = 412
    title = "Precondition failed"
    default_code = CoreErrorCode.STALE_VERSION

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        changed_by: str | None = None,
        changed_at: dt.datetime | None = None,
    ) -> None:
        super().__init__(detail, code=code)
        self.changed_by = changed_by
        self.changed_at = changed_at

    def problem(self, *, instance: str | None = None) -> dict[str, Any]:
        body = super().problem(instance=instance)
        if self.changed_by is not None and self.changed_at is not None:
            body["changed_by"] = self.changed_by
            body["changed_at"] = (
                self.changed_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
            )
        return body


class RateLimited(DomainError):
    status = 429
    title = "Too many requests"
    default_code = CoreErrorCode.RATE_LIMITED

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


# -- errors in words -----------------------------------------------------------------------------


def field_label(field: str) -> str:
    """A field path as a person reads it: ``inputs.reach`` -> "Reach", ``job_title`` ->
    "Job title", ``estimate_scale[2]`` -> "Estimate scale", ``items.0`` -> "Items". An object
    named in brackets stays in the label, since the field alone would not say which one
    (a batch of items): ``items[ACME-3].status`` -> "ACME-3 status", ``items[ACME-3]`` ->
    "ACME-3"."""
    parts = [part for part in field.split(".") if part]
    named = [part for part in parts if not part.isdigit()]
    last = named[-1] if named else field
    name = last.split("[")[0]
    label = name.replace("_", " ").capitalize()
    keys: list[str] = [
        key for part in named for key in re.findall(r"\[([^\]]+)\]", part) if not key.isdigit()
    ]
    if not keys:
        return label
    if last.endswith(f"[{keys[-1]}]"):
        return keys[-1]
    return f"{keys[-1]} {label.lower()}"


def field_sentence(error: FieldError) -> str:
    """One field error as a sentence: "Title: must not be empty." """
    message = error.message.rstrip()
    return f"{field_label(error.field)}: {message}{'' if message.endswith('.') else '.'}"


def error_sentence(error: DomainError) -> str:
    """What a page message or the CLI's one-line error says for ``error``: its field errors as
    sentences (each names the field to fix), or its detail."""
    if isinstance(error, Invalid) and error.errors:
        return " ".join(field_sentence(field_error) for field_error in error.errors)
    return error.detail
