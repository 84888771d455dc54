"""The notification inbox as a CSV file: the member's notifications for the inbox's filter."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.urls import reverse

from lodestar.core.csvexport import csv_response, every_page, export_filename
from lodestar.core.pagination import MAX_LIMIT, Page
from lodestar.notifications import selectors
from lodestar.notifications.models import Kind, Notification
from lodestar.people.web import WorkspaceRequest

HEADER = ("When", "Kind", "Notification", "Excerpt", "Changes", "Read", "URL")


def inbox_csv(
    request: WorkspaceRequest, kind: str | None, unread: bool | None
) -> StreamingHttpResponse:
    """Every notification the inbox lists for ``kind`` and ``unread``, newest first (every
    page of it, read a page at a time through the inbox's own selector)."""
    actor = request.actor

    def fetch(cursor: str | None) -> Page[Notification]:
        return selectors.inbox(
            actor=actor, kind=kind, unread=unread, cursor=cursor, limit=MAX_LIMIT
        )

    kinds = dict(Kind.choices)
    opening = request.build_absolute_uri(
        reverse("notifications:open", args=[actor.workspace.slug, 0])
    ).removesuffix("0")
    lines = (
        [
            notification.updated_at,
            kinds.get(notification.kind, notification.kind),
            notification.sentence,
            notification.excerpt,
            notification.count,
            notification.read,
            f"{opening}{notification.pk}",
        ]
        for notification in every_page(fetch(None), fetch)
    )
    return csv_response(export_filename(actor.workspace.slug, "inbox"), HEADER, lines)
