"""Every read of product risks and experiments: the four risks of a problem or an epic, a
product's experiments, what experiments add to a problem's evidence, and whether an item's
value risk is addressed (for the Definition of Ready)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from lodestar.backlog.extensions import RiskFact
from lodestar.backlog.models import BacklogItem, ItemKind
from lodestar.discovery.models import Problem, ProblemItem
from lodestar.discovery.risk_models import (
    Experiment,
    ExperimentItem,
    ExperimentProblem,
    ExperimentResult,
    ExperimentStatus,
    ProductRisk,
    RiskKind,
    RiskStatus,
)
from lodestar.people.policy import Actor

# How far up an item's parents the value-risk rule looks for its epic (a task's story's epic).
EPIC_DEPTH = 3


@dataclass(frozen=True)
class RiskView:
    """One of the four risks as a page and the API show it; a risk never set is ``unknown``
    with version 0."""

    kind: str
    label: str
    status: str
    status_label: str
    note: str
    note_html: str
    experiment: Experiment | None
    version: int
    updated_at: dt.datetime | None
    risk_id: int | None


def subject_risks(subject: Problem | BacklogItem) -> list[RiskView]:
    """The four risks of ``subject`` in a fixed order (value, usability, feasibility,
    viability), in one query. An experiment in the trash is not shown as the evidence."""
    field = "problem" if isinstance(subject, Problem) else "item"
    rows = {
        risk.kind: risk
        for risk in ProductRisk.objects.filter(**{field: subject}).select_related("experiment")
    }
    views: list[RiskView] = []
    for kind in RiskKind:
        risk = rows.get(kind.value)
        status = RiskStatus(risk.status) if risk else RiskStatus.UNKNOWN
        experiment = risk.experiment if risk else None
        if experiment is not None and experiment.deleted_at is not None:
            experiment = None
        views.append(
            RiskView(
                kind=kind.value,
                label=kind.label,
                status=status.value,
                status_label=status.label,
                note=risk.note if risk else "",
                note_html=risk.note_html if risk else "",
                experiment=experiment,
                version=risk.version if risk else 0,
                updated_at=risk.updated_at if risk else None,
                risk_id=risk.pk if risk else None,
            )
        )
    return views


def experiment_list(
    *,
    actor: Actor,
    product_id: int | None = None,
    status: str | None = None,
    problem: Problem | None = None,
    item: BacklogItem | None = None,
) -> QuerySet[Experiment]:
    """Live experiments of the workspace, newest first, narrowed as asked."""
    rows = Experiment.objects.filter(workspace_id=actor.workspace_id).select_related("product")
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    if status:
        rows = rows.filter(status=status)
    if problem is not None:
        rows = rows.filter(problem_links__problem=problem)
    if item is not None:
        rows = rows.filter(item_links__item=item)
    return rows.order_by("-id")


def experiment_problems(experiment: Experiment) -> list[Problem]:
    """The live problems linked to the experiment, by title."""
    return list(
        Problem.objects.filter(experiment_links__experiment=experiment).order_by("title", "id")
    )


def experiment_items(experiment: Experiment) -> list[BacklogItem]:
    """The live backlog items linked to the experiment, in backlog order."""
    return list(
        BacklogItem.objects.filter(experiment_links__experiment=experiment)
        .select_related("product")
        .order_by("rank")
    )


def experiment_links(experiments: Sequence[Experiment]) -> dict[int, tuple[list[int], list[str]]]:
    """By experiment: the ids of its live problems and the keys of its live items, in two
    queries whatever their number."""
    ids = [e.pk for e in experiments]
    out: dict[int, tuple[list[int], list[str]]] = {pk: ([], []) for pk in ids}
    for experiment_id, problem_id in (
        ExperimentProblem.objects.filter(experiment_id__in=ids, problem__deleted_at__isnull=True)
        .order_by("problem_id")
        .values_list("experiment_id", "problem_id")
    ):
        out[experiment_id][0].append(problem_id)
    for experiment_id, key in (
        ExperimentItem.objects.filter(experiment_id__in=ids, item__deleted_at__isnull=True)
        .order_by("item__rank")
        .values_list("experiment_id", "item__key")
    ):
        out[experiment_id][1].append(key)
    return out


@dataclass(frozen=True)
class ExperimentCounts:
    """What a problem's experiments add to its evidence."""

    total: int = 0
    running: int = 0
    concluded: int = 0
    validated: int = 0
    invalidated: int = 0


