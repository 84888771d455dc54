"""Every write of the comments context: commenting, replying, editing, deleting, reacting.
One transaction each; history recorded (and the domain event published) with the change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.comments.access import Target
from lodestar.comments.errors import CommentErrorCode as Code
from lodestar.comments.models import Comment, Emoji, Reaction
from lodestar.comments.permissions import CommentPermission
from lodestar.core.concurrency import bump, check_version
from lodestar.core.db import insert_rows, unsaved
from lodestar.core.errors import Forbidden, Invalid
from lodestar.core.history import Change, history_record, history_record_many
from lodestar.core.markdown import markdown_renderer, render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.core.registry import registry
from lodestar.people.models import Membership
from lodestar.people.policy import Actor, require

Action = HistoryEntry.Action

BODY_MAX = 20_000
# Emoji by their names and as themselves (with or without the variation selector).
_EMOJI = {
    **{choice.value: choice.value for choice in Emoji},
    **{choice.label: choice.value for choice in Emoji},
    **{choice.label.replace("\ufe0f", ""): choice.value for choice in Emoji},
}


def _record(
    actor: Actor, comment: Comment, target: Target, action: str, changes: dict[str, Any]
) -> None:
    history_record(
        actor=actor.user,
        workspace_id=comment.workspace_id,
        obj=comment,
        action=action,
        changes=changes,
        label=f"comment on {target.declared.label} {target.ref}",
    )


def _require_comment(actor: Actor, target: Target) -> None:
    """Commenting follows the commented kind's own ``comment`` permission."""
    registry().authorize(actor, target.declared, "comment", target.obj)


def _body(value: str) -> str:
    # Line breaks as one character each: a browser's form sends CRLF, and its maxlength
    # counted each as one.
    body = (value or "").replace("\r\n", "\n").strip() if isinstance(value, str) else ""
    if not body:
        raise Invalid.field("body", "must not be empty", code=Code.COMMENT_BODY_INVALID)
    if len(body) > BODY_MAX:
        raise Invalid.field(
            "body",
            f"must be at most {BODY_MAX:,} characters (this one has {len(body):,})",
            code=Code.COMMENT_BODY_INVALID,
        )
    return body


def emoji_name(value: str, *, field: str = "emoji") -> str:
    """The reaction's name (``thumbs_up``) from its name or the emoji itself."""
    name = _EMOJI.get((value or "").strip())
    if name is None:
        allowed = ", ".join(f"{choice.value} ({choice.label})" for choice in Emoji)
        raise Invalid.field(field, f"must be one of: {allowed}", code=Code.COMMENT_EMOJI_INVALID)
    return name


def _require_author(actor: Actor, comment: Comment, what: str) -> None:
    if comment.author_id != actor.membership.pk:
        raise Forbidden(
            f"Only the author of a comment can {what} it.", code=Code.COMMENT_NOT_AUTHOR
        )


@transaction.atomic
def comment_create(
    *,
    actor: Actor,
    target: Target,
    body: str,
    parent: Comment | None = None,
    internal: bool = True,
) -> Comment:
    """Comment on ``target`` (an object the actor can see, through its kind's gate), or reply
    to ``parent``, a top-level comment on the same object (replies go one level deep)."""
    _require_comment(actor, target)
    text = _body(body)
    if parent is not None:
        if (parent.target_type, parent.target_id) != (target.type, target.id):
            raise Invalid.field(
                "parent",
                f"is a comment on another object, not on this {target.declared.label}",
                code=Code.COMMENT_PARENT_INVALID,
            )
        if parent.parent_id is not None:
            raise Invalid.field(
                "parent",
                f"is a reply; reply to its comment ({parent.parent_id}) instead: replies go "
                "one level deep",
                code=Code.COMMENT_PARENT_INVALID,
            )
    if not isinstance(internal, bool):
        raise Invalid.field("internal", "must be true or false", code=Code.COMMENT_BODY_INVALID)
    comment = Comment.objects.create(
        workspace_id=actor.workspace_id,
        target_type=target.type,
        target_id=target.id,
        author=actor.membership,
        parent=parent,
        body=text,
        body_html=render_markdown(text),
        internal=internal,
    )
    changes: dict[str, Any] = {"on": target.spelled, "body": text, "internal": internal}
    if parent is not None:
        changes["parent"] = parent.pk
    _record(actor, comment, target, Action.CREATED, changes)
    return comment


@dataclass(frozen=True)
class CommentSpec:
    """One comment for ``comments_create_many``: a top-level comment on ``target`` by
    ``author`` (a member of the workspace; None: the actor) at ``created_at`` (aware, not in
    the future; None: now)."""

    target: Target
    body: str
    author: Membership | None = None
    created_at: dt.datetime | None = None


