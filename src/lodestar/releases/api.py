"""The releases API: a product's releases, their items, go-live checklist, going live, notes
and forecast, and the product's own go-live checks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, json_answer, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Id, Limit, PageOut
from lodestar.backlog.access import access_anchor
from lodestar.backlog.refs import item_refs
from lodestar.core.errors import NotFound
from lodestar.core.pagination import paginate
from lodestar.people.policy import Actor
from lodestar.releases import roadmap, roadmap_selectors, selectors, services
from lodestar.releases.access import (
    access_entry,
    access_product_check,
    access_release,
    access_share,
)
from lodestar.releases.checklist import checklist, unmet
from lodestar.releases.errors import ReleaseErrorCode as Code
from lodestar.releases.forecasts import release_forecast
from lodestar.releases.models import Release, RoadmapShare
from lodestar.releases.notes import draft
from lodestar.releases.schemas import (
    ChecklistEntryOut,
    ChecklistOut,
    ProductCheckIn,
    ProductCheckOut,
    ReleaseCheckTickIn,
    ReleaseDetailOut,
    ReleaseDropIn,
    ReleaseForecastOut,
    ReleaseGoLiveIn,
    ReleaseIn,
    ReleaseItemOut,
    ReleaseItemsIn,
    ReleaseNotesIn,
    ReleaseNotesOut,
    ReleaseOut,
    ReleasePatch,
    RoadmapArrangeIn,
    RoadmapEntryIn,
    RoadmapEntryOut,
    RoadmapMoveIn,
    RoadmapOut,
    RoadmapShareCreatedOut,
    RoadmapShareIn,
    RoadmapShareOut,
    State,
)
from lodestar.strategy.access import access_product
from lodestar.strategy.models import Product

router = Router(tags=["releases"])

PRODUCT = "/{workspace_slug}/products/{product_key}"
RELEASE = PRODUCT + "/releases/{release_id}"


def _release(
    request: HttpRequest, workspace_slug: str, product_key: str, release_id: int
) -> tuple[Actor, Release]:
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    return actor, access_release(actor, release_id, product=product)


def _checklist(release: Release) -> ChecklistOut:
    entries = checklist(release)
    return ChecklistOut(
        ready=not unmet(entries),
        checks=[ChecklistEntryOut.of(entry) for entry in entries],
        unmet=[entry.label for entry in unmet(entries)],
    )


def _detail(release: Release) -> ReleaseDetailOut:
    return ReleaseDetailOut(
        **ReleaseOut.of(release).model_dump(),
        checklist=_checklist(release),
        notes=release.notes,
        notes_html=release.notes_html,
    )


@router.get(
    PRODUCT + "/releases",
    response={200: PageOut[ReleaseOut], **ERRORS},
    operation_id="release_list",
)
def list_releases(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    state: State | None = None,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[ReleaseOut]:
    """The product's releases, the newest first, with their progress."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    page = paginate(
        selectors.release_list(actor=actor, product=product, state=state),
        order=["-created_at", "-id"],
        cursor=cursor,
        limit=limit,
    )
    return PageOut[ReleaseOut](
        items=[ReleaseOut.of(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.post(
    PRODUCT + "/releases",
    response={201: ReleaseOut, **WRITE_ERRORS},
    operation_id="release_create",
)
def create_release(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    payload: ReleaseIn,
) -> Status[ReleaseOut]:
    """Plan a release of the product: a name or version unique in it, a description
    (Markdown), a target date."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    release = services.release_create(actor=actor, product=product, **payload.model_dump())
    set_etag(response, release.version)
    return Status(201, ReleaseOut.of(release))


@router.get(RELEASE, response={200: ReleaseDetailOut, **ERRORS}, operation_id="release_get")
def get_release(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    release_id: Id,
) -> ReleaseDetailOut:
    """The release with its progress, go-live checklist (what is unmet, in words) and notes."""
    _, release = _release(request, workspace_slug, product_key, release_id)
    set_etag(response, release.version)
    return _detail(release)


@router.patch(
    RELEASE,
    response={200: ReleaseOut, **WRITE_ERRORS},
    operation_id="release_update",
    openapi_extra=IF_MATCH,
)
def update_release(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    release_id: Id,
    payload: ReleasePatch,
) -> ReleaseOut:
    """Change the release's name, description, target date or state (planned, in_progress,
    cancelled; cancelling drops its items so they are free for another release)."""
    actor, release = _release(request, workspace_slug, product_key, release_id)
    given = payload.model_dump(exclude_unset=True)
    for name in ("name", "description", "state"):
        if given.get(name) is None:
            given.pop(name, None)
    release = services.release_update(
        actor=actor, release=release, expected_version=if_match(request), **given
    )
    set_etag(response, release.version)
    return ReleaseOut.of(release)


@router.get(
    RELEASE + "/items",
    response={200: PageOut[ReleaseItemOut], **ERRORS},
    operation_id="release_item_list",
)
def list_release_items(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    release_id: Id,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[ReleaseItemOut]:
    """The release's items in backlog order, dropped ones with their reason."""
    _, release = _release(request, workspace_slug, product_key, release_id)
    page = paginate(
        selectors.release_items(release=release),
        order=["item__rank", "id"],
        cursor=cursor,
        limit=limit,
    )
    return PageOut[ReleaseItemOut](
        items=[ReleaseItemOut.of(e) for e in page.items], next_cursor=page.next_cursor
    )


@router.post(
    RELEASE + "/items",
    response={200: ReleaseOut, **WRITE_ERRORS},
    operation_id="release_items_add",
)
def add_release_items(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    release_id: Id,
    payload: ReleaseItemsIn,
) -> ReleaseOut:
    """Add items of the product to the release (an item is in one release at a time); an
    item of another product is a 422 naming it."""
    actor, release = _release(request, workspace_slug, product_key, release_id)
    release = services.release_items_add(
        actor=actor, release=release, items=item_refs(actor, payload.items)
    )
    set_etag(response, release.version)
    return ReleaseOut.of(release)


@router.post(
    RELEASE + "/items/drop",
    response={200: ReleaseOut, **WRITE_ERRORS},
    operation_id="release_items_drop",
)
def drop_release_items(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    release_id: Id,
    payload: ReleaseDropIn,
) -> ReleaseOut:
    """Consciously drop items from the release, with the reason: they stay listed, count as
    decided on the checklist, and are free for another release."""
    actor, release = _release(request, workspace_slug, product_key, release_id)
    release = services.release_items_drop(
        actor=actor,
        release=release,
        items=item_refs(actor, payload.items),
        reason=payload.reason,
    )
    set_etag(response, release.version)
    return ReleaseOut.of(release)


@router.delete(
    RELEASE + "/items/{item_key}",
    response={204: None, **WRITE_ERRORS},
    operation_id="release_item_remove",
)
def remove_release_item(
    request: HttpRequest, workspace_slug: str, product_key: str, release_id: Id, item_key: str
) -> Status[None]:
    """Take an item out of the release (a planning mistake; drop it to record a decision)."""
    actor, release = _release(request, workspace_slug, product_key, release_id)
    services.release_items_remove(
        actor=actor, release=release, items=[access_anchor(actor, item_key)]
    )
    return Status(204, None)


@router.get(
    RELEASE + "/checks", response={200: ChecklistOut, **ERRORS}, operation_id="release_checklist"
)
def get_checklist(
    request: HttpRequest, workspace_slug: str, product_key: str, release_id: Id
) -> ChecklistOut:
    """The go-live checklist: every check, met or not, with what is missing in words."""
    _, release = _release(request, workspace_slug, product_key, release_id)
    return _checklist(release)


@router.put(
    RELEASE + "/checks/{check_id}",
    response={200: ChecklistOut, **WRITE_ERRORS},
    operation_id="release_check_tick",
)
def tick_check(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    release_id: Id,
    check_id: Id,
    payload: ReleaseCheckTickIn,
) -> ChecklistOut:
    """Tick (or untick) one of the product's own checks on the release."""
    actor, release = _release(request, workspace_slug, product_key, release_id)
    check = access_product_check(actor, release.product, check_id)
    release = services.release_check_tick(
        actor=actor, release=release, check=check, ticked=payload.ticked
    )
    return _checklist(release)


@router.post(
    RELEASE + "/go-live",
    response={200: ReleaseDetailOut, **WRITE_ERRORS},
    operation_id="release_go_live",
    openapi_extra=IF_MATCH,
)
def go_live(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    release_id: Id,
    payload: ReleaseGoLiveIn,
) -> ReleaseDetailOut:
    """Take the release live. Unmet checks refuse it (422, code ``release_checks_unmet``,
    naming each check) unless ``force`` is given with a ``reason`` by the product's owner or an
    admin; the force is kept on the release and in its history."""
    actor, release = _release(request, workspace_slug, product_key, release_id)
    release = services.release_go_live(
        actor=actor,
        release=release,
        force=payload.force,
        reason=payload.reason,
        expected_version=if_match(request),
    )
    set_etag(response, release.version)
    return _detail(release)


@router.get(
    RELEASE + "/notes", response={200: ReleaseNotesOut, **ERRORS}, operation_id="release_notes_get"
)
def get_notes(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    release_id: Id,
) -> ReleaseNotesOut:
    """The saved notes, and a draft made now from the done items (grouped by kind, with the
    customer problems they solve)."""
    _, release = _release(request, workspace_slug, product_key, release_id)
    set_etag(response, release.version)
    return ReleaseNotesOut(
        notes=release.notes,
        notes_html=release.notes_html,
        draft=draft(release),
        version=release.version,
    )


@router.put(
    RELEASE + "/notes",
    response={200: ReleaseNotesOut, **WRITE_ERRORS},
    operation_id="release_notes_save",
    openapi_extra=IF_MATCH,
)
def save_notes(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    release_id: Id,
    payload: ReleaseNotesIn,
) -> ReleaseNotesOut:
    """Save the release notes (Markdown; rendered and sanitized once, stored beside it)."""
    actor, release = _release(request, workspace_slug, product_key, release_id)
    release = services.release_notes_save(
        actor=actor, release=release, notes=payload.notes, expected_version=if_match(request)
    )
    set_etag(response, release.version)
    return ReleaseNotesOut(
        notes=release.notes,
        notes_html=release.notes_html,
        draft=draft(release),
        version=release.version,
    )


@router.get(
    RELEASE + "/forecast",
    response={200: ReleaseForecastOut, **ERRORS},
    operation_id="release_forecast",
)
def get_forecast(
    request: HttpRequest, workspace_slug: str, product_key: str, release_id: Id
) -> ReleaseForecastOut:
    """The remaining items, the dates by which they are done at 50, 85 and 95% (Monte Carlo
    from the product's teams' weekly throughput, calibrated), and the chance of making the
    target date."""
    _, release = _release(request, workspace_slug, product_key, release_id)
    return ReleaseForecastOut.of(release, release_forecast(release))


@router.get(
    PRODUCT + "/release-checks",
    response={200: list[ProductCheckOut], **ERRORS},
    operation_id="product_release_check_list",
)
def list_product_checks(
    request: HttpRequest, workspace_slug: str, product_key: str
) -> list[ProductCheckOut]:
    """The product's own go-live checks, ticked by hand on each release."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    return [ProductCheckOut.of(c) for c in selectors.product_checks(actor=actor, product=product)]


@router.post(
    PRODUCT + "/release-checks",
    response={201: ProductCheckOut, **WRITE_ERRORS},
    operation_id="product_release_check_create",
)
def create_product_check(
    request: HttpRequest, workspace_slug: str, product_key: str, payload: ProductCheckIn
) -> Status[ProductCheckOut]:
    """Add a go-live check of the product's own ("Support has been briefed")."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    check = services.product_check_create(actor=actor, product=product, label=payload.label)
    return Status(201, ProductCheckOut.of(check))


@router.delete(
    PRODUCT + "/release-checks/{check_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="product_release_check_delete",
)
def delete_product_check(
    request: HttpRequest, workspace_slug: str, product_key: str, check_id: Id
) -> Status[None]:
    """Stop asking one of the product's own checks."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    services.product_check_delete(actor=actor, check=access_product_check(actor, product, check_id))
    return Status(204, None)


# ---------- the roadmap ----------

ROADMAP = PRODUCT + "/roadmap"


def _lanes(product: Product) -> list[dict[str, Any]]:
    """The lanes in RoadmapLaneOut's shape, as plain values (tests/releases/test_roadmap.py
    holds them to it): a schema object per entry cost more than reading the entries."""
    return [
        {
            "name": lane.name,
            "label": lane.label,
            "entries": [
                {
                    "id": card.id,
                    "lane": lane.name,
                    "type": card.type,
                    "kind": card.kind,
                    "target_id": card.target_id,
                    "ref": card.ref,
                    "spelled": f"{card.type}:{card.ref}",
                    "title": card.title,
                    "state": card.state,
                    "date": card.date,
                }
                for card in lane.cards
            ],
        }
        for lane in roadmap_selectors.lanes(
            product, public=True, descriptions=False, evidence=False
        )
    ]


def _roadmap(product: Product) -> HttpResponse:
    """The roadmap in RoadmapOut's shape."""
    return json_answer(
        {
            "product": product.key,
            "lanes": _lanes(product),
            "timeline": [
                {
                    "label": row.label,
                    "target": row.target,
                    "forecast_50": row.low,
                    "forecast_85": row.mid,
                    "forecast_95": row.high,
                    "went_live": row.done,
                }
                for row in roadmap_selectors.timeline_rows(product)
            ],
        }
    )


def _entry_out(product: Product, entry_id: int) -> RoadmapEntryOut:
    """One entry as the lanes give it (the timeline is not needed for it)."""
    for lane in _lanes(product):
        for card in lane["entries"]:
            if card["id"] == entry_id:
                return RoadmapEntryOut(**card)
    raise NotFound(f"No roadmap entry {entry_id}.", code=Code.ROADMAP_ENTRY_NOT_FOUND)


@router.get(ROADMAP, response={200: RoadmapOut, **ERRORS}, operation_id="roadmap_get")
def get_roadmap(request: HttpRequest, workspace_slug: str, product_key: str) -> HttpResponse:
    """The product's roadmap: the now, next and later lanes with their entries in order, and
    the timeline of its releases with their forecast ranges."""
    actor = request_actor(request, workspace_slug)
    return _roadmap(access_product(actor, product_key))


@router.put(ROADMAP, response={200: RoadmapOut, **WRITE_ERRORS}, operation_id="roadmap_arrange")
def arrange_roadmap(
    request: HttpRequest, workspace_slug: str, product_key: str, payload: RoadmapArrangeIn
) -> HttpResponse:
    """Set the order of the whole roadmap at once: each lane's objects, first to last,
    spelled kind:reference (``item:ACME-12``, ``release:7``)."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    roadmap.roadmap_arrange(actor=actor, product=product, arrangement=payload.lanes)
    return _roadmap(product)


@router.post(
    ROADMAP + "/entries",
    response={201: RoadmapEntryOut, **WRITE_ERRORS},
    operation_id="roadmap_entry_add",
)
def add_roadmap_entry(
    request: HttpRequest, workspace_slug: str, product_key: str, payload: RoadmapEntryIn
) -> Status[RoadmapEntryOut]:
    """Put a Product Goal, an epic, a problem or a release of the product in a lane."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    entry = roadmap.roadmap_entry_add(actor=actor, product=product, **payload.model_dump())
    return Status(201, _entry_out(product, entry.pk))


@router.post(
    ROADMAP + "/entries/{entry_id}/move",
    response={200: RoadmapEntryOut, **WRITE_ERRORS},
    operation_id="roadmap_entry_move",
)
def move_roadmap_entry(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    entry_id: Id,
    payload: RoadmapMoveIn,
) -> RoadmapEntryOut:
    """Move an entry to a lane, at a position in it (0 is first; empty: last)."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    entry = access_entry(actor, product, entry_id)
    roadmap.roadmap_entry_move(
        actor=actor, product=product, entry=entry, lane=payload.lane, position=payload.position
    )
    return _entry_out(product, entry.pk)


@router.delete(
    ROADMAP + "/entries/{entry_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="roadmap_entry_remove",
)
def remove_roadmap_entry(
    request: HttpRequest, workspace_slug: str, product_key: str, entry_id: Id
) -> Status[None]:
    """Take an entry off the roadmap (the object itself is unchanged)."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    roadmap.roadmap_entry_remove(
        actor=actor, product=product, entry=access_entry(actor, product, entry_id)
    )
    return Status(204, None)


