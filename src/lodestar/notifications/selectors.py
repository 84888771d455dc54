"""Every read of the notifications context: a member's inbox (newest first, by keyset), the
unread count (one indexed count), an object's watchers and whether one watches it."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lodestar.core.errors import Invalid
from lodestar.core.pagination import Page, paginate
from lodestar.notifications.access import Target
from lodestar.notifications.errors import NotificationErrorCode as Code
from lodestar.notifications.models import Kind, Notification, Watch
from lodestar.people.models import Membership, Team
from lodestar.people.policy import Actor

ORDER = ["-id"]


def kind_filter(kind: str | None) -> str | None:
    """A kind named in a filter, or 422 naming ``kind``."""
    if kind is None or kind == "":
        return None
    if kind not in Kind.values:
        raise Invalid.field(
            "kind", f"must be one of {', '.join(Kind.values)}", code=Code.NOTIFICATION_KIND_INVALID
        )
    return kind


def inbox(
    *,
    actor: Actor,
    kind: str | None = None,
    unread: bool | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[Notification]:
    """The actor's notifications, newest first, a page at a time (a range scan of
    ``notification_inbox`` or ``notification_all``, whatever the inbox's size)."""
    qs: QuerySet[Notification] = Notification.objects.filter(recipient_id=actor.membership.pk)
    if unread is not None:
        qs = qs.filter(read=not unread)
    wanted = kind_filter(kind)
    if wanted is not None:
        qs = qs.filter(kind=wanted)
    return paginate(qs, order=ORDER, cursor=cursor, limit=limit)


BADGE_CAP = 100


def unread_count(*, member_id: int, cap: int | None = None) -> int:
    """How many of the member's notifications are unread (one indexed count); with ``cap``, at
    most that many are counted (a badge says "99+"), so the count costs the same however
    many wait."""
    unread = Notification.objects.filter(recipient_id=member_id, read=False)
    if cap is not None:
        return unread.order_by()[:cap].count()
    return unread.count()


def watchers(*, target: Target) -> list[Membership]:
    """Who watches ``target`` itself, by name."""
    ids = Watch.objects.filter(target_type=target.type, target_id=target.id, watching=True).values(
        "member_id"
    )
    return list(
        Membership.objects.filter(pk__in=ids)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


def watching(*, actor: Actor, target: Target) -> bool:
    """Whether the actor watches ``target`` itself."""
    return Watch.objects.filter(
        member_id=actor.membership.pk, target_type=target.type, target_id=target.id, watching=True
    ).exists()


def members_by_id(*, workspace_id: int, ids: set[int]) -> dict[int, Membership]:
    """Members (past ones too) of the workspace by id, with their users (one query)."""
    if not ids:
        return {}
    rows = Membership.all_objects.filter(workspace_id=workspace_id, pk__in=ids).select_related(
        "user"
    )
    return {m.pk: m for m in rows}


def mentionables(*, workspace_id: int, prefix: str, limit: int) -> list[dict[str, str]]:
    """The current members whose handle or name (any word of it) starts with ``prefix``, then
    the teams whose slug or name does, at most ``limit`` in all, for completing an ``@``."""
    members = (
        Membership.objects.filter(workspace_id=workspace_id)
        .filter(
            Q(handle__istartswith=prefix)
            | Q(user__full_name__istartswith=prefix)
            | Q(user__full_name__icontains=f" {prefix}")
        )
        .select_related("user")
        .order_by("handle")[:limit]
    )
    found = [{"kind": "member", "handle": m.handle, "name": m.user.display_name} for m in members]
    if len(found) < limit:
        teams = (
            Team.objects.filter(workspace_id=workspace_id)
            .filter(Q(slug__istartswith=prefix) | Q(name__istartswith=prefix))
            .order_by("slug")[: limit - len(found)]
        )
        found += [{"kind": "team", "handle": t.slug, "name": t.name} for t in teams]
    return found
