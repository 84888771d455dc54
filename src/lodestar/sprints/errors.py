"""Stable error codes of the sprints context."""

from __future__ import annotations

from enum import StrEnum


class SprintErrorCode(StrEnum):
    SPRINT_NOT_FOUND = "sprint_not_found"
    SPRINT_NAME_INVALID = "sprint_name_invalid"
    SPRINT_NAME_TAKEN = "sprint_name_taken"
    SPRINT_DATES_INVALID = "sprint_dates_invalid"
    SPRINT_TEAM_WITHOUT_PRODUCT = "sprint_team_without_product"
    SPRINT_GOAL_INVALID = "sprint_goal_invalid"
    SPRINT_GOAL_REQUIRED = "sprint_goal_required"
    SPRINT_GOAL_REASON_REQUIRED = "sprint_goal_reason_required"
    SPRINT_PRODUCT_GOAL_INVALID = "sprint_product_goal_invalid"
    SPRINT_ALREADY_ACTIVE = "sprint_already_active"
    SPRINT_NOT_PLANNED = "sprint_not_planned"
    SPRINT_NOT_ACTIVE = "sprint_not_active"
    SPRINT_CLOSED = "sprint_closed"
    SPRINT_HAS_WORK = "sprint_has_work"
    SPRINT_ITEMS_INVALID = "sprint_items_invalid"
    SPRINT_ITEM_IN_OTHER_SPRINT = "sprint_item_in_other_sprint"
    SPRINT_ITEM_NOT_IN_SPRINT = "sprint_item_not_in_sprint"
    SPRINT_CAPACITY_INVALID = "sprint_capacity_invalid"
    SPRINT_DECISIONS_INVALID = "sprint_decisions_invalid"
    SPRINT_NEXT_INVALID = "sprint_next_invalid"
    SPRINT_NOTES_INVALID = "sprint_notes_invalid"
    BOARD_LIMIT_INVALID = "board_limit_invalid"
    FLOW_WINDOW_INVALID = "flow_window_invalid"
    FORBIDDEN_CHANGE_SPRINT = "forbidden_change_sprint"
    FORECAST_TEAM_INVALID = "forecast_team_invalid"
    FORECAST_EPIC_INVALID = "forecast_epic_invalid"
