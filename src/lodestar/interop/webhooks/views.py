"""The webhooks' pages: the workspace's webhooks with their state and last delivery, making
one (its secret shown once, with a Copy button), and a webhook's page (edit its URL and
events, enable or disable, send a test event, rotate the secret, delete, and the delivery log
with each response code and a Redeliver button). Owners and admins only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.core.errors import Conflict, Invalid, error_sentence
from lodestar.interop.webhooks import selectors, services
from lodestar.interop.webhooks.access import access_delivery, access_webhook
from lodestar.interop.webhooks.events import ALL, kinds_catalog
from lodestar.interop.webhooks.models import Webhook
from lodestar.people.web import WorkspaceRequest, workspace_view

PAGE_SIZE = 50
# Where a new secret waits for the page after a make or a rotate (post, then redirect): read
# once, then gone, so a reload neither makes another webhook nor shows the secret again.
SHOWN_ONCE_KEY = "webhook-secret-{}"


def _show_once(request: WorkspaceRequest, webhook: Webhook) -> HttpResponse:
    request.session[SHOWN_ONCE_KEY.format(webhook.pk)] = webhook.secret
    return redirect("interop:webhook_detail", request.workspace.slug, webhook.pk)


def _form_context(values: dict[str, Any], error: Invalid | None = None) -> dict[str, Any]:
    chosen = set(values.get("events") or [])
    return {
        "values": values,
        "chosen": chosen,
        "all_events": ALL in chosen,
        "catalog": [
            (name, [(kind, kind in chosen) for kind in kinds]) for name, kinds in kinds_catalog()
        ],
        "errors": {e.field: e.message for e in error.errors} if error is not None else {},
        "error": error_sentence(error) if error is not None else "",
    }


def _posted(request: WorkspaceRequest) -> dict[str, Any]:
    events = request.POST.getlist("events")
    if request.POST.get("all_events") == "1":
        events = [ALL]
    return {
        "url": request.POST.get("url", ""),
        "description": request.POST.get("description", ""),
        "events": events,
    }


@require_GET
@workspace_view
def webhook_list(request: WorkspaceRequest) -> HttpResponse:
    """The workspace's webhooks: where each goes, what it hears, its state, its last delivery."""
    hooks = list(selectors.webhook_list(actor=request.actor))
    return render(request, "interop/webhooks/list.html", {"webhooks": hooks})


@require_http_methods(["GET", "POST"])
@workspace_view
def webhook_new(request: WorkspaceRequest) -> HttpResponse:
    """Make a webhook; the page after shows its secret, once."""
    actor = request.actor
    selectors.webhook_list(actor=actor)  # owners and admins only, before any form
    if request.method == "GET":
        context = _form_context({"url": "", "description": "", "events": [ALL]})
        return render(request, "interop/webhooks/new.html", context)
    values = _posted(request)
    try:
        webhook = services.webhook_create(actor=actor, **values)
    except Invalid as error:
        return render(
            request, "interop/webhooks/new.html", _form_context(values, error), status=422
        )
    messages.success(request, "Webhook created. Copy its secret now: it is shown only once.")
    return _show_once(request, webhook)


