"""The worker's side of webhooks: events become deliveries, deliveries are sent.

- ``on_event`` is the durable subscriber (fed by the worker's outbox pump, never in the request
  that made the change): one pending delivery per active webhook of the event's workspace that
  subscribes to its kind, each handed to the ``deliver_webhook`` task once committed.
- ``attempt`` sends one delivery through the safe client (``http.post``), signed; a 2xx is a
  success; anything else is tried again after ``BACKOFF`` (1 min, 5 min, 30 min, 2 h, 12 h,
  24 h), then the delivery gives up. A test event (``ping``) is tried once.
- After ``DISABLE_AFTER_FAILURES`` failed attempts in a row, or failing without a success for
  ``DISABLE_AFTER``, the webhook is disabled and the workspace's owners and admins are told.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from lodestar.core.concurrency import bump
from lodestar.core.db import insert_rows
from lodestar.core.events import Event
from lodestar.core.history import history_record
from lodestar.interop.permissions import InteropPermission
from lodestar.interop.webhooks import http
from lodestar.interop.webhooks.events import PING, body_of, payload, subscribed, user_agent
from lodestar.interop.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from lodestar.interop.webhooks.signing import signature_header
from lodestar.notifications.models import Kind
from lodestar.notifications.services import notify_members
from lodestar.people.models import Membership, User, Workspace
from lodestar.people.policy import permission_rule

if TYPE_CHECKING:
    from lodestar.people.policy import Actor

logger = logging.getLogger("lodestar.webhooks")

BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
    dt.timedelta(hours=24),
)
DISABLE_AFTER_FAILURES = 15
DISABLE_AFTER = dt.timedelta(days=3)
# How long a worker holds a delivery it is sending (longer than any request may take).
CLAIM = dt.timedelta(minutes=5)
EXCERPT_MAX = 2000
WAITING = (DeliveryState.PENDING, DeliveryState.FAILED)


# -- from events to deliveries -------------------------------------------------------------------


def _actor(event: Event) -> dict[str, str] | None:
    if event.actor_id is None:
        return None
    user = User.objects.filter(pk=event.actor_id).first()
    if user is None:
        return None
    return {"name": user.display_name, "email": user.email}


def on_event(event: Event) -> list[WebhookDelivery]:
    """Make the deliveries of ``event``: one per active webhook of its workspace subscribed to
    its kind (one query when there is none)."""
    hooks = [
        hook
        for hook in Webhook.objects.filter(workspace_id=event.workspace_id, active=True).only(
            "pk", "workspace_id", "events"
        )
        if subscribed(hook.events, event.kind)
    ]
    if not hooks:
        return []
    slug = Workspace.objects.filter(pk=event.workspace_id).values_list("slug", flat=True).first()
    data = payload(event, workspace_slug=slug or "", actor=_actor(event))
    now = timezone.now()
    with transaction.atomic():
        made = insert_rows(
            WebhookDelivery,
            [
                WebhookDelivery(
                    workspace_id=event.workspace_id,
                    webhook_id=hook.pk,
                    event_id=data["id"],
                    kind=event.kind,
                    payload=data,
                    state=DeliveryState.PENDING,
                    next_attempt_at=now,
                    created_at=now,
                )
                for hook in hooks
            ],
        )
        schedule([delivery.pk for delivery in made])
    return made


def handle(event: Event) -> None:
    """The durable subscriber: ``on_event``. A database error is raised, so the event comes
    again next round (the outbox's at-least-once); any other error is a fault with that one
    event, logged and passed over, so one bad event never stops every webhook after it."""
    try:
        on_event(event)
    except DatabaseError:
        raise
    except Exception:
        logger.exception(
            "Could not make the webhook deliveries of event %s (%s); passed over.",
            event.outbox_id,
            event.kind,
        )


def schedule(ids: Sequence[int], *, at: dt.datetime | None = None) -> None:
    """Hand deliveries to the worker's ``deliver_webhook`` task once the caller's transaction
    commits (``at``: not before then, on a backend that can wait; else the hourly sweep)."""
    from lodestar.interop.webhooks.tasks import deliver_webhook

    def enqueue() -> None:
        task: Any = deliver_webhook
        if at is not None:
            if not task.get_backend().supports_defer:
                return
            task = task.using(run_after=at)
        for pk in ids:
            task.enqueue(pk)

    if ids:
        transaction.on_commit(enqueue, robust=True)


# -- sending ---------------------------------------------------------------------------------


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            state__in=WAITING,
            next_attempt_at__isnull=False,
            next_attempt_at__lte=now + dt.timedelta(seconds=1),
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM)
    )


def headers_for(delivery: WebhookDelivery, body: bytes, secret: str, at: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": user_agent(),
        "Lodestar-Event": delivery.kind,
        "Lodestar-Delivery": str(delivery.pk),
        "Lodestar-Signature": signature_header(secret, body, at),
    }


def _excerpt(body: bytes, truncated: bool) -> str:
    text = body.decode("utf-8", errors="replace")
    if len(text) > EXCERPT_MAX or truncated:
        return text[:EXCERPT_MAX] + "…"
    return text


def attempt(delivery_id: int, *, now: dt.datetime | None = None) -> WebhookDelivery | None:
    """Send one delivery if it is due and nobody else is sending it; returns it as it ended
    (None when it was not this worker's to send)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    webhook = delivery.webhook
    if not webhook.active and delivery.kind != PING:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.GAVE_UP,
            error="The webhook is disabled.",
            next_attempt_at=None,
            claimed_until=None,
        )
        delivery.refresh_from_db()
        return delivery
    body = body_of(delivery.payload)
    headers = headers_for(delivery, body, webhook.secret, int(now.timestamp()))
    started = time.monotonic()
    code: int | None = None
    excerpt = error = ""
    try:
        response = http.post(webhook.url, body, headers)
    except http.Refused as refused:
        error = f"Refused: {refused.reason}."
    except http.RequestFailed as failed:
        error = f"No answer: {failed.reason}."
    else:
        code = response.status
        excerpt = _excerpt(response.body, response.truncated)
        if 300 <= code < 400:
            where = response.headers.get("location", "")[:300] or "nowhere"
            error = f"Redirected ({code}) to {where}; redirects are not followed."
        elif not 200 <= code < 300:
            error = f"The receiver answered {code}."
    elapsed = int((time.monotonic() - started) * 1000)
    return _settle(delivery, code=code, excerpt=excerpt, error=error, ms=elapsed, now=now)


@transaction.atomic
def _settle(
    delivery: WebhookDelivery,
    *,
    code: int | None,
    excerpt: str,
    error: str,
    ms: int,
    now: dt.datetime,
) -> WebhookDelivery:
    webhook = Webhook.objects.select_for_update().filter(pk=delivery.webhook_id).first()
    if webhook is None:
        return delivery  # deleted while it was being sent, its log with it
    delivery.attempts += 1
    delivery.response_code = code
    delivery.response_excerpt = excerpt
    delivery.error = error[:500]
    delivery.duration_ms = ms
    delivery.claimed_until = None
    if not error:
        delivery.state = DeliveryState.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.kind == PING:
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = None
    elif delivery.attempts <= len(BACKOFF):
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    else:
        delivery.state = DeliveryState.GAVE_UP
        delivery.next_attempt_at = None
    delivery.save(
        update_fields=[
            "attempts",
            "response_code",
            "response_excerpt",
            "error",
            "duration_ms",
            "claimed_until",
            "state",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    fields = {
        "last_delivery_at": now,
        "last_delivery_state": delivery.state,
        "last_response_code": code,
    }
    if delivery.kind != PING:
        if error:
            fields["consecutive_failures"] = webhook.consecutive_failures + 1
            fields["failing_since"] = webhook.failing_since or now
        else:
            fields["consecutive_failures"] = 0
            fields["failing_since"] = None
    Webhook.objects.filter(pk=webhook.pk).update(**fields)
    for name, value in fields.items():
        setattr(webhook, name, value)
    if error and delivery.kind != PING:
        logger.info("Webhook %s delivery %s failed: %s", webhook.pk, delivery.pk, error)
        if webhook.active and _failing_too_long(webhook, now):
            since = webhook.failing_since or now
            disable(
                webhook,
                reason=(
                    f"Disabled after {webhook.consecutive_failures} failed deliveries in a row "
                    f"since {since:%Y-%m-%d %H:%M} UTC; the last: {error}"
                )[:300],
                actor=None,
            )
    if delivery.next_attempt_at is not None and webhook.active:
        schedule([delivery.pk], at=delivery.next_attempt_at)
    return delivery


def _failing_too_long(webhook: Webhook, now: dt.datetime) -> bool:
    if webhook.consecutive_failures >= DISABLE_AFTER_FAILURES:
        return True
    return webhook.failing_since is not None and now - webhook.failing_since >= DISABLE_AFTER


def disable(webhook: Webhook, *, reason: str, actor: Actor | None) -> None:
    """Disable ``webhook`` (in the caller's transaction): its waiting deliveries give up; when
    no one did it by hand, the workspace's owners and admins are told why."""
    before = {"active": webhook.active, "disabled_reason": webhook.disabled_reason}
    webhook.active = False
    webhook.disabled_reason = reason[:300]
    webhook.disabled_at = timezone.now()
    bump(webhook, ["active", "disabled_reason", "disabled_at"])
    history_record(
        actor=actor.user if actor is not None else None,
        workspace_id=webhook.workspace_id,
        obj=webhook,
        action="updated",
        changes={
            "active": [before["active"], False],
            "disabled_reason": [before["disabled_reason"], webhook.disabled_reason],
        },
        label=webhook.url[:255],
    )
    WebhookDelivery.objects.filter(webhook=webhook, state__in=WAITING).update(
        state=DeliveryState.GAVE_UP,
        error="The webhook was disabled.",
        next_attempt_at=None,
        claimed_until=None,
    )
    if actor is None:
        _tell_admins(webhook)


def _tell_admins(webhook: Webhook) -> None:
    roles = permission_rule(InteropPermission.MANAGE_WEBHOOKS).roles
    admins = Membership.objects.filter(workspace_id=webhook.workspace_id, role__in=roles)
    slug = Workspace.objects.values_list("slug", flat=True).get(pk=webhook.workspace_id)
    url = reverse("interop:webhook_detail", args=[slug, webhook.pk])
    notify_members(
        workspace_id=webhook.workspace_id,
        members=list(admins.select_related("user")),
        kind=Kind.STATUS,
        target_type="webhook",
        target_id=webhook.pk,
        target_title=f"the webhook to {webhook.url}",
        url=url,
        sentence=f"Lodestar disabled the webhook to {webhook.url[:200]}",
        excerpt=webhook.disabled_reason,
    )
    logger.warning("Disabled webhook %s: %s", webhook.pk, webhook.disabled_reason)


KEPT = dt.timedelta(days=30)


def purge_old(*, now: dt.datetime | None = None) -> int:
    """Delete deliveries made more than ``KEPT`` (30 days) ago that nothing will send again;
    returns how many."""
    now = now or timezone.now()
    deleted, _ = (
        WebhookDelivery.objects.filter(created_at__lt=now - KEPT)
        .exclude(state__in=WAITING, next_attempt_at__isnull=False)
        .delete()
    )
    return deleted


def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Send every delivery that is due and not being sent (the hourly sweep, which catches a
    task lost with a worker); returns how many were sent."""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(state__in=WAITING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if attempt(pk, now=now) is not None)
