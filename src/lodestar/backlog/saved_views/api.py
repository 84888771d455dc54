"""HTTP API of saved views: a product's views that the caller sees, and their own to change.

A personal view is its owner's alone (anyone else gets 404); a shared one is seen by the
whole workspace and changed by its creator or an owner or admin.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Id
from lodestar.backlog.saved_views import services
from lodestar.backlog.saved_views.access import access_saved_view
from lodestar.backlog.saved_views.schemas import SavedViewIn, SavedViewOut, SavedViewPatch
from lodestar.backlog.saved_views.selectors import saved_view_list
from lodestar.people.policy import Actor
from lodestar.strategy.access import access_product

router = Router(tags=["saved views"])

VIEWS = "/{workspace_slug}/products/{product_key}/saved-views"
VIEW = VIEWS + "/{view_id}"


def _out(response: HttpResponse, actor: Actor, view_id: int) -> SavedViewOut:
    """The view read again with everything it shows, with its ETag."""
    fresh = saved_view_list(actor=actor).get(pk=view_id)
    set_etag(response, fresh.version)
    return SavedViewOut.of(fresh)


@router.get(VIEWS, response={200: list[SavedViewOut], **ERRORS}, operation_id="saved_view_list")
def list_views(request: HttpRequest, workspace_slug: str, product_key: str) -> list[SavedViewOut]:
    """The caller's own views of the product and those shared with the workspace, by name."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    return [SavedViewOut.of(v) for v in saved_view_list(actor=actor, product=product)]


@router.post(VIEWS, response={201: SavedViewOut, **WRITE_ERRORS}, operation_id="saved_view_create")
def create_view(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    payload: SavedViewIn,
) -> Status[SavedViewOut]:
    """Save a filter and column set of the product's backlog under a name."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    view = services.saved_view_create(
        actor=actor,
        product=product,
        name=payload.name,
        shared=payload.shared,
        filters=payload.filters.model_dump(exclude_none=True) if payload.filters else None,
        columns=payload.columns,
    )
    return Status(201, _out(response, actor, view.pk))


@router.patch(
    VIEW,
    response={200: SavedViewOut, **WRITE_ERRORS},
    operation_id="saved_view_update",
    openapi_extra=IF_MATCH,
)
def update_view(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    view_id: Id,
    payload: SavedViewPatch,
) -> SavedViewOut:
    """Rename, share or unshare the view, or replace its filters or columns."""
    actor = request_actor(request, workspace_slug)
    view = access_saved_view(actor, access_product(actor, product_key), view_id)
    services.saved_view_update(
        actor=actor,
        view=view,
        name=payload.name,
        shared=payload.shared,
        filters=payload.filters.model_dump(exclude_none=True) if payload.filters else None,
        columns=payload.columns,
        expected_version=if_match(request),
    )
    return _out(response, actor, view.pk)


@router.delete(VIEW, response={204: None, **WRITE_ERRORS}, operation_id="saved_view_delete")
def delete_view(
    request: HttpRequest, workspace_slug: str, product_key: str, view_id: Id
) -> Status[None]:
    """Delete the view for good."""
    actor = request_actor(request, workspace_slug)
    view = access_saved_view(actor, access_product(actor, product_key), view_id)
    services.saved_view_delete(actor=actor, view=view)
    return Status(204, None)
