"""``Idempotency-Key`` on creating POSTs: a retry gets the first answer, not a second object.

Keys are scoped to the caller (token or session user) and kept for 24 hours. The same key
with another body or path is refused with 422, so a client bug cannot silently reuse a key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from lodestar.api.models import IdempotencyRecord

API_PREFIX = "/api/v1/"
RETENTION = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


def _identity(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:64]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def _problem(detail: str, field: str) -> HttpResponse:
    body = {
        "type": "urn:lodestar:problem:idempotency_key_reused",
        "title": "Invalid input",
        "status": 422,
        "detail": detail,
        "code": "idempotency_key_reused",
        "errors": [{"field": field, "message": detail}],
    }
    return HttpResponse(json.dumps(body), status=422, content_type="application/problem+json")


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if key is None or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return _problem(
                f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.", "Idempotency-Key"
            )
        identity = _identity(request)
        if identity is None:
            return self.get_response(request)
        fingerprint = hashlib.sha256(request.path.encode() + b"\0" + request.body).hexdigest()
        since = timezone.now() - RETENTION
        record = IdempotencyRecord.objects.filter(
            identity=identity, key=key, created_at__gte=since
        ).first()
        if record is not None:
            if record.fingerprint != fingerprint:
                return _problem(
                    "This Idempotency-Key was already used for another request; use a new key.",
                    "Idempotency-Key",
                )
            replay = HttpResponse(
                bytes(record.body), status=record.status, content_type=record.content_type
            )
            replay["Idempotent-Replayed"] = "true"
            return replay
        response = self.get_response(request)
        if 200 <= response.status_code < 300 and not response.streaming:
            IdempotencyRecord.objects.filter(identity=identity, key=key).delete()
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(
                        identity=identity,
                        key=key,
                        method="POST",
                        path=request.path[:500],
                        fingerprint=fingerprint,
                        status=response.status_code,
                        content_type=response.get("Content-Type", "application/json"),
                        body=response.content,
                    )
            except IntegrityError:
                # A concurrent retry stored its answer first; ours is equally valid.
                pass
        return response
