"""A workspace's webhooks and the log of their deliveries (docs/WEBHOOKS.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from lodestar.core.models import BaseModel


class DeliveryState(models.TextChoices):
    """Where a delivery stands: ``failed`` has another attempt due at ``next_attempt_at``;
    ``gave_up`` has none left (its attempts ran out, or its webhook was disabled or deleted)."""

    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed, will retry"
    GAVE_UP = "gave_up", "Gave up"


class Webhook(BaseModel):
    """Where a workspace's events go: a receiver's URL, the event kinds it hears (``events``:
    kinds such as ``item.created``, a whole type as ``item.*``, or ``*`` for every kind), and
    the secret its deliveries are signed with (shown once, when made or rotated)."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=300, blank=True)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    # Why it is disabled (by hand, or after repeated failures), and when.
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Failed deliveries in a row, and since when it has failed without a success between.
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    # The last delivery attempt (for the list of webhooks).
    last_delivery_at = models.DateTimeField(null=True, blank=True)
    last_delivery_state = models.CharField(max_length=16, blank=True)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        "people.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["workspace", "active"], name="webhook_workspace")]

    def __str__(self) -> str:
        return self.url[:200]

    @property
    def secret_hint(self) -> str:
        """The secret's first characters, to tell which one a receiver holds."""
        return f"{self.secret[:10]}…"


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one webhook, with what its last attempt met. A
    redelivery by hand is a new row (``redelivery_of``) carrying the same event and payload."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=80)
    payload = models.JSONField()
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Taken by a worker until then (a second worker, or the hourly sweep, leaves it alone).
    claimed_until = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="webhook_delivery_state"
            ),
        ]
        indexes = [
            # A webhook's log, newest first.
            models.Index(fields=["webhook", "-id"], name="webhook_delivery_log"),
            # What is due (the hourly sweep).
            models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to webhook {self.webhook_id}: {self.state}"
