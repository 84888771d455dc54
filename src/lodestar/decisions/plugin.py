"""What the decisions context declares: decisions as workspace objects (history in words,
search, trash), its permission, its pages and navigation, and the decisions sections of a
backlog item's and a problem's pages."""

from __future__ import annotations

from django.urls import reverse

from lodestar.backlog.extensions import ITEM_SECTIONS, ItemSection
from lodestar.core.registry import Demo, NavEntry, ObjectType, Plugin, SearchDocument, TrashRules
from lodestar.decisions import demo, history_words
from lodestar.decisions.access import access_decision
from lodestar.decisions.models import Decision
from lodestar.decisions.permissions import PERMISSIONS, DecisionPermission
from lodestar.decisions.services import refuse_trash_when_superseding
from lodestar.decisions.views.sections import (
    item_section,
    metric_section,
    problem_section,
    release_section,
)
from lodestar.discovery.extensions import PROBLEM_SECTIONS, ProblemSection
from lodestar.outcomes.extensions import METRIC_SECTIONS, MetricSection
from lodestar.releases.extensions import RELEASE_SECTIONS, ReleaseSection

RECORD = DecisionPermission.RECORD_DECISION.value


def _search(decision: Decision) -> SearchDocument:
    return SearchDocument(
        title=f"{decision.key} {decision.title}",
        body="\n".join(
            part for part in (decision.context, decision.decision, decision.rationale) if part
        ),
        updated_at=decision.updated_at,
        facets={"product": decision.product.key, "status": decision.status},
    )


def _url(decision: Decision) -> str:
    return reverse(
        "decisions:detail",
        kwargs={
            "workspace_slug": decision.workspace.slug,
            "product_key": decision.product.key,
            "number": decision.number,
        },
    )


PLUGIN = Plugin(
    name="decisions",
    urls=["lodestar.decisions.urls"],
    api=["lodestar.decisions.api"],
    permissions=PERMISSIONS,
    navigation=[NavEntry("decisions", "Decisions", "decisions:home", icon="check", order=58)],
    objects=[
        ObjectType(
            name="decision",
            model=Decision,
            label="decision",
            title=str,
            gate=access_decision,
            ref=lambda decision: decision.key,
            permissions={
                "view": "view",
                "change": RECORD,
                "delete": RECORD,
                "restore": RECORD,
                "comment": RECORD,
            },
            product=lambda decision: decision.product,
            url=_url,
            describe=history_words.describe,
            search=_search,
            search_related=("product", "workspace"),
            trash=TrashRules(select_related=("product",), on_trash=refuse_trash_when_superseding),
            commentable=True,
        ),
    ],
    provides=[
        (ITEM_SECTIONS, ItemSection(name="decisions", render=item_section, order=30)),
        (PROBLEM_SECTIONS, ProblemSection(name="decisions", render=problem_section, order=30)),
        (METRIC_SECTIONS, MetricSection(name="decisions", render=metric_section, order=30)),
        (RELEASE_SECTIONS, ReleaseSection(name="decisions", render=release_section, order=30)),
    ],
    demo=Demo(seed=demo.seed_world, after=("discovery", "sprints", "outcomes")),
)