@router.get(
    ROADMAP + "/shares",
    response={200: list[RoadmapShareOut], **ERRORS},
    operation_id="roadmap_share_list",
)
def list_roadmap_shares(
    request: HttpRequest, workspace_slug: str, product_key: str
) -> list[RoadmapShareOut]:
    """The product's roadmap links, newest first, revoked and expired ones included (their
    tokens are never shown again)."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    rows = RoadmapShare.objects.filter(product=product).select_related("created_by", "revoked_by")
    return [RoadmapShareOut.of(share) for share in rows]


@router.post(
    ROADMAP + "/shares",
    response={201: RoadmapShareCreatedOut, **WRITE_ERRORS},
    operation_id="roadmap_share_create",
)
def create_roadmap_share(
    request: HttpRequest, workspace_slug: str, product_key: str, payload: RoadmapShareIn
) -> Status[RoadmapShareCreatedOut]:
    """Make a read-only link to the roadmap. The answer holds its token, shown this once."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    share, token = roadmap.roadmap_share_create(
        actor=actor, product=product, **payload.model_dump()
    )
    return Status(
        201,
        RoadmapShareCreatedOut(
            **RoadmapShareOut.of(share).model_dump(),
            token=token,
            url=reverse("releases:roadmap_shared", kwargs={"token": token}),
        ),
    )


@router.post(
    ROADMAP + "/shares/{share_id}/revoke",
    response={200: RoadmapShareOut, **WRITE_ERRORS},
    operation_id="roadmap_share_revoke",
)
def revoke_roadmap_share(
    request: HttpRequest, workspace_slug: str, product_key: str, share_id: Id
) -> RoadmapShareOut:
    """Stop a roadmap link working: from now on it answers 404, like an unknown one."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    share = roadmap.roadmap_share_revoke(
        actor=actor, product=product, share=access_share(actor, product, share_id)
    )
    return RoadmapShareOut.of(share)
