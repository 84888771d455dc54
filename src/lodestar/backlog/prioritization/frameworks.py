"""Prioritization frameworks: RICE, WSJF, ICE, value/effort and a product's weighted scorecard.

Pure Python, no Django: each framework validates its inputs and returns a ``ScoreResult`` that
explains itself (every input with where it came from, the formula and the arithmetic). Invalid
input raises ``ScoreInputError`` naming each bad field and the range it must be in.

Scales (chosen so scores from different people are comparable; see docs/PRIORITIZATION.md):

- RICE: reach = people or accounts affected per quarter (0 to 1,000,000,000); impact one of
  0.25 (minimal), 0.5 (low), 1 (medium), 2 (high), 3 (massive); confidence a percentage 0-100;
  effort in person-months, from 0.01 to 1,000. Value = R x I x C% / E.
- WSJF: business value, time criticality and risk reduction / opportunity enablement on the
  modified Fibonacci scale, any number from 1 to 21; job size on the same scale, from 0.1 to 21
  (a job below a tenth of the smallest one is not sized but guessed).
  Value = (BV + TC + RR) / job size.
- ICE: impact, confidence and ease, each 1-10. Value = I x C x E.
- Value/effort: value and effort, each 1-10. Value = value / effort.
- Scorecard: each criterion has a weight (greater than 0, at most 100) and its own scale; each
  score is placed on 0-100 within its scale (reversed when lower is better) and the value is the
  weighted average, 0-100.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Framework(StrEnum):
    RICE = "rice"
    WSJF = "wsjf"
    ICE = "ice"
    VALUE_EFFORT = "value_effort"
    SCORECARD = "scorecard"

    @property
    def display_name(self) -> str:
        return _TITLES[self]


_TITLES = {
    Framework.RICE: "RICE",
    Framework.WSJF: "WSJF",
    Framework.ICE: "ICE",
    Framework.VALUE_EFFORT: "Value / effort",
    Framework.SCORECARD: "Weighted scorecard",
}

ENTERED = "entered"
# Plain "x" rather than the multiplication sign: explanations end up in terminals, CSV exports
# and chat messages where only ASCII is safe.
TIMES = "x"


@dataclass(frozen=True)
class InputProblem:
    field: str
    message: str


class ScoreInputError(ValueError):
    """Inputs a framework cannot accept; ``problems`` name each field and what is allowed."""

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))

    @property
    def field(self) -> str:
        return self.problems[0].field


def fmt(number: float) -> str:
    """A number as people write it: no trailing zeros, 2 decimals (3 significant digits if < 1)."""
    if math.isclose(number, round(number), rel_tol=0, abs_tol=1e-9):
        return str(round(number))
    digits = 2 if abs(number) >= 1 else max(2, 2 - math.floor(math.log10(abs(number))))
    return f"{number:.{digits}f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class InputSpec:
    """One input of a framework: its range (or allowed values) and what each value means."""

    name: str
    label: str
    minimum: float
    maximum: float
    allowed: tuple[float, ...] = ()
    meanings: Mapping[float, str] = field(default_factory=dict)
    unit: str = ""
    # Whose call the input is: "value" (business value: the product owner's) or "effort"
    # (the size of the work: the developers').
    side: str = "value"

    @property
    def allowed_text(self) -> str:
        if self.allowed:
            return "one of " + ", ".join(fmt(v) for v in self.allowed)
        return f"from {fmt(self.minimum)} to {fmt(self.maximum)}"

    def check(self, raw: object) -> float | str:
        """The value as a number, or the message that says what to fix."""
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            return f"must be a number {self.allowed_text}"
        value = float(raw)
        if not math.isfinite(value):
            return f"must be a finite number {self.allowed_text}"
        if self.allowed:
            if not any(math.isclose(value, a) for a in self.allowed):
                return f"must be {self.allowed_text} (got {fmt(value)})"
            return value
        if not self.minimum <= value <= self.maximum:
            return f"must be {self.allowed_text} (got {fmt(value)})"
        return value

    def meaning(self, value: float) -> str:
        return next((m for v, m in self.meanings.items() if math.isclose(v, value)), "")


@dataclass(frozen=True)
class ExplainedInput:
    """One input as the explanation shows it: value, meaning, and where it came from."""

    field: str
    label: str
    value: float
    source: str
    meaning: str = ""
    unit: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "meaning": self.meaning,
            "source": self.source,
        }


@dataclass(frozen=True)
class ScoreResult:
    """A computed score and its explanation: inputs, formula and arithmetic."""

    framework: Framework
    value: float
    inputs: tuple[ExplainedInput, ...]
    formula: str
    arithmetic: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework.value,
            "value": self.value,
            "formula": self.formula,
            "arithmetic": self.arithmetic,
            "inputs": [i.as_dict() for i in self.inputs],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreResult:
        """The result back from ``as_dict()`` (as stored with a score)."""
        return cls(
            framework=Framework(data["framework"]),
            value=float(data["value"]),
            inputs=tuple(
                ExplainedInput(
                    field=str(entry["field"]),
                    label=str(entry["label"]),
                    value=float(entry["value"]),
                    source=str(entry["source"]),
                    meaning=str(entry.get("meaning", "")),
                    unit=str(entry.get("unit", "")),
                )
                for entry in data["inputs"]
            ),
            formula=str(data["formula"]),
            arithmetic=str(data["arithmetic"]),
        )

    @property
    def text(self) -> str:
        """The explanation as a few lines of prose, for the CLI and tooltips."""
        lines = [f"{self.framework.display_name} = {self.formula}", f"  = {self.arithmetic}"]
        for item in self.inputs:
            unit = "%" if item.unit == "%" else f" {item.unit}" if item.unit else ""
            meaning = f" ({item.meaning})" if item.meaning else ""
            lines.append(f"  {item.label}: {fmt(item.value)}{unit}{meaning}, {item.source}")
        return "\n".join(lines)


def _values(
    framework: Framework,
    specs: Sequence[InputSpec],
    inputs: Mapping[str, object],
) -> dict[str, float]:
    """Validate ``inputs`` against ``specs``: every problem is collected, then raised together."""
    problems: list[InputProblem] = []
    names = [spec.name for spec in specs]
    for name in inputs:
        if name not in names:
            problems.append(
                InputProblem(
                    name,
                    f"is not an input of {framework.display_name}; expected {', '.join(names)}",
                )
            )
    values: dict[str, float] = {}
    for spec in specs:
        if spec.name not in inputs:
            problems.append(InputProblem(spec.name, f"is required ({spec.allowed_text})"))
            continue
        checked = spec.check(inputs[spec.name])
        if isinstance(checked, str):
            problems.append(InputProblem(spec.name, checked))
        else:
            values[spec.name] = checked
    if problems:
        raise ScoreInputError(problems)
    return values


def _explain(
    specs: Sequence[InputSpec],
    values: Mapping[str, float],
    sources: Mapping[str, str] | None,
) -> tuple[ExplainedInput, ...]:
    sources = sources or {}
    return tuple(
        ExplainedInput(
            field=spec.name,
            label=spec.label,
            value=values[spec.name],
            source=sources.get(spec.name, ENTERED),
            meaning=spec.meaning(values[spec.name]),
            unit=spec.unit,
        )
        for spec in specs
    )


_RICE_IMPACT = {3.0: "massive", 2.0: "high", 1.0: "medium", 0.5: "low", 0.25: "minimal"}
RICE_INPUTS = (
    InputSpec("reach", "Reach", 0, 1_000_000_000, unit="people per quarter"),
    InputSpec("impact", "Impact", 0.25, 3, allowed=(0.25, 0.5, 1, 2, 3), meanings=_RICE_IMPACT),
    InputSpec(
        "confidence",
        "Confidence",
        0,
        100,
        meanings={100.0: "high", 80.0: "medium", 50.0: "low"},
        unit="%",
    ),
    # A hundredth of a person-month is about two hours; below that effort is noise, and a
    # divisor near zero would make any item's score astronomically large.
    InputSpec("effort", "Effort", 0.01, 1000, unit="person-months", side="effort"),
)
WSJF_INPUTS = (
    InputSpec("business_value", "Business value", 1, 21),
    InputSpec("time_criticality", "Time criticality", 1, 21),
    InputSpec("risk_reduction", "Risk reduction / opportunity enablement", 1, 21),
    InputSpec("job_size", "Job size", 0.1, 21, side="effort"),
)
ICE_INPUTS = (
    InputSpec("impact", "Impact", 1, 10),
    InputSpec("confidence", "Confidence", 1, 10),
    InputSpec("ease", "Ease", 1, 10, side="effort"),
)
VALUE_EFFORT_INPUTS = (
    InputSpec("value", "Value", 1, 10),
    InputSpec("effort", "Effort", 1, 10, side="effort"),
)


def rice(inputs: Mapping[str, object], *, sources: Mapping[str, str] | None = None) -> ScoreResult:
    """RICE = reach x impact x confidence% / effort (person-months)."""
    v = _values(Framework.RICE, RICE_INPUTS, inputs)
    value = v["reach"] * v["impact"] * (v["confidence"] / 100) / v["effort"]
    arithmetic = (
        f"{fmt(v['reach'])} {TIMES} {fmt(v['impact'])} {TIMES} {fmt(v['confidence'])}% / "
        f"{fmt(v['effort'])} = {fmt(value)}"
    )
    return ScoreResult(
        Framework.RICE,
        value,
        _explain(RICE_INPUTS, v, sources),
        f"reach {TIMES} impact {TIMES} confidence / effort",
        arithmetic,
    )


def wsjf(inputs: Mapping[str, object], *, sources: Mapping[str, str] | None = None) -> ScoreResult:
    """WSJF = cost of delay (business value + time criticality + risk reduction) / job size."""
    v = _values(Framework.WSJF, WSJF_INPUTS, inputs)
    cost_of_delay = v["business_value"] + v["time_criticality"] + v["risk_reduction"]
    value = cost_of_delay / v["job_size"]
    arithmetic = (
        f"({fmt(v['business_value'])} + {fmt(v['time_criticality'])} + "
        f"{fmt(v['risk_reduction'])}) / {fmt(v['job_size'])} = {fmt(value)}"
    )
    return ScoreResult(
        Framework.WSJF,
        value,
        _explain(WSJF_INPUTS, v, sources),
        "(business value + time criticality + risk reduction) / job size",
        arithmetic,
    )


def ice(inputs: Mapping[str, object], *, sources: Mapping[str, str] | None = None) -> ScoreResult:
    """ICE = impact x confidence x ease, each 1-10."""
    v = _values(Framework.ICE, ICE_INPUTS, inputs)
    value = v["impact"] * v["confidence"] * v["ease"]
    arithmetic = (
        f"{fmt(v['impact'])} {TIMES} {fmt(v['confidence'])} {TIMES} {fmt(v['ease'])} = {fmt(value)}"
    )
    return ScoreResult(
        Framework.ICE,
        value,
        _explain(ICE_INPUTS, v, sources),
        f"impact {TIMES} confidence {TIMES} ease",
        arithmetic,
    )


def value_effort(
    inputs: Mapping[str, object], *, sources: Mapping[str, str] | None = None
) -> ScoreResult:
    """Value / effort, each 1-10."""
    v = _values(Framework.VALUE_EFFORT, VALUE_EFFORT_INPUTS, inputs)
    value = v["value"] / v["effort"]
    return ScoreResult(
        Framework.VALUE_EFFORT,
        value,
        _explain(VALUE_EFFORT_INPUTS, v, sources),
        "value / effort",
        f"{fmt(v['value'])} / {fmt(v['effort'])} = {fmt(value)}",
    )


# --- the product's own weighted scorecard -------------------------------------------------------

_CRITERION_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_CRITERIA = 20


@dataclass(frozen=True)
class Criterion:
    """One criterion of a scorecard: its weight and the scale its scores are given on."""

    key: str
    label: str
    weight: float
    scale_min: float = 0
    scale_max: float = 10
    lower_is_better: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "weight": self.weight,
            "scale_min": self.scale_min,
            "scale_max": self.scale_max,
            "lower_is_better": self.lower_is_better,
        }

    @property
    def spec(self) -> InputSpec:
        return InputSpec(self.key, self.label, self.scale_min, self.scale_max)

    def normalized(self, score: float) -> float:
        """The score placed on 0-100 within the criterion's scale (reversed if lower is better)."""
        share = (score - self.scale_min) / (self.scale_max - self.scale_min) * 100
        return 100 - share if self.lower_is_better else share


