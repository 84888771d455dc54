"""The gates of the comments context: the commented object a path names (through its kind's
own gate) and a comment by id. Missing, of another workspace, not visible to the actor, of a
kind that is not commentable: all answer 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lodestar.comments.errors import CommentErrorCode as Code
from lodestar.comments.models import Comment
from lodestar.core.errors import DomainError, NotFound
from lodestar.core.registry import ObjectType, registry
from lodestar.people.policy import Actor


@dataclass(frozen=True)
class Target:
    """A commentable object and its declaration."""

    declared: ObjectType
    obj: Any

    @property
    def type(self) -> str:
        return self.declared.name

    @property
    def id(self) -> int:
        return int(self.obj.pk)

    @property
    def ref(self) -> str:
        return self.declared.ref_of(self.obj)

    @property
    def spelled(self) -> str:
        """``item:ACME-12``, as history records what a comment is on."""
        return f"{self.type}:{self.ref}"


def commentable_types() -> list[ObjectType]:
    """The kinds that take comments: declared ``commentable``, with a gate that fetches one and
    a ``comment`` permission."""
    return [
        declared
        for declared in registry().object_types()
        if declared.commentable and declared.gate is not None and declared.supports("comment")
    ]


def kind_named(kind: str, among: list[ObjectType]) -> ObjectType | None:
    """The kind of ``among`` a path names, by its URL plural (``items``) or its name."""
    wanted = (kind or "").strip().lower()
    for declared in among:
        if wanted in (declared.url_plural, declared.name):
            return declared
    return None


def commentable_type(kind: str) -> ObjectType | None:
    """The commentable kind a path names, by its URL plural (``items``) or its name."""
    return kind_named(kind, commentable_types())


def visible_object(actor: Actor, declared: ObjectType, ref: str) -> Any:
    """The object ``ref`` of the kind ``declared`` (which has a gate) if the actor can see it:
    its own gate, in the actor's workspace, and its ``view`` permission (else a DomainError).
    Notifications ask it too, for whoever they would tell."""
    assert declared.gate is not None  # noqa: S101 - callers pass kinds with a gate
    obj = declared.gate(actor, ref)
    if declared.workspace_id_of(obj) != actor.workspace_id:
        raise NotFound("another workspace's")
    registry().authorize(actor, declared, "view", obj)
    return obj


def access_target(actor: Actor, kind: str, ref: str) -> Target:
    """The object ``ref`` of the commentable kind ``kind`` (``items``, ``problems``) that the
    actor can see in their workspace."""
    declared = commentable_type(kind)
    if declared is not None:
        try:
            return Target(declared, visible_object(actor, declared, str(ref)))
        except DomainError:
            pass
    raise NotFound(
        f"No {kind[:40]} {str(ref)[:60]} that takes comments in this workspace.",
        code=Code.COMMENT_TARGET_NOT_FOUND,
    )


def target_of(actor: Actor, comment: Comment) -> Target:
    """The object ``comment`` is on, if the actor can still see it (else 404)."""
    declared = registry().object_type(comment.target_type)
    if declared is not None and declared in commentable_types():
        obj = declared.model._default_manager.filter(pk=comment.target_id).first()
        if obj is not None:
            try:
                return Target(declared, visible_object(actor, declared, declared.ref_of(obj)))
            except DomainError:
                pass
    raise NotFound(f"No comment {comment.pk} in this workspace.", code=Code.COMMENT_NOT_FOUND)


def access_comment(actor: Actor, comment_id: int | str) -> tuple[Comment, Target]:
    """The live comment ``comment_id`` of the actor's workspace on an object they can see, and
    that object."""
    try:
        number = int(str(comment_id).strip())
    except ValueError:
        number = 0
    comment = (
        Comment.objects.select_related("author__user")
        .filter(workspace_id=actor.workspace_id, pk=number, deleted_at__isnull=True)
        .first()
        if 0 < number < 2**63
        else None
    )
    if comment is None:
        raise NotFound(
            f"No comment {str(comment_id)[:40]} in this workspace.", code=Code.COMMENT_NOT_FOUND
        )
    return comment, target_of(actor, comment)


def may_comment(actor: Actor, target: Target) -> bool:
    """Whether the actor may comment on ``target`` (for pages: the services decide)."""
    try:
        registry().authorize(actor, target.declared, "comment", target.obj)
    except DomainError:
        return False
    return True
