"""Request bodies checked before any operation reads them.

Bodies are JSON, except the files an import takes (**uploads**: a POST to a path ending in
``/import``; its body is the file itself, ``text/csv``, up to ``UPLOAD_MAX_BYTES``, checked by
its declared length before a byte is read and read here once, so the idempotency layer and
the operation see the same bytes), and an import from another tool (a POST to a path ending
in ``/imports``: ``multipart/form-data`` with the file and its options, up to
``IMPORT_MAX_BYTES``, checked and read the same way). Anything else that is not JSON is a 415.

Text that no database can store is bad input, named by its field, for every operation.

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

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

from lodestar.api.errors import (
    PROBLEM_JSON,
    ApiErrorCode,
    BodyTooLarge,
    MethodNotAllowed,
    UnsupportedMediaType,
    UriTooLong,
    problem_response,
)
from lodestar.core.errors import DomainError, Invalid

# What an upload's body may be, and how large (an import of about 100,000 rows).
UPLOAD_MEDIA_TYPES = ("text/csv", "text/plain")
UPLOAD_MAX_BYTES = 25 * 1024 * 1024
UPLOAD_SUFFIX = "/import"
# An import from another tool: a form with the file and its options.
FORM_UPLOAD_SUFFIX = "/imports"
FORM_OVERHEAD_BYTES = 64 * 1024  # the form's other fields and part headers

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
            problem = _problem(key)  # JSON object keys are always strings
            if problem:
                raise Invalid.field(
                    path or "body",
                    f"has a field name that {problem}",
                    code=ApiErrorCode.TEXT_INVALID,
                )
            check_text(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_text(item, f"{path}[{index}]")


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def _empty_form(request: HttpRequest) -> bool:
    """A form encoding with nothing in it (what some clients send for a POST without a body)."""
    forms = ("multipart/form-data", "application/x-www-form-urlencoded")
    if request.content_type not in forms:
        return False
    try:
        return not request.POST and not request.FILES
    except MultiPartParserError:
        return False  # not even a form (no boundary, a broken part): not JSON either


def _body_problem(request: HttpRequest) -> DomainError | None:
    """What is wrong with an API request's body before any operation reads it, if anything."""
    try:
        body = request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return BodyTooLarge(
            f"The request body is larger than this server takes ({limit:,} bytes); send less "
            "at once."
        )
    if body and not _is_json(request.content_type or "") and not _empty_form(request):
        return UnsupportedMediaType(
            "Send the request body as JSON, with the header Content-Type: application/json."
        )
    if _SUSPECT.search(body):
        try:
            data = json.loads(body)
        except ValueError:
            return None  # not JSON at all: the API's own parser says so
        try:
            check_text(data)
        except Invalid as error:
            return error
    return None


def is_upload(request: HttpRequest) -> bool:
    """Whether ``request`` sends a file to an import (rather than JSON)."""
    return request.method == "POST" and request.path.endswith(UPLOAD_SUFFIX)


def upload_body() -> dict[str, Any]:
    """The ``requestBody`` an upload operation declares in the OpenAPI document."""
    schema = {"type": "string", "description": "The file (UTF-8 CSV) as it is on disk."}
    return {
        "required": True,
        "description": f"The file itself, up to {UPLOAD_MAX_BYTES:,} bytes.",
        "content": {media: {"schema": schema} for media in UPLOAD_MEDIA_TYPES},
    }


def _too_large() -> BodyTooLarge:
    return BodyTooLarge(
        f"The file is larger than this server takes ({UPLOAD_MAX_BYTES:,} bytes, "
        f"{UPLOAD_MAX_BYTES // 1024 // 1024} MB); split it into several files."
    )


def _upload_problem(request: HttpRequest) -> DomainError | None:
    """Read an upload's body (at most one byte past the limit), or say what is wrong."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > UPLOAD_MAX_BYTES:
        return _too_large()
    kind = (request.content_type or "").lower()
    if declared and kind not in UPLOAD_MEDIA_TYPES:
        return UnsupportedMediaType(
            "Send the file itself as the request body, with the header Content-Type: text/csv."
        )
    data = request.read(UPLOAD_MAX_BYTES + 1)
    if len(data) > UPLOAD_MAX_BYTES:
        return _too_large()
    if data and kind not in UPLOAD_MEDIA_TYPES:  # a body sent without its length
        return UnsupportedMediaType(
            "Send the file itself as the request body, with the header Content-Type: text/csv."
        )
    # Django keeps a body it has read here: ``request.body`` answers these bytes from now on,
    # without its own (JSON-sized) limit.
    request._body = data
    return None


def is_form_upload(request: HttpRequest) -> bool:
    """Whether ``request`` sends a file from another tool to import, as a form."""
    return request.method == "POST" and request.path.endswith(FORM_UPLOAD_SUFFIX)


def _form_too_large() -> BodyTooLarge:
    limit = settings.IMPORT_MAX_BYTES
    return BodyTooLarge(
        f"The file is larger than this server imports ({limit:,} bytes, "
        f"{limit // 1024 // 1024} MB); export fewer issues at a time and import each file."
    )


def _form_upload_problem(request: HttpRequest) -> DomainError | None:
    """Read an import form's body (at most one byte past the limit), or say what is wrong."""
    limit = settings.IMPORT_MAX_BYTES + FORM_OVERHEAD_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _form_too_large()
    if request.content_type != "multipart/form-data":
        return UnsupportedMediaType(
            "Send the import as multipart/form-data: the file in the field 'file', the "
            "options (source, product, ...) as form fields."
        )
    data = request.read(limit + 1)
    if len(data) > limit:
        return _form_too_large()
    request._body = data
    return None


def _uri_problem(request: HttpRequest) -> DomainError | None:
    """A URL (path and query, as sent) longer than ``API_MAX_URL_LENGTH``: no operation takes
    one, and a long query is a list that belongs in a body or in pages."""
    limit = settings.API_MAX_URL_LENGTH
    length = len(request.get_full_path())
    if length <= limit:
        return None
    return UriTooLong(
        f"The URL is {length:,} characters long; this API takes at most {limit:,}. Shorten "
        "the query (fewer or shorter parameters), or page through the list with ?cursor=."
    )


class ApiBodyMiddleware:
    """Every API answer about the request itself is problem+json: a URL over the length limit
    (414), a body over the size limit (413), a body that is not JSON or, for an upload, not
    CSV (415), text no database can store (422), a method the endpoint does not have (405).
    Runs before the Idempotency-Key is claimed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        too_long = _uri_problem(request)
        if too_long is not None:
            return problem_response(request, too_long)
        if is_upload(request):
            problem = _upload_problem(request)
            if problem is not None:
                return problem_response(request, problem)
        elif is_form_upload(request):
            problem = _form_upload_problem(request)
            if problem is not None:
                return problem_response(request, problem)
        elif request.method in _BODY_METHODS:
            problem = _body_problem(request)
            if problem is not None:
                return problem_response(request, problem)
        response = self.get_response(request)
        if response.status_code == 405 and response.get("Content-Type") != PROBLEM_JSON:
            allowed = response.get("Allow", "")
            answer = problem_response(
                request,
                MethodNotAllowed(
                    f"{request.method} is not a method of this endpoint"
                    + (f"; it takes {allowed}." if allowed else ".")
                ),
            )
            if allowed:
                answer["Allow"] = allowed
            return answer
        return response
