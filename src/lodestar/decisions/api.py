"""The decisions API: a product's decision log, a decision, deciding, superseding, and its
links to other objects (``products/{product_key}/decisions``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Id, Limit, PageOut
from lodestar.core.pagination import paginate
from lodestar.core.trash import trash_move
from lodestar.decisions import links as seam
from lodestar.decisions import selectors, services
from lodestar.decisions.access import access_decision
from lodestar.decisions.models import Decision
from lodestar.decisions.refs import deciders_ref, decision_ref
from lodestar.decisions.schemas import (
    DecideIn,
    DecisionIn,
    DecisionOut,
    DecisionPatch,
    LinkIn,
    SupersedeIn,
)
from lodestar.decisions.schemas import (
    Status as DecisionStatus,
)
from lodestar.people.policy import Actor
from lodestar.strategy.access import access_product
from lodestar.strategy.models import Product

router = Router(tags=["decisions"])

LOG = "/{workspace_slug}/products/{product_key}/decisions"
ONE = LOG + "/{decision_number}"


def outs(decisions: Sequence[Decision]) -> list[DecisionOut]:
    """The decisions as the API answers them (read with ``selectors``' prefetches): their
    links' objects in a query per kind for all of them."""
    links = [link for d in decisions for link in d.links.all()]
    found = seam.targets(links)
    return [
        DecisionOut.of(
            d,
            links=[found[link.pk] for link in d.links.all() if link.pk in found],
            supersedes=list(d.supersedes.all()),
        )
        for d in decisions
    ]


def _answer(response: HttpResponse, decision: Decision) -> DecisionOut:
    set_etag(response, decision.version)
    return outs([selectors.decision_detail(decision=decision)])[0]


def _one(actor: Actor, product_key: str, number: int) -> tuple[Product, Decision]:
    product = access_product(actor, product_key)
    return product, access_decision(actor, str(number), product=product)


@router.get(LOG, response={200: PageOut[DecisionOut], **ERRORS}, operation_id="decision_list")
def list_decisions(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    status: DecisionStatus | None = None,
    linked: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[DecisionOut]:
    """The product's decisions, the latest first; ``status`` narrows them, ``linked``
    (``item:ACME-12``) keeps those linked to that object, ``q`` those whose title or decision
    holds every word."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    target = None
    if linked:
        kind, ref = seam.split(linked, field="linked")
        declared, obj = seam.resolve(actor, kind, ref, field="linked")
        target = (declared.name, int(obj.pk))
    rows = selectors.decision_list(
        actor=actor, product=product, status=status, linked=target, query=(q or "")[:200]
    )
    page = paginate(rows, order=["-number"], cursor=cursor, limit=limit)
    return PageOut[DecisionOut](items=outs(page.items), next_cursor=page.next_cursor)


@router.post(LOG, response={201: DecisionOut, **WRITE_ERRORS}, operation_id="decision_create")
def create_decision(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    payload: DecisionIn,
) -> Status[DecisionOut]:
    """Record a decision, proposed or decided, with its options, deciders and links; with
    ``supersedes`` it replaces that decision of the product at once."""
    actor = request_actor(request, workspace_slug)
    product = access_product(actor, product_key)
    data = payload.model_dump()
    supersedes = data.pop("supersedes")
    decision = services.decision_create(
        actor=actor,
        product=product,
        **{**data, "deciders": deciders_ref(actor, data["deciders"])},
        supersedes=decision_ref(actor, supersedes, product=product, field="supersedes")
        if supersedes is not None
        else None,
    )
    return Status(201, _answer(response, decision))


@router.get(ONE, response={200: DecisionOut, **ERRORS}, operation_id="decision_get")
def get_decision(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    decision_number: Id,
) -> DecisionOut:
    """The decision with its options, deciders, links and superseding chain."""
    actor = request_actor(request, workspace_slug)
    _, decision = _one(actor, product_key, decision_number)
    return _answer(response, decision)


@router.patch(
    ONE,
    response={200: DecisionOut, **WRITE_ERRORS},
    operation_id="decision_update",
    openapi_extra=IF_MATCH,
)
def update_decision(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    decision_number: Id,
    payload: DecisionPatch,
) -> DecisionOut:
    """Change what a proposed or decided decision says (``options`` replaces them all); a
    superseded decision answers 422 (its links still change)."""
    actor = request_actor(request, workspace_slug)
    _, decision = _one(actor, product_key, decision_number)
    given = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "decision" in given:
        given["decision_text"] = given.pop("decision")
    if "deciders" in given:
        given["deciders"] = deciders_ref(actor, given["deciders"])
    decision = services.decision_update(
        actor=actor, decision=decision, expected_version=if_match(request), **given
    )
    return _answer(response, decision)


@router.delete(
    ONE,
    response={204: None, **WRITE_ERRORS},
    operation_id="decision_delete",
    openapi_extra=IF_MATCH,
)
def delete_decision(
    request: HttpRequest, workspace_slug: str, product_key: str, decision_number: Id
) -> Status[None]:
    """Move the decision to the trash (restorable for 30 days); one that superseded others
    stays."""
    actor = request_actor(request, workspace_slug)
    _, decision = _one(actor, product_key, decision_number)
    trash_move(actor=actor, obj=decision, expected_version=if_match(request))
    return Status(204, None)


@router.post(
    ONE + "/decide",
    response={200: DecisionOut, **WRITE_ERRORS},
    operation_id="decision_decide",
    openapi_extra=IF_MATCH,
)
def decide_decision(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    decision_number: Id,
    payload: DecideIn,
) -> DecisionOut:
    """Mark a proposed decision decided: by whom (default you) and when (default today)."""
    actor = request_actor(request, workspace_slug)
    _, decision = _one(actor, product_key, decision_number)
    decision = services.decision_decide(
        actor=actor,
        decision=decision,
        deciders=deciders_ref(actor, payload.deciders),
        decided_at=payload.decided_at,
        expected_version=if_match(request),
    )
    return _answer(response, decision)


@router.post(
    ONE + "/supersede",
    response={200: DecisionOut, **WRITE_ERRORS},
    operation_id="decision_supersede",
    openapi_extra=IF_MATCH,
)
def supersede_decision(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    decision_number: Id,
    payload: SupersedeIn,
) -> DecisionOut:
    """Mark the decision superseded by decision ``by`` of the same product; both show the
    link. Answers the superseded decision."""
    actor = request_actor(request, workspace_slug)
    product, decision = _one(actor, product_key, decision_number)
    decision = services.decision_supersede(
        actor=actor,
        decision=decision,
        by=decision_ref(actor, payload.by, product=product, field="by"),
        expected_version=if_match(request),
    )
    return _answer(response, decision)


@router.post(
    ONE + "/links",
    response={200: DecisionOut, **WRITE_ERRORS},
    operation_id="decision_link_add",
)
def add_link(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    product_key: str,
    decision_number: Id,
    payload: LinkIn,
) -> DecisionOut:
    """Link an object (``item:ACME-12``, ``problem:7``) to the decision; linking it again
    changes nothing."""
    actor = request_actor(request, workspace_slug)
    _, decision = _one(actor, product_key, decision_number)
    services.decision_link(actor=actor, decision=decision, target=payload.target)
    return _answer(response, decision)


@router.delete(
    ONE + "/links/{target_type}/{target_ref}",
    response={204: None, **WRITE_ERRORS},
    operation_id="decision_link_remove",
)
def remove_link(
    request: HttpRequest,
    workspace_slug: str,
    product_key: str,
    decision_number: Id,
    target_type: str,
    target_ref: str,
) -> Status[None]:
    """Take the link to that object off the decision (204 also when there was none)."""
    actor = request_actor(request, workspace_slug)
    _, decision = _one(actor, product_key, decision_number)
    services.decision_unlink(
        actor=actor, decision=decision, target=f"{target_type[:64]}:{target_ref[:200]}"
    )
    return Status(204, None)
