"""Every API error as RFC 9457 ``application/problem+json``."""

from __future__ import annotations

import json
import logging
from enum import StrEnum
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lodestar.core.errors import (
    Conflict,
    CoreErrorCode,
    DomainError,
    FieldError,
    Invalid,
    NotFound,
    Unauthenticated,
)
from lodestar.people.access import token_expired_at

logger = logging.getLogger("lodestar.api")

PROBLEM_JSON = "application/problem+json"

# Where a parameter came from: dropped from the field path shown to the caller.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


class ApiErrorCode(StrEnum):
    """Codes of errors the HTTP layer itself raises, before any context's service runs."""

    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
    # A string in a JSON body that no database can store (NUL, a lone surrogate).
    TEXT_INVALID = "text_invalid"
    NUMBER_OUT_OF_RANGE = "number_out_of_range"
    BODY_TOO_LARGE = "body_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CSRF_FAILED = "csrf_failed"
    URI_TOO_LONG = "uri_too_long"


IDEMPOTENCY_KEY = "Idempotency-Key"


class IdempotencyKeyInvalid(Invalid):
    def __init__(self, max_length: int) -> None:
        message = f"must be 1 to {max_length} characters"
        super().__init__(
            f"{IDEMPOTENCY_KEY}: {message}",
            code=ApiErrorCode.IDEMPOTENCY_KEY_INVALID,
            errors=[FieldError(IDEMPOTENCY_KEY, message)],
        )


class IdempotencyKeyReused(Invalid):
    """The key already belongs to another request (another body or path) of this caller."""

    def __init__(self) -> None:
        message = "was already used for another request; use a new key"
        super().__init__(
            f"This {IDEMPOTENCY_KEY} {message}.",
            code=ApiErrorCode.IDEMPOTENCY_KEY_REUSED,
            errors=[FieldError(IDEMPOTENCY_KEY, message)],
        )


class IdempotencyInProgress(Conflict):
    """The first request with this key is still running; retrying later replays its answer."""

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(
            f"A request with this {IDEMPOTENCY_KEY} is still running; retry in "
            f"{retry_after} s to get its answer.",
            code=ApiErrorCode.IDEMPOTENCY_IN_PROGRESS,
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


class NumberOutOfRange(Invalid):
    """A number larger than any id, count or version this API stores (the database refused
    it): bad input, not a server error."""

    def __init__(self) -> None:
        super().__init__(
            "A number in this request is larger than any id, count or version there can be; "
            "check the ids and numbers you sent.",
            code=ApiErrorCode.NUMBER_OUT_OF_RANGE,
        )


class BodyTooLarge(DomainError):
    status = 413
    title = "Content too large"
    default_code = ApiErrorCode.BODY_TOO_LARGE


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported media type"
    default_code = ApiErrorCode.UNSUPPORTED_MEDIA_TYPE


class UriTooLong(DomainError):
    status = 414
    title = "URI too long"
    default_code = ApiErrorCode.URI_TOO_LONG


class MethodNotAllowed(DomainError):
    status = 405
    title = "Method not allowed"
    default_code = ApiErrorCode.METHOD_NOT_ALLOWED


class CsrfFailed(DomainError):
    """A call with the browser session whose CSRF token is missing or wrong."""

    status = 403
    title = "Forbidden"
    default_code = ApiErrorCode.CSRF_FAILED

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The CSRF check failed: {reason} A call with the browser session must send the "
            "header X-CSRFToken with the value of the csrftoken cookie; a script should send "
            "'Authorization: Bearer <token>' instead."
        )


# What django-ninja's session authentication raises (as a 403 HttpError) when CSRF fails.
_NINJA_CSRF_FAILED = "CSRF check Failed"


