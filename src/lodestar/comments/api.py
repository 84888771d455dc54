"""The comments API: an object's thread (``{kind}/{ref}/comments``, for every kind the registry
declares commentable), a comment's edit and deletion, and reactions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Id, Limit, PageOut
from lodestar.comments import selectors, services
from lodestar.comments.access import access_comment, access_target
from lodestar.comments.refs import parent_ref
from lodestar.comments.schemas import (
    CommentIn,
    CommentOut,
    CommentPatch,
    ReactionOut,
    ReactionsOut,
)
from lodestar.comments.selectors import ThreadComment
from lodestar.people.policy import Actor

router = Router(tags=["comments"])

THREAD = "/{workspace_slug}/{object_type}/{object_ref}/comments"
ONE = "/{workspace_slug}/comments/{comment_id}"
REACTION = ONE + "/reactions/{emoji}"


def _reactions(actor: Actor, comment_id: int) -> ReactionsOut:
    counts = selectors.reaction_counts(actor=actor, comment_ids=[comment_id])
    return ReactionsOut(
        comment=comment_id, reactions=[ReactionOut.of(r) for r in counts.get(comment_id, [])]
    )


@router.get(THREAD, response={200: PageOut[CommentOut], **ERRORS}, operation_id="comment_list")
def list_comments(
    request: HttpRequest,
    workspace_slug: str,
    object_type: str,
    object_ref: str,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[CommentOut]:
    """The object's comments, oldest first (newest last), each with its replies and
    reactions. ``object_type`` is a commentable kind as paths name it (``items``,
    ``problems``, ``feedback``, ``customers``, ``decisions``, ``sprints``, ``releases``) and
    ``object_ref`` what its own path takes (an item's key, else the id)."""
    actor = request_actor(request, workspace_slug)
    target = access_target(actor, object_type, object_ref)
    page = selectors.comment_thread(actor=actor, target=target, cursor=cursor, limit=limit)
    return PageOut[CommentOut](
        items=[CommentOut.of(entry) for entry in page.items], next_cursor=page.next_cursor
    )


@router.post(THREAD, response={201: CommentOut, **WRITE_ERRORS}, operation_id="comment_create")
def create_comment(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    object_type: str,
    object_ref: str,
    payload: CommentIn,
) -> Status[CommentOut]:
    """Comment on the object, or reply (``parent``) to one of its top-level comments."""
    actor = request_actor(request, workspace_slug)
    target = access_target(actor, object_type, object_ref)
    comment = services.comment_create(
        actor=actor,
        target=target,
        body=payload.body,
        parent=parent_ref(target, payload.parent),
        internal=payload.internal,
    )
    set_etag(response, comment.version)
    return Status(201, CommentOut.of(ThreadComment(comment)))


@router.patch(
    ONE,
    response={200: CommentOut, **WRITE_ERRORS},
    operation_id="comment_update",
    openapi_extra=IF_MATCH,
)
def update_comment(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    comment_id: Id,
    payload: CommentPatch,
) -> CommentOut:
    """Edit your own comment (marked edited; the earlier text stays in its history)."""
    actor = request_actor(request, workspace_slug)
    comment, target = access_comment(actor, comment_id)
    comment = services.comment_update(
        actor=actor,
        comment=comment,
        target=target,
        body=payload.body,
        internal=payload.internal,
        expected_version=if_match(request),
    )
    set_etag(response, comment.version)
    counts = selectors.reaction_counts(actor=actor, comment_ids=[comment.pk])
    return CommentOut.of(ThreadComment(comment, reactions=counts.get(comment.pk, [])))


@router.delete(
    ONE,
    response={204: None, **WRITE_ERRORS},
    operation_id="comment_delete",
    openapi_extra=IF_MATCH,
)
def delete_comment(request: HttpRequest, workspace_slug: str, comment_id: Id) -> Status[None]:
    """Delete a comment: your own, or anyone's as a workspace admin or owner. It keeps its
    place in the thread as "comment deleted" while replies answer it."""
    actor = request_actor(request, workspace_slug)
    comment, target = access_comment(actor, comment_id)
    services.comment_delete(
        actor=actor, comment=comment, target=target, expected_version=if_match(request)
    )
    return Status(204, None)


@router.put(REACTION, response={200: ReactionsOut, **WRITE_ERRORS}, operation_id="comment_react")
def react(request: HttpRequest, workspace_slug: str, comment_id: Id, emoji: str) -> ReactionsOut:
    """Add your reaction (``thumbs_up``, ``thumbs_down``, ``laugh``, ``hooray``,
    ``confused``, ``heart``, ``rocket``, ``eyes``, or the emoji itself); again changes
    nothing. Answers the comment's reactions."""
    actor = request_actor(request, workspace_slug)
    comment, target = access_comment(actor, comment_id)
    services.comment_react(actor=actor, comment=comment, target=target, emoji=emoji[:32])
    return _reactions(actor, comment.pk)


@router.delete(REACTION, response={204: None, **WRITE_ERRORS}, operation_id="comment_unreact")
def unreact(request: HttpRequest, workspace_slug: str, comment_id: Id, emoji: str) -> Status[None]:
    """Take your reaction off (204 also when you had not given it)."""
    actor = request_actor(request, workspace_slug)
    comment, target = access_comment(actor, comment_id)
    services.comment_unreact(actor=actor, comment=comment, target=target, emoji=emoji[:32])
    return Status(204, None)
