"""What the discovery context declares: customers, contacts, feedback, insights and problems
as workspace objects, and solving a customer problem as a purpose a backlog item may serve."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from lodestar.backlog.extensions import (
    ITEM_SECTIONS,
    PURPOSES,
    REACH,
    ItemSection,
    Purpose,
    ReachSource,
)
from lodestar.core.registry import (
    Demo,
    HomeSection,
    ObjectAction,
    ObjectType,
    Plugin,
    SearchDocument,
    Subscriber,
    TrashRules,
)
from lodestar.discovery import cadence, demo, reach
from lodestar.discovery.access import (
    access_contact,
    access_customer,
    access_feedback,
    access_insight,
    access_problem,
)
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
from lodestar.discovery.services import customer_on_restore, refuse_trash_with_feedback
from lodestar.discovery.views.backlog import item_section
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


def _customer_search(customer: Customer) -> SearchDocument:
    body = "\n".join(filter(None, [customer.segment, customer.plan, customer.notes]))
    return SearchDocument(title=customer.name, body=body, updated_at=customer.updated_at)


def _feedback_search(feedback: Feedback) -> SearchDocument:
    return SearchDocument(
        title=feedback.summary,
        body="\n".join(filter(None, [feedback.text, feedback.notes])),
        updated_at=feedback.updated_at,
    )


def _problem_search(problem: Problem) -> SearchDocument:
    return SearchDocument(
        title=problem.title, body=problem.description, updated_at=problem.updated_at
    )


def _insight_search(insight: Insight) -> SearchDocument:
    return SearchDocument(
        title=insight.quote[:200], body=insight.note, updated_at=insight.updated_at
    )


PLUGIN = Plugin(
    name="discovery",
    urls=["lodestar.discovery.urls"],
    api=["lodestar.discovery.api", "lodestar.discovery.api_reach"],
    permissions=PERMISSIONS,
    objects=[
        ObjectType(
            name="customer",
            model=Customer,
            label="customer",
            title=lambda customer: customer.name,
            gate=access_customer,
            permissions=CONTENT,
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
            search=_feedback_search,
            trash=TrashRules(select_related=("customer",)),
            commentable=True,
        ),
        ObjectType(
            name="insight",
            model=Insight,
            label="insight",
            title=lambda insight: insight.quote[:80],
            gate=access_insight,
            permissions=CONTENT,
            search=_insight_search,
            trash=TrashRules(select_related=("feedback",)),
        ),
        ObjectType(
            name="problem",
            model=Problem,
            label="problem",
            title=lambda problem: problem.title,
            gate=access_problem,
            permissions=CONTENT,
            search=_problem_search,
            trash=TrashRules(),
            commentable=True,
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
