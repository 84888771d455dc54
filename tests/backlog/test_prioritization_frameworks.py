"""The scoring formulas on their own: values, explanations, validation, and properties."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lodestar.backlog.prioritization import frameworks as f
from lodestar.backlog.prioritization import ordering
from lodestar.backlog.prioritization.frameworks import Framework, ScoreInputError

RICE_OK = {"reach": 500, "impact": 2, "confidence": 80, "effort": 2}
WSJF_OK = {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 5}


def _problems(error: pytest.ExceptionInfo[ScoreInputError]) -> dict[str, str]:
    return {p.field: p.message for p in error.value.problems}


# --- values and explanations ---------------------------------------------------------------------


def test_rice_value_and_arithmetic() -> None:
    result = f.rice(RICE_OK, sources={"reach": "entered by Quinn on 2026-11-20"})
    assert result.value == 400
    assert result.arithmetic == "500 x 2 x 80% / 2 = 400"
    reach, impact, confidence, effort = result.inputs
    assert (reach.source, impact.source) == ("entered by Quinn on 2026-11-20", "entered")
    assert impact.meaning == "high"
    assert confidence.unit == "%"
    assert effort.unit == "person-months"


def test_wsjf_value_and_arithmetic() -> None:
    result = f.wsjf(WSJF_OK)
    assert result.value == pytest.approx(3.2)
    assert result.arithmetic == "(8 + 5 + 3) / 5 = 3.2"
    assert [i.field for i in result.inputs] == list(WSJF_OK)


def test_ice_and_value_effort() -> None:
    assert f.ice({"impact": 8, "confidence": 5, "ease": 2.5}).arithmetic == "8 x 5 x 2.5 = 100"
    result = f.value_effort({"value": 7, "effort": 3})
    assert result.value == pytest.approx(7 / 3)
    assert result.arithmetic == "7 / 3 = 2.33"


def test_scorecard_weights_and_reverses_cost_criteria() -> None:
    criteria = f.criteria_parse(
        [
            {"key": "fit", "label": "Strategic fit", "weight": 3, "scale_min": 1, "scale_max": 5},
            {"key": "risk", "label": "Delivery risk", "weight": 1, "lower_is_better": True},
        ]
    )
    result = f.scorecard({"fit": 4, "risk": 3}, criteria)
    # fit 4 on 1-5 is 75/100; risk 3 on 0-10 (lower is better) is 70/100.
    assert result.value == pytest.approx((3 * 75 + 1 * 70) / 4)
    assert result.arithmetic == "(3 x 75 + 1 x 70) / 4 = 73.75"
    assert result.inputs[1].meaning == "on 0-10, lower is better: 70/100"


def test_explanation_round_trips_as_json_ready_dict() -> None:
    data = f.rice(RICE_OK).as_dict()
    assert data["framework"] == "rice"
    assert data["inputs"][0] == {
        "field": "reach",
        "label": "Reach",
        "value": 500.0,
        "unit": "people per quarter",
        "meaning": "",
        "source": "entered",
    }
    assert "500 x 2 x 80% / 2 = 400" in f.rice(RICE_OK).text
    assert f.ScoreResult.from_dict(data) == f.rice(RICE_OK)


def test_compute_dispatches_and_needs_criteria_for_scorecard() -> None:
    assert f.compute(Framework.WSJF, WSJF_OK).value == pytest.approx(3.2)
    with pytest.raises(ScoreInputError) as error:
        f.compute(Framework.SCORECARD, {"fit": 1})
    assert error.value.field == "framework"


@pytest.mark.parametrize(
    ("number", "text"),
    [(400.0, "400"), (3.2, "3.2"), (2.3333, "2.33"), (0.0123, "0.0123"), (1e9, "1000000000")],
)
def test_fmt(number: float, text: str) -> None:
    assert f.fmt(number) == text


# --- validation: each bad input names its field and the allowed range ----------------------------


@pytest.mark.parametrize(
    ("framework", "inputs", "field", "says"),
    [
        (Framework.RICE, {**RICE_OK, "effort": -1}, "effort", "from 0.01 to 1000"),
        (Framework.RICE, {**RICE_OK, "effort": 0}, "effort", "from 0.01 to 1000 (got 0)"),
        (Framework.RICE, {**RICE_OK, "confidence": 101}, "confidence", "from 0 to 100"),
        (Framework.RICE, {**RICE_OK, "impact": 4}, "impact", "one of 0.25, 0.5, 1, 2, 3"),
        (Framework.RICE, {**RICE_OK, "reach": -5}, "reach", "from 0 to"),
        (Framework.RICE, {**RICE_OK, "reach": "500"}, "reach", "must be a number"),
        (Framework.RICE, {**RICE_OK, "reach": True}, "reach", "must be a number"),
        (Framework.RICE, {**RICE_OK, "reach": math.nan}, "reach", "finite"),
        (Framework.RICE, {**RICE_OK, "reach": math.inf}, "reach", "finite"),
        (Framework.RICE, {**RICE_OK, "mood": 3}, "mood", "not an input of RICE"),
        (Framework.WSJF, {**WSJF_OK, "job_size": 0}, "job_size", "from 0.1 to 21 (got 0)"),
        (Framework.WSJF, {**WSJF_OK, "business_value": 34}, "business_value", "from 1 to 21"),
        (Framework.WSJF, {**WSJF_OK, "time_criticality": 0}, "time_criticality", "1 to 21"),
        (Framework.ICE, {"impact": 11, "confidence": 5, "ease": 5}, "impact", "from 1 to 10"),
        (Framework.ICE, {"impact": 5, "confidence": 5}, "ease", "is required"),
        (Framework.VALUE_EFFORT, {"value": 5, "effort": 0}, "effort", "from 1 to 10"),
    ],
)
def test_bad_input_names_field_and_range(
    framework: Framework, inputs: dict[str, Any], field: str, says: str
) -> None:
    with pytest.raises(ScoreInputError) as error:
        f.compute(framework, inputs)
    assert says in _problems(error)[field]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ScoreInputError) as error:
        f.rice({"reach": -1, "impact": 4, "confidence": 101, "effort": 0})
    assert set(_problems(error)) == {"reach", "impact", "confidence", "effort"}


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        ([], "criteria"),
        ([{"key": "Fit", "weight": 1}], "criteria.0.key"),
        ([{"key": "fit", "weight": 0}], "criteria.0.weight"),
        ([{"key": "fit", "weight": 101}], "criteria.0.weight"),
        ([{"key": "fit", "weight": 1, "scale_min": 5, "scale_max": 5}], "criteria.0.scale_max"),
        ([{"key": "fit", "weight": 1}, {"key": "fit", "weight": 2}], "criteria.1.key"),
        ([{"key": "fit", "weight": 1, "colour": "red"}], "criteria.0.colour"),
        ([{"key": "fit", "weight": 1, "label": ""}], "criteria.0.label"),
        ([{"key": "fit", "weight": 1, "lower_is_better": "yes"}], "criteria.0.lower_is_better"),
        ([{"key": f"c{i}", "weight": 1} for i in range(21)], "criteria"),
    ],
)
def test_bad_criteria_name_the_field(criteria: list[dict[str, Any]], field: str) -> None:
    with pytest.raises(ScoreInputError) as error:
        f.criteria_parse(criteria)
    assert field in _problems(error)


def test_scorecard_input_outside_its_scale() -> None:
    criteria = f.criteria_parse([{"key": "fit", "weight": 1, "scale_min": 1, "scale_max": 5}])
    with pytest.raises(ScoreInputError) as error:
        f.scorecard({"fit": 6}, criteria)
    assert _problems(error) == {"fit": "must be from 1 to 5 (got 6)"}


# --- properties ---------------------------------------------------------------------------------

reach = st.floats(0, 1_000_000_000)
impact = st.sampled_from([0.25, 0.5, 1, 2, 3])
percent = st.floats(0, 100)
effort = st.floats(0.01, 1000)
fib = st.floats(1, 21)
job = st.floats(0.1, 21)
ten = st.floats(1, 10)


@given(reach, reach, impact, percent, effort)
def test_more_reach_never_lowers_rice(a: float, b: float, i: float, c: float, e: float) -> None:
    low, high = sorted((a, b))
    base = {"impact": i, "confidence": c, "effort": e}
    assert f.rice({**base, "reach": low}).value <= f.rice({**base, "reach": high}).value


@given(reach, impact, impact, percent, percent, effort, effort)
def test_rice_rises_with_impact_and_confidence_and_falls_with_effort(
    r: float, i1: float, i2: float, c1: float, c2: float, e1: float, e2: float
) -> None:
    def score(i: float, c: float, e: float) -> float:
        return f.rice({"reach": r, "impact": i, "confidence": c, "effort": e}).value

    (il, ih), (cl, ch), (el, eh) = sorted((i1, i2)), sorted((c1, c2)), sorted((e1, e2))
    assert score(il, c1, e1) <= score(ih, c1, e1)
    assert score(i1, cl, e1) <= score(i1, ch, e1)
    assert score(i1, c1, eh) <= score(i1, c1, el)
    assert score(i1, c1, e1) >= 0


@given(fib, fib, fib, fib, fib, job, job)
def test_wsjf_rises_with_cost_of_delay_and_falls_with_job_size(
    bv: float, tc: float, rr: float, x1: float, x2: float, j1: float, j2: float
) -> None:
    def score(bv: float, tc: float, rr: float, j: float) -> float:
        inputs = {"business_value": bv, "time_criticality": tc, "risk_reduction": rr}
        return f.wsjf({**inputs, "job_size": j}).value

    (xl, xh), (jl, jh) = sorted((x1, x2)), sorted((j1, j2))
    assert score(xl, tc, rr, j1) <= score(xh, tc, rr, j1)
    assert score(bv, xl, rr, j1) <= score(bv, xh, rr, j1)
    assert score(bv, tc, xl, j1) <= score(bv, tc, xh, j1)
    assert score(bv, tc, rr, jh) <= score(bv, tc, rr, jl)


@given(ten, ten, ten, ten, ten)
def test_ice_and_value_effort_are_monotone(
    a: float, b: float, c: float, x: float, y: float
) -> None:
    low, high = sorted((x, y))
    assert f.ice({"impact": low, "confidence": b, "ease": c}).value <= (
        f.ice({"impact": high, "confidence": b, "ease": c}).value
    )
    assert f.ice({"impact": a, "confidence": b, "ease": low}).value <= (
        f.ice({"impact": a, "confidence": b, "ease": high}).value
    )
    assert f.value_effort({"value": low, "effort": a}).value <= (
        f.value_effort({"value": high, "effort": a}).value
    )
    assert f.value_effort({"value": a, "effort": high}).value <= (
        f.value_effort({"value": a, "effort": low}).value
    )


@st.composite
def scorecards(draw: st.DrawFn) -> tuple[tuple[f.Criterion, ...], dict[str, float]]:
    size = draw(st.integers(1, 5))
    raw: list[dict[str, object]] = []
    inputs: dict[str, float] = {}
    for index in range(size):
        low = draw(st.integers(-10, 10))
        high = low + draw(st.integers(1, 20))
        raw.append(
            {
                "key": f"c{index}",
                "weight": draw(st.floats(0.1, 100)),
                "scale_min": low,
                "scale_max": high,
                "lower_is_better": draw(st.booleans()),
            }
        )
        inputs[f"c{index}"] = draw(st.floats(low, high))
    return f.criteria_parse(raw), inputs


@given(scorecards(), st.data())
def test_scorecard_stays_within_0_100_and_follows_each_criterion(
    card: tuple[tuple[f.Criterion, ...], dict[str, float]], data: st.DataObject
) -> None:
    criteria, inputs = card
    result = f.scorecard(inputs, criteria)
    assert -1e-9 <= result.value <= 100 + 1e-9
    criterion = data.draw(st.sampled_from(criteria))
    better = data.draw(st.floats(criterion.scale_min, criterion.scale_max))
    moved = f.scorecard({**inputs, criterion.key: better}, criteria).value
    went_up = better >= inputs[criterion.key]
    if went_up != criterion.lower_is_better:
        assert moved >= result.value - 1e-9
    else:
        assert moved <= result.value + 1e-9


@given(st.floats(allow_nan=True, allow_infinity=True) | st.integers() | st.text() | st.none())
def test_any_value_is_accepted_or_refused_by_name_never_crashes(raw: object) -> None:
    accepted = isinstance(raw, int | float) and 0.01 <= raw <= 1000
    if accepted:
        assert math.isfinite(f.rice({**RICE_OK, "effort": raw}).value)
    else:
        with pytest.raises(ScoreInputError) as error:
            f.rice({**RICE_OK, "effort": raw})
        assert error.value.field == "effort"


# --- suggested order and the fewest moves -------------------------------------------------------


def test_suggest_sorts_scored_items_and_keeps_unscored_in_place() -> None:
    current = [("A", 1.0), ("B", None), ("C", 9.0), ("D", 5.0), ("E", None), ("F", 5.0)]
    placed = ordering.suggest(current)
    assert [p.key for p in placed] == ["C", "B", "D", "F", "E", "A"]
    moved = {p.key: p.moved for p in placed}
    assert moved == {"A": -5, "B": 0, "C": 2, "D": 1, "E": 0, "F": 2}


def test_partial_target_places_chosen_items_only() -> None:
    current = ["A", "B", "C", "D"]
    suggested = ["D", "C", "B", "A"]
    assert ordering.partial_target(current, suggested, {"D"}) == ["D", "A", "B", "C"]
    assert ordering.partial_target(current, suggested, set(current)) == suggested
    assert ordering.partial_target(current, suggested, set()) == current


def _apply(order: list[str], steps: list[ordering.Step[str]]) -> list[str]:
    result = list(order)
    for step in steps:
        result.remove(step.key)
        if step.after is not None:
            result.insert(result.index(step.after) + 1, step.key)
        else:
            assert step.before is not None
            result.insert(result.index(step.before), step.key)
    return result


def _longest_increasing(values: list[int]) -> int:
    best = [1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)


@given(st.permutations([f"K{i}" for i in range(9)]), st.integers(0, 9))
def test_move_steps_reach_the_target_with_the_fewest_moves(target: list[str], size: int) -> None:
    current = sorted(target)[:size]
    target = [key for key in target if key in current]
    steps = ordering.move_steps(current, target)
    assert _apply(current, steps) == target
    where = {key: i for i, key in enumerate(target)}
    assert len(steps) == len(current) - _longest_increasing([where[k] for k in current])


@given(
    st.lists(st.one_of(st.none(), st.floats(0, 100)), max_size=12),
    st.sets(st.integers(0, 11)),
)
def test_suggestion_properties(scores: list[float | None], picked: set[int]) -> None:
    current = [(f"K{i}", score) for i, score in enumerate(scores)]
    placed = ordering.suggest(current)
    assert sorted(p.key for p in placed) == sorted(k for k, _ in current)
    for position, placement in enumerate(placed, start=1):
        assert placement.suggested == position
        if placement.score is None:
            assert placement.moved == 0
    values = [p.score for p in placed if p.score is not None]
    assert values == sorted(values, reverse=True)
    keys = [k for k, _ in current]
    chosen = {f"K{i}" for i in picked}
    target = ordering.partial_target(keys, [p.key for p in placed], chosen)
    suggested_at = {p.key: p.suggested for p in placed}
    for index, key in enumerate(target, start=1):
        if key in chosen:
            assert suggested_at[key] == index
    assert _apply(keys, ordering.move_steps(keys, target)) == target
