"""Every write of product risks and experiments: one transaction each, policy enforced, the
version checked when the caller claims one, history recorded (and so published as a domain
event).

A risk is set on a problem or an epic (any other kind of backlog item answers 422). Its
history is recorded on the risk itself, as an update from what it was (a risk never set was
``unknown``). A risk marked ``addressed`` needs its evidence: a note, or an experiment linked
to the same problem or epic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.backlog.models import BacklogItem, ItemKind
from lodestar.core.concurrency import bump, check_version
from lodestar.core.errors import Invalid, StaleVersion
from lodestar.core.history import changes_since, history_record, snapshot
from lodestar.core.markdown import render_markdown
from lodestar.core.models import HistoryEntry
from lodestar.discovery.errors import DiscoveryErrorCode as Code
from lodestar.discovery.models import Problem
from lodestar.discovery.risk_models import (
    Experiment,
    ExperimentItem,
    ExperimentMethod,
    ExperimentProblem,
    ExperimentResult,
    ExperimentStatus,
    ProductRisk,
    RiskKind,
    RiskStatus,
)
from lodestar.discovery.services import NOTES_MAX, _choice, _same_workspace, _text
from lodestar.people.policy import Actor, Permission, require
from lodestar.strategy.models import Product

Action = HistoryEntry.Action

TITLE_MAX = 200
EARLIEST_YEAR = 1990
LATEST_YEAR = 2100

RiskSubject = Problem | BacklogItem


def _record(actor: Actor, obj: Any, action: str, changes: dict[str, Any], label: str = "") -> None:
    history_record(
        actor=actor.user,
        workspace_id=actor.workspace_id,
        obj=obj,
        action=action,
        changes=changes,
        label=label,
    )


# -- risks ---------------------------------------------------------------------------------------


def check_risk_subject(actor: Actor, subject: Any) -> None:
    """A problem or an epic of the actor's workspace; any other item answers 422."""
    if isinstance(subject, Problem):
        _same_workspace(actor, "problem", subject)
        return
    if isinstance(subject, BacklogItem):
        _same_workspace(actor, "item", subject)
        if subject.kind != ItemKind.EPIC:
            raise Invalid.field(
                "item",
                f"{subject.key} is a {subject.get_kind_display().lower()}; product risks are "
                "tracked on problems and epics (set them on its epic)",
                code=Code.RISK_SUBJECT_INVALID,
            )
        return
    raise Invalid.field("subject", "must be a problem or an epic", code=Code.RISK_SUBJECT_INVALID)


def subject_title(subject: RiskSubject) -> str:
    if isinstance(subject, BacklogItem):
        return f"{subject.key} {subject.title}"
    return subject.title


def risk_label(kind: str, subject: RiskSubject) -> str:
    """``Value risk of “Exports are slow”``: how history names a risk."""
    return f"{RiskKind(kind).label} risk of “{subject_title(subject)}”"


def _subject_filter(subject: RiskSubject) -> dict[str, Any]:
    return {"problem": subject} if isinstance(subject, Problem) else {"item": subject}


def experiment_linked_to(experiment: Experiment, subject: RiskSubject) -> bool:
    if isinstance(subject, Problem):
        return ExperimentProblem.objects.filter(experiment=experiment, problem=subject).exists()
    return ExperimentItem.objects.filter(experiment=experiment, item=subject).exists()


_RISK_FIELDS = ["status", "note", "experiment"]


