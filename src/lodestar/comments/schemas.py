"""The comments API's request and response bodies."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field, StrictBool

from lodestar.api.schemas import Id, InSchema
from lodestar.comments.selectors import ReactionCount, ThreadComment
from lodestar.comments.services import BODY_MAX

BODY_DOC = f"Markdown, 1 to {BODY_MAX:,} characters; scripts and unsafe links are removed"
INTERNAL_DOC = (
    "Whether only the workspace sees it (the default); false marks it public, for where the "
    "object is also seen from outside (the feedback portal, share links)"
)


class CommentIn(InSchema):
    body: str = Field(max_length=BODY_MAX, description=BODY_DOC)
    parent: Id | None = Field(
        default=None, description="The comment on the same object this one replies to"
    )
    internal: StrictBool = Field(default=True, description=INTERNAL_DOC)


class CommentPatch(InSchema):
    body: str | None = Field(default=None, max_length=BODY_MAX, description=BODY_DOC)
    internal: StrictBool | None = Field(default=None, description=INTERNAL_DOC)


class ReactionOut(Schema):
    emoji: str = Field(description="The reaction's name, as paths take it (thumbs_up)")
    symbol: str = Field(description="The emoji itself")
    count: int
    mine: bool = Field(description="Whether the caller gave this reaction")

    @classmethod
    def of(cls, reaction: ReactionCount) -> ReactionOut:
        return cls(
            emoji=reaction.emoji, symbol=reaction.symbol, count=reaction.count, mine=reaction.mine
        )


class ReplyOut(Schema):
    id: int
    target_type: str = Field(description="The kind of object commented on (item, problem, ...)")
    target_id: int
    parent: int | None
    author: str | None = Field(description="The author's email (None once they left)")
    author_name: str | None
    body: str
    body_html: str
    internal: bool
    edited_at: dt.datetime | None
    deleted: bool = Field(description="A deleted comment keeps its place, without its text")
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    reactions: list[ReactionOut]

    @classmethod
    def fields_of(cls, entry: ThreadComment) -> dict[str, object]:
        comment = entry.comment
        author = comment.author
        return {
            "id": comment.pk,
            "target_type": comment.target_type,
            "target_id": comment.target_id,
            "parent": comment.parent_id,
            "author": author.user.email if author is not None else None,
            "author_name": author.user.display_name if author is not None else None,
            "body": comment.body,
            "body_html": comment.body_html,
            "internal": comment.internal,
            "edited_at": comment.edited_at,
            "deleted": comment.deleted,
            "created_at": comment.created_at,
            "updated_at": comment.updated_at,
            "version": comment.version,
            "reactions": [ReactionOut.of(r) for r in entry.reactions],
        }

    @classmethod
    def of(cls, entry: ThreadComment) -> ReplyOut:
        return cls(**cls.fields_of(entry))  # type: ignore[arg-type]


class CommentOut(ReplyOut):
    replies: list[ReplyOut] = Field(description="Replies, oldest first (one level deep)")

    @classmethod
    def of(cls, entry: ThreadComment) -> CommentOut:
        return cls(
            **cls.fields_of(entry),  # type: ignore[arg-type]
            replies=[ReplyOut.of(reply) for reply in entry.replies],
        )


class ReactionsOut(Schema):
    comment: int
    reactions: list[ReactionOut]
