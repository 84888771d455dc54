"""Background work of the API: forgetting Idempotency-Keys once their retention is over."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from lodestar.api.idempotency import RETENTION
from lodestar.api.models import IdempotencyRecord


def purge_idempotency_records() -> int:
    """Delete the keys (and stored answers) claimed longer ago than the retention period;
    returns how many. A retry after that runs again, as the API's documentation says."""
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - RETENTION
    ).delete()
    return deleted


@task()
def purge_idempotency() -> int:
    return purge_idempotency_records()
