"""Every read of the decisions context: a product's log, a decision's links, options and
chain, and the decisions linked to any object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from lodestar.core.registry import registry
from lodestar.decisions import links as seam
from lodestar.decisions.models import Decision, DecisionLink, DecisionStatus
from lodestar.people.models import Membership
from lodestar.people.policy import Actor
from lodestar.strategy.models import Product


def _with_people(rows: QuerySet[Decision]) -> QuerySet[Decision]:
    """With what a decision shows: its product, successor, deciders, options, links and the
    decisions it replaced (a query each, whatever the number of rows)."""
    return rows.select_related("product", "workspace", "superseded_by__product").prefetch_related(
        Prefetch("deciders", queryset=Membership.objects.select_related("user")),
        "options",
        "links",
        Prefetch("supersedes", queryset=Decision.objects.select_related("product")),
    )


def decision_detail(*, decision: Decision) -> Decision:
    """The decision again, with what it shows (``_with_people``)."""
    return _with_people(Decision.objects.filter(pk=decision.pk)).get()


def decision_list(
    *,
    actor: Actor,
    product: Product,
    status: str | None = None,
    linked: tuple[str, int] | None = None,
    query: str = "",
) -> QuerySet[Decision]:
    """The product's decisions, newest first: of ``status``, linked to ``linked`` (a kind and
    an object id), with every word of ``query`` in the title or the decision."""
    rows = Decision.objects.filter(workspace_id=actor.workspace_id, product=product)
    if status:
        rows = rows.filter(status=status)
    if linked is not None:
        rows = rows.filter(links__target_type=linked[0], links__target_id=linked[1])
    for word in query.split()[:8]:
        rows = rows.filter(Q(title__icontains=word) | Q(decision__icontains=word))
    return _with_people(rows).order_by("-number")


def decisions_linked_to(*, actor: Actor, obj: Any) -> list[Decision]:
    """The decisions, of any product, linked to ``obj`` (a declared object), newest first."""
    declared = registry().object_type_for(obj)
    rows = Decision.objects.filter(
        workspace_id=actor.workspace_id,
        links__target_type=declared.name,
        links__target_id=obj.pk,
    )
    return list(_with_people(rows).order_by("-created_at", "-id"))


@dataclass(frozen=True)
class LinkRow:
    link: DecisionLink
    target: seam.Target


def decision_links(*, decision: Decision) -> list[LinkRow]:
    """The decision's links to live objects, in the order they were made."""
    links = list(DecisionLink.objects.filter(decision=decision).order_by("id"))
    found = seam.targets(links)
    return [LinkRow(link, found[link.pk]) for link in links if link.pk in found]


def decision_chain(*, decision: Decision) -> tuple[list[Decision], list[Decision]]:
    """What the decision replaced (older first) and what replaced it (in order), walking the
    superseding links both ways (a few rows each: chains are short)."""
    older: list[Decision] = []
    frontier = [decision.pk]
    seen = {decision.pk}
    while frontier:
        step = list(
            Decision.objects.filter(superseded_by_id__in=frontier)
            .exclude(pk__in=seen)
            .select_related("product")
        )
        older = step + older
        seen |= {d.pk for d in step}
        frontier = [d.pk for d in step]
    newer: list[Decision] = []
    current = decision.superseded_by
    while current is not None and current.pk not in seen:
        newer.append(current)
        seen.add(current.pk)
        current = (
            Decision.objects.select_related("product", "superseded_by__product")
            .filter(pk=current.superseded_by_id)
            .first()
        )
    return older, newer


def status_counts(*, product: Product) -> dict[str, int]:
    counts = dict.fromkeys(DecisionStatus.values, 0)
    for status in Decision.objects.filter(product=product).values_list("status", flat=True):
        counts[status] += 1
    return counts
