"""Stable error codes of prioritization (scores, scorecards, suggested orders)."""

from __future__ import annotations

from enum import StrEnum


class PrioritizationErrorCode(StrEnum):
    FRAMEWORK_INVALID = "score_framework_invalid"
    INPUT_INVALID = "score_input_invalid"
    NO_SCORECARD = "scorecard_missing"
    SCORECARD_INVALID = "scorecard_invalid"
    SCORE_NOT_FOUND = "score_not_found"
    SCORE_CONFLICT = "score_conflict"
    ITEM_NOT_IN_SUGGESTION = "item_not_in_suggestion"
    FORBIDDEN_SCORECARD = "forbidden_scorecard"
    FORBIDDEN_SCORE_VALUE = "forbidden_score_value"
    FORBIDDEN_SCORE_EFFORT = "forbidden_score_effort"
