"""Stable error codes of the releases context."""

from __future__ import annotations

from enum import StrEnum


class ReleaseErrorCode(StrEnum):
    RELEASE_NOT_FOUND = "release_not_found"
    RELEASE_NAME_INVALID = "release_name_invalid"
    RELEASE_NAME_TAKEN = "release_name_taken"
    RELEASE_DESCRIPTION_INVALID = "release_description_invalid"
    RELEASE_STATE_INVALID = "release_state_invalid"
    RELEASE_TRANSITION_INVALID = "release_transition_invalid"
    RELEASE_FROZEN = "release_frozen"
    RELEASE_ITEMS_INVALID = "release_items_invalid"
    RELEASE_ITEM_IN_OTHER_RELEASE = "release_item_in_other_release"
    RELEASE_ITEM_NOT_IN_RELEASE = "release_item_not_in_release"
    RELEASE_DROP_REASON_REQUIRED = "release_drop_reason_required"
    RELEASE_NOTES_INVALID = "release_notes_invalid"
    RELEASE_CHECKS_UNMET = "release_checks_unmet"
    RELEASE_FORCE_REASON_REQUIRED = "release_force_reason_required"
    RELEASE_CHECK_NOT_FOUND = "release_check_not_found"
    RELEASE_CHECK_LABEL_INVALID = "release_check_label_invalid"
    RELEASE_CHECK_LABEL_TAKEN = "release_check_label_taken"
    RELEASE_FORECAST_UNAVAILABLE = "release_forecast_unavailable"
    FORBIDDEN_CHANGE_RELEASE = "forbidden_change_release"
    FORBIDDEN_DECIDE_RELEASE = "forbidden_decide_release"
    ROADMAP_ENTRY_NOT_FOUND = "roadmap_entry_not_found"
    ROADMAP_TARGET_INVALID = "roadmap_target_invalid"
    ROADMAP_TARGET_TAKEN = "roadmap_target_taken"
    ROADMAP_LANE_INVALID = "roadmap_lane_invalid"
    ROADMAP_POSITION_INVALID = "roadmap_position_invalid"
    ROADMAP_SHARE_NOT_FOUND = "roadmap_share_not_found"
    ROADMAP_SHARE_LABEL_INVALID = "roadmap_share_label_invalid"
    ROADMAP_SHARE_EXPIRY_INVALID = "roadmap_share_expiry_invalid"
