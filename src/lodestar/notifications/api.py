"""The notifications API: watching an object (``{kind}/{ref}/watch``, for the kinds that take
comments, and teams and products), the caller's notifications and their preferences."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from lodestar.api.auth import actor as request_actor
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Limit, PageOut
from lodestar.notifications import selectors, services
from lodestar.notifications.access import access_target
from lodestar.notifications.schemas import (
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
    ReadIn,
    ReadOut,
    WatcherOut,
    WatchersOut,
    WatchOut,
)

router = Router(tags=["notifications"])

WATCH = "/{workspace_slug}/{object_type}/{object_ref}/watch"
WATCHERS = "/{workspace_slug}/{object_type}/{object_ref}/watchers"


@router.put(WATCH, response={200: WatchOut, **WRITE_ERRORS}, operation_id="watch_start")
def watch_start(
    request: HttpRequest, workspace_slug: str, object_type: str, object_ref: str
) -> WatchOut:
    """Watch the object: hear of its comments and changes. ``object_type`` is a kind as paths
    name it (``items``, ``problems``, ``releases``, ..., ``teams``, ``products``) and
    ``object_ref`` what its own path takes. Anyone who can see it may watch it."""
    actor = request_actor(request, workspace_slug)
    target = access_target(actor, object_type, object_ref)
    return WatchOut.of(services.watch_start(actor=actor, target=target))


@router.delete(WATCH, response={200: WatchOut, **WRITE_ERRORS}, operation_id="watch_stop")
def watch_stop(
    request: HttpRequest, workspace_slug: str, object_type: str, object_ref: str
) -> WatchOut:
    """Stop watching the object (remembered: commenting or being assigned does not watch it
    again; a mention does)."""
    actor = request_actor(request, workspace_slug)
    target = access_target(actor, object_type, object_ref)
    return WatchOut.of(services.watch_stop(actor=actor, target=target))


@router.get(WATCHERS, response={200: WatchersOut, **ERRORS}, operation_id="watcher_list")
def watcher_list(
    request: HttpRequest, workspace_slug: str, object_type: str, object_ref: str
) -> WatchersOut:
    """Who watches the object itself (not its team or product), and whether the caller does."""
    actor = request_actor(request, workspace_slug)
    target = access_target(actor, object_type, object_ref)
    return WatchersOut(
        watching=selectors.watching(actor=actor, target=target),
        watchers=[WatcherOut.of(m) for m in selectors.watchers(target=target)],
    )


@router.get(
    "/{workspace_slug}/notifications",
    response={200: PageOut[NotificationOut], **ERRORS},
    operation_id="notification_list",
)
def notification_list(
    request: HttpRequest,
    workspace_slug: str,
    kind: str | None = None,
    unread: bool | None = None,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[NotificationOut]:
    """The caller's notifications, newest first; ``kind`` (mention, assigned, comment, status,
    change, created) and ``unread`` filter them."""
    actor = request_actor(request, workspace_slug)
    page = selectors.inbox(actor=actor, kind=kind, unread=unread, cursor=cursor, limit=limit)
    actors = {n.actor_id for n in page.items if n.actor_id is not None}
    by_id = selectors.members_by_id(workspace_id=actor.workspace_id, ids=actors)
    for n in page.items:
        n.actor = by_id.get(n.actor_id) if n.actor_id is not None else None
    return PageOut[NotificationOut](
        items=[NotificationOut.of(n) for n in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/{workspace_slug}/notifications/read",
    response={200: ReadOut, **WRITE_ERRORS},
    operation_id="notification_read",
)
def notification_read(request: HttpRequest, workspace_slug: str, payload: ReadIn) -> ReadOut:
    """Mark the caller's notifications read: ``ids``, or ``all``. Ids that are not the caller's
    change nothing."""
    actor = request_actor(request, workspace_slug)
    marked = services.notifications_read(actor=actor, ids=payload.ids, everything=payload.all)
    return ReadOut(marked=marked, unread=selectors.unread_count(member_id=actor.membership.pk))


@router.get(
    "/{workspace_slug}/notification-preferences",
    response={200: PreferencesOut, **ERRORS},
    operation_id="notification_preferences_get",
)
def notification_preferences_get(request: HttpRequest, workspace_slug: str) -> PreferencesOut:
    """How the caller hears of each kind of notification in this workspace."""
    actor = request_actor(request, workspace_slug)
    return PreferencesOut(preferences=services.preferences_of(actor.membership))


@router.put(
    "/{workspace_slug}/notification-preferences",
    response={200: PreferencesOut, **WRITE_ERRORS},
    operation_id="notification_preferences_set",
)
def notification_preferences_set(
    request: HttpRequest, workspace_slug: str, payload: PreferencesIn
) -> PreferencesOut:
    """Choose how to hear of some kinds: ``{"comment": "hourly", "change": "off"}`` (off,
    inbox, immediate, hourly, daily); kinds left out keep their setting."""
    actor = request_actor(request, workspace_slug)
    choices = payload.model_dump(exclude_none=True)
    return PreferencesOut(preferences=services.preferences_set(actor=actor, choices=choices))
