"""Request and response shapes of the prioritization API (explicit fields; bodies forbid extras)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from lodestar.api.schemas import InSchema
from lodestar.backlog.models import BacklogItem
from lodestar.backlog.prioritization.frameworks import Framework, ScoreResult
from lodestar.backlog.prioritization.models import Score, Scorecard
from lodestar.backlog.prioritization.selectors import SuggestedItem, Suggestion

# Strict: a string or a boolean where a number belongs is refused, never coerced.
Number = Annotated[float, Field(strict=True)]


class ExplainedInputOut(Schema):
    field: str
    label: str
    value: float
    unit: str
    meaning: str = Field(description="What the value stands for on its scale, when it has a name.")
    source: str = Field(description='Where the value came from, e.g. "entered by Quinn on ...".')


class ExplanationOut(Schema):
    formula: str
    arithmetic: str = Field(description='The computation, e.g. "(8 + 5 + 3) / 5 = 3.2".')
    inputs: list[ExplainedInputOut]
    text: str = Field(description="The whole explanation as a few lines of plain text.")


class ScoreOut(Schema):
    framework: Framework
    value: float
    inputs: dict[str, float]
    explanation: ExplanationOut
    stale: bool = Field(
        description="The product's scorecard changed and these inputs no longer fit it."
    )
    derived: list[str] = Field(
        description=(
            'Inputs taken from evidence rather than entered: ["reach"] when a RICE score\'s '
            "reach counts the customers (or contacts) behind the item's problems."
        )
    )
    entered_by: str | None
    updated_at: dt.datetime
    version: int

    @classmethod
    def of(cls, score: Score) -> ScoreOut:
        result = ScoreResult.from_dict(score.explanation)
        return cls(
            framework=Framework(score.framework),
            value=score.value,
            inputs={name: float(value) for name, value in score.inputs.items()},
            explanation=ExplanationOut(
                formula=result.formula,
                arithmetic=result.arithmetic,
                inputs=[ExplainedInputOut(**entry.as_dict()) for entry in result.inputs],
                text=result.text,
            ),
            stale=score.stale,
            derived=["reach"] if score.reach_from_evidence else [],
            entered_by=score.entered_by.email if score.entered_by is not None else None,
            updated_at=score.updated_at,
            version=score.version,
        )


class ItemScoresOut(Schema):
    item: str
    title: str
    scores: list[ScoreOut]

    @classmethod
    def of(cls, item: BacklogItem, scores: list[Score]) -> ItemScoresOut:
        return cls(item=item.key, title=item.title, scores=[ScoreOut.of(s) for s in scores])


class ScoreIn(InSchema):
    framework: Framework
    inputs: dict[str, Number] = Field(
        description=(
            "rice: reach, impact, confidence, effort; wsjf: business_value, time_criticality, "
            "risk_reduction, job_size; ice: impact, confidence, ease; value_effort: value, "
            "effort; scorecard: one per criterion key of the product's scorecard. Inputs "
            "named in derived are left out."
        )
    )
    derived: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list,
        max_length=4,
        description=(
            'Inputs to take from evidence instead: ["reach"] (RICE only) counts the customers, '
            "or contacts as the product chooses, behind the item's linked problems, each once; "
            "the score follows when that evidence changes. Send it again with each change of "
            "the score to keep it; leave it out to enter reach."
        ),
    )


class CriterionIn(InSchema):
    key: str = Field(max_length=40, description="Lower-case letters, digits and _.")
    label: str = Field(default="", max_length=80)
    weight: Number
    scale_min: Number = 0
    scale_max: Number = 10
    lower_is_better: bool = False


class ScorecardIn(InSchema):
    criteria: list[CriterionIn] = Field(max_length=20)


class CriterionOut(Schema):
    key: str
    label: str
    weight: float
    scale_min: float
    scale_max: float
    lower_is_better: bool


class ScorecardOut(Schema):
    product: str
    criteria: list[CriterionOut]
    updated_by: str | None
    updated_at: dt.datetime
    version: int

    @classmethod
    def of(cls, product_key: str, scorecard: Scorecard) -> ScorecardOut:
        return cls(
            product=product_key,
            criteria=[CriterionOut(**c) for c in scorecard.criteria],
            updated_by=scorecard.updated_by.email if scorecard.updated_by is not None else None,
            updated_at=scorecard.updated_at,
            version=scorecard.version,
        )


class SuggestedItemOut(Schema):
    key: str
    title: str
    score: float | None
    arithmetic: str
    stale: bool
    current_position: int
    suggested_position: int
    moved: int = Field(description="Positions gained (> 0) or lost (< 0) in the suggestion.")
    change: Literal["up", "down", "same", "unscored"]

    @classmethod
    def of(cls, row: SuggestedItem) -> SuggestedItemOut:
        change: Literal["up", "down", "same", "unscored"]
        if row.score is None:
            change = "unscored"
        else:
            change = "up" if row.moved > 0 else "down" if row.moved < 0 else "same"
        return cls(
            key=row.key,
            title=row.title,
            score=row.score,
            arithmetic=row.arithmetic,
            stale=row.stale,
            current_position=row.current_position,
            suggested_position=row.suggested_position,
            moved=row.moved,
            change=change,
        )


class SuggestionOut(Schema):
    product: str
    framework: Framework
    items: list[SuggestedItemOut] = Field(
        description="Items not yet started, in the suggested order (unscored ones stay put)."
    )
    unscored: list[str]
    moves_needed: int = Field(description="How many items applying all of it would move.")

    @classmethod
    def of(cls, product_key: str, suggestion: Suggestion) -> SuggestionOut:
        return cls(
            product=product_key,
            framework=suggestion.framework,
            items=[SuggestedItemOut.of(row) for row in suggestion.items],
            unscored=suggestion.unscored,
            moves_needed=suggestion.moves_needed,
        )


class SuggestApplyIn(InSchema):
    framework: Framework
    items: list[str] | None = Field(
        default=None,
        max_length=10_000,
        description="Keys of the items to put where suggested; omit to apply all of it.",
    )


class SuggestAppliedOut(Schema):
    moved: list[str]
    suggestion: SuggestionOut
