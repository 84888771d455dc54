"""Stable error codes of the decisions context."""

from __future__ import annotations

from enum import StrEnum


class DecisionErrorCode(StrEnum):
    DECISION_NOT_FOUND = "decision_not_found"
    DECISION_TITLE_INVALID = "decision_title_invalid"
    DECISION_TEXT_INVALID = "decision_text_invalid"
    DECISION_STATUS_INVALID = "decision_status_invalid"
    DECISION_OPTIONS_INVALID = "decision_options_invalid"
    DECISION_DECIDERS_INVALID = "decision_deciders_invalid"
    DECISION_DECIDED_AT_INVALID = "decision_decided_at_invalid"
    DECISION_ALREADY_DECIDED = "decision_already_decided"
    DECISION_SUPERSEDED = "decision_superseded"
    DECISION_SUPERSEDE_INVALID = "decision_supersede_invalid"
    DECISION_SUPERSEDES_OTHERS = "decision_supersedes_others"
    DECISION_LINK_INVALID = "decision_link_invalid"
    DECISION_LINK_NOT_FOUND = "decision_link_not_found"
    FORBIDDEN_RECORD_DECISION = "forbidden_record_decision"
