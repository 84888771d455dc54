"""The evaluation engine against cases known exactly (figures checked with SciPy's
``stats.t`` and ``stats.ttest_ind(equal_var=False)``)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lodestar.outcomes.evaluation import (
    MIN_DAYS,
    TEST_NAME,
    Verdict,
    evaluate,
    incomplete_beta,
    t_sf,
    target_level,
)


@pytest.mark.parametrize(
    ("t", "df", "expected"),
    [
        (2.228138851986274, 10, 0.025),  # the two-sided 5% critical value of t(10)
        (2.0, 30, 0.027312522481491547),
        (3.5, 7.3, 0.004671569264242777),  # Welch's degrees of freedom are fractional
        (-1.0, 5, 0.8183912661754386),
        (0.0, 3, 0.5),
        (12.706204736174707, 1, 0.025),
    ],
)
def test_t_tail_matches_known_values(t: float, df: float, expected: float) -> None:
    assert t_sf(t, df) == pytest.approx(expected, rel=1e-6)


def test_incomplete_beta_known_values() -> None:
    assert incomplete_beta(1, 1, 0.3) == pytest.approx(0.3)  # uniform
    assert incomplete_beta(2, 3, 0.4) == pytest.approx(0.5248)
    assert incomplete_beta(2, 3, 0) == 0.0
    assert incomplete_beta(2, 3, 1) == 1.0


# Two windows of 8 days: SciPy's ttest_ind(SEEN, BASE, equal_var=False, alternative="greater")
# gives t = 5.291502622129181, df = 14, p = 5.6956828547766395e-05.
BASE = [9, 10, 11, 10, 9, 10, 11, 10]
SEEN = [11, 12, 13, 12, 11, 12, 13, 12]


def test_welch_figures_match_scipy() -> None:
    # A relative target of +0% on a computed baseline: exactly the two-sample Welch test.
    result = evaluate(
        baseline=BASE, observed=SEEN, direction="higher", target=0, target_kind="relative"
    )
    test = result.test
    assert test is not None
    assert result.baseline_value == 10.0
    assert result.observed_value == 12.0
    assert result.target_level == 10.0
    assert test.name == TEST_NAME
    assert test.difference == pytest.approx(2.0)
    assert test.standard_error == pytest.approx(math.sqrt(1 / 7))
    assert test.t == pytest.approx(5.291502622129181)
    assert test.degrees_of_freedom == pytest.approx(14.0)
    assert test.p_met == pytest.approx(5.6956828547766395e-05, rel=1e-6)
    assert result.verdict == Verdict.MET


def test_relative_target_moves_the_level_and_counts_baseline_noise() -> None:
    result = evaluate(
        baseline=BASE, observed=SEEN, direction="higher", target=25, target_kind="relative"
    )
    assert result.target_level == pytest.approx(12.5)
    assert result.test is not None
    # se = sqrt(s_o^2/8 + 1.25^2 s_b^2/8), s^2 = 4/7 for both windows
    assert result.test.standard_error == pytest.approx(math.sqrt((4 / 7) / 8 * (1 + 1.5625)))
    assert result.verdict == Verdict.INCONCLUSIVE  # 12 vs 12.5 is within the noise


def test_missed_when_short_beyond_the_noise() -> None:
    result = evaluate(
        baseline=BASE, observed=SEEN, direction="higher", target=14, target_kind="absolute"
    )
    assert result.target_level == 14
    assert result.verdict == Verdict.MISSED


def test_lower_is_better_flips_the_side() -> None:
    met = evaluate(
        baseline=SEEN, observed=BASE, direction="lower", target=-10, target_kind="relative"
    )
    assert met.target_level == pytest.approx(10.8)
    assert met.verdict == Verdict.MET
    missed = evaluate(
        baseline=BASE, observed=SEEN, direction="lower", target=11, target_kind="absolute"
    )
    assert missed.verdict == Verdict.MISSED


def test_too_few_days_is_inconclusive_and_says_how_many() -> None:
    result = evaluate(
        baseline=BASE,
        observed=SEEN[: MIN_DAYS - 1],
        direction="higher",
        target=0,
        target_kind="relative",
    )
    assert result.verdict == Verdict.INCONCLUSIVE
    assert result.test is None
    assert f"{MIN_DAYS - 1} days" in result.reason


def test_a_given_baseline_needs_no_baseline_window() -> None:
    result = evaluate(
        baseline=[],
        observed=SEEN,
        direction="higher",
        target=10,
        target_kind="relative",
        given_baseline=10,
    )
    assert result.baseline_given is True
    assert result.target_level == pytest.approx(11)
    assert result.test is not None
    # The level is a constant: only the observed days' spread counts.
    assert result.test.standard_error == pytest.approx(math.sqrt((4 / 7) / 8))
    assert result.verdict == Verdict.MET


def test_no_spread_decides_exactly() -> None:
    flat = [5.0] * 8
    assert (
        evaluate(
            baseline=flat, observed=flat, direction="higher", target=5, target_kind="absolute"
        ).verdict
        == Verdict.MET
    )
    assert (
        evaluate(
            baseline=flat, observed=flat, direction="higher", target=5.1, target_kind="absolute"
        ).verdict
        == Verdict.MISSED
    )


def test_bad_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        evaluate(
            baseline=[1.0],
            observed=[math.nan],
            direction="higher",
            target=1,
            target_kind="absolute",
        )
    with pytest.raises(ValueError, match="target"):
        evaluate(
            baseline=[], observed=[], direction="higher", target=math.inf, target_kind="absolute"
        )
    assert target_level(target=5, kind="relative", baseline_value=None) is None


@given(
    st.lists(st.floats(-1e6, 1e6), min_size=MIN_DAYS, max_size=40),
    st.lists(st.floats(-1e6, 1e6), min_size=MIN_DAYS, max_size=40),
    st.sampled_from(["higher", "lower"]),
    st.floats(-1e6, 1e6),
)
def test_p_values_are_probabilities_and_verdicts_exclusive(
    before: list[float], after: list[float], direction: str, target: float
) -> None:
    result = evaluate(
        baseline=before, observed=after, direction=direction, target=target, target_kind="absolute"
    )
    assert result.test is not None
    assert 0.0 <= result.test.p_met <= 1.0
    assert 0.0 <= result.test.p_missed <= 1.0
    assert not (result.test.p_met < 0.05 and result.test.p_missed < 0.05)


def test_a_spread_too_small_to_square_still_gives_the_test_its_degrees_of_freedom() -> None:
    # Variances near 1e-172: their squares vanish to zero in floating point.
    tiny = [0.0, 1e-85] * (MIN_DAYS // 2 + 1)
    result = evaluate(
        baseline=tiny, observed=tiny, direction="higher", target=0.0, target_kind="absolute"
    )
    assert result.test is not None
    df = result.test.degrees_of_freedom
    assert df is not None
    assert math.isfinite(df)
    assert df > 0
    assert 0.0 <= result.test.p_met <= 1.0
