"""Every status change of a backlog item, with its time: the flow data that cycle time,
throughput, work in progress and cumulative flow are computed from, exactly."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# The statuses of ``backlog.models.ItemStatus`` (imported there, so not imported here).
STATUSES = ("new", "ready", "in_progress", "done", "wont_do")


class ItemStatusChange(models.Model):
    """An item went from ``from_status`` to ``to_status`` at ``at`` ("" from: it was created).

    Written by every backlog service that sets a status, in the same transaction as the item.
    ``day`` is ``at``'s date in the server's time zone, stored so that counting per day is a
    plain ``GROUP BY`` on both databases. ``cycle_seconds``, on a change to done, is the time
    since the item first went into progress (None when it never did): cycle times are read as
    numbers, never recomputed from pairs of rows.
    """

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(
        "backlog.BacklogItem", on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    at = models.DateTimeField()
    day = models.DateField()
    cycle_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=STATUSES), name="item_status_change_to_valid"
            ),
            models.CheckConstraint(
                condition=Q(from_status__in=("", *STATUSES)),
                name="item_status_change_from_valid",
            ),
            models.CheckConstraint(
                condition=~Q(from_status=models.F("to_status")),
                name="item_status_change_changes",
            ),
        ]
        indexes = [
            # Throughput and cycle times: a product's completions by day, the cycle seconds
            # in the index so that reading 50,000 of them touches no table row.
            models.Index(
                fields=["product", "to_status", "day", "cycle_seconds"],
                name="status_change_to_day",
            ),
            # Cumulative flow: the changes of each day, from and to, read from the index alone.
            models.Index(
                fields=["product", "day", "from_status", "to_status"], name="status_change_day"
            ),
            # An item's changes (when it first started: work in progress and its age).
            models.Index(fields=["item", "to_status", "at"], name="status_change_item_to_at"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_status or 'created'} -> {self.to_status} at {self.at}"
