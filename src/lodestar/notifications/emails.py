"""Email of notifications (at once, or in hourly and daily digests): sent by worker tasks,
never in the request."""

from __future__ import annotations

from lodestar.notifications.models import Notification


def after_notified(notified: list[Notification]) -> None:
    """Hook for the notifications an event just made (email comes in a later change)."""
    return None
