"""What the OpenAPI document states beyond what django-ninja derives from the handlers.

Every error answer is ``application/problem+json`` (ninja would write ``application/json``), and
an operation declares the answers that the layers in front of its handler give as well as its
own: 401 without credentials and 429 past the rate limit (with ``Retry-After``) on every
authenticated operation; 413 (a body over the size limit), 415 (a body that is not JSON) and
422 (text no database can store) on every POST, PUT and PATCH (``api/parser.py``); and the
``Idempotency-Key`` header, with its length, on every POST (``api/idempotency.py``). An upload
(a file sent to an import) states its own size limit and media types. Generated
clients and the fuzzing test read these from the document, so it must say what the server does.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from lodestar.api.errors import PROBLEM_JSON
from lodestar.api.idempotency import MAX_KEY_LENGTH
from lodestar.api.parser import UPLOAD_MAX_BYTES, UPLOAD_MEDIA_TYPES
from lodestar.api.schemas import ProblemOut

PROBLEM_REF = f"#/components/schemas/{ProblemOut.__name__}"
_BODY_METHODS = frozenset({"post", "put", "patch"})

# Answers given before the handler runs, with their descriptions in the document.
AUTHENTICATED = {
    401: "Unauthorized: no valid bearer token or session",
    429: "Too many requests: past the rate limit; retry after Retry-After seconds",
}


def _body_checks() -> dict[int, str]:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return {
        413: f"Content too large: the body is over {limit:,} bytes",
        415: "Unsupported media type: the body is not JSON",
        422: "Unprocessable content: the request is not valid; the problem names each field",
    }


def _upload_checks() -> dict[int, str]:
    return {
        413: f"Content too large: the file is over {UPLOAD_MAX_BYTES:,} bytes",
        415: f"Unsupported media type: the body is not {' or '.join(UPLOAD_MEDIA_TYPES)}",
        422: "Unprocessable content: the file or a row is not valid; the problem names each",
    }


def _is_upload(operation: dict[str, Any]) -> bool:
    content = operation.get("requestBody", {}).get("content", {})
    return bool(content) and set(content) <= set(UPLOAD_MEDIA_TYPES)


RETRY_AFTER = {
    "description": "Seconds to wait before retrying.",
    "schema": {"type": "integer", "minimum": 0},
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": (
        "Makes the POST run once per caller and key: a retry with the same key and body "
        "gets the first answer; the same key with another body is a 422. Kept 24 hours."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
    }


def complete_operation(method: str, operation: dict[str, Any]) -> None:
    """Declare on ``operation`` what the layers in front of its handler may answer."""
    responses: dict[Any, dict[str, Any]] = operation.setdefault("responses", {})
    extra: dict[int, str] = {}
    if operation.get("security"):
        extra |= AUTHENTICATED
    if method in _BODY_METHODS:
        extra |= _upload_checks() if _is_upload(operation) else _body_checks()
    for status, description in extra.items():
        if status not in responses and str(status) not in responses:
            responses[status] = {"description": description}
    for status, response in responses.items():
        if int(status) >= 400:
            response.update(_problem(response.get("description", "")))
        if int(status) == 429:
            response["headers"] = {"Retry-After": RETRY_AFTER}
    if method == "post":
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == IDEMPOTENCY_KEY["name"] for p in parameters):
            parameters.append(dict(IDEMPOTENCY_KEY))


def complete(schema: OpenAPISchema) -> OpenAPISchema:
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            complete_operation(method, operation)
    return schema


class LodestarApi(NinjaAPI):
    """The NinjaAPI whose OpenAPI document states every answer the server gives.

    The document is built once per process and prefix (the routes do not change after start-up;
    building it walks every schema, hundreds of milliseconds), and each caller gets a copy."""

    def get_openapi_schema(
        self,
        *,
        path_prefix: str | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> OpenAPISchema:
        key = (path_prefix, tuple(sorted((path_params or {}).items())))
        built: dict[Any, OpenAPISchema] = self.__dict__.setdefault("_documents", {})
        if key not in built:
            built[key] = complete(
                super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
            )
        return copy.deepcopy(built[key])
