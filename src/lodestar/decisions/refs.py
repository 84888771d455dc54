"""Turning a decision or the deciders named in input into objects: an unknown one is bad
input, a 422 naming the field (``access.py`` keeps the 404 for the decision a path names)."""

from __future__ import annotations

from collections.abc import Sequence

from lodestar.core.errors import Invalid, NotFound
from lodestar.decisions.access import access_decision
from lodestar.decisions.errors import DecisionErrorCode as Code
from lodestar.decisions.models import Decision
from lodestar.people.models import Membership
from lodestar.people.policy import Actor
from lodestar.people.refs import member_ref
from lodestar.strategy.models import Product


def decision_ref(
    actor: Actor, ref: str | int, *, product: Product | None = None, field: str = "decision"
) -> Decision:
    """The decision ``ref`` (its key, or its number within ``product``)."""
    try:
        return access_decision(actor, str(ref), product=product)
    except NotFound as exc:
        where = f"of {product.key}" if product is not None else "in this workspace"
        raise Invalid.field(
            field, f"no decision {str(ref)[:40]} {where}", code=Code.DECISION_SUPERSEDE_INVALID
        ) from exc


def deciders_ref(
    actor: Actor, emails: Sequence[str] | None, *, field: str = "deciders"
) -> list[Membership] | None:
    """The members named by email (None stays None: the service's default)."""
    if emails is None:
        return None
    return [
        member_ref(actor, email, field=f"{field}[{index}]") for index, email in enumerate(emails)
    ]
