"""What the outcomes context declares: metrics as workspace objects (history in words, search,
the trash), its permissions, its pages and API, its navigation and its demo."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from lodestar.backlog.extensions import ITEM_SECTIONS, ItemSection
from lodestar.core.registry import (
    Demo,
    NavEntry,
    ObjectType,
    PeriodicTask,
    Plugin,
    SearchDocument,
    TrashRules,
)
from lodestar.outcomes import demo, history_words
from lodestar.outcomes.access import access_metric_by_ref, access_review_by_ref
from lodestar.outcomes.checks import criteria_check
from lodestar.outcomes.models import Metric, OutcomeReview, SuccessCriterion
from lodestar.outcomes.permissions import PERMISSIONS, OutcomePermission
from lodestar.outcomes.sections import item_criteria_section, release_criteria_section
from lodestar.outcomes.services import criterion_label
from lodestar.releases.extensions import (
    RELEASE_CHECKS,
    RELEASE_SECTIONS,
    ReleaseCheck,
    ReleaseSection,
)


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


def _review_url(review: OutcomeReview) -> str:
    return reverse(
        "outcomes:review",
        kwargs={
            "workspace_slug": review.workspace.slug,
            "product_key": review.product.key,
            "review_id": review.pk,
        },
    )


def _criterion_url(criterion: SuccessCriterion) -> str:
    return reverse(
        "outcomes:outcomes",
        kwargs={"workspace_slug": criterion.workspace.slug, "product_key": criterion.product.key},
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
        ObjectType(
            name="success_criterion",
            model=SuccessCriterion,
            label="success criterion",
            title=criterion_label,
            url=_criterion_url,
            permissions={"view": "view", "change": OutcomePermission.SET_CRITERIA},
            product=lambda criterion: criterion.product,
            describe=history_words.describe_criterion,
        ),
        ObjectType(
            name="outcome",
            model=OutcomeReview,
            label="outcome review",
            title=lambda review: criterion_label(review.criterion),
            gate=access_review_by_ref,
            url=_review_url,
            permissions={"view": "view", "change": OutcomePermission.REVIEW_OUTCOMES},
            product=lambda review: review.product,
            describe=history_words.describe_review,
        ),
    ],
    periodic=[PeriodicTask("lodestar.outcomes.tasks.evaluate_due_outcomes", dt.timedelta(hours=1))],
    provides=[
        (
            RELEASE_CHECKS,
            ReleaseCheck(
                "success_criteria",
                "Success criteria are defined",
                evaluate=criteria_check,
                order=15,
            ),
        ),
        (
            RELEASE_SECTIONS,
            ReleaseSection("success_criteria", render=release_criteria_section, order=20),
        ),
        (ITEM_SECTIONS, ItemSection("success_criteria", render=item_criteria_section, order=25)),
    ],
    demo=Demo(seed=demo.seed, after=("sprints", "releases")),
)
