"""What the strategy context declares: products and Product Goals as workspace objects, and the
products page in the sidebar."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from lodestar.core.history import before_after
from lodestar.core.models import HistoryEntry
from lodestar.core.registry import HomeSection, NavEntry, ObjectType, Plugin, SearchDocument
from lodestar.people.extensions import PRODUCT_OWNERS, ProductOwnerSource
from lodestar.strategy.access import access_product, goal_by_id
from lodestar.strategy.models import Product, ProductGoal
from lodestar.strategy.permissions import PERMISSIONS
from lodestar.strategy.selectors import (
    active_goal,
    product_list,
    product_team_query,
    shared_owners,
    wears_product_owner_hat,
)
from lodestar.strategy.services import product_owner_release


def _product_url(product: Product) -> str:
    return reverse(
        "strategy:product_detail",
        kwargs={"workspace_slug": product.workspace.slug, "product_key": product.key},
    )


def _goal_url(goal: ProductGoal) -> str:
    return reverse(
        "strategy:product_goal",
        kwargs={"workspace_slug": goal.product.workspace.slug, "product_key": goal.product.key},
    )


def _home(actor: Any) -> dict[str, Any] | None:
    """The workspace's products with their active goals, for the home page (none: no card)."""
    products = [(product, active_goal(product)) for product in product_list(actor=actor)]
    return {"products": products} if products else None


def _describe_product(entry: HistoryEntry, names: Mapping[str, str]) -> str | None:
    """The product owner hat's moves, in words; other product changes read as the default."""
    if "product_owner" not in entry.changes:
        return None
    before, after = (
        names.get(v, v) if v else v for v in before_after(entry.changes["product_owner"])
    )
    product = entry.object_label.split(" ", 1)[0]
    if before and after:
        return f"moved the product owner hat of {product} from {before} to {after}"
    if after:
        return f"gave the product owner hat of {product} to {after}"
    return f"left the product owner hat of {product} vacant (was {before})"


def _goal_teams(goal: ProductGoal) -> Any:
    return product_team_query(goal.product)


PLUGIN = Plugin(
    name="strategy",
    urls=["lodestar.strategy.urls"],
    api=["lodestar.strategy.api"],
    permissions=PERMISSIONS,
    objects=[
        ObjectType(
            name="product",
            model=Product,
            label="product",
            title=lambda product: f"{product.key} {product.name}",
            gate=access_product,
            ref=lambda product: product.key,
            permissions={"view": "view", "change": "manage_products"},
            teams=product_team_query,
            product=lambda product: product,
            url=_product_url,
            describe=_describe_product,
            search=lambda product: SearchDocument(
                title=f"{product.key} {product.name}",
                body=product.vision,
                updated_at=product.updated_at,
            ),
        ),
        ObjectType(
            name="goal",
            model=ProductGoal,
            label="Product Goal",
            title=str,
            workspace="product__workspace",
            gate=goal_by_id,
            permissions={"view": "view", "change": "set_product_goal", "comment": "edit_content"},
            teams=_goal_teams,
            product=lambda goal: goal.product,
            url=_goal_url,
            search=lambda goal: SearchDocument(
                title=goal.statement, body=goal.description, updated_at=goal.updated_at
            ),
            commentable=True,
        ),
    ],
    # The product owner hat is a product's: strategy says who wears it (people asks).
    provides=[
        (
            PRODUCT_OWNERS,
            ProductOwnerSource(
                "strategy",
                wears=wears_product_owner_hat,
                shared_owners=shared_owners,
                release=product_owner_release,
            ),
        )
    ],
    navigation=[NavEntry("products", "Products", "strategy:product_list", icon="box", order=50)],
    home=[
        HomeSection(
            "products",
            "strategy/_home_products.html",
            _home,
            order=20,
            stat_template="strategy/_home_products_stat.html",
        )
    ],
)