def problem_experiment_counts(problem_ids: Sequence[int]) -> dict[int, ExperimentCounts]:
    """By problem: its live experiments, how many run, how many concluded and how (one
    query whatever the number of problems)."""
    ids = list(dict.fromkeys(int(pk) for pk in problem_ids))
    if not ids:
        return {}
    status = "experiment__status"
    result = "experiment__result"
    rows = (
        ExperimentProblem.objects.filter(problem_id__in=ids, experiment__deleted_at__isnull=True)
        .values("problem_id")
        .annotate(
            total=Count("id"),
            running=Count("id", filter=Q(**{status: ExperimentStatus.RUNNING})),
            concluded=Count("id", filter=Q(**{status: ExperimentStatus.CONCLUDED})),
            validated=Count("id", filter=Q(**{result: ExperimentResult.VALIDATED})),
            invalidated=Count("id", filter=Q(**{result: ExperimentResult.INVALIDATED})),
        )
        .order_by()
    )
    found = {
        row["problem_id"]: ExperimentCounts(
            total=row["total"],
            running=row["running"],
            concluded=row["concluded"],
            validated=row["validated"],
            invalidated=row["invalidated"],
        )
        for row in rows
    }
    return {pk: found.get(pk, ExperimentCounts()) for pk in ids}


def _epic_of(item: BacklogItem) -> BacklogItem | None:
    """The item itself when an epic, else its nearest epic ancestor (a query per level)."""
    current: BacklogItem | None = item
    for _ in range(EPIC_DEPTH):
        if current is None:
            return None
        if current.kind == ItemKind.EPIC:
            return current
        if current.parent_id is None:
            return None
        current = BacklogItem.objects.filter(pk=current.parent_id).first()
    return current if current is not None and current.kind == ItemKind.EPIC else None


def item_value_risk(item: BacklogItem) -> RiskFact:
    """Whether the value risk behind ``item`` is addressed. The rule: the value risk is
    carried by the item's epic (the item itself when it is an epic, else its nearest epic
    ancestor) and by the problems the item solves; it counts as addressed when it is
    addressed on any of them. An item with neither has nothing to carry it."""
    epic = _epic_of(item)
    problems = list(
        Problem.objects.filter(
            pk__in=ProblemItem.objects.filter(item=item).values("problem_id")
        ).order_by("title", "id")
    )
    subjects = Q(problem__in=problems) if problems else Q(pk__in=[])
    if epic is not None:
        subjects |= Q(item=epic)
    if epic is None and not problems:
        return RiskFact(
            addressed=False,
            detail="no epic or problem carries its value risk: link it to a problem (or put it "
            "under an epic) and address the value risk there",
        )
    addressed = (
        ProductRisk.objects.filter(subjects, kind=RiskKind.VALUE, status=RiskStatus.ADDRESSED)
        .select_related("problem", "item")
        .order_by("id")
        .first()
    )
    if addressed is not None:
        where = (
            f"epic {addressed.item.key}"
            if addressed.item is not None
            else f"problem “{addressed.problem.title if addressed.problem else ''}”"
        )
        return RiskFact(addressed=True, detail=f"value risk addressed on {where}")
    names = [f"epic {epic.key}"] if epic is not None else []
    names += [f"problem “{p.title}”" for p in problems[:3]]
    return RiskFact(
        addressed=False,
        detail=f"address the value risk of {' or '.join(names)} (test it with an experiment)",
    )
