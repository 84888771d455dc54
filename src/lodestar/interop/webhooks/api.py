"""The webhooks API (``workspaces/{slug}/webhooks``): a workspace's webhooks, their deliveries,
a test event, redelivery, enabling and disabling, and rotating the secret. Owners and admins
only (docs/WEBHOOKS.md)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Id, Limit, PageOut
from lodestar.interop.webhooks import selectors, services
from lodestar.interop.webhooks.access import access_delivery, access_webhook
from lodestar.interop.webhooks.models import DeliveryState, Webhook
from lodestar.interop.webhooks.schemas import (
    DeliveryDetailOut,
    DeliveryOut,
    DisableIn,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
    WebhookSecretOut,
)
from lodestar.people.policy import Actor

router = Router(tags=["webhooks"])

ALL = "/{workspace_slug}/webhooks"
ONE = ALL + "/{webhook_id}"
DELIVERIES = ONE + "/deliveries"


def _one(request: HttpRequest, workspace_slug: str, webhook_id: int) -> tuple[Actor, Webhook]:
    actor = request_actor(request, workspace_slug)
    return actor, access_webhook(actor, webhook_id)


def _answer(response: HttpResponse, webhook: Webhook) -> WebhookOut:
    set_etag(response, webhook.version)
    return WebhookOut.of(webhook)


@router.get(ALL, response={200: list[WebhookOut], **ERRORS}, operation_id="webhook_list")
def webhook_list(request: HttpRequest, workspace_slug: str) -> list[WebhookOut]:
    """The workspace's webhooks (at most 25), oldest first, with how their last delivery went."""
    actor = request_actor(request, workspace_slug)
    rows = selectors.webhook_list(actor=actor).select_related("created_by__user")
    return [WebhookOut.of(webhook) for webhook in rows]


@router.post(ALL, response={201: WebhookSecretOut, **WRITE_ERRORS}, operation_id="webhook_create")
def webhook_create(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, payload: WebhookIn
) -> Status[WebhookSecretOut]:
    """Make a webhook. The answer carries its signing ``secret``, shown this once."""
    actor = request_actor(request, workspace_slug)
    webhook = services.webhook_create(
        actor=actor, url=payload.url, events=payload.events, description=payload.description
    )
    set_etag(response, webhook.version)
    return Status(201, WebhookSecretOut.with_secret(webhook))


@router.get(ONE, response={200: WebhookOut, **ERRORS}, operation_id="webhook_get")
def webhook_get(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, webhook_id: Id
) -> WebhookOut:
    """The webhook (never its secret)."""
    actor, webhook = _one(request, workspace_slug, webhook_id)
    return _answer(response, selectors.webhook_detail(actor=actor, webhook=webhook))


@router.patch(
    ONE,
    response={200: WebhookOut, **WRITE_ERRORS},
    operation_id="webhook_update",
    openapi_extra=IF_MATCH,
)
def webhook_update(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    webhook_id: Id,
    payload: WebhookPatch,
) -> WebhookOut:
    """Change the webhook's URL, events or description (fields left out stay)."""
    actor, webhook = _one(request, workspace_slug, webhook_id)
    given = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    webhook = services.webhook_update(
        actor=actor, webhook=webhook, expected_version=if_match(request), **given
    )
    return _answer(response, webhook)


@router.delete(
    ONE, response={204: None, **WRITE_ERRORS}, operation_id="webhook_delete", openapi_extra=IF_MATCH
)
def webhook_delete(request: HttpRequest, workspace_slug: str, webhook_id: Id) -> Status[None]:
    """Delete the webhook and its delivery log."""
    actor, webhook = _one(request, workspace_slug, webhook_id)
    services.webhook_delete(actor=actor, webhook=webhook, expected_version=if_match(request))
    return Status(204, None)


@router.post(
    ONE + "/enable",
    response={200: WebhookOut, **WRITE_ERRORS},
    operation_id="webhook_enable",
    openapi_extra=IF_MATCH,
)
def webhook_enable(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, webhook_id: Id
) -> WebhookOut:
    """Deliver to the webhook again (its failure count from zero)."""
    actor, webhook = _one(request, workspace_slug, webhook_id)
    webhook = services.webhook_enable(
        actor=actor, webhook=webhook, expected_version=if_match(request)
    )
    return _answer(response, webhook)


