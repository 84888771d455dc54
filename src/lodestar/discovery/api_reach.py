"""The discovery settings of a product: what RICE reach taken from evidence counts.

``GET /products/{key}/discovery`` answers the settings (the defaults, version 0, when never
saved); ``PUT`` with ``{"reach_from": "customers" | "contacts"}`` changes them (its product
owner or a workspace admin; ``If-Match`` takes the version, ``"0"`` for settings never saved).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, InSchema
from lodestar.discovery.models import ProductDiscovery
from lodestar.discovery.reach import product_discovery_get, product_discovery_set
from lodestar.strategy.access import access_product

router = Router(tags=["discovery"])

ReachFromValue = Literal["customers", "contacts"]


class ProductDiscoveryOut(Schema):
    product: str
    reach_from: ReachFromValue = Field(
        description=(
            "What RICE reach from evidence counts: the distinct customers (companies) or "
            "contacts (people) behind the insights of an item's problems, each counted once."
        )
    )
    updated_by: str | None
    updated_at: dt.datetime | None = Field(description="None while never saved.")
    version: int = Field(description="0 while never saved.")

    @classmethod
    def of(cls, settings: ProductDiscovery) -> ProductDiscoveryOut:
        saved = settings.pk is not None
        return cls(
            product=settings.product.key,
            reach_from=settings.reach_from,  # type: ignore[arg-type]
            updated_by=settings.updated_by.email if settings.updated_by is not None else None,
            updated_at=settings.updated_at if saved else None,
            version=settings.version,
        )


class ProductDiscoveryIn(InSchema):
    reach_from: ReachFromValue


@router.get(
    "/{workspace_slug}/products/{product_key}/discovery",
    response={200: ProductDiscoveryOut, **ERRORS},
    operation_id="product_discovery_get",
)
def discovery_get(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, product_key: str
) -> ProductDiscoveryOut:
    """The product's discovery settings."""
    actor = request_actor(request, workspace_slug)
    settings = product_discovery_get(actor=actor, product=access_product(actor, product_key))
    set_etag(response, settings.version)
    return ProductDiscoveryOut.of(settings)


@router.put(
    "/{workspace_slug}/products/{product_key}/discovery",
    response={200: ProductDiscoveryOut, **WRITE_ERRORS},
    operation_id="product_discovery_set",
    openapi_extra=IF_MATCH,
)
def discovery_put(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    payload: ProductDiscoveryIn,
) -> ProductDiscoveryOut:
    """Choose what the product's reach from evidence counts; its derived scores follow."""
    actor = request_actor(request, workspace_slug)
    settings = product_discovery_set(
        actor=actor,
        product=access_product(actor, product_key),
        reach_from=payload.reach_from,
        expected_version=if_match(request),
    )
    set_etag(response, settings.version)
    return ProductDiscoveryOut.of(settings)
