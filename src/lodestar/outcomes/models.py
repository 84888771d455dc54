"""Metrics of a product and their samples (the numbers an outcome is measured by)."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from lodestar.core.models import BaseModel, TrashableModel

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
    # When samples were last written: outcome reviews evaluated before it are evaluated again.
    samples_changed_at = models.DateTimeField(null=True, blank=True)

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


class TargetKind(models.TextChoices):
    ABSOLUTE = "absolute", "A level to reach"
    RELATIVE = "relative", "A change in percent of the baseline"


class Verdict(models.TextChoices):
    PENDING = "pending", "Pending"
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    INCONCLUSIVE = "inconclusive", "Inconclusive"


# A window's days: a week at least (the evaluation needs seven days with samples), a year at most.
WINDOW_MIN_DAYS = 7
WINDOW_MAX_DAYS = 365


class SuccessCriterion(BaseModel):
    """What success means for a release or an epic: ``metric`` reaching ``target`` (a level,
    or a change in percent of the baseline) over the ``evaluation_window_days`` after going
    live, against the ``baseline`` given or the mean of the ``baseline_window_days`` before."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="+")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="criteria")
    release = models.ForeignKey(
        "releases.Release", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        "backlog.BacklogItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target = models.FloatField()
    target_kind = models.CharField(max_length=8, choices=TargetKind.choices)
    baseline = models.FloatField(null=True, blank=True)
    baseline_window_days = models.PositiveSmallIntegerField(default=28)
    evaluation_window_days = models.PositiveSmallIntegerField(default=28)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(release__isnull=False, item__isnull=True)
                | Q(release__isnull=True, item__isnull=False),
                name="criterion_release_or_item",
            ),
            models.CheckConstraint(
                condition=Q(target_kind__in=TargetKind.values), name="criterion_target_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(baseline_window_days__gte=WINDOW_MIN_DAYS)
                & Q(baseline_window_days__lte=WINDOW_MAX_DAYS)
                & Q(evaluation_window_days__gte=WINDOW_MIN_DAYS)
                & Q(evaluation_window_days__lte=WINDOW_MAX_DAYS),
                name="criterion_windows_valid",
            ),
            models.UniqueConstraint(
                fields=["release", "metric"],
                condition=Q(release__isnull=False),
                name="criterion_one_per_release_metric",
            ),
            models.UniqueConstraint(
                fields=["item", "metric"],
                condition=Q(item__isnull=False),
                name="criterion_one_per_item_metric",
            ),
        ]
        indexes = [models.Index(fields=["product", "created_at"], name="criterion_product")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.target_kind} {self.target}"


class OutcomeReview(BaseModel):
    """The outcome of a success criterion: the verdict over its windows, the figures it rests
    on, and what the product manager learnt from it (with the follow-up items made from it).

    Written when the evaluation window closes (``final``), again when late samples arrive, and
    on demand; before the window closes an evaluation on demand is ``pending`` (the figures so
    far, no verdict)."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="+")
    criterion = models.OneToOneField(
        SuccessCriterion, on_delete=models.CASCADE, related_name="review"
    )
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    final = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    started_on = models.DateField()
    baseline_from = models.DateField(null=True, blank=True)
    baseline_until = models.DateField(null=True, blank=True)
    observed_from = models.DateField()
    observed_until = models.DateField()
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_given = models.BooleanField(default=False)
    observed_value = models.FloatField(null=True, blank=True)
    target_level = models.FloatField(null=True, blank=True)
    baseline_days = models.PositiveIntegerField(default=0)
    observed_days = models.PositiveIntegerField(default=0)
    test = models.JSONField(default=dict, blank=True)
    evaluated_at = models.DateTimeField()
    evaluations = models.PositiveIntegerField(default=1)
    learnings = models.TextField(blank=True)
    learnings_html = models.TextField(blank=True, editable=False)
    learnings_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    learnings_at = models.DateTimeField(null=True, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)
    follow_ups: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "backlog.BacklogItem", related_name="+", blank=True
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values), name="outcome_review_verdict_valid"
            ),
            models.CheckConstraint(
                condition=Q(final=True) | Q(verdict="pending"),
                name="outcome_review_pending_until_final",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "observed_until"], name="outcome_review_product"),
        ]
        ordering = ["-observed_until", "-id"]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.verdict}"
