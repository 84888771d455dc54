"""Stable error codes of the notifications context."""

from __future__ import annotations

from enum import StrEnum


class NotificationErrorCode(StrEnum):
    WATCH_TARGET_NOT_FOUND = "watch_target_not_found"
    NOTIFICATION_NOT_FOUND = "notification_not_found"
    NOTIFICATION_IDS_INVALID = "notification_ids_invalid"
    NOTIFICATION_KIND_INVALID = "notification_kind_invalid"
    PREFERENCE_INVALID = "preference_invalid"
    UNSUBSCRIBE_TOKEN_INVALID = "unsubscribe_token_invalid"  # noqa: S105 - a code
