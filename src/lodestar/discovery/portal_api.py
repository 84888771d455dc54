"""The portal's setting through the API: ``GET/PUT .../products/{product_key}/portal``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema
from pydantic import Field

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, InSchema
from lodestar.discovery.portal_models import Portal
from lodestar.discovery.portal_selectors import moderation_queue
from lodestar.discovery.portal_services import INTRO_MAX, PORTAL_TITLE_MAX, portal_of, portal_update
from lodestar.people.policy import Actor
from lodestar.strategy.access import access_product

router = Router(tags=["discovery"])

PATH = "/{workspace_slug}/products/{product_key}/portal"


class PortalIn(InSchema):
    enabled: bool = Field(description="Whether the public page answers (off: it answers 404)")
    title: str | None = Field(
        default=None, max_length=PORTAL_TITLE_MAX, description="Left as it is when missing"
    )
    intro: str | None = Field(
        default=None,
        max_length=INTRO_MAX,
        description="Plain text shown above the ideas; left as it is when missing",
    )


class PortalOut(Schema):
    product: str
    enabled: bool
    title: str
    intro: str
    address: str = Field(description="The public page's path on this server")
    queued: int = Field(description="Confirmed submissions waiting for moderation")
    version: int

    @staticmethod
    def of(actor: Actor, portal: Portal) -> PortalOut:
        product = portal.product
        return PortalOut(
            product=product.key,
            enabled=portal.enabled,
            title=portal.title,
            intro=portal.intro,
            address=reverse(
                "portal:home",
                kwargs={"workspace_slug": actor.workspace.slug, "product_key": product.key},
            ),
            queued=moderation_queue(actor=actor, product_id=product.pk).count(),
            version=portal.version,
        )


@router.get(PATH, response={200: PortalOut, **ERRORS}, operation_id="portal_get")
def get_portal(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, product_key: str
) -> PortalOut:
    """The product's public portal setting (off until turned on) and its public address."""
    actor = request_actor(request, workspace_slug)
    portal = portal_of(access_product(actor, product_key))
    set_etag(response, portal.version)
    return PortalOut.of(actor, portal)


@router.put(
    PATH,
    response={200: PortalOut, **WRITE_ERRORS},
    operation_id="portal_update",
    openapi_extra=IF_MATCH,
)
def update_portal(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    payload: PortalIn,
) -> PortalOut:
    """Turn the product's portal on or off and word it: the product's product owner or a
    workspace admin."""
    actor = request_actor(request, workspace_slug)
    portal = portal_update(
        actor=actor,
        product=access_product(actor, product_key),
        enabled=payload.enabled,
        title=payload.title,
        intro=payload.intro,
        expected_version=if_match(request),
    )
    set_etag(response, portal.version)
    return PortalOut.of(actor, portal)