def _detail(
    request: WorkspaceRequest,
    webhook: Webhook,
    *,
    secret: str = "",
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    selectors.webhook_detail(actor=actor, webhook=webhook)
    state = request.GET.get("state") or None
    try:
        page = selectors.delivery_list(
            actor=actor,
            webhook=webhook,
            state=state,
            cursor=request.GET.get("cursor") or None,
            limit=PAGE_SIZE,
        )
    except Invalid as error:
        messages.error(request, error_sentence(error))
        return redirect("interop:webhook_detail", request.workspace.slug, webhook.pk)
    context = form or _form_context(
        {"url": webhook.url, "description": webhook.description, "events": webhook.events}
    )
    return render(
        request,
        "interop/webhooks/detail.html",
        {
            **context,
            "webhook": webhook,
            "secret": secret,
            "deliveries": page.items,
            "next_cursor": page.next_cursor,
        },
        status=status,
    )


@require_GET
@workspace_view
def webhook_detail(request: WorkspaceRequest, webhook_id: int) -> HttpResponse:
    webhook = access_webhook(request.actor, webhook_id)
    secret = request.session.pop(SHOWN_ONCE_KEY.format(webhook.pk), "")
    return _detail(request, webhook, secret=secret if secret == webhook.secret else "")


@require_POST
@workspace_view
def webhook_edit(request: WorkspaceRequest, webhook_id: int) -> HttpResponse:
    webhook = access_webhook(request.actor, webhook_id)
    values = _posted(request)
    try:
        services.webhook_update(actor=request.actor, webhook=webhook, **values)
    except Invalid as error:
        webhook.refresh_from_db()
        return _detail(request, webhook, form=_form_context(values, error), status=422)
    messages.success(request, "Webhook saved.")
    return redirect("interop:webhook_detail", request.workspace.slug, webhook.pk)


@require_POST
@workspace_view
def webhook_enable(request: WorkspaceRequest, webhook_id: int) -> HttpResponse:
    webhook = access_webhook(request.actor, webhook_id)
    services.webhook_enable(actor=request.actor, webhook=webhook)
    messages.success(request, "Webhook enabled: new events are delivered to it again.")
    return redirect("interop:webhook_detail", request.workspace.slug, webhook.pk)


@require_POST
@workspace_view
def webhook_disable(request: WorkspaceRequest, webhook_id: int) -> HttpResponse:
    webhook = access_webhook(request.actor, webhook_id)
    try:
        services.webhook_disable(
            actor=request.actor, webhook=webhook, reason=request.POST.get("reason", "")
        )
    except Invalid as error:
        messages.error(request, error_sentence(error))
    else:
        messages.success(request, "Webhook disabled: nothing is delivered to it until enabled.")
    return redirect("interop:webhook_detail", request.workspace.slug, webhook.pk)


@require_POST
@workspace_view
def webhook_test(request: WorkspaceRequest, webhook_id: int) -> HttpResponse:
    webhook = access_webhook(request.actor, webhook_id)
    services.webhook_test(actor=request.actor, webhook=webhook)
    messages.success(request, "Test event sent to the worker; its delivery is in the log below.")
    return redirect("interop:webhook_detail", request.workspace.slug, webhook.pk)


@require_POST
@workspace_view
def webhook_rotate_secret(request: WorkspaceRequest, webhook_id: int) -> HttpResponse:
    webhook = access_webhook(request.actor, webhook_id)
    webhook = services.webhook_rotate_secret(actor=request.actor, webhook=webhook)
    messages.success(
        request, "New secret made. Copy it now and give it to the receiver: it is shown once."
    )
    return _show_once(request, webhook)


@require_POST
@workspace_view
def webhook_delete(request: WorkspaceRequest, webhook_id: int) -> HttpResponse:
    webhook = access_webhook(request.actor, webhook_id)
    url = webhook.url
    services.webhook_delete(actor=request.actor, webhook=webhook)
    messages.success(request, f"Webhook to {url} deleted.")
    return redirect("interop:webhook_list", request.workspace.slug)


@require_POST
@workspace_view
def delivery_redeliver(
    request: WorkspaceRequest, webhook_id: int, delivery_id: int
) -> HttpResponse:
    webhook = access_webhook(request.actor, webhook_id)
    delivery = access_delivery(request.actor, webhook, delivery_id)
    try:
        services.delivery_redeliver(actor=request.actor, delivery=delivery)
    except Conflict as error:
        messages.error(request, error_sentence(error))
    else:
        messages.success(request, f"Event {delivery.event_id} sent again, as a new delivery.")
    return redirect("interop:webhook_detail", request.workspace.slug, webhook.pk)
