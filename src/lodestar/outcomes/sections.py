"""Success criteria and their outcomes on other contexts' pages: a section of a release's page
(``releases.extensions.RELEASE_SECTIONS``) and of an epic's panel and page
(``backlog.extensions.ITEM_SECTIONS``), each listing the criteria with their outcome so far,
a way to add one, and "evaluate now" once it went live."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from lodestar.backlog.models import BacklogItem, ItemKind
from lodestar.outcomes import selectors
from lodestar.outcomes.permissions import OutcomePermission
from lodestar.outcomes.services import criterion_label
from lodestar.people.policy import Actor, can
from lodestar.releases.models import Release, ReleaseState


def _section(
    request: HttpRequest,
    *,
    product: Any,
    criteria: list[Any],
    target: tuple[str, str],
    label: str,
    live: bool,
    open_: bool,
    in_panel: bool = False,
) -> str:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    slug = actor.workspace.slug
    rows = [
        {
            "criterion": criterion,
            "label": criterion_label(criterion),
            "review": getattr(criterion, "review", None),
        }
        for criterion in criteria
    ]
    return render_to_string(
        "outcomes/_criteria.html",
        {
            "rows": rows,
            "product": product,
            "label": label,
            "live": live,
            "open": open_,
            "in_panel": in_panel,
            "target_name": target[0],
            "target_value": target[1],
            "may_set": can(actor, OutcomePermission.SET_CRITERIA, product=product),
            "may_review": can(actor, OutcomePermission.REVIEW_OUTCOMES, product=product),
            "new_url": reverse(
                "outcomes:criterion_new",
                kwargs={"workspace_slug": slug, "product_key": product.key},
            ),
            "outcomes_url": reverse(
                "outcomes:outcomes", kwargs={"workspace_slug": slug, "product_key": product.key}
            ),
            "workspace": actor.workspace,
        },
        request=request,
    )


def release_criteria_section(request: HttpRequest, release: Release) -> str:
    criteria = list(selectors.release_criteria(release_id=release.pk))
    return _section(
        request,
        product=release.product,
        criteria=criteria,
        target=("release", str(release.pk)),
        label="release",
        live=release.state == ReleaseState.LIVE,
        open_=release.state != ReleaseState.CANCELLED,
    )


def item_criteria_section(request: HttpRequest, item: BacklogItem, in_panel: bool) -> str:
    """Epics only: other items are measured through their epic or their release."""
    if item.kind != ItemKind.EPIC:
        return ""
    criteria = list(selectors.item_criteria(item_id=item.pk))
    return _section(
        request,
        product=item.product,
        criteria=criteria,
        target=("item", item.key),
        label="epic",
        live=item.status == "done",
        open_=True,
        in_panel=in_panel,
    )
