"""Stable error codes of the backlog context."""

from __future__ import annotations

from enum import StrEnum


class BacklogErrorCode(StrEnum):
    ITEM_NOT_FOUND = "item_not_found"
    ITEM_IN_TRASH = "item_in_trash"
    ITEM_NOT_IN_TRASH = "item_not_in_trash"
    TITLE_INVALID = "title_invalid"
    KIND_INVALID = "kind_invalid"
    STATUS_INVALID = "status_invalid"
    ESTIMATE_INVALID = "estimate_invalid"
    ACCEPTANCE_CRITERIA_INVALID = "acceptance_criteria_invalid"
    LABEL_INVALID = "label_invalid"
    ASSIGNEE_INVALID = "assignee_invalid"
    GOAL_INVALID = "goal_invalid"
    PARENT_INVALID = "parent_invalid"
    PARENT_CYCLE = "parent_cycle"
    PARENT_KIND = "parent_kind"
    CHILDREN_KIND = "children_kind"
    PARENT_IN_TRASH = "parent_in_trash"
    NOT_READY = "not_ready"
    MOVE_INVALID = "move_invalid"
    ANCHOR_OTHER_PRODUCT = "anchor_other_product"
    SPLIT_INVALID = "split_invalid"
    CONVERT_INVALID = "convert_invalid"
    FILTER_INVALID = "filter_invalid"
    HAS_CHILDREN = "has_children"
    FORBIDDEN_ORDER_BACKLOG = "forbidden_order_backlog"
    # Creating many items at once (an import).
    ITEMS_INVALID = "items_invalid"
    AUTHOR_INVALID = "author_invalid"
    DATE_INVALID = "date_invalid"
