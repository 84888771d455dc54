"""Product risks and experiments.

The four product risks — value (will customers want it), usability (can they use it),
feasibility (can we build it) and business viability (does it work for the business) — are
tracked on a problem or on an epic: a row per subject and risk, written when a risk is first
set (a risk without a row is ``unknown``). An experiment tests an assumption behind problems
and items: its hypothesis, method, the signal that would count as success, its result and
dates. A risk marked ``addressed`` says what addressed it: its evidence in words, or the
experiment (linked to the same subject) that settled it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from lodestar.core.models import BaseModel, TrashableModel

if TYPE_CHECKING:
    from lodestar.backlog.models import BacklogItem
    from lodestar.discovery.models import Problem


class RiskKind(models.TextChoices):
    VALUE = "value", "Value"
    USABILITY = "usability", "Usability"
    FEASIBILITY = "feasibility", "Feasibility"
    VIABILITY = "viability", "Business viability"


class RiskStatus(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    TESTING = "testing", "Testing"
    ADDRESSED = "addressed", "Addressed"


class ExperimentMethod(models.TextChoices):
    INTERVIEW = "interview", "Customer interviews"
    PROTOTYPE = "prototype", "Prototype test"
    FAKE_DOOR = "fake_door", "Fake door"
    AB_TEST = "ab_test", "A/B test"
    CONCIERGE = "concierge", "Concierge"
    SURVEY = "survey", "Survey"
    DATA_ANALYSIS = "data_analysis", "Data analysis"
    TECHNICAL_SPIKE = "technical_spike", "Technical spike"
    OTHER = "other", "Other"


class ExperimentStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RUNNING = "running", "Running"
    CONCLUDED = "concluded", "Concluded"


class ExperimentResult(models.TextChoices):
    VALIDATED = "validated", "Validated"
    INVALIDATED = "invalidated", "Invalidated"
    INCONCLUSIVE = "inconclusive", "Inconclusive"


class Experiment(TrashableModel):
    """An experiment of a product: what is believed (``hypothesis``), how it is tested
    (``method``), what would count as success (``success_signal``), and, once concluded, its
    ``result`` with what was seen (``result_text``). Markdown texts are stored with their
    sanitized HTML. Only a concluded experiment has a result, and it always has one."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    hypothesis = models.TextField(blank=True)
    hypothesis_html = models.TextField(blank=True, editable=False)
    method = models.CharField(
        max_length=20, choices=ExperimentMethod.choices, default=ExperimentMethod.INTERVIEW
    )
    success_signal = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=ExperimentStatus.choices, default=ExperimentStatus.PLANNED
    )
    result = models.CharField(max_length=12, choices=ExperimentResult.choices, blank=True)
    result_text = models.TextField(blank=True)
    result_html = models.TextField(blank=True, editable=False)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    problems: models.ManyToManyField[Problem, ExperimentProblem] = models.ManyToManyField(
        "discovery.Problem", through="ExperimentProblem", related_name="experiments"
    )
    items: models.ManyToManyField[BacklogItem, ExperimentItem] = models.ManyToManyField(
        "backlog.BacklogItem", through="ExperimentItem", related_name="experiments"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=ExperimentMethod.values), name="experiment_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExperimentStatus.values), name="experiment_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status="concluded") & Q(result__in=ExperimentResult.values))
                | (~Q(status="concluded") & Q(result="")),
                name="experiment_result_when_concluded",
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(ended_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="experiment_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["product", "status"], name="experiment_product_status")]

    def __str__(self) -> str:
        return self.title


class ExperimentProblem(models.Model):
    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="problem_links"
    )
    problem = models.ForeignKey(
        "discovery.Problem", on_delete=models.CASCADE, related_name="experiment_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "problem"], name="experiment_problem_unique"
            ),
        ]
        indexes = [models.Index(fields=["problem", "experiment"])]

    def __str__(self) -> str:
        return f"{self.experiment_id} -> problem {self.problem_id}"


class ExperimentItem(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="item_links")
    item = models.ForeignKey(
        "backlog.BacklogItem", on_delete=models.CASCADE, related_name="experiment_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["experiment", "item"], name="experiment_item_unique"),
        ]
        indexes = [models.Index(fields=["item", "experiment"])]

    def __str__(self) -> str:
        return f"{self.experiment_id} -> item {self.item_id}"


class ProductRisk(BaseModel):
    """One of the four risks of a problem or an epic (exactly one of ``problem`` and
    ``item``): its status, the evidence in words (``note``, Markdown with its sanitized HTML)
    and the experiment that addressed it, if one did."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    problem = models.ForeignKey(
        "discovery.Problem", null=True, blank=True, on_delete=models.CASCADE, related_name="risks"
    )
    item = models.ForeignKey(
        "backlog.BacklogItem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risks",
    )
    kind = models.CharField(max_length=12, choices=RiskKind.choices)
    status = models.CharField(max_length=12, choices=RiskStatus.choices, default=RiskStatus.UNKNOWN)
    note = models.TextField(blank=True)
    note_html = models.TextField(blank=True, editable=False)
    experiment = models.ForeignKey(
        Experiment, null=True, blank=True, on_delete=models.SET_NULL, related_name="risks"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(problem__isnull=False) & Q(item__isnull=True))
                | (Q(problem__isnull=True) & Q(item__isnull=False)),
                name="product_risk_one_subject",
            ),
            models.UniqueConstraint(
                fields=["problem", "kind"],
                condition=Q(problem__isnull=False),
                name="product_risk_problem_kind_unique",
            ),
            models.UniqueConstraint(
                fields=["item", "kind"],
                condition=Q(item__isnull=False),
                name="product_risk_item_kind_unique",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RiskKind.values), name="product_risk_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RiskStatus.values), name="product_risk_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} risk"
