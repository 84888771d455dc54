"""Input that names a comment (a reply's ``parent``): the comment, or a 422 naming the field."""

from __future__ import annotations

from lodestar.comments.access import Target
from lodestar.comments.errors import CommentErrorCode as Code
from lodestar.comments.models import Comment
from lodestar.core.errors import Invalid


def parent_ref(target: Target, parent_id: int | None, *, field: str = "parent") -> Comment | None:
    """The live comment ``parent_id`` on the same object as the reply, or None when none is
    given. A comment of another object (or workspace), a deleted one, or an unknown id is bad
    input naming ``field``."""
    if parent_id is None:
        return None
    parent = (
        Comment.objects.filter(
            pk=parent_id,
            target_type=target.type,
            target_id=target.id,
            deleted_at__isnull=True,
        ).first()
        if 0 < parent_id < 2**63
        else None
    )
    if parent is None:
        raise Invalid.field(
            field,
            f"no comment {parent_id} on this {target.declared.label} to reply to",
            code=Code.COMMENT_PARENT_INVALID,
        )
    return parent
