"""Every read of the comments context: an object's thread, a page of top-level comments
oldest first, each with its replies and reactions, in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery

from lodestar.comments.access import Target
from lodestar.comments.models import Comment, Emoji, Reaction
from lodestar.core.live import LastChange, latest
from lodestar.core.models import HistoryEntry
from lodestar.core.pagination import Page, paginate
from lodestar.people.policy import Actor

ORDER = ["created_at", "id"]
_SYMBOLS = {choice.value: choice.label for choice in Emoji}
_EMOJI_ORDER = {choice.value: index for index, choice in enumerate(Emoji)}


@dataclass(frozen=True)
class ReactionCount:
    emoji: str
    count: int
    mine: bool

    @property
    def symbol(self) -> str:
        return _SYMBOLS.get(self.emoji, self.emoji)

    @property
    def words(self) -> str:
        """The emoji's name for a screen reader ("thumbs up")."""
        return self.emoji.replace("_", " ")


def emoji_menu() -> list[tuple[str, str, str]]:
    """The reactions one can give, as (name, emoji, words), in their order."""
    return [(choice.value, choice.label, choice.value.replace("_", " ")) for choice in Emoji]


@dataclass
class ThreadComment:
    """A comment as a thread shows it: deleted ones keep their place without their text."""

    comment: Comment
    reactions: list[ReactionCount] = field(default_factory=list)
    replies: list[ThreadComment] = field(default_factory=list)


def _live_or_answered() -> Q:
    """A deleted comment stays in the thread while a live reply answers it."""
    live_reply = Comment.objects.filter(parent=OuterRef("pk"), deleted_at__isnull=True)
    return Q(deleted_at__isnull=True) | Q(Exists(live_reply))


def comment_roots(*, target: Target) -> QuerySet[Comment]:
    """The top-level comments on ``target`` (with their authors), oldest first."""
    return (
        Comment.objects.filter(
            workspace_id=target.declared.workspace_id_of(target.obj),
            target_type=target.type,
            target_id=target.id,
            parent__isnull=True,
        )
        .filter(_live_or_answered())
        .select_related("author__user")
        .order_by(*ORDER)
    )


def reaction_counts(*, actor: Actor, comment_ids: list[int]) -> dict[int, list[ReactionCount]]:
    """Each comment's reactions: how many of each emoji, and whether the actor gave it."""
    found: dict[int, list[ReactionCount]] = defaultdict(list)
    if not comment_ids:
        return found
    rows = (
        Reaction.objects.filter(comment_id__in=comment_ids)
        .values("comment_id", "emoji")
        .annotate(count=Count("id"), mine=Count("id", filter=Q(member=actor.membership)))
        .order_by()
    )
    for row in rows:
        found[row["comment_id"]].append(
            ReactionCount(emoji=row["emoji"], count=row["count"], mine=row["mine"] > 0)
        )
    for counts in found.values():
        counts.sort(key=lambda r: _EMOJI_ORDER.get(r.emoji, 99))
    return found


def comment_thread(
    *,
    actor: Actor,
    target: Target,
    cursor: str | None = None,
    limit: int | None = None,
    latest: bool = False,
) -> Page[ThreadComment]:
    """A page of ``target``'s thread: top-level comments oldest first (newest last), each with
    its live replies oldest first, and every comment's reactions. Three queries, whatever the
    number of comments.

    ``latest``: the page is the newest comments (still shown oldest first), and the cursor
    leads to the ones before them, as a page's thread reads."""
    order = [f"-{field}" for field in ORDER] if latest else ORDER
    page = paginate(comment_roots(target=target), order=order, cursor=cursor, limit=limit)
    found = list(reversed(page.items)) if latest else page.items
    roots = [ThreadComment(comment) for comment in found]
    by_id = {entry.comment.pk: entry for entry in roots}
    replies = (
        Comment.objects.filter(parent_id__in=list(by_id), deleted_at__isnull=True)
        .select_related("author__user")
        .order_by(*ORDER)
        if by_id
        else Comment.objects.none()
    )
    everyone = list(roots)
    for reply in replies:
        entry = ThreadComment(reply)
        by_id[reply.parent_id].replies.append(entry)  # type: ignore[index]
        everyone.append(entry)
    counts = reaction_counts(actor=actor, comment_ids=[entry.comment.pk for entry in everyone])
    for entry in everyone:
        entry.reactions = counts.get(entry.comment.pk, [])
    return Page(items=roots, next_cursor=page.next_cursor)


# -- live updates -------------------------------------------------------------------------------


def comment_stamp(kind: str) -> dict[str, Any]:
    """For a query over objects of ``kind``: subqueries on ``OuterRef("pk")`` giving the newest
    change to their comments (a new, edited or deleted comment moves it) and how many there
    are, through the thread index. Reactions are left out: they change no comment."""
    thread = (
        Comment.objects.filter(
            workspace_id=OuterRef("workspace_id"), target_type=kind, target_id=OuterRef("pk")
        )
        .order_by()
        .values("target_id")
    )
    return {
        "comments_at": Subquery(thread.annotate(at=Max("updated_at")).values("at")[:1]),
        "comments_n": Subquery(thread.annotate(n=Count("id")).values("n")[:1]),
    }


def comment_last_change(*, kind: str, workspace_id: int, target_id: int) -> LastChange | None:
    """Who wrote, edited or deleted a comment on the object last, and when (one query)."""
    ids = Comment.objects.filter(
        workspace_id=workspace_id, target_type=kind, target_id=target_id
    ).values("id")
    return latest(
        HistoryEntry.objects.filter(
            workspace_id=workspace_id,
            object_type=Comment._meta.label_lower,
            object_id__in=Subquery(ids),
        )
    )