@router.post(
    ONE + "/disable",
    response={200: WebhookOut, **WRITE_ERRORS},
    operation_id="webhook_disable",
    openapi_extra=IF_MATCH,
)
def webhook_disable(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    webhook_id: Id,
    payload: DisableIn,
) -> WebhookOut:
    """Stop delivering to the webhook; deliveries waiting for a retry give up."""
    actor, webhook = _one(request, workspace_slug, webhook_id)
    webhook = services.webhook_disable(
        actor=actor, webhook=webhook, reason=payload.reason, expected_version=if_match(request)
    )
    return _answer(response, webhook)


@router.post(
    ONE + "/secret",
    response={200: WebhookSecretOut, **WRITE_ERRORS},
    operation_id="webhook_rotate_secret",
    openapi_extra=IF_MATCH,
)
def webhook_rotate_secret(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, webhook_id: Id
) -> WebhookSecretOut:
    """Replace the signing secret; the answer carries the new one, shown this once. Deliveries
    from now on are signed with it."""
    actor, webhook = _one(request, workspace_slug, webhook_id)
    webhook = services.webhook_rotate_secret(
        actor=actor, webhook=webhook, expected_version=if_match(request)
    )
    set_etag(response, webhook.version)
    return WebhookSecretOut.with_secret(webhook)


@router.post(
    ONE + "/test", response={202: DeliveryOut, **WRITE_ERRORS}, operation_id="webhook_test"
)
def webhook_test(request: HttpRequest, workspace_slug: str, webhook_id: Id) -> Status[DeliveryOut]:
    """Send a test event (``ping``) to the webhook: the worker sends it; follow the delivery."""
    actor, webhook = _one(request, workspace_slug, webhook_id)
    return Status(202, DeliveryOut.of(services.webhook_test(actor=actor, webhook=webhook)))


@router.get(
    DELIVERIES, response={200: PageOut[DeliveryOut], **ERRORS}, operation_id="webhook_delivery_list"
)
def webhook_delivery_list(
    request: HttpRequest,
    workspace_slug: str,
    webhook_id: Id,
    state: DeliveryState | None = None,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[DeliveryOut]:
    """The webhook's deliveries, newest first; ``state`` narrows them."""
    actor, webhook = _one(request, workspace_slug, webhook_id)
    page = selectors.delivery_list(
        actor=actor, webhook=webhook, state=state, cursor=cursor, limit=limit
    )
    return PageOut[DeliveryOut](
        items=[DeliveryOut.of(d) for d in page.items], next_cursor=page.next_cursor
    )


@router.get(
    DELIVERIES + "/{delivery_id}",
    response={200: DeliveryDetailOut, **ERRORS},
    operation_id="webhook_delivery_get",
)
def webhook_delivery_get(
    request: HttpRequest, workspace_slug: str, webhook_id: Id, delivery_id: Id
) -> DeliveryDetailOut:
    """One delivery: its payload as sent, and what its last attempt met."""
    actor, webhook = _one(request, workspace_slug, webhook_id)
    delivery = access_delivery(actor, webhook, delivery_id)
    return DeliveryDetailOut.detail(selectors.delivery_detail(actor=actor, delivery=delivery))


@router.post(
    DELIVERIES + "/{delivery_id}/redeliver",
    response={202: DeliveryOut, **WRITE_ERRORS},
    operation_id="webhook_redeliver",
)
def webhook_redeliver(
    request: HttpRequest, workspace_slug: str, webhook_id: Id, delivery_id: Id
) -> Status[DeliveryOut]:
    """Send the delivery's event again, as a new delivery with the same event id."""
    actor, webhook = _one(request, workspace_slug, webhook_id)
    delivery = access_delivery(actor, webhook, delivery_id)
    return Status(202, DeliveryOut.of(services.delivery_redeliver(actor=actor, delivery=delivery)))
