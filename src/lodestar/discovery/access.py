"""The gates that fetch discovery objects for an actor: missing, trashed or in another
workspace all answer 404, alike."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet

from lodestar.core.errors import NotFound
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.models import Contact, Customer, Feedback, Insight, Problem
from lodestar.discovery.risk_models import Experiment, ProductRisk
from lodestar.people.policy import Actor


def _number(ref: int | str) -> int | None:
    try:
        number = int(str(ref).strip())
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


def _one(rows: QuerySet[Any], actor: Actor, ref: int | str, label: str, code: str) -> Any:
    number = _number(ref)
    found = None
    if number is not None:
        found = rows.filter(workspace_id=actor.workspace_id, pk=number).first()
    if found is None:
        raise NotFound(f"No {label} {ref} in this workspace.", code=code)
    return found


def access_customer(actor: Actor, ref: int | str) -> Customer:
    return _one(Customer.objects.all(), actor, ref, "customer", Code.CUSTOMER_NOT_FOUND)  # type: ignore[no-any-return]


def access_contact(actor: Actor, ref: int | str) -> Contact:
    rows = Contact.objects.select_related("customer")
    return _one(rows, actor, ref, "contact", Code.CONTACT_NOT_FOUND)  # type: ignore[no-any-return]


def access_feedback(actor: Actor, ref: int | str) -> Feedback:
    rows = Feedback.objects.select_related("customer", "contact", "captured_by", "product")
    return _one(rows, actor, ref, "feedback", Code.FEEDBACK_NOT_FOUND)  # type: ignore[no-any-return]


def access_insight(actor: Actor, ref: int | str) -> Insight:
    rows = Insight.objects.select_related("feedback").filter(feedback__deleted_at__isnull=True)
    return _one(rows, actor, ref, "insight", Code.INSIGHT_NOT_FOUND)  # type: ignore[no-any-return]


def access_problem(actor: Actor, ref: int | str) -> Problem:
    rows = Problem.objects.select_related("owner__user", "product")
    return _one(rows, actor, ref, "problem", Code.PROBLEM_NOT_FOUND)  # type: ignore[no-any-return]


def access_experiment(actor: Actor, ref: int | str) -> Experiment:
    rows = Experiment.objects.select_related("product", "workspace")
    return _one(rows, actor, ref, "experiment", Code.EXPERIMENT_NOT_FOUND)  # type: ignore[no-any-return]


def access_risk(actor: Actor, ref: int | str) -> ProductRisk:
    """A risk row, by id, while its subject (problem or epic) is live."""
    rows = ProductRisk.objects.select_related("problem", "item__product", "workspace").filter(
        Q(problem__deleted_at__isnull=True, item__isnull=True)
        | Q(item__deleted_at__isnull=True, problem__isnull=True)
    )
    return _one(rows, actor, ref, "risk", Code.RISK_NOT_FOUND)  # type: ignore[no-any-return]


def in_workspace(actor: Actor, obj: Model) -> bool:
    return getattr(obj, "workspace_id", None) == actor.workspace_id