def _number(raw: object) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        return None
    return float(raw)


def criteria_parse(raw: Sequence[Mapping[str, object]]) -> tuple[Criterion, ...]:
    """Validate a scorecard's criteria (as stored or sent); fields named ``criteria.<i>.<x>``."""
    problems: list[InputProblem] = []
    if not 1 <= len(raw) <= MAX_CRITERIA:
        raise ScoreInputError(
            [InputProblem("criteria", f"must list from 1 to {MAX_CRITERIA} criteria")]
        )
    allowed = {"key", "label", "weight", "scale_min", "scale_max", "lower_is_better"}
    criteria: list[Criterion] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        at = f"criteria.{index}"
        before = len(problems)
        problems.extend(
            InputProblem(f"{at}.{name}", "is not a criterion field; remove it")
            for name in entry
            if name not in allowed
        )
        key = entry.get("key")
        if not isinstance(key, str) or not _CRITERION_KEY.match(key):
            problems.append(
                InputProblem(
                    f"{at}.key",
                    "must be 1-40 lower-case letters, digits or _, starting with a letter",
                )
            )
        elif key in seen:
            problems.append(InputProblem(f"{at}.key", f"'{key}' is used by another criterion"))
        else:
            seen.add(key)
        label = entry.get("label", key)
        if not isinstance(label, str) or not 1 <= len(label.strip()) <= 80:
            problems.append(InputProblem(f"{at}.label", "must be 1 to 80 characters"))
        weight = _number(entry.get("weight"))
        if weight is None or not 0 < weight <= 100:
            problems.append(InputProblem(f"{at}.weight", "must be greater than 0 and at most 100"))
        low = _number(entry.get("scale_min", 0))
        high = _number(entry.get("scale_max", 10))
        if low is None or not -1000 <= low <= 1000:
            problems.append(InputProblem(f"{at}.scale_min", "must be a number from -1000 to 1000"))
        if high is None or not -1000 <= high <= 1000:
            problems.append(InputProblem(f"{at}.scale_max", "must be a number from -1000 to 1000"))
        elif low is not None and high <= low:
            problems.append(InputProblem(f"{at}.scale_max", "must be greater than scale_min"))
        lower = entry.get("lower_is_better", False)
        if not isinstance(lower, bool):
            problems.append(InputProblem(f"{at}.lower_is_better", "must be true or false"))
        if (
            len(problems) == before
            and isinstance(key, str)
            and isinstance(label, str)
            and weight is not None
            and low is not None
            and high is not None
        ):
            criteria.append(Criterion(key, label.strip(), weight, low, high, bool(lower)))
    if problems:
        raise ScoreInputError(problems)
    return tuple(criteria)


