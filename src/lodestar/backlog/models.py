"""Backlog items, their labels, and the rank that orders a product's backlog."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q

from lodestar.backlog.flow.models import ItemStatusChange  # noqa: F401 (registers)
from lodestar.backlog.prioritization.models import Score, Scorecard  # noqa: F401 (registers)
from lodestar.backlog.saved_views.models import SavedView  # noqa: F401 (registers)
from lodestar.core.db import RankField
from lodestar.core.models import TrashableModel


class ItemKind(models.TextChoices):
    EPIC = "epic", "Epic"
    STORY = "story", "Story"
    TASK = "task", "Task"
    BUG = "bug", "Bug"
    SPIKE = "spike", "Spike"


class ItemStatus(models.TextChoices):
    NEW = "new", "New"
    READY = "ready", "Ready"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


def fold_label(name: str) -> str:
    """The form two label names are compared in: Unicode case folding of the NFC text with
    its spaces collapsed ("Équipe", "ÉQUIPE" and "équipe" are one label). Python folds every
    script; SQLite's LOWER() folds ASCII only, so the folded form is stored, not computed."""
    return unicodedata.normalize("NFC", " ".join(name.split())).casefold()


class Label(models.Model):
    """A label of one product; items link to it, so filtering by label is an indexed join."""

    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=40)
    # ``fold_label(name)``, written with the name: unique per product (case folding may make
    # a name longer: "ß" folds to "ss").
    folded = models.CharField(max_length=160)
    color = models.CharField(max_length=7, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "folded"], name="label_unique_folded"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BacklogItem(TrashableModel):
    """An item of a Product Backlog, identified by ``<product key>-<number>``.

    ``estimate`` holds story points; ``estimate_unknown`` is the "?" of the scale (the team
    looked and could not size it), which is different from "not estimated yet" (both empty).
    ``rank`` orders the live items of a product; a trashed item keeps its rank so that a
    restore can put it back where it was.
    """

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="backlog_items"
    )
    product = models.ForeignKey(
        "strategy.Product", on_delete=models.CASCADE, related_name="backlog_items"
    )
    number = models.PositiveIntegerField()
    key = models.CharField(max_length=24)
    kind = models.CharField(max_length=8, choices=ItemKind.choices, default=ItemKind.STORY)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    acceptance_criteria = models.JSONField(default=list, blank=True)
    # The sanitized HTML of the two above, rendered when they are written (never on a read:
    # rendering Markdown cost more than the whole database work of a backlog page).
    description_html = models.TextField(blank=True, default="", editable=False)
    acceptance_criteria_html = models.JSONField(default=list, blank=True, editable=False)
    estimate = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    estimate_unknown = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.NEW)
    labels = models.ManyToManyField(Label, blank=True, related_name="items")
    assignee = models.ForeignKey(
        "people.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_items",
    )
    # SET_NULL: purging a trashed parent must never take live children with it.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    goal = models.ForeignKey(
        "strategy.ProductGoal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    rank = RankField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="backlog_item_unique_key"),
            models.UniqueConstraint(
                fields=["product", "number"], name="backlog_item_unique_number"
            ),
            # Live items of a product form a total order; trashed ones are outside it.
            models.UniqueConstraint(
                fields=["product", "rank"],
                condition=Q(deleted_at__isnull=True),
                name="backlog_item_unique_live_rank",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ItemKind.values), name="backlog_item_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ItemStatus.values), name="backlog_item_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(estimate__isnull=True) | Q(estimate__gte=0),
                name="backlog_item_estimate_not_negative",
            ),
            models.CheckConstraint(
                condition=~(Q(estimate__isnull=False) & Q(estimate_unknown=True)),
                name="backlog_item_estimate_or_unknown",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="backlog_item_not_own_parent"
            ),
        ]
        indexes = [
            models.Index(fields=["product", "status"], name="backlog_item_product_status"),
            models.Index(fields=["product", "goal"], name="backlog_item_product_goal"),
            models.Index(fields=["product", "kind"], name="backlog_item_product_kind"),
            # The backlog page's poll: its items' newest change, and their count.
            models.Index(fields=["product", "updated_at"], name="backlog_item_product_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"
