"""Stored scores of backlog items and each product's weighted scorecard."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from lodestar.backlog.prioritization.frameworks import Framework
from lodestar.core.models import BaseModel


class ScoreFramework(models.TextChoices):
    RICE = Framework.RICE.value, "RICE"
    WSJF = Framework.WSJF.value, "WSJF"
    ICE = Framework.ICE.value, "ICE"
    VALUE_EFFORT = Framework.VALUE_EFFORT.value, "Value / effort"
    SCORECARD = Framework.SCORECARD.value, "Weighted scorecard"


class Score(BaseModel):
    """An item's current score under one framework: its inputs, value and explanation.

    ``explanation`` is the framework's ``ScoreResult.as_dict()`` (each input with its source,
    the formula and the arithmetic), stored so that reading a score never recomputes it.
    ``stale`` marks a scorecard score whose inputs no longer fit the product's criteria.
    ``reach_from_evidence`` marks a RICE score whose reach is not entered but derived (from the
    customers behind the item's problems, ``backlog.extensions.REACH``): ``inputs["reach"]``
    holds the number last derived, refreshed when the evidence changes.
    """

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="backlog_scores"
    )
    item = models.ForeignKey("backlog.BacklogItem", on_delete=models.CASCADE, related_name="scores")
    framework = models.CharField(max_length=16, choices=ScoreFramework.choices)
    inputs = models.JSONField(default=dict)
    value = models.FloatField()
    explanation = models.JSONField(default=dict)
    stale = models.BooleanField(default=False)
    reach_from_evidence = models.BooleanField(default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "framework"], name="score_one_per_framework"),
            models.CheckConstraint(
                condition=Q(framework__in=ScoreFramework.values), name="score_framework_valid"
            ),
        ]
        indexes = [
            # "Suggest order" reads one framework's scores of one product's items.
            models.Index(fields=["framework", "item"], name="score_framework_item"),
            # Refreshing derived reach reads only the scores that derive it.
            models.Index(
                fields=["workspace"],
                condition=Q(reach_from_evidence=True),
                name="score_reach_from_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework} {self.value:g}"


class Scorecard(BaseModel):
    """A product's own weighted scorecard: criteria with weights and the scale each is scored on.

    ``criteria`` is a list of ``frameworks.Criterion.as_dict()``, validated by the service.
    """

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="backlog_scorecards"
    )
    product = models.OneToOneField(
        "strategy.Product", on_delete=models.CASCADE, related_name="scorecard"
    )
    criteria = models.JSONField(default=list)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"Scorecard of product {self.product_id}"
