"""What the outcomes context declares: metrics as workspace objects (history in words, search,
the trash), its permissions, its pages and API, its navigation and its demo."""

from __future__ import annotations

from django.urls import reverse

from lodestar.core.registry import Demo, NavEntry, ObjectType, Plugin, SearchDocument, TrashRules
from lodestar.outcomes import demo, history_words
from lodestar.outcomes.access import access_metric_by_ref
from lodestar.outcomes.models import Metric
from lodestar.outcomes.permissions import PERMISSIONS, OutcomePermission


def _search(metric: Metric) -> SearchDocument:
    return SearchDocument(
        title=metric.name,
        body="\n".join(part for part in (metric.key, metric.unit, metric.description) if part),
        updated_at=metric.updated_at,
        facets={"product": metric.product.key},
    )


def _metric_url(metric: Metric) -> str:
    return reverse(
        "outcomes:metric",
        kwargs={
            "workspace_slug": metric.workspace.slug,
            "product_key": metric.product.key,
            "metric_key": metric.key,
        },
    )


PLUGIN = Plugin(
    name="outcomes",
    urls=["lodestar.outcomes.urls"],
    api=["lodestar.outcomes.api"],
    navigation=[NavEntry("metrics", "Metrics", "outcomes:home", icon="target", order=59)],
    permissions=PERMISSIONS,
    objects=[
        ObjectType(
            name="metric",
            model=Metric,
            label="metric",
            title=lambda metric: metric.name,
            gate=access_metric_by_ref,
            ref=lambda metric: f"{metric.product.key}/{metric.key}",
            url=_metric_url,
            permissions={
                "view": "view",
                "change": OutcomePermission.DEFINE_METRICS,
                "delete": OutcomePermission.DEFINE_METRICS,
                "restore": OutcomePermission.DEFINE_METRICS,
            },
            product=lambda metric: metric.product,
            describe=history_words.describe,
            search=_search,
            search_related=("product", "workspace"),
            trash=TrashRules(select_related=("product", "workspace")),
        ),
    ],
    demo=Demo(seed=demo.seed, after=("sprints",)),
)
