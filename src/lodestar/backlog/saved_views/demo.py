"""The demo's saved views: two shared with the workspace, one of Quinn's own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lodestar.backlog.saved_views.services import saved_view_create
from lodestar.strategy.models import Product

if TYPE_CHECKING:
    from lodestar.people.demo import DemoPeople


def seed(people: DemoPeople, product: Product) -> None:
    """Views a team would keep after a few weeks: the ready work, the open bugs, and the
    product owner's own list of flagged items."""
    saved_view_create(
        actor=people.actor("quinn"),
        product=product,
        name="Ready for the sprint",
        filters={"status": "ready"},
        columns=["goal", "scores", "estimate", "assignee"],
        shared=True,
    )
    saved_view_create(
        actor=people.actor("dana"),
        product=product,
        name="Open bugs",
        filters={"kind": "bug"},
        columns=["estimate", "assignee"],
        shared=True,
    )
    saved_view_create(
        actor=people.actor("quinn"),
        product=product,
        name="Flagged",
        filters={"flagged": True},
        columns=["goal", "estimate"],
    )
