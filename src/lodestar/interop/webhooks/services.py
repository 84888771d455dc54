"""Every write of a workspace's webhooks by a person: create, change, disable and enable,
rotate the secret, delete, send a test event, redeliver. Owners and admins only; each in one
transaction with its history (the secret never goes into history). The worker's side (making
deliveries from events and sending them) is ``delivery.py``."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Conflict, Invalid
from lodestar.core.history import changes_since, history_record, snapshot
from lodestar.interop.errors import InteropErrorCode as Code
from lodestar.interop.permissions import InteropPermission
from lodestar.interop.webhooks import delivery as sending
from lodestar.interop.webhooks.events import PING, clean_events, ping_payload
from lodestar.interop.webhooks.http import url_problem
from lodestar.interop.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from lodestar.interop.webhooks.signing import new_secret
from lodestar.people.policy import Actor, require

MAX_WEBHOOKS = 25
DESCRIPTION_MAX = 300
REASON_MAX = 300


class _Keep:
    """A value the caller left out (``None`` may be meant)."""


KEEP = _Keep()


def _require(actor: Actor) -> None:
    require(actor, InteropPermission.MANAGE_WEBHOOKS)


def clean_url(url: object, *, field: str = "url") -> str:
    """The webhook's URL, checked as every delivery will check it again (``http.url_problem``)."""
    text = url.strip() if isinstance(url, str) else ""
    problem = url_problem(text)
    if problem is not None:
        raise Invalid.field(field, problem, code=Code.WEBHOOK_URL_INVALID)
    return text


def _description(value: object) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if len(text) > DESCRIPTION_MAX:
        raise Invalid.field(
            "description",
            f"must be at most {DESCRIPTION_MAX} characters",
            code=Code.WEBHOOK_DESCRIPTION_INVALID,
        )
    return text


def _record(actor: Actor | None, webhook: Webhook, action: str, changes: dict[str, object]) -> None:
    history_record(
        actor=actor.user if actor is not None else None,
        workspace_id=webhook.workspace_id,
        obj=webhook,
        action=action,
        changes=changes,
        label=webhook.url[:255],
    )


@transaction.atomic
def webhook_create(
    *, actor: Actor, url: str, events: Sequence[str], description: str = ""
) -> Webhook:
    """A new, active webhook with a fresh secret (``webhook.secret``: show it now, it is not
    shown again)."""
    _require(actor)
    clean = clean_url(url)
    kinds = clean_events(events)
    text = _description(description)
    if Webhook.objects.filter(workspace_id=actor.workspace_id).count() >= MAX_WEBHOOKS:
        raise Conflict(
            f"This workspace has {MAX_WEBHOOKS} webhooks, the most it may have; delete one "
            "first (one webhook may hear many kinds of events).",
            code=Code.WEBHOOK_LIMIT_REACHED,
        )
    webhook = Webhook.objects.create(
        workspace_id=actor.workspace_id,
        url=clean,
        description=text,
        events=kinds,
        secret=new_secret(),
        created_by=actor.membership,
    )
    _record(
        actor,
        webhook,
        "created",
        {"url": [None, clean], "events": [None, kinds], "description": [None, text]},
    )
    return webhook


@transaction.atomic
def webhook_update(
    *,
    actor: Actor,
    webhook: Webhook,
    expected_version: int | None = None,
    url: str | _Keep = KEEP,
    events: Sequence[str] | _Keep = KEEP,
    description: str | _Keep = KEEP,
) -> Webhook:
    """Change where a webhook goes, what it hears and what it says about itself."""
    _require(actor)
    check_version(webhook, expected_version)
    before = snapshot(webhook, ["url", "events", "description"])
    if not isinstance(url, _Keep):
        webhook.url = clean_url(url)
    if not isinstance(events, _Keep):
        webhook.events = clean_events(events)
    if not isinstance(description, _Keep):
        webhook.description = _description(description)
    changes = changes_since(webhook, before)
    if changes:
        bump(webhook, list(changes))
        _record(actor, webhook, "updated", dict(changes))
    return webhook