def scorecard(
    inputs: Mapping[str, object],
    criteria: Sequence[Criterion],
    *,
    sources: Mapping[str, str] | None = None,
) -> ScoreResult:
    """Weighted average of each criterion's score placed on 0-100 within its scale."""
    specs = [c.spec for c in criteria]
    v = _values(Framework.SCORECARD, specs, inputs)
    total_weight = sum(c.weight for c in criteria)
    normalized = {c.key: c.normalized(v[c.key]) for c in criteria}
    value = sum(c.weight * normalized[c.key] for c in criteria) / total_weight
    terms = " + ".join(f"{fmt(c.weight)} {TIMES} {fmt(normalized[c.key])}" for c in criteria)
    explained = tuple(
        ExplainedInput(
            field=c.key,
            label=c.label,
            value=v[c.key],
            source=(sources or {}).get(c.key, ENTERED),
            meaning=(
                f"on {fmt(c.scale_min)}-{fmt(c.scale_max)}"
                f"{', lower is better' if c.lower_is_better else ''}: {fmt(normalized[c.key])}/100"
            ),
        )
        for c in criteria
    )
    return ScoreResult(
        Framework.SCORECARD,
        value,
        explained,
        f"sum of (weight {TIMES} score on 0-100) / sum of weights",
        f"({terms}) / {fmt(total_weight)} = {fmt(value)}",
    )


_SIMPLE: dict[Framework, Callable[..., ScoreResult]] = {
    Framework.RICE: rice,
    Framework.WSJF: wsjf,
    Framework.ICE: ice,
    Framework.VALUE_EFFORT: value_effort,
}

FRAMEWORK_INPUTS: dict[Framework, tuple[InputSpec, ...]] = {
    Framework.RICE: RICE_INPUTS,
    Framework.WSJF: WSJF_INPUTS,
    Framework.ICE: ICE_INPUTS,
    Framework.VALUE_EFFORT: VALUE_EFFORT_INPUTS,
}


def compute(
    framework: Framework,
    inputs: Mapping[str, object],
    *,
    criteria: Sequence[Criterion] = (),
    sources: Mapping[str, str] | None = None,
) -> ScoreResult:
    """Score ``inputs`` with ``framework`` (``criteria`` are the scorecard's, for SCORECARD)."""
    if framework is Framework.SCORECARD:
        if not criteria:
            raise ScoreInputError(
                [InputProblem("framework", "this product has no scorecard; define its criteria")]
            )
        return scorecard(inputs, criteria, sources=sources)
    return _SIMPLE[framework](inputs, sources=sources)