class _CsrfReason(CsrfViewMiddleware):
    """Django's CSRF check, answering why it refused instead of the 403 page."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponseForbidden:
        return HttpResponseForbidden(reason)


def _csrf_reason(request: HttpRequest) -> str:
    check = _CsrfReason(lambda _request: HttpResponse())
    request.csrf_processing_done = False  # type: ignore[attr-defined]
    check.process_request(request)
    # Any view that is not exempt from the check (api_not_found is).
    refused = check.process_view(request, _unauthenticated, (), {})
    reason = refused.content.decode() if refused is not None else "the token was refused."
    return reason if reason.endswith(".") else f"{reason}."


def _out_of_range(exc: Exception) -> bool:
    """Whether ``exc`` is the database refusing a number too large for its column."""
    if isinstance(exc, OverflowError):
        return True  # SQLite: "Python int too large to convert to SQLite INTEGER"
    if isinstance(exc, DataError):
        return "out of range" in str(exc)  # PostgreSQL: "value out of range for type bigint"
    return False


class ServerError(DomainError):
    status = 500
    title = "Internal server error"
    default_code = CoreErrorCode.SERVER_ERROR

    def __init__(self) -> None:
        super().__init__("Something went wrong on our side; it has been logged.")


@csrf_exempt
def api_not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Unknown paths under /api/v1/ answer problem+json too, never the HTML 404 page."""
    return problem_response(
        request, NotFound("No such API endpoint. The reference is at /api/v1/docs.")
    )


def problem_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    response = HttpResponse(
        json.dumps(error.problem(instance=request.path)),
        status=error.status,
        content_type=PROBLEM_JSON,
    )
    for name, value in error.headers.items():
        response[name] = value
    return response


def _unauthenticated(request: HttpRequest) -> HttpResponse:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    bearer = secret.strip() if scheme.lower() == "bearer" else ""
    # A refused token is read again only to say that it expired, when it did.
    expired = token_expired_at(bearer) if bearer else None
    if expired is not None:
        error = Unauthenticated(
            f"This API token expired on {expired:%Y-%m-%d %H:%M} UTC. Create a new one (your "
            "account's API tokens page, or 'lodestar token create')."
        )
    else:
        error = Unauthenticated(
            "Send 'Authorization: Bearer <token>' (create one with 'lodestar token create') or "
            "sign in."
        )
    response = problem_response(request, error)
    response["WWW-Authenticate"] = 'Bearer realm="lodestar"'
    return response


def _csrf_failed(request: HttpRequest) -> HttpResponse:
    """The session's CSRF check refused the call. A caller that sent a bearer token, or no
    session cookie, was not calling with a session at all: its token (or nothing) did not
    authenticate, a 401. Otherwise a 403 that says why the token was refused."""
    if "Authorization" in request.headers or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return _unauthenticated(request)
    return problem_response(request, CsrfFailed(_csrf_reason(request)))


def _field_path(loc: list[Any], body_params: set[str]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        # ninja nests a body schema under its parameter name; callers never see it.
        if source == "body" and parts and parts[0] in body_params:
            parts.pop(0)
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "is not a field this endpoint accepts; remove it"
    if kind == "missing":
        return "is required"
    if kind == "json_invalid":
        return "the request body is not valid JSON"
    return str(error.get("msg", "is invalid"))


def _validation_problem(exc: ValidationError) -> Invalid:
    body_params = {"payload", "data", "body"}
    errors = [
        FieldError(_field_path(list(e.get("loc", [])), body_params), _message(e))
        for e in exc.errors
    ]
    return Invalid.fields(errors)


def install(api: NinjaAPI) -> None:
    """Register the problem+json handlers on ``api``."""

    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return problem_response(request, exc)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return problem_response(request, _validation_problem(exc))

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _unauthenticated(request)

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code >= 500:
            return problem_response(request, ServerError())
        if exc.status_code == 403 and str(exc) == _NINJA_CSRF_FAILED:
            return _csrf_failed(request)
        error = DomainError(str(exc))
        error.code = CoreErrorCode.VALIDATION
        response = problem_response(request, error)
        # The body states the status sent, whatever it is.
        body = json.loads(response.content)
        body["status"] = exc.status_code
        body["title"] = HTTPStatus(exc.status_code).phrase
        response.content = json.dumps(body).encode()
        response.status_code = exc.status_code
        return response

    def on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem_response(request, NotFound("Not found."))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        if _out_of_range(exc):
            return problem_response(request, NumberOutOfRange())
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return problem_response(request, ServerError())

    api.add_exception_handler(DomainError, on_domain_error)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, on_validation)  # type: ignore[arg-type]
    api.add_exception_handler(AuthenticationError, on_auth)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, on_http)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, on_404)  # type: ignore[arg-type]
    api.add_exception_handler(Exception, on_unexpected)  # type: ignore[arg-type]
