"""The roadmap pages: a product's roadmap (``/w/<slug>/releases/<KEY>/roadmap``: the lanes,
dragged or moved with a form, the timeline, and the share links), and the public read-only
page of a share link (``/share/roadmap/<token>``: no sign-in, its own layout, 404 for an
unknown, revoked or expired link alike)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lodestar.core.errors import DomainError, error_sentence
from lodestar.people.policy import can
from lodestar.people.web import WorkspaceRequest, workspace_view
from lodestar.releases import roadmap, roadmap_selectors
from lodestar.releases.access import access_entry, access_share
from lodestar.releases.models import RoadmapEntry, RoadmapLane, RoadmapShare
from lodestar.releases.permissions import ReleasePermission
from lodestar.strategy.access import access_product
from lodestar.strategy.models import Product

KINDS = [
    ("item", "Epic (its key)"),
    ("goal", "Product Goal (its id)"),
    ("problem", "Problem (its id)"),
    ("release", "Release (its id)"),
]


def _url(request: WorkspaceRequest, product: Product) -> str:
    return reverse(
        "releases:roadmap",
        kwargs={"workspace_slug": request.workspace.slug, "product_key": product.key},
    )


def _page(
    request: WorkspaceRequest,
    product: Product,
    *,
    errors: dict[str, str] | None = None,
    new_link: str = "",
    status: int = 200,
) -> HttpResponse:
    may_decide = can(request.actor, ReleasePermission.DECIDE_RELEASE, product=product)
    shares = list(
        RoadmapShare.objects.filter(product=product).select_related("created_by", "revoked_by")
    )
    now = timezone.now()
    return render(
        request,
        "releases/roadmap.html",
        {
            "product": product,
            "currency": request.workspace.currency,
            "lanes": roadmap_selectors.lanes(product),
            "lane_choices": RoadmapLane.choices,
            "kinds": KINDS,
            "timeline": roadmap_selectors.timeline_chart(product),
            "may_decide": may_decide,
            "shares": [
                {
                    "share": share,
                    "active": share.revoked_at is None
                    and (share.expires_at is None or share.expires_at > now),
                }
                for share in shares
            ],
            "errors": errors or {},
            "form": request.POST if request.method == "POST" else {},
            "new_link": new_link,
        },
        status=status,
    )


@require_GET
@workspace_view
def roadmap_page(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    return _page(request, access_product(request.actor, product_key))


@require_POST
@workspace_view
def entry_add(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    product = access_product(request.actor, product_key)
    try:
        roadmap.roadmap_entry_add(
            actor=request.actor,
            product=product,
            type=request.POST.get("type", ""),
            target=request.POST.get("target", ""),
            lane=request.POST.get("lane", ""),
        )
    except DomainError as error:
        return _page(request, product, errors={"add": error_sentence(error)}, status=422)
    messages.success(request, "Added to the roadmap.")
    return redirect(_url(request, product))


def _moved(
    request: WorkspaceRequest, product: Product, entry: RoadmapEntry, step: str | None = None
) -> HttpResponse:
    """Move ``entry`` by a card's button (``step``: up, down, top, bottom or a lane) or, with
    no step, to the ``lane`` and ``place`` posted (1 is first; empty: last); then back to the
    card."""
    try:
        if step is not None:
            roadmap.roadmap_entry_step(actor=request.actor, product=product, entry=entry, step=step)
        else:
            roadmap.roadmap_entry_move(
                actor=request.actor,
                product=product,
                entry=entry,
                lane=request.POST.get("lane") or entry.lane,
                position=roadmap.place_position(request.POST.get("place", "")),
            )
    except DomainError as error:
        return _page(request, product, errors={"move": error_sentence(error)}, status=422)
    messages.success(request, f"Moved, in {entry.get_lane_display()}.")
    return redirect(f"{_url(request, product)}#card-{entry.pk}")


@require_POST
@workspace_view
def entries_move(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """A lane's move form (and a drop): ``entry``, then ``lane`` and ``place``, or a ``step``
    (up, down, top, bottom)."""
    product = access_product(request.actor, product_key)
    entry = access_entry(request.actor, product, request.POST.get("entry", "").strip()[:20])
    return _moved(request, product, entry, request.POST.get("step"))


@require_POST
@workspace_view
def entry_move(request: WorkspaceRequest, product_key: str, entry_id: int) -> HttpResponse:
    """One entry moved to the ``lane`` and ``place`` posted (1 is first; empty: last)."""
    product = access_product(request.actor, product_key)
    return _moved(request, product, access_entry(request.actor, product, entry_id))


@require_POST
@workspace_view
def entries_remove(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    """The page's one remove form: a card's Remove button posts ``entry``."""
    product = access_product(request.actor, product_key)
    entry = access_entry(request.actor, product, request.POST.get("entry", "").strip()[:20])
    return _removed(request, product, entry)


@require_POST
@workspace_view
def entry_remove(request: WorkspaceRequest, product_key: str, entry_id: int) -> HttpResponse:
    product = access_product(request.actor, product_key)
    return _removed(request, product, access_entry(request.actor, product, entry_id))


def _removed(request: WorkspaceRequest, product: Product, entry: RoadmapEntry) -> HttpResponse:
    roadmap.roadmap_entry_remove(actor=request.actor, product=product, entry=entry)
    messages.success(request, "Taken off the roadmap.")
    return redirect(_url(request, product))


def _expiry(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.date.min  # refused by the service as a day not after today


@require_POST
@workspace_view
def share_create(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    product = access_product(request.actor, product_key)
    try:
        _, token = roadmap.roadmap_share_create(
            actor=request.actor,
            product=product,
            label=request.POST.get("label", ""),
            expires_on=_expiry(request.POST.get("expires_on", "")),
            include_descriptions=request.POST.get("include_descriptions") == "on",
            include_problem_evidence=request.POST.get("include_problem_evidence") == "on",
        )
    except DomainError as error:
        return _page(request, product, errors={"share": error_sentence(error)}, status=422)
    # Shown on this answer only (never stored, never put in a message or a redirect).
    link = request.build_absolute_uri(reverse("releases:roadmap_shared", kwargs={"token": token}))
    return _page(request, product, new_link=link, status=201)


@require_POST
@workspace_view
def share_revoke(request: WorkspaceRequest, product_key: str, share_id: int) -> HttpResponse:
    product = access_product(request.actor, product_key)
    share = access_share(request.actor, product, share_id)
    roadmap.roadmap_share_revoke(actor=request.actor, product=product, share=share)
    messages.success(request, f"Revoked the link “{share.label}”: it no longer opens.")
    return redirect(_url(request, product))


@never_cache
@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The roadmap a share link was made for, read-only: the lanes (titles, kinds, states,
    dates) and the timeline; descriptions and problem evidence only if the link opted in."""
    share = roadmap.shared_roadmap(token)
    if share is None:
        raise Http404("No such roadmap.")
    product = share.product
    context: dict[str, Any] = {
        "product": product,
        "currency": share.workspace.currency,
        "share": share,
        "lanes": roadmap_selectors.lanes(
            product,
            public=True,
            descriptions=share.include_descriptions,
            evidence=share.include_problem_evidence,
        ),
        "timeline": roadmap_selectors.timeline_chart(product),
    }
    response = render(request, "releases/roadmap_shared.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
