from __future__ import annotations

from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """A creating POST sent with an ``Idempotency-Key``: claimed before it runs, then its answer.

    The row is inserted (the claim, ``status`` null) in its own committed transaction before the
    request runs, so the unique (identity, key) lets exactly one of several concurrent requests
    run; the answer is stored on it afterwards and replayed to every retry.
    """

    identity = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    # Null while the claiming request runs; the stored answer's status once it has finished.
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True, default="")
    body = models.BinaryField(default=b"")
    # When the key was claimed (or an abandoned claim taken over); retention counts from here.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["identity", "key"], name="idempotency_unique_key"),
            models.CheckConstraint(
                condition=models.Q(status__isnull=True) | models.Q(status__gte=200, status__lt=300),
                name="idempotency_answer_is_a_success",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
