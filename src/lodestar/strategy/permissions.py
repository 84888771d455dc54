"""The strategy context's permissions, declared for ``people/policy.py`` to collect."""

from __future__ import annotations

from enum import StrEnum

from lodestar.people.policy import MANAGERS, PermissionRule
from lodestar.strategy.errors import StrategyErrorCode as Code


class StrategyPermission(StrEnum):
    MANAGE_PRODUCTS = "manage_products"
    SET_PRODUCT_GOAL = "set_product_goal"


PERMISSIONS = [
    PermissionRule(
        StrategyPermission.MANAGE_PRODUCTS,
        MANAGERS,
        "Only workspace owners and admins create or change products.",
        Code.FORBIDDEN_MANAGE_PRODUCTS,
    ),
    # Admins are the fallback when a product's owner is away or the hat is vacant.
    PermissionRule(
        StrategyPermission.SET_PRODUCT_GOAL,
        MANAGERS,
        "Only the product's product owner (or a workspace admin) changes its Product Goal.",
        Code.FORBIDDEN_SET_PRODUCT_GOAL,
        product_owner_hat=True,
    ),
]