@transaction.atomic
def risk_set(
    *,
    actor: Actor,
    subject: RiskSubject,
    kind: str,
    status: str | None = None,
    note: str | None = None,
    experiment: Experiment | Any | None = ...,
    expected_version: int | None = None,
) -> ProductRisk:
    """Set one risk of a problem or an epic: its status, its evidence (``note``) and the
    experiment that addressed it (``None`` clears it; ``...`` and ``None`` for the others
    leave them as they are). ``expected_version`` 0 claims a risk never set."""
    require(actor, Permission.EDIT_CONTENT)
    check_risk_subject(actor, subject)
    kind = _choice(str(kind), RiskKind, "kind", Code.RISK_KIND_INVALID)
    risk = (
        ProductRisk.objects.select_for_update()
        .filter(kind=kind, **_subject_filter(subject))
        .first()
    )
    if risk is None:
        if expected_version not in (None, 0):
            raise StaleVersion(
                "This risk has not been set yet (version 0); reload it and apply your change again."
            )
        risk = ProductRisk(workspace_id=actor.workspace_id, kind=kind, **_subject_filter(subject))
        before = {"status": RiskStatus.UNKNOWN.value, "note": "", "experiment": None}
    else:
        check_version(risk, expected_version)
        before = snapshot(risk, _RISK_FIELDS)
    if status is not None:
        risk.status = _choice(str(status), RiskStatus, "status", Code.RISK_STATUS_INVALID)
    if note is not None:
        risk.note = _text(note, "note", NOTES_MAX, Code.RISK_EVIDENCE_MISSING, required=False)
        risk.note_html = render_markdown(risk.note)
    if experiment is not ...:
        if experiment is not None:
            _same_workspace(actor, "experiment", experiment)
            if not experiment_linked_to(experiment, subject):
                raise Invalid.field(
                    "experiment",
                    f"“{experiment.title}” is not linked to this "
                    f"{'problem' if isinstance(subject, Problem) else 'epic'}; link it first",
                    code=Code.RISK_EXPERIMENT_INVALID,
                )
        risk.experiment = experiment
    if risk.status == RiskStatus.ADDRESSED and not risk.note and risk.experiment is None:
        raise Invalid.field(
            "note",
            "say what addressed the risk: write the evidence, or choose the experiment that "
            "settled it",
            code=Code.RISK_EVIDENCE_MISSING,
        )
    changes: dict[str, Any]
    if risk.pk is None:
        risk.updated_by = actor.user
        risk.save()
        changes = {
            name: [before[name], value]
            for name, value in (
                ("status", risk.status),
                ("note", risk.note),
                ("experiment", risk.experiment_id),
            )
            if before[name] != value
        }
    else:
        changes = dict(changes_since(risk, before))
        if changes:
            risk.updated_by = actor.user
            fields = [*changes, "updated_by"]
            if "note" in changes:
                fields.append("note_html")
            bump(risk, fields)
    if changes:
        if "note" in changes:
            changes["note"] = ["…", "…"] if before["note"] else [None, "…"]
        if "experiment" in changes and risk.experiment is not None:
            changes["experiment_title"] = risk.experiment.title
        _record(actor, risk, Action.UPDATED, changes, label=risk_label(kind, subject))
    return risk


# -- experiments ---------------------------------------------------------------------------------


