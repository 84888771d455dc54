"""Stable error codes of the strategy context (products and Product Goals)."""

from __future__ import annotations

from enum import StrEnum


class StrategyErrorCode(StrEnum):
    PRODUCT_NOT_FOUND = "product_not_found"
    PRODUCT_KEY_INVALID = "product_key_invalid"
    PRODUCT_KEY_TAKEN = "product_key_taken"
    PRODUCT_NAME_INVALID = "product_name_invalid"
    DEFINITION_OF_READY_INVALID = "definition_of_ready_invalid"
    ESTIMATE_SCALE_INVALID = "estimate_scale_invalid"
    GOAL_NOT_FOUND = "goal_not_found"
    GOAL_STATEMENT_INVALID = "goal_statement_invalid"
    GOAL_OUTCOME_INVALID = "goal_outcome_invalid"
    GOAL_CLOSED = "goal_closed"
    FORBIDDEN_MANAGE_PRODUCTS = "forbidden_manage_products"
    FORBIDDEN_SET_PRODUCT_GOAL = "forbidden_set_product_goal"
    PRODUCT_OWNER_INVALID = "product_owner_invalid"
    TEAM_NOT_ON_PRODUCT = "team_not_on_product"
