"""``Idempotency-Key`` on creating POSTs: a retry gets the first answer, not a second object.

Keys are scoped to the caller (token or session user) and kept for 24 hours. The same key with
another body or path is refused with 422, so a client bug cannot silently reuse a key.

The operation runs once even when several requests with one key arrive together: each first
*claims* the key by inserting its row (unique per caller and key) in a transaction of its own,
committed before the request runs. The one that inserted runs the request and stores its answer
on the row; the others wait a moment for that answer and replay it, or answer 409
``idempotency_in_progress`` with ``Retry-After`` while it still runs. A request that fails (an
error status or an exception) releases its claim so that a retry runs again; a claim left
unanswered for ``ABANDONED_AFTER`` (its process died) is taken over by the next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from lodestar.api.errors import (
    IdempotencyInProgress,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    problem_response,
)
from lodestar.api.models import IdempotencyRecord

API_PREFIX = "/api/v1/"
RETENTION = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255
# How long a concurrent request with the same key waits for the first one's answer before it
# answers 409; kept short so a server thread is not held for long.
WAIT = dt.timedelta(seconds=2)
POLL_SECONDS = 0.05
RETRY_AFTER_SECONDS = 1
# No request runs this long (the server's worker timeout is 60 s): such a claim is a dead process's.
ABANDONED_AFTER = dt.timedelta(minutes=5)


def _identity(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:64]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


@dataclass(frozen=True)
class _Claim:
    """The key is ours: its row's id and the claim time that proves it is still ours."""

    pk: int
    claimed_at: dt.datetime


def _claim(identity: str, key: str, path: str, fingerprint: str) -> _Claim | None:
    """Insert the claim row, committed at once; None when the key is already taken."""
    now = timezone.now()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                identity=identity,
                key=key,
                method="POST",
                path=path[:500],
                fingerprint=fingerprint,
                status=None,
                created_at=now,
            )
    except IntegrityError:
        return None
    return _Claim(record.pk, now)


def _take_over(record: IdempotencyRecord, path: str, fingerprint: str) -> _Claim | None:
    """Reclaim an expired answer or an abandoned claim; None when another request was faster."""
    now = timezone.now()
    taken = IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).update(
        path=path[:500],
        fingerprint=fingerprint,
        status=None,
        content_type="",
        body=b"",
        created_at=now,
    )
    return _Claim(record.pk, now) if taken else None


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if key is None or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return problem_response(request, IdempotencyKeyInvalid(MAX_KEY_LENGTH))
        identity = _identity(request)
        if identity is None:
            return self.get_response(request)
        fingerprint = hashlib.sha256(request.path.encode() + b"\0" + request.body).hexdigest()
        outcome = self._claim_or_answer(request, identity, key, fingerprint)
        if isinstance(outcome, HttpResponse):
            return outcome
        return self._run(request, outcome)

    def _claim_or_answer(
        self, request: HttpRequest, identity: str, key: str, fingerprint: str
    ) -> _Claim | HttpResponse:
        """Our claim on the key, or the answer to send instead of running the request."""
        deadline = time.monotonic() + WAIT.total_seconds()
        vacant = True
        while True:
            # Waiting only reads: an insert takes the write lock (all of SQLite's) every time.
            if vacant:
                claim = _claim(identity, key, request.path, fingerprint)
                if claim is not None:
                    return claim
            record = IdempotencyRecord.objects.filter(identity=identity, key=key).first()
            # None: the holder released the key (its request failed); claim it ourselves.
            vacant = record is None
            if record is not None:
                answered = record.status is not None
                age = timezone.now() - record.created_at
                if age > (RETENTION if answered else ABANDONED_AFTER):
                    claim = _take_over(record, request.path, fingerprint)
                    if claim is not None:
                        return claim
                elif record.fingerprint != fingerprint:
                    return problem_response(request, IdempotencyKeyReused())
                elif answered:
                    return _replay(record)
                else:
                    if time.monotonic() >= deadline:
                        return problem_response(
                            request, IdempotencyInProgress(retry_after=RETRY_AFTER_SECONDS)
                        )
                    time.sleep(POLL_SECONDS)

    def _run(self, request: HttpRequest, claim: _Claim) -> HttpResponse:
        """Run the request on our claim: store a success's answer, release the claim otherwise."""
        ours = IdempotencyRecord.objects.filter(
            pk=claim.pk, created_at=claim.claimed_at, status__isnull=True
        )
        try:
            response = self.get_response(request)
        except BaseException:
            ours.delete()
            raise
        if 200 <= response.status_code < 300 and not response.streaming:
            # Nothing is stored when the claim was taken over meanwhile: ours was abandoned.
            ours.update(
                status=response.status_code,
                content_type=response.get("Content-Type", "application/json"),
                body=response.content,
            )
        else:
            ours.delete()
        return response
