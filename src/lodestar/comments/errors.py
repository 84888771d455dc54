"""Stable error codes of the comments context."""

from __future__ import annotations

from enum import StrEnum


class CommentErrorCode(StrEnum):
    COMMENT_NOT_FOUND = "comment_not_found"
    COMMENT_TARGET_NOT_FOUND = "comment_target_not_found"
    COMMENT_BODY_INVALID = "comment_body_invalid"
    COMMENT_PARENT_INVALID = "comment_parent_invalid"
    COMMENT_NOT_AUTHOR = "comment_not_author"
    COMMENT_EMOJI_INVALID = "comment_emoji_invalid"
    FORBIDDEN_MODERATE_COMMENTS = "forbidden_moderate_comments"
