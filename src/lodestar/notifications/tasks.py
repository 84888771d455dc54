"""Background work of notifications: an email at once, and the digests (hourly, periodic)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_notification_email(notification_id: int) -> int:
    """Email one notification to its recipient (if still owed); returns how many left (0 or 1)."""
    from lodestar.notifications.emails import send_one

    return send_one(notification_id)


@task()
def send_notification_digests() -> int:
    """Hourly: send the hourly digests, and the daily ones a day after the last."""
    from lodestar.notifications.emails import send_digests

    return send_digests()
