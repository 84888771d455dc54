"""HTTP API of prioritization: item scores, product scorecards, the suggested order.

``GET /items/{key}/score`` answers every framework's score with its explanation; ``PUT`` with
``{"framework", "inputs"}`` stores one (``If-Match`` takes that score's version).
``GET /products/{key}/suggest-order?framework=rice`` (RICE when not given) shows the
not-started items sorted by the framework beside the product owner's order; ``POST
.../apply`` puts all or some of them there.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Limit, PageOut
from lodestar.backlog.access import access_item
from lodestar.backlog.prioritization import selectors, services
from lodestar.backlog.prioritization.errors import PrioritizationErrorCode as Code
from lodestar.backlog.prioritization.frameworks import Framework
from lodestar.backlog.prioritization.schemas import (
    ItemScoresOut,
    ScorecardIn,
    ScorecardOut,
    ScoreIn,
    ScoreOut,
    SuggestAppliedOut,
    SuggestApplyIn,
    SuggestionOut,
)
from lodestar.core.errors import NotFound
from lodestar.strategy.access import access_product

router = Router(tags=["prioritization"])


@router.get(
    "/{workspace_slug}/items/{item_key}/score",
    response={200: ItemScoresOut, **ERRORS},
    operation_id="score_get",
)
def score_get(request: HttpRequest, workspace_slug: str, item_key: str) -> ItemScoresOut:
    actor = request_actor(request, workspace_slug)
    item = access_item(actor, item_key)
    return ItemScoresOut.of(item, selectors.item_scores(actor=actor, item=item))


@router.put(
    "/{workspace_slug}/items/{item_key}/score",
    response={200: ScoreOut, **WRITE_ERRORS},
    operation_id="score_set",
    openapi_extra=IF_MATCH,
)
def score_put(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    item_key: str,
    payload: ScoreIn,
) -> ScoreOut:
    actor = request_actor(request, workspace_slug)
    score = services.score_set(
        actor=actor,
        item=access_item(actor, item_key),
        framework=payload.framework.value,
        inputs=payload.inputs,
        expected_version=if_match(request),
        derived=payload.derived,
    )
    set_etag(response, score.version)
    return ScoreOut.of(score)


@router.delete(
    "/{workspace_slug}/items/{item_key}/score/{framework}",
    response={204: None, **WRITE_ERRORS},
    operation_id="score_delete",
)
def score_delete(
    request: HttpRequest, workspace_slug: str, item_key: str, framework: Framework
) -> Status[None]:
    actor = request_actor(request, workspace_slug)
    services.score_clear(actor=actor, item=access_item(actor, item_key), framework=framework)
    return Status(204, None)


@router.get(
    "/{workspace_slug}/products/{product_key}/scores",
    response={200: PageOut[ItemScoresOut], **ERRORS},
    operation_id="score_list",
)
def score_list(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    framework: Framework | None = None,
    limit: Limit | None = None,
    cursor: str | None = None,
) -> PageOut[ItemScoresOut]:
    actor = request_actor(request, workspace_slug)
    page = selectors.score_page(
        actor=actor,
        product=access_product(actor, product_key),
        framework=framework.value if framework is not None else None,
        cursor=cursor,
        limit=limit,
    )
    items = [ItemScoresOut.of(item, getattr(item, "current_scores", [])) for item in page.items]
    return PageOut[ItemScoresOut](items=items, next_cursor=page.next_cursor)


@router.get(
    "/{workspace_slug}/products/{product_key}/scorecard",
    response={200: ScorecardOut, **ERRORS},
    operation_id="scorecard_get",
)
def scorecard_get(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, product_key: str
) -> ScorecardOut:
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    scorecard = selectors.scorecard_get(actor=actor, product=product)
    if scorecard is None:
        raise NotFound(f"{product.key} has no scorecard yet.", code=Code.NO_SCORECARD)
    set_etag(response, scorecard.version)
    return ScorecardOut.of(product.key, scorecard)


@router.put(
    "/{workspace_slug}/products/{product_key}/scorecard",
    response={200: ScorecardOut, **WRITE_ERRORS},
    operation_id="scorecard_set",
    openapi_extra=IF_MATCH,
)
def scorecard_put(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    payload: ScorecardIn,
) -> ScorecardOut:
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    scorecard = services.scorecard_set(
        actor=actor,
        product=product,
        criteria=[c.model_dump() for c in payload.criteria],
        expected_version=if_match(request),
    )
    set_etag(response, scorecard.version)
    return ScorecardOut.of(product.key, scorecard)


@router.get(
    "/{workspace_slug}/products/{product_key}/suggest-order",
    response={200: SuggestionOut, **ERRORS},
    operation_id="order_suggestion_get",
)
def suggest_order(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    framework: Framework = Framework.RICE,
) -> SuggestionOut:
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    suggestion = selectors.suggest_order(actor=actor, product=product, framework=framework)
    return SuggestionOut.of(product.key, suggestion)


@router.post(
    "/{workspace_slug}/products/{product_key}/suggest-order/apply",
    response={200: SuggestAppliedOut, **WRITE_ERRORS},
    operation_id="order_suggestion_apply",
)
def suggest_apply(
    request: HttpRequest, workspace_slug: str, product_key: str, payload: SuggestApplyIn
) -> SuggestAppliedOut:
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    moved = services.suggest_apply(
        actor=actor, product=product, framework=payload.framework, item_keys=payload.items
    )
    suggestion = selectors.suggest_order(actor=actor, product=product, framework=payload.framework)
    return SuggestAppliedOut(
        moved=[item.key for item in moved], suggestion=SuggestionOut.of(product.key, suggestion)
    )
