"""A saved view of a product's backlog: its filters and the optional columns it shows."""

from __future__ import annotations

from django.db import models

from lodestar.core.models import BaseModel

# The backlog's optional columns, in the order the list shows them; key, title and status
# are always shown.
COLUMNS = ("goal", "scores", "estimate", "assignee")
COLUMN_LABELS = {
    "goal": "Goal",
    "scores": "Scores",
    "estimate": "Estimate",
    "assignee": "Assignee",
}


def all_columns() -> list[str]:
    return list(COLUMNS)


class SavedView(BaseModel):
    """A named backlog filter and column set of one member, for one product.

    A personal view (``shared`` false) is seen by its owner alone; a shared one by everyone in
    the workspace. ``filters`` holds the backlog's filters by name, checked when written
    (``services.clean_filters``); ``columns`` the optional columns shown, in list order.
    """

    workspace = models.ForeignKey(
        "people.Workspace", on_delete=models.CASCADE, related_name="saved_views"
    )
    product = models.ForeignKey(
        "strategy.Product", on_delete=models.CASCADE, related_name="saved_views"
    )
    owner = models.ForeignKey(
        "people.Membership", on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=60)
    shared = models.BooleanField(default=False)
    filters = models.JSONField(default=dict)
    columns = models.JSONField(default=all_columns)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "product", "name"], name="saved_view_unique_name"
            ),
        ]
        indexes = [models.Index(fields=["product", "shared"], name="saved_view_product_shared")]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
