"""Stable error codes of saved views."""

from __future__ import annotations

from enum import StrEnum


class SavedViewErrorCode(StrEnum):
    VIEW_NOT_FOUND = "saved_view_not_found"
    NAME_INVALID = "saved_view_name_invalid"
    NAME_TAKEN = "saved_view_name_taken"
    FILTER_INVALID = "saved_view_filter_invalid"
    COLUMNS_INVALID = "saved_view_columns_invalid"
    FORBIDDEN_SAVE_VIEW = "forbidden_save_view"
    FORBIDDEN_SHARE_VIEW = "forbidden_share_view"
    FORBIDDEN_MANAGE_SHARED_VIEWS = "forbidden_manage_shared_views"
