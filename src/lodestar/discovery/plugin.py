"""What the discovery context declares: customers, contacts, feedback, insights and problems
as workspace objects, and solving a customer problem as a purpose a backlog item may serve."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from lodestar.backlog.extensions import (
    ITEM_LINKS,
    ITEM_SECTIONS,
    PURPOSES,
    REACH,
    VALUE_RISK,
    ItemLinkSource,
    ItemSection,
    Purpose,
    ReachSource,
    ValueRiskSource,
)
from lodestar.core.registry import (
    Demo,
    HomeSection,
    NavEntry,
    ObjectAction,
    ObjectType,
    PeriodicTask,
    Plugin,
    SearchDocument,
    Subscriber,
    TrashRules,
)
from lodestar.discovery import cadence, demo, reach, risk_history
from lodestar.discovery.access import (
    access_contact,
    access_customer,
    access_experiment,
    access_feedback,
    access_insight,
    access_problem,
    access_risk,
)
from lodestar.discovery.extensions import PROBLEM_SECTIONS, ProblemSection
from lodestar.discovery.models import (
    Contact,
    Customer,
    Feedback,
    Insight,
    Problem,
    ProblemItem,
    ProductDiscovery,
)
from lodestar.discovery.permissions import PERMISSIONS, DiscoveryPermission
from lodestar.discovery.portal_access import (
    access_portal,
    access_portal_idea,
    access_portal_submission,
)
from lodestar.discovery.portal_models import Portal, PortalIdea, PortalSubmission
from lodestar.discovery.risk_models import Experiment, ProductRisk
from lodestar.discovery.risk_selectors import item_value_risk
from lodestar.discovery.selectors import item_problem_titles
from lodestar.discovery.services import customer_on_restore, refuse_trash_with_feedback
from lodestar.discovery.views.backlog import item_section
from lodestar.discovery.views.risks import item_risk_section, problem_risk_section
from lodestar.strategy.selectors import product_team_query

EDIT = "edit_content"
CONTENT: dict[ObjectAction, str] = {
    "view": "view",
    "change": EDIT,
    "delete": EDIT,
    "restore": EDIT,
    "comment": EDIT,
}


def _solves_a_problem() -> Q:
    """Items linked to a live problem (a subquery: an item linked to many is one row)."""
    links = ProblemItem.objects.filter(item=OuterRef("pk"), problem__deleted_at__isnull=True)
    return Q(Exists(links))


def _page_url(name: str, key: str) -> Callable[[Any], str]:
    """The page of an object (``discovery:<name>`` with its id as ``key``)."""

    def url(obj: Any) -> str:
        return reverse(
            f"discovery:{name}",
            kwargs={"workspace_slug": obj.workspace.slug, key: obj.pk},
        )

    return url


def _insight_url(insight: Insight) -> str:
    return _page_url("feedback_detail", "feedback_id")(insight.feedback) + f"#insight-{insight.pk}"


def _customer_search(customer: Customer) -> SearchDocument:
    body = "\n".join(filter(None, [customer.segment, customer.plan, customer.notes]))
    return SearchDocument(
        title=customer.name,
        body=body,
        updated_at=customer.updated_at,
        facets={"customer": str(customer.pk), "segment": customer.segment},
    )


def _feedback_facets(feedback: Feedback) -> dict[str, str | list[str]]:
    customer = feedback.customer
    facets: dict[str, str | list[str]] = {"source": feedback.source, "tag": list(feedback.tags)}
    if customer is not None:
        facets |= {"customer": str(customer.pk), "segment": customer.segment}
    if feedback.product is not None:
        facets["product"] = feedback.product.key
    return facets


def _feedback_search(feedback: Feedback) -> SearchDocument:
    return SearchDocument(
        title=feedback.summary,
        body="\n".join(filter(None, [feedback.text, feedback.notes])),
        updated_at=feedback.updated_at,
        at=feedback.received_at,
        facets=_feedback_facets(feedback),
    )


def _problem_search(problem: Problem) -> SearchDocument:
    return SearchDocument(
        title=problem.title,
        body=problem.description,
        updated_at=problem.updated_at,
        facets={"product": problem.product.key} if problem.product is not None else {},
    )


def _insight_search(insight: Insight) -> SearchDocument:
    return SearchDocument(
        title=insight.quote[:200],
        body=insight.note,
        updated_at=insight.updated_at,
        at=insight.feedback.received_at,
        facets=_feedback_facets(insight.feedback),
    )


def _experiment_search(experiment: Experiment) -> SearchDocument:
    return SearchDocument(
        title=experiment.title,
        body="\n".join(
            filter(None, [experiment.hypothesis, experiment.success_signal, experiment.result_text])
        ),
        updated_at=experiment.updated_at,
        facets={"product": experiment.product.key, "status": experiment.status},
    )


def _risk_url(risk: ProductRisk) -> str:
    if risk.problem is not None:
        return _page_url("problem_detail", "problem_id")(risk.problem) + "#risks"
    assert risk.item is not None  # noqa: S101 - a risk has exactly one subject (a constraint)
    return (
        reverse(
            "backlog:item_detail",
            kwargs={"workspace_slug": risk.workspace.slug, "item_key": risk.item.key},
        )
        + "#risks"
    )


def _risk_title(risk: ProductRisk) -> str:
    subject = risk.problem.title if risk.problem is not None else risk.item.key  # type: ignore[union-attr]
    return f"{risk.get_kind_display()} risk of {subject}"


PLUGIN = Plugin(
    name="discovery",
    urls=["lodestar.discovery.urls", "lodestar.discovery.portal_urls"],
    # The uploads first: their paths (feedback/import) would otherwise fall to feedback/{id}.
    api=[
        "lodestar.discovery.api_imports",
        "lodestar.discovery.api",
        "lodestar.discovery.portal_api",
        "lodestar.discovery.portal_moderation_api",
        "lodestar.discovery.api_reach",
        "lodestar.discovery.risk_api",
    ],
    permissions=PERMISSIONS,
    periodic=[
        PeriodicTask(
            "lodestar.discovery.portal_tasks.purge_unconfirmed_portal_requests",
            dt.timedelta(days=1),
        ),
    ],
    objects=[
        ObjectType(
            name="customer",
            model=Customer,
            label="customer",
            title=lambda customer: customer.name,
            gate=access_customer,
            permissions=CONTENT,
            url=_page_url("customer_detail", "customer_id"),
            search=_customer_search,
            trash=TrashRules(on_trash=refuse_trash_with_feedback, on_restore=customer_on_restore),
            commentable=True,
        ),
        ObjectType(
            name="contact",
            model=Contact,
            label="contact",
            title=str,
            gate=access_contact,
            permissions={"view": "view", "change": EDIT},  # contacts are not trashed
        ),
        ObjectType(
            name="feedback",
            model=Feedback,
            label="feedback",
            title=lambda feedback: feedback.summary,
            gate=access_feedback,
            permissions=CONTENT,
            url=_page_url("feedback_detail", "feedback_id"),
            search=_feedback_search,
            search_related=("customer", "product"),
            trash=TrashRules(select_related=("customer",)),
            commentable=True,
            plural="feedback",
        ),
        ObjectType(
            name="insight",
            model=Insight,
            label="insight",
            title=lambda insight: insight.quote[:80],
            gate=access_insight,
            permissions=CONTENT,
            url=_insight_url,
            search=_insight_search,
            search_related=("feedback__customer", "feedback__product"),
            trash=TrashRules(select_related=("feedback",)),
        ),
        ObjectType(
            name="problem",
            model=Problem,
            label="problem",
            title=lambda problem: problem.title,
            gate=access_problem,
            permissions=CONTENT,
            url=_page_url("problem_detail", "problem_id"),
            search=_problem_search,
            search_related=("product",),
            trash=TrashRules(),
            commentable=True,
        ),
        ObjectType(
            name="experiment",
            model=Experiment,
            label="experiment",
            title=lambda experiment: experiment.title,
            gate=access_experiment,
            permissions=CONTENT,
            product=lambda experiment: experiment.product,
            url=_page_url("experiment_detail", "experiment_id"),
            describe=risk_history.describe_experiment,
            search=_experiment_search,
            search_related=("product",),
            trash=TrashRules(select_related=("product",)),
        ),
        ObjectType(
            name="product_risk",
            model=ProductRisk,
            label="product risk",
            title=_risk_title,
            gate=access_risk,
            # A risk follows its problem or epic: it is changed, never trashed on its own.
            permissions={"view": "view", "change": EDIT},
            url=_risk_url,
            describe=risk_history.describe_risk,
        ),
        ObjectType(
            name="portal",
            model=Portal,
            label="portal",
            title=lambda portal: portal.title or "portal",
            gate=access_portal,
            permissions={"view": "view", "change": DiscoveryPermission.MANAGE_PORTAL},
            product=lambda portal: portal.product,
        ),
        ObjectType(
            name="portal_idea",
            model=PortalIdea,
            label="portal idea",
            title=lambda idea: idea.title,
            gate=access_portal_idea,
            permissions={"view": "view", "change": DiscoveryPermission.MODERATE_PORTAL},
        ),
        ObjectType(
            name="portal_submission",
            model=PortalSubmission,
            label="portal submission",
            title=lambda submission: submission.title,
            gate=access_portal_submission,
            permissions={"view": "view", "change": DiscoveryPermission.MODERATE_PORTAL},
        ),
        ObjectType(
            name="product_discovery",
            model=ProductDiscovery,
            label="discovery settings",
            title=lambda settings: f"Discovery settings of {settings.product.key}",
            permissions={
                "view": "view",
                "change": DiscoveryPermission.CHANGE_DISCOVERY_SETTINGS.value,
            },
            teams=lambda settings: product_team_query(settings.product),
            product=lambda settings: settings.product,
        ),
    ],
    navigation=[
        NavEntry("discovery", "Discovery", "discovery:feedback_list", icon="mail", order=45),
    ],
    provides=[
        (
            PURPOSES,
            Purpose(
                name="problem",
                condition=_solves_a_problem,
                missing="solves no customer problem",
                order=20,
            ),
        ),
        (REACH, ReachSource(name="problems", reach=reach.derived_reach, order=10)),
        (ITEM_SECTIONS, ItemSection(name="problems", render=item_section, order=10)),
        (ITEM_SECTIONS, ItemSection(name="risks", render=item_risk_section, order=15)),
        (PROBLEM_SECTIONS, ProblemSection(name="risks", render=problem_risk_section, order=10)),
        (VALUE_RISK, ValueRiskSource(name="risks", value_risk=item_value_risk, order=10)),
        (
            ITEM_LINKS,
            ItemLinkSource(name="problems", label="problems", links=item_problem_titles, order=10),
        ),
    ],
    demo=Demo(seed=demo.seed, after=("backlog",)),
    home=[
        HomeSection(
            "discovery-cadence",
            "discovery/home/_cadence.html",
            cadence.home_context,
            order=30,
            stat_template="discovery/home/_cadence_stat.html",
        )
    ],
    subscribers=[
        Subscriber(
            name="discovery.reach",
            handler=reach.on_evidence_changed,
            kinds=reach.EVIDENCE_EVENTS,
        ),
    ],
)
