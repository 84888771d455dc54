"""The gate that fetches a decision for an actor: missing, trashed, of another product or in
another workspace all answer 404."""

from __future__ import annotations

import re

from lodestar.core.errors import NotFound
from lodestar.decisions.errors import DecisionErrorCode as Code
from lodestar.decisions.models import Decision
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product

# ``ACME-D3`` (any letter case): the product's key, D, the number.
_KEY = re.compile(r"^\s*([A-Za-z]{2,10})-[Dd](\d{1,9})\s*$")
_NUMBER = re.compile(r"^\s*(\d{1,9})\s*$")


def access_decision(actor: Actor, ref: str, *, product: Product | None = None) -> Decision:
    """The decision ``ref`` of the actor's workspace: its key (``ACME-D3``), or its number
    within ``product`` when one is given (the API's ``products/ACME/decisions/3``)."""
    ref = str(ref)
    rows = Decision.objects.select_related("product", "workspace", "superseded_by__product")
    rows = rows.filter(workspace_id=actor.workspace_id)
    found = None
    keyed = _KEY.match(ref)
    numbered = _NUMBER.match(ref)
    if keyed and (product is None or keyed.group(1).upper() == product.key):
        found = rows.filter(product__key=keyed.group(1).upper(), number=int(keyed.group(2)))
    elif numbered and product is not None:
        found = rows.filter(product=product, number=int(numbered.group(1)))
    decision: Decision | None = found.first() if found is not None else None
    if decision is None:
        where = f"of {product.key}" if product is not None else "in this workspace"
        raise NotFound(f"No decision {ref.strip()[:40]} {where}.", code=Code.DECISION_NOT_FOUND)
    return decision