@transaction.atomic
def webhook_disable(
    *, actor: Actor, webhook: Webhook, reason: str = "", expected_version: int | None = None
) -> Webhook:
    """Stop delivering to a webhook (by hand; ``reason`` is kept). What was waiting for another
    attempt gives up."""
    _require(actor)
    check_version(webhook, expected_version)
    text = " ".join(str(reason or "").split())
    if len(text) > REASON_MAX:
        raise Invalid.field(
            "reason", f"must be at most {REASON_MAX} characters", code=Code.WEBHOOK_REASON_INVALID
        )
    if not webhook.active:
        return webhook
    said = text or f"Disabled by {actor.user.display_name}."
    sending.disable(webhook, reason=said, actor=actor)
    return webhook


@transaction.atomic
def webhook_enable(
    *, actor: Actor, webhook: Webhook, expected_version: int | None = None
) -> Webhook:
    """Deliver to a webhook again, its failure count from zero. Deliveries that gave up stay
    as they are (redeliver the ones that matter)."""
    _require(actor)
    check_version(webhook, expected_version)
    if webhook.active:
        return webhook
    before = snapshot(webhook, ["active", "disabled_reason"])
    webhook.active = True
    webhook.disabled_reason = ""
    webhook.disabled_at = None
    webhook.consecutive_failures = 0
    webhook.failing_since = None
    bump(
        webhook,
        ["active", "disabled_reason", "disabled_at", "consecutive_failures", "failing_since"],
    )
    _record(actor, webhook, "updated", dict(changes_since(webhook, before)))
    return webhook


@transaction.atomic
def webhook_rotate_secret(
    *, actor: Actor, webhook: Webhook, expected_version: int | None = None
) -> Webhook:
    """A new secret (``webhook.secret``: show it now); deliveries from now on are signed with
    it, so the receiver needs it at once."""
    _require(actor)
    check_version(webhook, expected_version)
    webhook.secret = new_secret()
    bump(webhook, ["secret"])
    # The history says that it changed, never what it is.
    _record(actor, webhook, "updated", {"secret": ["(hidden)", "(rotated)"]})
    return webhook


@transaction.atomic
def webhook_delete(*, actor: Actor, webhook: Webhook, expected_version: int | None = None) -> None:
    """Delete a webhook and its delivery log; nothing more is sent to it."""
    _require(actor)
    check_version(webhook, expected_version)
    _record(actor, webhook, "deleted", {"url": [webhook.url, None]})
    webhook.delete()


@transaction.atomic
def webhook_test(*, actor: Actor, webhook: Webhook) -> WebhookDelivery:
    """Send a ``ping`` event to the webhook (through the worker, as every delivery; a disabled
    webhook gets it too, to try the receiver before enabling it). One attempt, no retries."""
    _require(actor)
    now = timezone.now()
    delivery = WebhookDelivery(
        workspace_id=webhook.workspace_id,
        webhook=webhook,
        event_id="",
        kind=PING,
        payload={},
        next_attempt_at=now,
        created_at=now,
    )
    delivery.save()
    delivery.event_id = f"ping_{delivery.pk}"
    delivery.payload = ping_payload(
        event_id=delivery.event_id,
        workspace_slug=actor.workspace.slug,
        webhook_id=webhook.pk,
        at=now,
    )
    delivery.save(update_fields=["event_id", "payload"])
    sending.schedule([delivery.pk])
    return delivery


@transaction.atomic
def delivery_redeliver(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's event again, as a new delivery (the same event id and payload, so the
    receiver can tell it has seen it), with the full schedule of retries."""
    _require(actor)
    webhook = Webhook.objects.select_for_update().get(pk=delivery.webhook_id)
    if not webhook.active and delivery.kind != PING:
        raise Conflict(
            "This webhook is disabled; enable it before redelivering to it.",
            code=Code.WEBHOOK_NOT_ACTIVE,
        )
    now = timezone.now()
    again = WebhookDelivery.objects.create(
        workspace_id=delivery.workspace_id,
        webhook=webhook,
        event_id=delivery.event_id,
        kind=delivery.kind,
        payload=delivery.payload,
        state=DeliveryState.PENDING,
        next_attempt_at=now,
        redelivery_of=delivery,
        created_at=now,
    )
    sending.schedule([again.pk])
    return again
