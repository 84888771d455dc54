"""What the backlog context declares: backlog items as workspace objects (trash, history in
words, search), the purpose every item may serve (a Product Goal), and its demo."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from lodestar.backlog import demo, history_words
from lodestar.backlog.access import access_item
from lodestar.backlog.extensions import PURPOSES, Purpose
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.permissions import PERMISSIONS
from lodestar.backlog.prioritization.models import Scorecard
from lodestar.backlog.saved_views import demo as saved_views_demo
from lodestar.backlog.saved_views.selectors import saved_view_list, saved_view_url
from lodestar.backlog.services.items import rank_on_restore, refuse_trash_with_children
from lodestar.core.registry import (
    Demo,
    NavChild,
    NavChildren,
    ObjectType,
    Plugin,
    SearchDocument,
    TrashRules,
)
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product
from lodestar.strategy.selectors import product_team_query


def _url(item: BacklogItem) -> str:
    return reverse(
        "backlog:item_detail", kwargs={"workspace_slug": item.workspace.slug, "item_key": item.key}
    )


SEARCH_FIELDS = ("key", "title", "description", "acceptance_criteria", "updated_at")


def _search(item: BacklogItem) -> SearchDocument:
    body = "\n".join([item.description, *item.acceptance_criteria])
    return SearchDocument(title=f"{item.key} {item.title}", body=body, updated_at=item.updated_at)


def _saved_views(actor: Actor) -> list[NavChild]:
    """The saved views the member sees, for the sidebar (one query)."""
    return [
        NavChild(
            key=f"view-{view.pk}",
            label=view.name,
            href=saved_view_url(view),
            hint=f"{view.product.key} · shared" if view.shared else view.product.key,
        )
        for view in saved_view_list(actor=actor)
    ]


def _demo(world: dict[str, Any]) -> Product:
    """The demo backlog, then a few saved views of it."""
    product = demo.seed(world["people"])
    saved_views_demo.seed(world["people"], product)
    return product


EDIT = "edit_content"

PLUGIN = Plugin(
    name="backlog",
    urls=["lodestar.backlog.urls"],
    api=[
        "lodestar.backlog.api",
        "lodestar.backlog.prioritization.api",
        "lodestar.backlog.saved_views.api",
    ],
    permissions=PERMISSIONS,
    objects=[
        ObjectType(
            name="item",
            model=BacklogItem,
            label="backlog item",
            title=lambda item: f"{item.key} {item.title}",
            gate=access_item,
            ref=lambda item: item.key,
            permissions={
                "view": "view",
                "change": EDIT,
                "delete": EDIT,
                "restore": EDIT,
                "comment": EDIT,
            },
            url=_url,
            describe=history_words.describe_for_feed,
            search=_search,
            search_fields=SEARCH_FIELDS,
            trash=TrashRules(
                select_related=("product", "parent"),
                on_trash=refuse_trash_with_children,
                on_restore=rank_on_restore,
            ),
            commentable=True,
        ),
        ObjectType(
            name="scorecard",
            model=Scorecard,
            label="scorecard",
            title=lambda scorecard: f"Scorecard of {scorecard.product.key}",
            permissions={"view": "view", "change": "order_backlog"},
            teams=lambda scorecard: product_team_query(scorecard.product),
            product=lambda scorecard: scorecard.product,
        ),
    ],
    navigation_children=[NavChildren("products", "Saved views", _saved_views)],
    provides=[
        (
            PURPOSES,
            Purpose(
                name="goal",
                condition=lambda: Q(goal__isnull=False),
                missing="serves no Product Goal",
                order=10,
            ),
        ),
    ],
    demo=Demo(seed=_demo, after=("people",)),
)
