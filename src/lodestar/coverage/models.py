"""The coverage context's own rows: a daily rollup of the activity that counts, read for the
whole days of a period (``coverage/rollup.py`` keeps it; ``coverage/activity.py`` reads it),
derived from history and rebuilt from it at any time; and a workspace's own thresholds for
the summary's rules (``CoverageThresholds``), the one thing here a person sets."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from lodestar.core.models import BaseModel

# The bounds of a workspace's thresholds (``coverage.summary.Thresholds``).
CARRIES_MIN_RANGE = (1, 100)
DISCOVERY_GAP_MIN_RANGE = (1, 4)


class ActivityDay(models.Model):
    """One person's count of one activity on one day's live objects of one product (0: tied to
    no product), and when they did it last that day. A day ``d`` holds the entries of
    ``(d 00:00, d+1 00:00]`` UTC (the start excluded, the end included, like a period)."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    product_id = models.BigIntegerField()
    activity = models.CharField(max_length=64)
    actor_id = models.BigIntegerField()
    count = models.IntegerField()
    last = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "day", "product_id", "activity", "actor_id", "count", "last"],
                name="coverage_day_idx",
            ),
            models.Index(
                fields=["product_id", "day", "activity", "actor_id", "count", "last"],
                name="coverage_day_product_idx",
            ),
            # Some activities' rows over a long stretch (``activity.last_done``).
            models.Index(
                fields=["workspace", "activity", "day", "product_id", "actor_id", "last"],
                name="coverage_day_activity_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} by {self.actor_id} on {self.day}: {self.count}"


class RollupState(models.Model):
    """Which whole days of a workspace the rollup holds: ``(start, end]``, both midnights UTC."""

    workspace = models.OneToOneField("people.Workspace", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    # Days an event changed that are not rebuilt yet (ISO dates), and since when: while there
    # are any, coverage is read from history alone.
    dirty = models.JSONField(default=list, blank=True)
    dirty_since = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"rollup of workspace {self.workspace_id}: ({self.start}, {self.end}]"


class CoverageThresholds(BaseModel):
    """A workspace's numbers for the summary's rules (``coverage.summary.Thresholds``); a
    workspace without a row uses the defaults. Set by an owner or admin
    (``coverage.services.thresholds_set``)."""

    workspace = models.OneToOneField(
        "people.Workspace", on_delete=models.CASCADE, related_name="coverage_thresholds"
    )
    carries_min = models.PositiveSmallIntegerField(default=2)
    discovery_gap_min = models.PositiveSmallIntegerField(default=2)
    updated_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(carries_min__gte=CARRIES_MIN_RANGE[0])
                & Q(carries_min__lte=CARRIES_MIN_RANGE[1]),
                name="coverage_carries_min_range",
            ),
            models.CheckConstraint(
                condition=Q(discovery_gap_min__gte=DISCOVERY_GAP_MIN_RANGE[0])
                & Q(discovery_gap_min__lte=DISCOVERY_GAP_MIN_RANGE[1]),
                name="coverage_discovery_gap_min_range",
            ),
        ]

    def __str__(self) -> str:
        return "Coverage thresholds"
