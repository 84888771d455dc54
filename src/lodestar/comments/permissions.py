"""The comments context's permission.

Who may comment on an object is the object's own declaration (its type's ``comment``
permission in the registry), so commenting on an item follows the backlog's rule and on a
problem discovery's. What the comments context adds is moderation: a workspace admin or owner
may delete anyone's comment (an author always may delete their own; nobody edits another's).
"""

from __future__ import annotations

from enum import StrEnum

from lodestar.comments.errors import CommentErrorCode as Code
from lodestar.people.policy import MANAGERS, PermissionRule


class CommentPermission(StrEnum):
    MODERATE_COMMENTS = "moderate_comments"


PERMISSIONS = [
    PermissionRule(
        CommentPermission.MODERATE_COMMENTS,
        MANAGERS,
        "Only the author of a comment, a workspace admin or an owner can delete it.",
        Code.FORBIDDEN_MODERATE_COMMENTS,
    ),
]
