"""What the backlog context declares: backlog items as workspace objects (trash, history in
words, search), the purpose every item may serve (a Product Goal), and its demo."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from lodestar.backlog import demo, history_words
from lodestar.backlog.access import access_item
from lodestar.backlog.extensions import PURPOSES, Purpose
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.permissions import PERMISSIONS
from lodestar.backlog.prioritization.models import Scorecard
from lodestar.backlog.services.items import rank_on_restore, refuse_trash_with_children
from lodestar.core.registry import Demo, ObjectType, Plugin, SearchDocument, TrashRules
from lodestar.strategy.selectors import product_team_query


def _url(item: BacklogItem) -> str:
    return reverse(
        "backlog:item_detail", kwargs={"workspace_slug": item.workspace.slug, "item_key": item.key}
    )


def _search(item: BacklogItem) -> SearchDocument:
    body = "\n".join([item.description, *item.acceptance_criteria])
    return SearchDocument(title=f"{item.key} {item.title}", body=body, updated_at=item.updated_at)


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
        ),
    ],
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
    demo=Demo(seed=lambda world: demo.seed(world["people"]), after=("people",)),
)
