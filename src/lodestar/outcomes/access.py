"""The gate that fetches a product's metric for an actor: missing, in the trash or in another
workspace answer 404 alike."""

from __future__ import annotations

from lodestar.core.errors import NotFound
from lodestar.outcomes.errors import OutcomeErrorCode as Code
from lodestar.outcomes.models import Metric, OutcomeReview, SuccessCriterion
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product


def access_metric(actor: Actor, product: Product, key: str) -> Metric:
    """The live metric ``key`` (any letter case) of ``product``, which the actor reached
    through ``strategy.access.access_product``."""
    found: Metric | None = (
        Metric.objects.select_related("product", "workspace")
        .filter(workspace_id=actor.workspace_id, product=product, key=str(key).strip().lower())
        .first()
    )
    if found is None:
        raise NotFound(f"No metric '{key}' on product {product.key}.", code=Code.METRIC_NOT_FOUND)
    return found


def access_metric_by_ref(actor: Actor, ref: str) -> Metric:
    """A metric named ``PRODUCT/key`` (as the registry's gate takes a reference)."""
    from lodestar.strategy.access import access_product

    product_key, _, key = str(ref).partition("/")
    try:
        product = access_product(actor, product_key)
    except NotFound as exc:
        raise NotFound(f"No metric '{ref}'.", code=Code.METRIC_NOT_FOUND) from exc
    return access_metric(actor, product, key)


def _id(ref: int | str) -> int | None:
    text = str(ref).strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def access_criterion(actor: Actor, product: Product, ref: int | str) -> SuccessCriterion:
    """The success criterion ``ref`` (its id) of ``product``."""
    pk = _id(ref)
    found: SuccessCriterion | None = (
        SuccessCriterion.objects.select_related("metric__product", "release", "item", "product")
        .filter(workspace_id=actor.workspace_id, product=product, pk=pk)
        .first()
        if pk is not None
        else None
    )
    if found is None:
        raise NotFound(
            f"No success criterion {str(ref)[:20]} on product {product.key}.",
            code=Code.CRITERION_NOT_FOUND,
        )
    return found


def access_review(actor: Actor, product: Product | None, ref: int | str) -> OutcomeReview:
    """The outcome review ``ref`` (its id), of ``product`` when one is given."""
    pk = _id(ref)
    rows = OutcomeReview.objects.select_related(
        "product",
        "workspace",
        "criterion__metric__product",
        "criterion__release",
        "criterion__item",
        "learnings_by",
    ).filter(workspace_id=actor.workspace_id, pk=pk or 0)
    if product is not None:
        rows = rows.filter(product=product)
    found: OutcomeReview | None = rows.first() if pk is not None else None
    if found is None:
        raise NotFound(f"No outcome review {str(ref)[:20]}.", code=Code.OUTCOME_NOT_FOUND)
    return found


def access_review_by_ref(actor: Actor, ref: str) -> OutcomeReview:
    """An outcome review named by its id (as the registry's gate takes a reference)."""
    return access_review(actor, None, ref)
