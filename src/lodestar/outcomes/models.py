"""Metrics of a product and their samples (the numbers an outcome is measured by)."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import models
from django.db.models import Q

from lodestar.core.models import TrashableModel

# The largest finite float: a sample's value lies within it (no NaN, no infinity), checked by
# the database too (on PostgreSQL NaN sorts above every number, so it fails the check).
FLOAT_MAX = sys.float_info.max


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Aggregation(models.TextChoices):
    MEAN = "mean", "Mean of the day's samples"
    SUM = "sum", "Sum of the day's samples"
    LAST = "last", "The day's last sample"


class Metric(TrashableModel):
    """A number a product is measured by: its samples, aggregated per day (in ``time_zone``)
    by ``aggregation``, make the daily series outcomes are evaluated on."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    unit = models.CharField(max_length=20, blank=True)
    direction = models.CharField(max_length=6, choices=Direction.choices)
    aggregation = models.CharField(
        max_length=4, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    time_zone = models.CharField(max_length=64, default="UTC")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "key"], name="metric_unique_key"),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="metric_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(aggregation__in=Aggregation.values), name="metric_aggregation_valid"
            ),
        ]
        ordering = ["product_id", "key"]

    def __str__(self) -> str:
        return self.name


class MetricSample(models.Model):
    """One measurement: a metric's value at a time (stored in UTC). One per metric and time:
    pushing a time again replaces the value stored for it."""

    id = models.BigAutoField(primary_key=True)
    # No index of their own: every read goes through (metric, at), whose first column serves
    # the metric's too, and each index more is written for every sample (ingest speed).
    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    metric = models.ForeignKey(
        Metric, on_delete=models.CASCADE, related_name="samples", db_index=False
    )
    at = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        constraints = [
            # Also the index every read of a metric's samples walks (metric, time range).
            models.UniqueConstraint(fields=["metric", "at"], name="metric_sample_unique_time"),
            models.CheckConstraint(
                condition=Q(value__gte=-FLOAT_MAX) & Q(value__lte=FLOAT_MAX),
                name="metric_sample_value_finite",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.at.isoformat()} = {self.value}"


class MetricDay(models.Model):
    """One day of a metric (in its time zone), kept by every write of its samples: how many
    there were, their sum, and the last one; the daily series and outcome evaluations read
    these instead of the samples. Rebuilt from the samples when the metric's zone changes."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    metric = models.ForeignKey(
        Metric, on_delete=models.CASCADE, related_name="days", db_index=False
    )
    day = models.DateField()
    samples = models.PositiveIntegerField()
    total = models.FloatField()
    last_at = models.DateTimeField()
    last_value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["metric", "day"], name="metric_day_unique"),
            models.CheckConstraint(condition=Q(samples__gt=0), name="metric_day_has_samples"),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.day}"
