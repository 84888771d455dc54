"""Email of notifications: at once, or in hourly and daily digests, each as each person chose per
kind (``services.preferences_of``). Sent by worker tasks (``tasks.py``), never in the request.

Every email has a plain and an HTML part and a one-click unsubscribe (RFC 8058) for the kinds
it tells of: ``List-Unsubscribe: <https://…/unsubscribe/<signed token>>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``. Names and titles reach headers only
through ``core.mail.header_text`` (line breaks and control characters removed), so nobody can add a
header by naming an item ``x\\r\\nBcc: …``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from lodestar.core.mail import header_text, site_url
from lodestar.notifications.models import Delivery, DigestRun, Kind, Notification
from lodestar.people.models import Membership

UNSUBSCRIBE_SALT = "lodestar.notifications.unsubscribe"
CADENCES = {Delivery.HOURLY: dt.timedelta(hours=1), Delivery.DAILY: dt.timedelta(days=1)}
# A digest run a little early still counts (the scheduler's hour is not to the second).
CADENCE_SLACK = dt.timedelta(minutes=5)


def unsubscribe_token(member_id: int, kinds: Sequence[str]) -> str:
    return signing.dumps({"m": member_id, "k": sorted(set(kinds))}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, list[str]] | None:
    """The member and kinds an unsubscribe link names, or None when it was not made here."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    member, kinds = data.get("m"), data.get("k")
    if not isinstance(member, int) or not isinstance(kinds, list):
        return None
    if not kinds or any(kind not in Kind.values for kind in kinds):
        return None
    return member, kinds


def unsubscribe_url(member_id: int, kinds: Sequence[str]) -> str:
    path = reverse("notifications:unsubscribe", args=[unsubscribe_token(member_id, kinds)])
    return site_url() + path


def _message(
    member: Membership, subject: str, notifications: list[Notification], kinds: list[str]
) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(member.pk, kinds)
    context = {
        "member": member,
        "notifications": notifications,
        "base_url": site_url(),
        "inbox_url": site_url()
        + reverse("notifications:inbox", kwargs={"workspace_slug": member.workspace.slug}),
        "unsubscribe_url": unsubscribe,
        "kinds": [Kind(kind).label.lower() for kind in kinds],
        "workspace": member.workspace,
    }
    message = EmailMultiAlternatives(
        subject=header_text(subject),
        body=render_to_string("notifications/email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[member.user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("notifications/email.html", context), "text/html")
    return message


def delivery_of(member: Membership, kind: str) -> str:
    from lodestar.notifications.services import preferences_of

    return preferences_of(member)[kind]


def after_notified(
    notified: list[Notification], chosen: dict[int, dict[str, str]] | None = None
) -> None:
    """Enqueue an email for each new notification whose kind its recipient hears of at once (in
    the fan-out's transaction: the task row exists exactly when the notification does);
    ``chosen`` gives the recipients' preferences as the fan-out read them."""
    from lodestar.notifications.tasks import send_notification_email

    chosen = chosen or {}
    for notification in notified:
        if notification.count != 1 or notification.emailed_at is not None:
            continue  # a fold into one already told (or owed) is not told again
        kinds = chosen.get(notification.recipient_id)
        delivery = (
            kinds[notification.kind]
            if kinds is not None
            else delivery_of(notification.recipient, notification.kind)
        )
        if delivery == Delivery.IMMEDIATE:
            send_notification_email.enqueue(notification.pk)


def send_one(notification_id: int) -> int:
    """Email one notification now, if still owed (not emailed, not read, still wanted)."""
    notification = (
        Notification.objects.select_related("recipient__user", "recipient__workspace")
        .filter(pk=notification_id, emailed_at__isnull=True, read=False)
        .first()
    )
    if notification is None:
        return 0
    member = notification.recipient
    if member.removed_at is not None or not member.user.is_active:
        return 0
    if delivery_of(member, notification.kind) != Delivery.IMMEDIATE:
        return 0
    sent = _message(member, notification.sentence, [notification], [notification.kind]).send()
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return sent


def send_digests(*, now: dt.datetime | None = None) -> int:
    """Send every hourly and daily digest that is due: for each member, one email listing every
    notification of the kinds they take in that digest not emailed yet; returns how many left."""
    now = now or timezone.now()
    sent = 0
    members = (
        Membership.objects.filter(user__is_active=True)
        .select_related("user", "workspace")
        .order_by("pk")
    )
    pending = Notification.objects.filter(emailed_at__isnull=True)
    member_ids = set(pending.values_list("recipient_id", flat=True).distinct())
    for member in members.filter(pk__in=member_ids):
        sent += _digest_member(member, now)
    return sent


def _digest_member(member: Membership, now: dt.datetime) -> int:
    from lodestar.notifications.services import preferences_of

    chosen = preferences_of(member)
    sent = 0
    for cadence, every in CADENCES.items():
        kinds = [kind for kind, delivery in chosen.items() if delivery == cadence]
        if not kinds:
            continue
        last = DigestRun.objects.filter(member=member, cadence=cadence).first()
        if last is not None and now - last.sent_at < every - CADENCE_SLACK:
            continue
        rows = list(
            Notification.objects.filter(
                recipient=member, kind__in=kinds, emailed_at__isnull=True
            ).order_by("id")[:200]
        )
        if not rows:
            continue
        what = "hourly" if cadence == Delivery.HOURLY else "daily"
        subject = (
            f"Your {what} Lodestar digest: {len(rows)} notification"
            f"{'s' if len(rows) != 1 else ''} in {member.workspace.name}"
        )
        sent += _message(member, subject, rows, kinds).send()
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=now)
        DigestRun.objects.update_or_create(
            member=member, cadence=cadence, defaults={"sent_at": now}
        )
    return sent
