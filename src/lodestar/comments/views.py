"""Comments on other contexts' pages: the "Comments" section of a backlog item's panel and
page (``backlog.extensions.ITEM_SECTIONS``), of a problem's and of a release's page
(``PROBLEM_SECTIONS``, ``RELEASE_SECTIONS``) with its forms, and the writes they post (plain
forms that go back to the object's page). Another context's page offers its own seam and
renders ``object_section``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from lodestar.comments import selectors, services
from lodestar.comments.access import Target, access_comment, access_target, may_comment
from lodestar.comments.permissions import CommentPermission
from lodestar.comments.refs import parent_ref
from lodestar.core.errors import Invalid, error_sentence
from lodestar.core.registry import registry
from lodestar.people.policy import Actor, can
from lodestar.people.web import WorkspaceRequest, workspace_view

SECTION_LIMIT = 100


def object_section(
    request: HttpRequest, obj: Any, *, in_panel: bool = False, as_card: bool = False
) -> str:
    """The thread on ``obj`` (its first page) and the forms to comment, reply, edit and
    delete, as the actor may."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    declared = registry().object_type_for(obj)
    target = Target(declared, obj)
    # The newest comments; "Show earlier comments" reloads the page with the cursor to those
    # before them (``?comments_before=``), and a link leads back to the newest.
    before = request.GET.get("comments_before") or None
    try:
        page = selectors.comment_thread(
            actor=actor, target=target, limit=SECTION_LIMIT, cursor=before, latest=True
        )
    except Invalid:
        before = None  # a cursor that was tampered with or outlived its comment: the newest
        page = selectors.comment_thread(
            actor=actor, target=target, limit=SECTION_LIMIT, latest=True
        )
    return render_to_string(
        "comments/_section.html",
        {
            "thread": page.items,
            # The comments one reads here: live ones and their replies (a deleted one that
            # stays for its replies is not counted).
            "shown": sum(
                (0 if entry.comment.deleted else 1) + len(entry.replies) for entry in page.items
            ),
            "more": page.next_cursor is not None,
            "earlier": page.next_cursor,
            "paged": before is not None,
            "limit": SECTION_LIMIT,
            "target": target,
            "slug": f"{declared.name}-{obj.pk}{'-panel' if in_panel else ''}",
            "may_comment": may_comment(actor, target),
            "moderator": can(actor, CommentPermission.MODERATE_COMMENTS),
            "me": actor.membership.pk,
            "in_panel": in_panel,
            "as_card": as_card,
            "body_max": services.BODY_MAX,
            "emoji_choices": selectors.emoji_menu(),
            "workspace": actor.workspace,
        },
        request=request,
    )


def item_section(request: HttpRequest, item: Any, in_panel: bool) -> str:
    return object_section(request, item, in_panel=in_panel)


def card_section(request: HttpRequest, obj: Any) -> str:
    """The thread as a card of a page made of cards (a problem's, a release's)."""
    return object_section(request, obj, as_card=True)


def _back(target: Target, anchor: str = "comments") -> HttpResponse:
    url = target.declared.url(target.obj) if target.declared.url is not None else "/"
    return redirect(f"{url}#{anchor}")


def _parent(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise Invalid.field("parent", "is not a comment") from None


@require_POST
@workspace_view
def create(request: WorkspaceRequest) -> HttpResponse:
    """Comment on (or reply on) the object the form names, then go back to its page."""
    actor = request.actor
    kind, _, ref = request.POST.get("target", "").partition(":")
    target = access_target(actor, kind, ref)
    try:
        services.comment_create(
            actor=actor,
            target=target,
            body=request.POST.get("body", ""),
            parent=parent_ref(target, _parent(request.POST.get("parent", ""))),
        )
    except Invalid as error:
        messages.error(request, f"The comment was not posted. {error_sentence(error)}")
        return _back(target)
    messages.success(request, "Comment posted.")
    return _back(target)


@require_POST
@workspace_view
def edit(request: WorkspaceRequest, comment_id: int) -> HttpResponse:
    """Change the text of one's own comment."""
    comment, target = access_comment(request.actor, comment_id)
    try:
        services.comment_update(
            actor=request.actor, comment=comment, target=target, body=request.POST.get("body", "")
        )
    except Invalid as error:
        messages.error(request, f"The comment was not changed. {error_sentence(error)}")
        return _back(target)
    messages.success(request, "Comment changed.")
    return _back(target)


@require_POST
@workspace_view
def delete(request: WorkspaceRequest, comment_id: int) -> HttpResponse:
    """Delete one's own comment (or anyone's, as an admin or owner)."""
    comment, target = access_comment(request.actor, comment_id)
    services.comment_delete(actor=request.actor, comment=comment, target=target)
    messages.success(request, "Comment deleted.")
    return _back(target)


@require_POST
@workspace_view
def react(request: WorkspaceRequest, comment_id: int) -> HttpResponse:
    """Give or take back one's reaction (``emoji``) on a comment: a reaction already given is
    taken back, as a click on it does in every chat tool."""
    comment, target = access_comment(request.actor, comment_id)
    emoji = request.POST.get("emoji", "")
    try:
        if not services.comment_unreact(
            actor=request.actor, comment=comment, target=target, emoji=emoji
        ):
            services.comment_react(actor=request.actor, comment=comment, target=target, emoji=emoji)
    except Invalid as error:
        messages.error(request, f"The reaction was not given. {error_sentence(error)}")
    return _back(target, f"comment-{comment.pk}")
