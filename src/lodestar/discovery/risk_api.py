"""The API of product risks (on problems and epics) and experiments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from lodestar.api.auth import actor as request_actor
from lodestar.api.http import IF_MATCH, if_match, set_etag
from lodestar.api.schemas import ERRORS, WRITE_ERRORS, Id, Limit, PageOut
from lodestar.backlog.access import access_item
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.refs import item_refs
from lodestar.core.pagination import paginate
from lodestar.core.trash import trash_move
from lodestar.discovery import risk_services as services
from lodestar.discovery.access import access_experiment, access_problem
from lodestar.discovery.models import Problem
from lodestar.discovery.refs import experiment_ref, problem_refs
from lodestar.discovery.risk_models import Experiment
from lodestar.discovery.risk_schemas import (
    ExperimentIn,
    ExperimentLinksIn,
    ExperimentOut,
    ExperimentPatch,
    ExperimentStatusName,
    RiskIn,
    RiskOut,
)
from lodestar.discovery.risk_selectors import experiment_links, experiment_list, subject_risks
from lodestar.people.policy import Actor
from lodestar.strategy.refs import product_ref, product_ref_or_none

router = Router(tags=["discovery"])

WS = "/{workspace_slug}"
EXPERIMENT = WS + "/experiments/{experiment_id}"


# -- risks ---------------------------------------------------------------------------------------


def _risks(actor: Actor, subject: Problem | BacklogItem) -> list[RiskOut]:
    services.check_risk_subject(actor, subject)
    return [RiskOut.of(view) for view in subject_risks(subject)]


def _set_risk(
    response: HttpResponse,
    actor: Actor,
    subject: Problem | BacklogItem,
    kind: str,
    payload: RiskIn,
    expected_version: int | None,
) -> RiskOut:
    experiment: Any = ...
    if "experiment" in payload.model_fields_set:
        experiment = (
            experiment_ref(actor, payload.experiment) if payload.experiment is not None else None
        )
    risk = services.risk_set(
        actor=actor,
        subject=subject,
        kind=kind,
        status=payload.status,
        note=payload.note,
        experiment=experiment,
        expected_version=expected_version,
    )
    set_etag(response, risk.version)
    return next(view for view in _risks(actor, subject) if view.kind == risk.kind)


@router.get(
    WS + "/problems/{problem_id}/risks",
    response={200: list[RiskOut], **ERRORS},
    operation_id="problem_risk_list",
)
def list_problem_risks(request: HttpRequest, workspace_slug: str, problem_id: Id) -> list[RiskOut]:
    """The four product risks of the problem: value, usability, feasibility, viability."""
    actor = request_actor(request, workspace_slug)
    return _risks(actor, access_problem(actor, problem_id))


@router.put(
    WS + "/problems/{problem_id}/risks/{kind}",
    response={200: RiskOut, **WRITE_ERRORS},
    operation_id="problem_risk_set",
    openapi_extra=IF_MATCH,
)
def set_problem_risk(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    problem_id: Id,
    kind: str,
    payload: RiskIn,
) -> RiskOut:
    """Set one risk of the problem (``kind``: value, usability, feasibility, viability): its
    status, its evidence, the experiment that addressed it. ``addressed`` needs a note or an
    experiment linked to the problem."""
    actor = request_actor(request, workspace_slug)
    problem = access_problem(actor, problem_id)
    return _set_risk(response, actor, problem, kind, payload, if_match(request))


@router.get(
    WS + "/items/{item_key}/risks",
    response={200: list[RiskOut], **ERRORS},
    operation_id="item_risk_list",
)
def list_item_risks(request: HttpRequest, workspace_slug: str, item_key: str) -> list[RiskOut]:
    """The four product risks of an epic (any other kind of item answers 422)."""
    actor = request_actor(request, workspace_slug)
    return _risks(actor, access_item(actor, item_key))


@router.put(
    WS + "/items/{item_key}/risks/{kind}",
    response={200: RiskOut, **WRITE_ERRORS},
    operation_id="item_risk_set",
    openapi_extra=IF_MATCH,
)
def set_item_risk(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    item_key: str,
    kind: str,
    payload: RiskIn,
) -> RiskOut:
    """Set one risk of an epic, as for a problem."""
    actor = request_actor(request, workspace_slug)
    item = access_item(actor, item_key)
    return _set_risk(response, actor, item, kind, payload, if_match(request))


# -- experiments ---------------------------------------------------------------------------------


def _out(experiment: Experiment) -> ExperimentOut:
    problems, items = experiment_links([experiment])[experiment.pk]
    return ExperimentOut.of(experiment, problems, items)


@router.get(
    WS + "/experiments",
    response={200: PageOut[ExperimentOut], **ERRORS},
    operation_id="experiment_list",
)
def list_experiments(
    request: HttpRequest,
    workspace_slug: str,
    product: str | None = None,
    status: ExperimentStatusName | None = None,
    problem: Id | None = None,
    item: str | None = None,
    cursor: str | None = None,
    limit: Limit | None = None,
) -> PageOut[ExperimentOut]:
    """Experiments, newest first; of a product, a status, a problem or an item when asked."""
    actor = request_actor(request, workspace_slug)
    of_product = product_ref_or_none(actor, product)
    rows = experiment_list(
        actor=actor,
        product_id=of_product.pk if of_product else None,
        status=status,
        problem=access_problem(actor, problem) if problem is not None else None,
        item=access_item(actor, item) if item is not None else None,
    )
    page = paginate(rows, order=["-id"], cursor=cursor, limit=limit)
    links = experiment_links(page.items)
    return PageOut[ExperimentOut](
        items=[ExperimentOut.of(e, *links[e.pk]) for e in page.items],
        next_cursor=page.next_cursor,
    )


@router.post(
    WS + "/experiments",
    response={201: ExperimentOut, **WRITE_ERRORS},
    operation_id="experiment_create",
)
def create_experiment(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, payload: ExperimentIn
) -> Status[ExperimentOut]:
    """Plan an experiment (or record one already run), linked to problems and items."""
    actor = request_actor(request, workspace_slug)
    experiment = services.experiment_create(
        actor=actor,
        product=product_ref(actor, payload.product),
        title=payload.title,
        hypothesis=payload.hypothesis,
        method=payload.method,
        success_signal=payload.success_signal,
        status=payload.status,
        result=payload.result,
        result_text=payload.result_text,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
        problems=problem_refs(actor, payload.problems),
        items=item_refs(actor, payload.items),
    )
    set_etag(response, experiment.version)
    return Status(201, _out(experiment))


@router.get(EXPERIMENT, response={200: ExperimentOut, **ERRORS}, operation_id="experiment_get")
def get_experiment(
    request: HttpRequest, response: HttpResponse, workspace_slug: str, experiment_id: Id
) -> ExperimentOut:
    actor = request_actor(request, workspace_slug)
    experiment = access_experiment(actor, experiment_id)
    set_etag(response, experiment.version)
    return _out(experiment)


@router.patch(
    EXPERIMENT,
    response={200: ExperimentOut, **WRITE_ERRORS},
    operation_id="experiment_update",
    openapi_extra=IF_MATCH,
)
def update_experiment(
    request: HttpRequest,
    response: HttpResponse,
    workspace_slug: str,
    experiment_id: Id,
    payload: ExperimentPatch,
) -> ExperimentOut:
    """Change an experiment; conclude it with ``status: concluded`` and its ``result``.
    ``started_on``/``ended_on`` null clears a date."""
    actor = request_actor(request, workspace_slug)
    sent = payload.model_fields_set
    experiment = services.experiment_update(
        actor=actor,
        experiment=access_experiment(actor, experiment_id),
        title=payload.title,
        hypothesis=payload.hypothesis,
        method=payload.method,
        success_signal=payload.success_signal,
        status=payload.status,
        result=payload.result,
        result_text=payload.result_text,
        started_on=payload.started_on if "started_on" in sent else ...,
        ended_on=payload.ended_on if "ended_on" in sent else ...,
        expected_version=if_match(request),
    )
    set_etag(response, experiment.version)
    return _out(experiment)


@router.delete(
    EXPERIMENT,
    response={204: None, **WRITE_ERRORS},
    operation_id="experiment_delete",
    openapi_extra=IF_MATCH,
)
def delete_experiment(request: HttpRequest, workspace_slug: str, experiment_id: Id) -> Status[None]:
    """Move the experiment to the trash (restorable for 30 days)."""
    actor = request_actor(request, workspace_slug)
    trash_move(
        actor=actor,
        obj=access_experiment(actor, experiment_id),
        expected_version=if_match(request),
    )
    return Status(204, None)


@router.post(
    EXPERIMENT + "/links",
    response={200: ExperimentOut, **WRITE_ERRORS},
    operation_id="experiment_link",
)
def link_experiment(
    request: HttpRequest, workspace_slug: str, experiment_id: Id, payload: ExperimentLinksIn
) -> ExperimentOut:
    """Link problems (ids) and items (keys, of the experiment's product) to the experiment;
    linking one twice changes nothing."""
    actor = request_actor(request, workspace_slug)
    experiment = services.experiment_link(
        actor=actor,
        experiment=access_experiment(actor, experiment_id),
        problems=problem_refs(actor, payload.problems),
        items=item_refs(actor, payload.items),
    )
    return _out(experiment)


@router.delete(
    EXPERIMENT + "/problems/{problem_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="experiment_problem_unlink",
)
def unlink_experiment_problem(
    request: HttpRequest, workspace_slug: str, experiment_id: Id, problem_id: Id
) -> Status[None]:
    actor = request_actor(request, workspace_slug)
    services.experiment_unlink(
        actor=actor,
        experiment=access_experiment(actor, experiment_id),
        problem=access_problem(actor, problem_id),
    )
    return Status(204, None)


@router.delete(
    EXPERIMENT + "/items/{item_key}",
    response={204: None, **WRITE_ERRORS},
    operation_id="experiment_item_unlink",
)
def unlink_experiment_item(
    request: HttpRequest, workspace_slug: str, experiment_id: Id, item_key: str
) -> Status[None]:
    actor = request_actor(request, workspace_slug)
    services.experiment_unlink(
        actor=actor,
        experiment=access_experiment(actor, experiment_id),
        item=access_item(actor, item_key),
    )
    return Status(204, None)
