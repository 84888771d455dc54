"""The webhooks API's request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from lodestar.api.schemas import InSchema
from lodestar.interop.webhooks.models import DeliveryState, Webhook, WebhookDelivery

EVENTS = (
    "Event kinds it hears: `item.created`, every action on a type as `item.*`, or `*` for "
    "every event"
)


class WebhookIn(InSchema):
    url: str = Field(max_length=2000, description="Where to POST: http:// or https://")
    events: list[str] = Field(min_length=1, max_length=200, description=EVENTS)
    description: str = Field(default="", max_length=300)


class WebhookPatch(InSchema):
    url: str | None = Field(default=None, max_length=2000)
    events: list[str] | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=300)


class DisableIn(InSchema):
    reason: str = Field(default="", max_length=300, description="Why (kept and shown)")


class WebhookOut(Schema):
    id: int
    url: str
    description: str
    events: list[str] = Field(description=EVENTS)
    active: bool
    disabled_reason: str = Field(description="Why it is disabled (by hand, or after failures)")
    disabled_at: dt.datetime | None
    consecutive_failures: int = Field(description="Failed deliveries in a row")
    failing_since: dt.datetime | None
    last_delivery_at: dt.datetime | None
    last_delivery_state: str
    last_response_code: int | None
    secret_hint: str = Field(description="The secret's first characters (never the secret)")
    created_by: str | None = Field(description="Who made it (email)")
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @classmethod
    def fields_of(cls, webhook: Webhook) -> dict[str, Any]:
        creator = webhook.created_by
        return {
            "id": webhook.pk,
            "url": webhook.url,
            "description": webhook.description,
            "events": list(webhook.events),
            "active": webhook.active,
            "disabled_reason": webhook.disabled_reason,
            "disabled_at": webhook.disabled_at,
            "consecutive_failures": webhook.consecutive_failures,
            "failing_since": webhook.failing_since,
            "last_delivery_at": webhook.last_delivery_at,
            "last_delivery_state": webhook.last_delivery_state,
            "last_response_code": webhook.last_response_code,
            "secret_hint": webhook.secret_hint,
            "created_by": creator.user.email if creator is not None else None,
            "created_at": webhook.created_at,
            "updated_at": webhook.updated_at,
            "version": webhook.version,
        }

    @classmethod
    def of(cls, webhook: Webhook) -> WebhookOut:
        return cls(**cls.fields_of(webhook))


class WebhookSecretOut(WebhookOut):
    secret: str = Field(
        description="The signing secret: shown now only (on create and rotate), keep it"
    )

    @classmethod
    def with_secret(cls, webhook: Webhook) -> WebhookSecretOut:
        return cls(**cls.fields_of(webhook), secret=webhook.secret)


class DeliveryOut(Schema):
    id: int
    webhook_id: int
    event_id: str = Field(description="The event's id (the payload's `id`; the same on redelivery)")
    kind: str
    state: str = Field(description=", ".join(DeliveryState.values))
    attempts: int
    next_attempt_at: dt.datetime | None
    response_code: int | None
    error: str
    duration_ms: int | None
    redelivery_of: int | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None

    @classmethod
    def fields_of(cls, delivery: WebhookDelivery) -> dict[str, Any]:
        return {
            "id": delivery.pk,
            "webhook_id": delivery.webhook_id,
            "event_id": delivery.event_id,
            "kind": delivery.kind,
            "state": delivery.state,
            "attempts": delivery.attempts,
            "next_attempt_at": delivery.next_attempt_at,
            "response_code": delivery.response_code,
            "error": delivery.error,
            "duration_ms": delivery.duration_ms,
            "redelivery_of": delivery.redelivery_of_id,
            "created_at": delivery.created_at,
            "delivered_at": delivery.delivered_at,
        }

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        return cls(**cls.fields_of(delivery))


class DeliveryDetailOut(DeliveryOut):
    payload: dict[str, Any] = Field(description="The event as sent (docs/WEBHOOKS.md)")
    response_excerpt: str = Field(description="The start of the receiver's answer (2,000 chars)")

    @classmethod
    def detail(cls, delivery: WebhookDelivery) -> DeliveryDetailOut:
        return cls(
            **cls.fields_of(delivery),
            payload=delivery.payload,
            response_excerpt=delivery.response_excerpt,
        )
