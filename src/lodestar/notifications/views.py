"""The notifications' pages: the inbox (newest first, paged by keyset, filtered by kind, read
on open, mark read, mark all read), the tiny unread count the sidebar polls (ETag, 304), the
mentionables an editor's ``@`` completes from, and the Watch / Unwatch section of an object's
page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lodestar.core.csvexport import wants_csv
from lodestar.core.errors import Invalid, error_sentence
from lodestar.core.registry import registry
from lodestar.notifications import emails, selectors, services
from lodestar.notifications.access import Target, access_notification, access_target
from lodestar.notifications.models import Delivery, Kind
from lodestar.notifications.page_exports import inbox_csv
from lodestar.people.models import Membership
from lodestar.people.policy import Actor
from lodestar.people.web import WorkspaceRequest, workspace_view

PAGE_SIZE = 50
MENTIONABLES_MAX = 8


@require_GET
@workspace_view
def inbox(request: WorkspaceRequest) -> HttpResponse | StreamingHttpResponse:
    """The member's notifications, newest first, 50 a page; unread ones stand out."""
    actor = request.actor
    kind = request.GET.get("kind") or None
    unread_only = request.GET.get("unread") == "1"
    if wants_csv(request):
        return inbox_csv(request, kind, True if unread_only else None)
    try:
        page = selectors.inbox(
            actor=actor,
            kind=kind,
            unread=True if unread_only else None,
            cursor=request.GET.get("cursor") or None,
            limit=PAGE_SIZE,
        )
    except Invalid as error:
        messages.error(request, error_sentence(error))
        return redirect("notifications:inbox", workspace_slug=actor.workspace.slug)
    # Each row's link, made once and not reversed fifty times over (the page's cost is its
    # rendering: docs/PERFORMANCE.md, *Notifications*).
    slug = actor.workspace.slug
    opening = reverse("notifications:open", args=[slug, 0]).removesuffix("0")
    for notification in page.items:
        notification.open_url = f"{opening}{notification.pk}"  # type: ignore[attr-defined]
    return render(
        request,
        "notifications/inbox.html",
        {
            "notifications": page.items,
            "read_url": reverse("notifications:read", args=[slug]),
            "next_cursor": page.next_cursor,
            "kind": kind or "",
            "unread_only": unread_only,
            "kinds": Kind.choices,
            "unread": selectors.unread_count(
                member_id=actor.membership.pk, cap=selectors.BADGE_CAP
            ),
            "preferences": [
                (value, label, chosen)
                for (value, label), chosen in zip(
                    Kind.choices, services.preferences_of(actor.membership).values(), strict=True
                )
            ],
            "deliveries": Delivery.choices,
        },
    )


@require_GET
@workspace_view
def open_notification(request: WorkspaceRequest, notification_id: int) -> HttpResponse:
    """Read a notification and go to its object's page."""
    notification = access_notification(request.actor, notification_id)
    services.notifications_read(actor=request.actor, ids=[notification.pk])
    url = notification.url
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect("notifications:inbox", workspace_slug=request.actor.workspace.slug)
    return redirect(url)


@require_POST
@workspace_view
def read(request: WorkspaceRequest) -> HttpResponse:
    """Mark one notification (``id``) or all (``all=1``) read, then back to the inbox."""
    actor = request.actor
    try:
        if request.POST.get("all") == "1":
            count = services.notifications_read(actor=actor, everything=True)
            messages.success(
                request, f"Marked {count} notification{'s' if count != 1 else ''} read."
            )
        else:
            services.notifications_read(actor=actor, ids=[request.POST.get("id", "")])
    except Invalid as error:
        messages.error(request, error_sentence(error))
    return redirect(reverse("notifications:inbox", args=[actor.workspace.slug]))


@require_POST
@workspace_view
def preferences(request: WorkspaceRequest) -> HttpResponse:
    """How the member hears of each kind (the inbox page's settings form)."""
    actor = request.actor
    choices = {kind: request.POST[kind] for kind in Kind.values if kind in request.POST}
    try:
        services.preferences_set(actor=actor, choices=choices)
    except Invalid as error:
        messages.error(request, f"Nothing was saved. {error_sentence(error)}")
    else:
        messages.success(request, "Saved how you hear of each kind.")
    return redirect(reverse("notifications:inbox", args=[actor.workspace.slug]))


@require_GET
@workspace_view
def unread(request: WorkspaceRequest) -> HttpResponse:
    """``{"unread": n}`` for the sidebar's badge, with an ETag: an unchanged count is a 304."""
    count = selectors.unread_count(member_id=request.actor.membership.pk, cap=selectors.BADGE_CAP)
    etag = f'"u{count}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = JsonResponse({"unread": count})
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
@workspace_view
def mentionables(request: WorkspaceRequest) -> HttpResponse:
    """Members and teams of the workspace whose handle (slug) or name starts with ``q``, at
    most 8, for completing an ``@`` in a Markdown field."""
    q = (request.GET.get("q") or "").strip().removeprefix("@")[:64]
    found = selectors.mentionables(
        workspace_id=request.actor.workspace_id, prefix=q, limit=MENTIONABLES_MAX
    )
    return JsonResponse({"items": found})


def watch_section(request: HttpRequest, obj: Any, *, in_panel: bool = False) -> str:
    """The Watch / Unwatch button of an object's page, and how many watch it."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    declared = registry().object_type_for(obj)
    target = Target(declared, obj)
    watchers = selectors.watchers(target=target)
    return render_to_string(
        "notifications/_watch.html",
        {
            "target": target,
            "watching": any(m.pk == actor.membership.pk for m in watchers),
            "watchers": watchers,
            "next": request.get_full_path(),
            "workspace": actor.workspace,
        },
        request=request,
    )


def item_watch_section(request: HttpRequest, item: Any, in_panel: bool) -> str:
    return watch_section(request, item, in_panel=in_panel)


def card_watch_section(request: HttpRequest, obj: Any) -> str:
    return watch_section(request, obj)


@require_POST
@workspace_view
def watch(request: WorkspaceRequest) -> HttpResponse:
    """Watch or unwatch (``watching=0``) the object the form names, then go back."""
    actor = request.actor
    kind, _, ref = request.POST.get("target", "").partition(":")
    target = access_target(actor, kind, ref)
    if request.POST.get("watching") == "0":
        services.watch_stop(actor=actor, target=target)
        messages.success(request, f"You no longer watch {target.title}.")
    else:
        services.watch_start(actor=actor, target=target)
        messages.success(
            request, f"You watch {target.title}: you hear of its comments and changes."
        )
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        back = target.url or reverse("notifications:inbox", args=[actor.workspace.slug])
    return redirect(back)


def _unsubscribe_page(
    request: HttpRequest, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, "notifications/unsubscribe.html", context, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """An email's unsubscribe link: GET asks to confirm, POST (a mail client's one-click, RFC
    8058, or the confirm button) stops those emails. No sign-in: the signed token says who and
    which kinds; a token not made here changes nothing and says so."""
    found = emails.read_unsubscribe_token(token)
    member = (
        Membership.objects.select_related("user", "workspace").filter(pk=found[0]).first()
        if found is not None
        else None
    )
    if found is None or member is None:
        return _unsubscribe_page(request, {"invalid": True}, status=400)
    kinds = found[1]
    labels = [Kind(kind).label.lower() for kind in kinds]
    if request.method == "POST":
        services.email_unsubscribe(member=member, kinds=kinds)
        return _unsubscribe_page(request, {"done": True, "labels": labels, "member": member})
    return _unsubscribe_page(request, {"labels": labels, "member": member, "token": token})