def _date(value: dt.date | None, field: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise Invalid.field(
            field,
            f"must be a date between {EARLIEST_YEAR} and {LATEST_YEAR}",
            code=Code.EXPERIMENT_DATES_INVALID,
        )
    return value


def _settle(experiment: Experiment, *, result_given: bool) -> None:
    """The rules between status, result and dates: only a concluded experiment has a result
    (and it must); starting one dates it today unless dated; concluding one ends it today
    unless dated; it cannot end before it started."""
    today = timezone.localdate()
    if experiment.status == ExperimentStatus.CONCLUDED:
        if not experiment.result:
            raise Invalid.field(
                "result",
                "a concluded experiment needs its result: validated, invalidated or inconclusive",
                code=Code.EXPERIMENT_RESULT_INVALID,
            )
        if experiment.ended_on is None:
            experiment.ended_on = today
        if experiment.started_on is None:
            experiment.started_on = min(experiment.ended_on, today)
    else:
        if experiment.result and result_given:
            raise Invalid.field(
                "result",
                "only a concluded experiment has a result; set the status to concluded",
                code=Code.EXPERIMENT_RESULT_INVALID,
            )
        # Reopened: the result it had no longer holds.
        experiment.result = ""
        if experiment.status == ExperimentStatus.RUNNING and experiment.started_on is None:
            experiment.started_on = today
    if (
        experiment.started_on is not None
        and experiment.ended_on is not None
        and experiment.ended_on < experiment.started_on
    ):
        raise Invalid.field(
            "ended_on",
            f"must be on or after the start ({experiment.started_on:%Y-%m-%d})",
            code=Code.EXPERIMENT_DATES_INVALID,
        )


def _check_problems(actor: Actor, problems: Sequence[Problem]) -> list[Problem]:
    for index, problem in enumerate(problems):
        _same_workspace(actor, f"problems[{index}]", problem)
    return list(dict.fromkeys(problems))


def _check_items(actor: Actor, product: Product, items: Sequence[BacklogItem]) -> list[BacklogItem]:
    for index, item in enumerate(items):
        _same_workspace(actor, f"items[{index}]", item)
        if item.product_id != product.pk:
            raise Invalid.field(
                f"items[{index}]",
                f"{item.key} is not an item of {product.key}; link items of the experiment's "
                "product",
                code=Code.EXPERIMENT_INVALID,
            )
    return list(dict.fromkeys(items))


@transaction.atomic
def experiment_create(
    *,
    actor: Actor,
    product: Product,
    title: str,
    hypothesis: str = "",
    method: str = ExperimentMethod.INTERVIEW,
    success_signal: str = "",
    status: str = ExperimentStatus.PLANNED,
    result: str = "",
    result_text: str = "",
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
    problems: Sequence[Problem] = (),
    items: Sequence[BacklogItem] = (),
) -> Experiment:
    """Plan (or record) an experiment of ``product``, linked to ``problems`` and ``items``."""
    require(actor, Permission.EDIT_CONTENT)
    _same_workspace(actor, "product", product)
    linked_problems = _check_problems(actor, problems)
    linked_items = _check_items(actor, product, items)
    experiment = Experiment(
        workspace_id=actor.workspace_id,
        product=product,
        title=_text(title, "title", TITLE_MAX, Code.EXPERIMENT_INVALID, required=True),
        hypothesis=_text(
            hypothesis, "hypothesis", NOTES_MAX, Code.EXPERIMENT_INVALID, required=False
        ),
        method=_choice(str(method), ExperimentMethod, "method", Code.EXPERIMENT_METHOD_INVALID),
        success_signal=_text(
            success_signal, "success_signal", NOTES_MAX, Code.EXPERIMENT_INVALID, required=False
        ),
        status=_choice(str(status), ExperimentStatus, "status", Code.EXPERIMENT_STATUS_INVALID),
        result=_result(result),
        result_text=_text(
            result_text, "result_text", NOTES_MAX, Code.EXPERIMENT_INVALID, required=False
        ),
        started_on=_date(started_on, "started_on"),
        ended_on=_date(ended_on, "ended_on"),
        created_by=actor.user,
    )
    _settle(experiment, result_given=bool(result))
    experiment.hypothesis_html = render_markdown(experiment.hypothesis)
    experiment.result_html = render_markdown(experiment.result_text)
    experiment.save()
    ExperimentProblem.objects.bulk_create(
        [ExperimentProblem(experiment=experiment, problem=p) for p in linked_problems]
    )
    ExperimentItem.objects.bulk_create(
        [ExperimentItem(experiment=experiment, item=i) for i in linked_items]
    )
    _record(
        actor,
        experiment,
        Action.CREATED,
        {
            "title": experiment.title,
            "method": experiment.method,
            "status": experiment.status,
            "result": experiment.result,
            "problems": [p.pk for p in linked_problems],
            "items": [i.key for i in linked_items],
        },
    )
    return experiment


def _result(value: str | None) -> str:
    result = (value or "").strip().lower()
    if result and result not in ExperimentResult.values:
        raise Invalid.field(
            "result",
            f"must be one of {', '.join(ExperimentResult.values)}",
            code=Code.EXPERIMENT_RESULT_INVALID,
        )
    return result


_EXPERIMENT_FIELDS = [
    "title",
    "hypothesis",
    "method",
    "success_signal",
    "status",
    "result",
    "result_text",
    "started_on",
    "ended_on",
]
_LONG = {"hypothesis", "success_signal", "result_text"}


@transaction.atomic
def experiment_update(
    *,
    actor: Actor,
    experiment: Experiment,
    title: str | None = None,
    hypothesis: str | None = None,
    method: str | None = None,
    success_signal: str | None = None,
    status: str | None = None,
    result: str | None = None,
    result_text: str | None = None,
    started_on: dt.date | Any | None = ...,
    ended_on: dt.date | Any | None = ...,
    expected_version: int | None = None,
) -> Experiment:
    """Change an experiment (``None``, or ``...`` for the dates, where None clears one, leaves
    a field as it is). Concluding it needs its result; reopening it drops the result."""
    require(actor, Permission.EDIT_CONTENT)
    check_version(experiment, expected_version)
    before = snapshot(experiment, _EXPERIMENT_FIELDS)
    if title is not None:
        experiment.title = _text(title, "title", TITLE_MAX, Code.EXPERIMENT_INVALID, required=True)
    if hypothesis is not None:
        experiment.hypothesis = _text(
            hypothesis, "hypothesis", NOTES_MAX, Code.EXPERIMENT_INVALID, required=False
        )
    if method is not None:
        experiment.method = _choice(
            str(method), ExperimentMethod, "method", Code.EXPERIMENT_METHOD_INVALID
        )
    if success_signal is not None:
        experiment.success_signal = _text(
            success_signal, "success_signal", NOTES_MAX, Code.EXPERIMENT_INVALID, required=False
        )
    if status is not None:
        experiment.status = _choice(
            str(status), ExperimentStatus, "status", Code.EXPERIMENT_STATUS_INVALID
        )
    if result is not None:
        experiment.result = _result(result)
    if result_text is not None:
        experiment.result_text = _text(
            result_text, "result_text", NOTES_MAX, Code.EXPERIMENT_INVALID, required=False
        )
    if started_on is not ...:
        experiment.started_on = _date(started_on, "started_on")
    if ended_on is not ...:
        experiment.ended_on = _date(ended_on, "ended_on")
    _settle(experiment, result_given=bool(result))
    changes = changes_since(experiment, before)
    if changes:
        fields = list(changes)
        if "hypothesis" in changes:
            experiment.hypothesis_html = render_markdown(experiment.hypothesis)
            fields.append("hypothesis_html")
        if "result_text" in changes:
            experiment.result_html = render_markdown(experiment.result_text)
            fields.append("result_html")
        bump(experiment, fields)
        for name in _LONG & set(changes):
            changes[name] = ["…", "…"]
        _record(actor, experiment, Action.UPDATED, changes)
    return experiment


@transaction.atomic
def experiment_link(
    *,
    actor: Actor,
    experiment: Experiment,
    problems: Sequence[Problem] = (),
    items: Sequence[BacklogItem] = (),
) -> Experiment:
    """Link problems and items to the experiment (those already linked stay as they are)."""
    require(actor, Permission.EDIT_CONTENT)
    linked_problems = _check_problems(actor, problems)
    linked_items = _check_items(actor, experiment.product, items)
    have_problems = set(
        ExperimentProblem.objects.filter(experiment=experiment).values_list("problem_id", flat=True)
    )
    have_items = set(
        ExperimentItem.objects.filter(experiment=experiment).values_list("item_id", flat=True)
    )
    new_problems = [p for p in linked_problems if p.pk not in have_problems]
    new_items = [i for i in linked_items if i.pk not in have_items]
    ExperimentProblem.objects.bulk_create(
        [ExperimentProblem(experiment=experiment, problem=p) for p in new_problems]
    )
    ExperimentItem.objects.bulk_create(
        [ExperimentItem(experiment=experiment, item=i) for i in new_items]
    )
    changes: dict[str, Any] = {}
    if new_problems:
        changes["problems"] = [None, [p.pk for p in new_problems]]
    if new_items:
        changes["items"] = [None, [i.key for i in new_items]]
    if changes:
        _record(actor, experiment, Action.UPDATED, changes)
    return experiment


@transaction.atomic
def experiment_unlink(
    *,
    actor: Actor,
    experiment: Experiment,
    problem: Problem | None = None,
    item: BacklogItem | None = None,
) -> bool:
    """Unlink a problem or an item from the experiment; False when it was not linked. A risk
    of that problem or epic that named the experiment as its evidence forgets it (and, left
    with no evidence, is no longer addressed but testing)."""
    require(actor, Permission.EDIT_CONTENT)
    if problem is not None:
        deleted, _ = ExperimentProblem.objects.filter(
            experiment=experiment, problem=problem
        ).delete()
        subject: RiskSubject = problem
        change: dict[str, Any] = {"problems": [[problem.pk], None]}
    elif item is not None:
        deleted, _ = ExperimentItem.objects.filter(experiment=experiment, item=item).delete()
        subject = item
        change = {"items": [[item.key], None]}
    else:
        raise Invalid.field("problem", "name the problem or the item to unlink")
    if not deleted:
        return False
    _record(actor, experiment, Action.UPDATED, change)
    for risk in ProductRisk.objects.select_for_update().filter(
        experiment=experiment, **_subject_filter(subject)
    ):
        _forget_experiment(actor, risk, subject)
    return True


def _forget_experiment(actor: Actor, risk: ProductRisk, subject: RiskSubject) -> None:
    """``risk`` no longer names its experiment as evidence; an addressed risk left with no
    evidence is being tested again. (Written here, not by ``risk_set``: an epic turned into a
    story since keeps its risks' rows, and unlinking must still tidy them.)"""
    changes: dict[str, Any] = {"experiment": [risk.experiment_id, None]}
    risk.experiment = None
    if risk.status == RiskStatus.ADDRESSED and not risk.note:
        changes["status"] = [risk.status, RiskStatus.TESTING.value]
        risk.status = RiskStatus.TESTING
    risk.updated_by = actor.user
    bump(risk, [*changes, "updated_by"])
    _record(actor, risk, Action.UPDATED, changes, label=risk_label(risk.kind, subject))
