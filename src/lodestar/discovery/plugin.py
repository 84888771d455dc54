"""What the discovery context declares: customers, contacts, feedback, insights and problems
as workspace objects, and solving a customer problem as a purpose a backlog item may serve."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from lodestar.backlog.extensions import PURPOSES, Purpose
from lodestar.core.registry import ObjectAction, ObjectType, Plugin, SearchDocument, TrashRules
from lodestar.discovery.access import (
    access_contact,
    access_customer,
    access_feedback,
    access_insight,
    access_problem,
)
from lodestar.discovery.models import Contact, Customer, Feedback, Insight, Problem, ProblemItem
from lodestar.discovery.permissions import PERMISSIONS
from lodestar.discovery.services import customer_on_restore, refuse_trash_with_feedback

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
    # The uploads first: their paths (feedback/import) would otherwise fall to feedback/{id}.
    api=["lodestar.discovery.api_imports", "lodestar.discovery.api"],
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
    ],
)