@transaction.atomic
def comments_create_many(*, actor: Actor, specs: Sequence[CommentSpec]) -> list[Comment]:
    """Many comments at once (an import, with their original authors and dates): each checked
    as ``comment_create`` checks one, the first bad one refusing them all (``comments[3].body``);
    then one ``INSERT`` for the comments and one for their history."""
    now = timezone.now()
    allowed: set[tuple[str, int]] = set()
    comments: list[Comment] = []
    render = markdown_renderer()
    for index, spec in enumerate(specs):
        target = spec.target
        if (target.type, target.id) not in allowed:
            _require_comment(actor, target)
            allowed.add((target.type, target.id))
        try:
            text = _body(spec.body)
        except Invalid as error:
            raise Invalid.field(
                f"comments[{index}].body", error.errors[0].message, code=error.code
            ) from error
        author = spec.author or actor.membership
        if author.workspace_id != actor.workspace_id:
            raise Invalid.field(
                f"comments[{index}].author",
                "is not a member of this workspace",
                code=Code.COMMENT_BODY_INVALID,
            )
        at = spec.created_at or now
        if timezone.is_naive(at) or at > now:
            raise Invalid.field(
                f"comments[{index}].created_at",
                "must be a date and time with a time zone, not in the future",
                code=Code.COMMENT_BODY_INVALID,
            )
        # Built without the model's constructor (``core.db.unsaved``), thousands at a time.
        comments.append(
            unsaved(
                Comment,
                {
                    "created_at": at,
                    "updated_at": at,
                    "version": 1,
                    "workspace_id": actor.workspace_id,
                    "target_type": target.type,
                    "target_id": target.id,
                    "author_id": author.pk,
                    "parent_id": None,
                    "body": text,
                    "body_html": render(text),
                    "internal": True,
                    "edited_at": None,
                    "deleted_at": None,
                    "deleted_by_id": None,
                },
                cached={"author": author},
            )
        )
    insert_rows(Comment, comments)
    history_record_many(
        workspace_id=actor.workspace_id,
        changes=[
            Change(
                obj=comment,
                action=Action.CREATED,
                changes={"on": spec.target.spelled, "body": comment.body, "internal": True},
                label=f"comment on {spec.target.declared.label} {spec.target.ref}",
                actor=spec.author.user if spec.author is not None else actor.user,
                at=comment.created_at,
            )
            for comment, spec in zip(comments, specs, strict=True)
        ],
    )
    return comments


@transaction.atomic
def comment_update(
    *,
    actor: Actor,
    comment: Comment,
    target: Target,
    body: str | None = None,
    internal: bool | None = None,
    expected_version: int | None = None,
) -> Comment:
    """Change the author's own comment: its text (marked edited; the earlier text stays in the
    history) or whether it is internal."""
    _require_comment(actor, target)
    _require_author(actor, comment, "edit")
    check_version(comment, expected_version)
    if comment.deleted:
        raise Invalid.field("body", "the comment was deleted", code=Code.COMMENT_BODY_INVALID)
    changes: dict[str, Any] = {}
    fields: list[str] = []
    if body is not None:
        text = _body(body)
        if text != comment.body:
            changes["body"] = [comment.body, text]
            comment.body = text
            comment.body_html = render_markdown(text)
            comment.edited_at = timezone.now()
            fields += ["body", "body_html", "edited_at"]
    if internal is not None and internal != comment.internal:
        changes["internal"] = [comment.internal, internal]
        comment.internal = internal
        fields.append("internal")
    if fields:
        bump(comment, fields)
        _record(actor, comment, target, Action.UPDATED, changes)
    return comment


@transaction.atomic
def comment_delete(
    *, actor: Actor, comment: Comment, target: Target, expected_version: int | None = None
) -> Comment:
    """Delete a comment: its author (who may still comment there), or a workspace admin or
    owner. The row stays, without its text, so its replies keep their place in the thread."""
    is_author = comment.author_id == actor.membership.pk
    if is_author:
        _require_comment(actor, target)
    else:
        require(actor, CommentPermission.MODERATE_COMMENTS)
    check_version(comment, expected_version)
    comment.body = ""
    comment.body_html = ""
    comment.deleted_at = timezone.now()
    comment.deleted_by = actor.user
    bump(comment, ["body", "body_html", "deleted_at", "deleted_by"])
    Reaction.objects.filter(comment=comment).delete()
    _record(actor, comment, target, Action.DELETED, {"by_author": is_author})
    return comment


@transaction.atomic
def comment_react(*, actor: Actor, comment: Comment, target: Target, emoji: str) -> bool:
    """Add the actor's ``emoji`` to the comment; True when it was not there already."""
    _require_comment(actor, target)
    name = emoji_name(emoji)
    _, created = Reaction.objects.get_or_create(
        comment=comment, member=actor.membership, emoji=name
    )
    if created:
        _record(actor, comment, target, Action.UPDATED, {"reaction_added": name})
    return created


@transaction.atomic
def comment_unreact(*, actor: Actor, comment: Comment, target: Target, emoji: str) -> bool:
    """Take the actor's ``emoji`` off the comment; True when it was there."""
    _require_comment(actor, target)
    name = emoji_name(emoji)
    removed, _ = Reaction.objects.filter(
        comment=comment, member=actor.membership, emoji=name
    ).delete()
    if removed:
        _record(actor, comment, target, Action.UPDATED, {"reaction_removed": name})
    return bool(removed)
