"""The gates that fetch a release, a product's check, a roadmap entry or share link for an
actor: missing, of another product or in another workspace answer 404 alike."""

from __future__ import annotations

from lodestar.core.errors import NotFound
from lodestar.people.policy import Actor
from lodestar.releases.errors import ReleaseErrorCode as Code
from lodestar.releases.models import ProductCheck, Release, RoadmapEntry, RoadmapShare
from lodestar.strategy.models import Product


def _number(ref: int | str) -> int:
    try:
        number = int(str(ref).strip())
    except ValueError:
        return 0
    return number if 0 < number < 2**63 else 0


def access_release(actor: Actor, ref: int | str, *, product: Product | None = None) -> Release:
    """The release ``ref`` (its id) of the actor's workspace (and of ``product`` when given),
    with its product."""
    number = _number(ref)
    found = None
    if number:
        rows = Release.objects.select_related("product", "workspace").filter(
            workspace_id=actor.workspace_id, pk=number
        )
        if product is not None:
            rows = rows.filter(product_id=product.pk)
        found = rows.first()
    if found is None:
        raise NotFound(f"No release {ref} in this workspace.", code=Code.RELEASE_NOT_FOUND)
    return found


def access_product_check(actor: Actor, product: Product, ref: int | str) -> ProductCheck:
    """One of ``product``'s own go-live checks, by id."""
    number = _number(ref)
    found = (
        ProductCheck.objects.filter(
            workspace_id=actor.workspace_id, product_id=product.pk, pk=number
        ).first()
        if number
        else None
    )
    if found is None:
        raise NotFound(
            f"No release check {ref} on {product.key}.", code=Code.RELEASE_CHECK_NOT_FOUND
        )
    return found


def _of_product(
    model: type[RoadmapEntry] | type[RoadmapShare], actor: Actor, product: Product, ref: int | str
) -> RoadmapEntry | RoadmapShare | None:
    number = _number(ref)
    if not number:
        return None
    return model.objects.filter(
        workspace_id=actor.workspace_id, product_id=product.pk, pk=number
    ).first()


def access_entry(actor: Actor, product: Product, ref: int | str) -> RoadmapEntry:
    """An entry of ``product``'s roadmap, by id."""
    found = _of_product(RoadmapEntry, actor, product, ref)
    if not isinstance(found, RoadmapEntry):
        raise NotFound(
            f"No roadmap entry {ref} on {product.key}.", code=Code.ROADMAP_ENTRY_NOT_FOUND
        )
    return found


def access_share(actor: Actor, product: Product, ref: int | str) -> RoadmapShare:
    """One of ``product``'s roadmap share links, by id."""
    found = _of_product(RoadmapShare, actor, product, ref)
    if not isinstance(found, RoadmapShare):
        raise NotFound(
            f"No roadmap link {ref} on {product.key}.", code=Code.ROADMAP_SHARE_NOT_FOUND
        )
    return found
