"""The API's shapes of product risks and experiments."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from lodestar.api.schemas import Id, InSchema
from lodestar.discovery.risk_models import Experiment
from lodestar.discovery.risk_selectors import RiskView
from lodestar.discovery.risk_services import TITLE_MAX
from lodestar.discovery.services import NOTES_MAX

RiskKindName = Literal["value", "usability", "feasibility", "viability"]
RiskStatusName = Literal["unknown", "testing", "addressed"]
Method = Literal[
    "interview",
    "prototype",
    "fake_door",
    "ab_test",
    "concierge",
    "survey",
    "data_analysis",
    "technical_spike",
    "other",
]
ExperimentStatusName = Literal["planned", "running", "concluded"]
ResultName = Literal["validated", "invalidated", "inconclusive", ""]


class RiskExperimentOut(Schema):
    id: int
    title: str
    status: ExperimentStatusName
    result: ResultName


class RiskOut(Schema):
    """One of the four product risks; a risk never set is ``unknown`` with version 0."""

    kind: RiskKindName
    label: str
    status: RiskStatusName
    note: str
    note_html: str
    experiment: RiskExperimentOut | None
    updated_at: dt.datetime | None
    version: int = Field(description="0 for a risk never set; send it as If-Match to change it")

    @staticmethod
    def of(view: RiskView) -> RiskOut:
        experiment = view.experiment
        return RiskOut(
            kind=view.kind,  # type: ignore[arg-type]
            label=view.label,
            status=view.status,  # type: ignore[arg-type]
            note=view.note,
            note_html=view.note_html,
            experiment=RiskExperimentOut(
                id=experiment.pk,
                title=experiment.title,
                status=experiment.status,  # type: ignore[arg-type]
                result=experiment.result,  # type: ignore[arg-type]
            )
            if experiment is not None
            else None,
            updated_at=view.updated_at,
            version=view.version,
        )


class RiskIn(InSchema):
    status: RiskStatusName | None = None
    note: str | None = Field(
        default=None, max_length=NOTES_MAX, description="The evidence in words (Markdown)"
    )
    experiment: Id | None = Field(
        default=None,
        description="The experiment (linked to the same problem or epic) that addressed the "
        "risk; null clears it",
    )


class ExperimentIn(InSchema):
    product: str = Field(description="The product's key")
    title: str = Field(max_length=TITLE_MAX)
    hypothesis: str = Field(default="", max_length=NOTES_MAX)
    method: Method = "interview"
    success_signal: str = Field(
        default="", max_length=NOTES_MAX, description="What would count as success"
    )
    status: ExperimentStatusName = "planned"
    result: ResultName = Field(default="", description="Only, and always, when concluded")
    result_text: str = Field(default="", max_length=NOTES_MAX)
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    problems: list[Id] = Field(default_factory=list, max_length=100)
    items: list[str] = Field(default_factory=list, max_length=100)


class ExperimentPatch(InSchema):
    title: str | None = Field(default=None, max_length=TITLE_MAX)
    hypothesis: str | None = Field(default=None, max_length=NOTES_MAX)
    method: Method | None = None
    success_signal: str | None = Field(default=None, max_length=NOTES_MAX)
    status: ExperimentStatusName | None = None
    result: ResultName | None = None
    result_text: str | None = Field(default=None, max_length=NOTES_MAX)
    started_on: dt.date | None = None
    ended_on: dt.date | None = None


class ExperimentLinksIn(InSchema):
    problems: list[Id] = Field(default_factory=list, max_length=100)
    items: list[str] = Field(default_factory=list, max_length=100)


class ExperimentOut(Schema):
    id: int
    product: str
    title: str
    hypothesis: str
    hypothesis_html: str
    method: Method
    success_signal: str
    status: ExperimentStatusName
    result: ResultName
    result_text: str
    result_html: str
    started_on: dt.date | None
    ended_on: dt.date | None
    problems: list[int]
    items: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def of(experiment: Experiment, problems: list[int], items: list[str]) -> ExperimentOut:
        return ExperimentOut(
            id=experiment.pk,
            product=experiment.product.key,
            title=experiment.title,
            hypothesis=experiment.hypothesis,
            hypothesis_html=experiment.hypothesis_html,
            method=experiment.method,  # type: ignore[arg-type]
            success_signal=experiment.success_signal,
            status=experiment.status,  # type: ignore[arg-type]
            result=experiment.result,  # type: ignore[arg-type]
            result_text=experiment.result_text,
            result_html=experiment.result_html,
            started_on=experiment.started_on,
            ended_on=experiment.ended_on,
            problems=problems,
            items=items,
            created_at=experiment.created_at,
            updated_at=experiment.updated_at,
            version=experiment.version,
        )
