"""The gates of the portal: the public one (an enabled portal, by its address) and the team's
(a portal, an idea, a submission of the actor's workspace). Missing, disabled and foreign
answer 404 alike."""

from __future__ import annotations

from typing import Any

from lodestar.core.errors import NotFound
from lodestar.discovery.access import _number
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.portal_models import Portal, PortalIdea, PortalSubmission, SubmissionState
from lodestar.people.policy import Actor


def public_portal(workspace_slug: str, product_key: str) -> Portal:
    """The enabled portal at ``/portal/<workspace_slug>/<product_key>/``; 404 otherwise (a
    portal that is off cannot be told from one that never existed)."""
    portal = (
        Portal.objects.select_related("product", "workspace")
        .filter(
            enabled=True,
            workspace__slug=str(workspace_slug),
            product__key=str(product_key).strip().upper(),
        )
        .first()
    )
    if portal is None:
        raise NotFound("There is no open portal at this address.", code=Code.PORTAL_NOT_FOUND)
    return portal


def public_idea(portal: Portal, ref: int | str) -> PortalIdea:
    """A published idea of ``portal``; 404 for a hidden, missing or another portal's one."""
    number = _number(ref)
    idea = None
    if number is not None:
        idea = PortalIdea.objects.filter(
            pk=number, product_id=portal.product_id, published=True
        ).first()
    if idea is None:
        raise NotFound("No such idea on this portal.", code=Code.PORTAL_IDEA_NOT_FOUND)
    return idea


def access_portal(actor: Actor, product_key: str) -> Portal:
    """The portal of the product ``product_key`` in the actor's workspace (404 if it was never
    set up: ``portal_services.portal_of`` gives the default of a product)."""
    portal = (
        Portal.objects.select_related("product")
        .filter(workspace_id=actor.workspace_id, product__key=str(product_key).strip().upper())
        .first()
    )
    if portal is None:
        raise NotFound(f"No portal for product '{product_key}'.", code=Code.PORTAL_NOT_FOUND)
    return portal


def access_portal_idea(actor: Actor, ref: int | str, *, product: Any = None) -> PortalIdea:
    """An idea of the actor's workspace (of ``product`` when given), published or not."""
    number = _number(ref)
    idea = None
    if number is not None:
        rows = PortalIdea.objects.select_related("product").filter(
            pk=number, workspace_id=actor.workspace_id
        )
        if product is not None:
            rows = rows.filter(product=product)
        idea = rows.first()
    if idea is None:
        raise NotFound(f"No portal idea {ref} in this workspace.", code=Code.PORTAL_IDEA_NOT_FOUND)
    return idea


def access_portal_submission(
    actor: Actor, ref: int | str, *, product: Any = None
) -> PortalSubmission:
    """A confirmed submission of the actor's workspace (of ``product`` when given); one still
    waiting for its email confirmation is not the team's to see yet."""
    number = _number(ref)
    found = None
    if number is not None:
        rows = (
            PortalSubmission.objects.select_related("product", "feedback", "idea")
            .filter(pk=number, workspace_id=actor.workspace_id)
            .exclude(state=SubmissionState.UNCONFIRMED)
        )
        if product is not None:
            rows = rows.filter(product=product)
        found = rows.first()
    if found is None:
        raise NotFound(
            f"No portal submission {ref} in this workspace.",
            code=Code.PORTAL_SUBMISSION_NOT_FOUND,
        )
    return found
