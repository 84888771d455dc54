"""The decision log of a product: decisions, the options weighed, who decided, and links to
the objects a decision concerns (any declared kind of workspace object, by name and id)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from lodestar.core.models import TrashableModel


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    DECIDED = "decided", "Decided"
    SUPERSEDED = "superseded", "Superseded"


class Decision(TrashableModel):
    """One decision of a product, numbered per product (``ACME-D3``), never renumbered.

    Its context, decision and rationale are Markdown, stored with their sanitized HTML. A
    decided one says who decided (``deciders``, one or several members) and when
    (``decided_at``). A superseded one names the decision that replaced it
    (``superseded_by``, of the same product); it keeps its words as they were.
    """

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(
        "strategy.Product", on_delete=models.CASCADE, related_name="decisions"
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    context = models.TextField(blank=True)
    context_html = models.TextField(blank=True, editable=False)
    decision = models.TextField(blank=True)
    decision_html = models.TextField(blank=True, editable=False)
    rationale = models.TextField(blank=True)
    rationale_html = models.TextField(blank=True, editable=False)
    status = models.CharField(
        max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED
    )
    decided_at = models.DateField(null=True, blank=True)
    deciders = models.ManyToManyField("people.Membership", blank=True, related_name="+")
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="decision_number_unique"),
            models.CheckConstraint(
                condition=Q(status__in=DecisionStatus.values), name="decision_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="decided") | Q(decided_at__isnull=False),
                name="decision_decided_has_date",
            ),
            # Only a superseded decision names its successor (which a purge may have taken
            # away since: the old decision stays superseded, with its date).
            models.CheckConstraint(
                condition=Q(status="superseded") | Q(superseded_by__isnull=True),
                name="decision_only_superseded_has_successor",
            ),
            models.CheckConstraint(
                condition=~Q(status="superseded") | Q(superseded_at__isnull=False),
                name="decision_superseded_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(superseded_by=F("pk")), name="decision_not_superseded_by_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["product", "status", "-number"], name="decision_product_status"),
        ]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        """``ACME-D3``: the product's key, D for decision, its number."""
        return f"{self.product.key}-D{self.number}"


class DecisionOption(models.Model):
    """An option weighed (an ADR's "considered options"): its title, what speaks for and
    against it, and whether it was the one chosen."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    pros = models.TextField(blank=True)
    cons = models.TextField(blank=True)
    chosen = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "position"], name="decision_option_position"
            ),
        ]
        ordering = ["position"]

    def __str__(self) -> str:
        return self.title


class DecisionLink(models.Model):
    """A decision concerns an object of the workspace: its declared kind's name
    (``core.registry.ObjectType.name``: "item", "problem", ...) and its id. Generic on
    purpose: a context added later links by declaring its objects, with no change here."""

    workspace = models.ForeignKey("people.Workspace", on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="links")
    target_type = models.CharField(max_length=64)
    target_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "target_type", "target_id"], name="decision_link_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "target_type", "target_id"], name="decision_link_target"
            ),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.target_type}:{self.target_id}"
