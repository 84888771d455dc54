"""Whether an outcome was met: a metric's daily values before and after going live, against a
target, with Welch's t-test on the daily values. Pure Python and NumPy, no Django.

The rule (docs/OUTCOMES.md, "The evaluation rule"):

- the **baseline value** is the one given, or the mean of the baseline window's daily values;
  the **observed value** is the mean of the observed window's daily values;
- the **target level** is the target itself (``absolute``), or the baseline value moved by the
  target in percent (``relative``: ``5`` is 5% above the baseline, ``-10`` 10% below it);
- the test asks whether the observed window's true mean lies past the target level, in the
  metric's direction: ``d = observed - level`` (negated when lower is better), its standard
  error from the observed days' spread and, when the level comes from a computed baseline,
  the baseline days' spread too (Welch-Satterthwaite degrees of freedom);
- **met** when ``d`` is past zero with one-sided p < ``alpha`` (0.05), **missed** when it is
  short of zero with one-sided p < ``alpha``, **inconclusive** otherwise (the difference is
  within the noise), or when a window has fewer than ``MIN_DAYS`` days with samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

# Days with samples needed in the observed window, and in the baseline window when the
# baseline is computed from it: fewer and the spread of the days says too little.
MIN_DAYS = 7
ALPHA = 0.05
TEST_NAME = "Welch's t-test on daily values (one-sided)"


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class TargetKind(StrEnum):
    ABSOLUTE = "absolute"
    RELATIVE = "relative"


class Verdict(StrEnum):
    MET = "met"
    MISSED = "missed"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class TestFigures:
    """The test's numbers: the difference past the target level (positive is better), its
    standard error, the t statistic, the degrees of freedom and both one-sided p-values."""

    name: str
    difference: float
    standard_error: float
    t: float | None
    degrees_of_freedom: float | None
    p_met: float
    p_missed: float
    alpha: float


@dataclass(frozen=True)
class Evaluation:
    verdict: Verdict
    reason: str
    baseline_value: float | None
    baseline_given: bool
    observed_value: float | None
    target_level: float | None
    baseline_days: int
    observed_days: int
    test: TestFigures | None


# -- Student's t distribution -----------------------------------------------------------------


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom (the upper tail)."""
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return tail if t > 0 else 1.0 - tail


# -- the rule ---------------------------------------------------------------------------------


def _days(values: Sequence[float], what: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{what} must be a list of daily values")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} must be finite numbers")
    return array


def target_level(
    *, target: float, kind: TargetKind | str, baseline_value: float | None
) -> float | None:
    """The value the observed mean must reach: the target, or the baseline moved by it (%)."""
    if TargetKind(kind) == TargetKind.ABSOLUTE:
        return float(target)
    if baseline_value is None:
        return None
    return baseline_value * (1.0 + float(target) / 100.0)


def evaluate(
    *,
    baseline: Sequence[float],
    observed: Sequence[float],
    direction: Direction | str,
    target: float,
    target_kind: TargetKind | str,
    given_baseline: float | None = None,
    alpha: float = ALPHA,
    min_days: int = MIN_DAYS,
) -> Evaluation:
    """The verdict for ``observed`` daily values against the target (see the module's rule).

    ``baseline`` holds the baseline window's daily values (used for the baseline value unless
    ``given_baseline`` is given); ``direction`` says which way is better.
    """
    if not math.isfinite(float(target)):
        raise ValueError("the target must be a finite number")
    if given_baseline is not None and not math.isfinite(float(given_baseline)):
        raise ValueError("the given baseline must be a finite number")
    if not 0.0 < alpha < 0.5:
        raise ValueError("alpha must be between 0 and 0.5")
    sign = 1.0 if Direction(direction) == Direction.HIGHER else -1.0
    kind = TargetKind(target_kind)
    before = _days(baseline, "the baseline window")
    after = _days(observed, "the observed window")
    computed = given_baseline is None
    baseline_value = (
        float(given_baseline)
        if given_baseline is not None
        else (float(before.mean()) if before.size else None)
    )
    observed_value = float(after.mean()) if after.size else None
    level = target_level(target=target, kind=kind, baseline_value=baseline_value)

    def result(verdict: Verdict, reason: str, test: TestFigures | None = None) -> Evaluation:
        return Evaluation(
            verdict=verdict,
            reason=reason,
            baseline_value=baseline_value,
            baseline_given=not computed,
            observed_value=observed_value,
            target_level=level,
            baseline_days=int(before.size),
            observed_days=int(after.size),
            test=test,
        )

    short = []
    if after.size < min_days:
        short.append(f"the observed window has {after.size} days with samples")
    if computed and before.size < min_days:
        short.append(f"the baseline window has {before.size} days with samples")
    if short:
        return result(
            Verdict.INCONCLUSIVE,
            f"Too few samples: {' and '.join(short)}; at least {min_days} are needed.",
        )
    assert observed_value is not None  # noqa: S101 - sizes checked above
    assert level is not None  # noqa: S101 - so is the baseline
    difference = sign * (observed_value - level)
    # The level moves with a computed baseline when the target is relative: its noise counts.
    scale = (1.0 + float(target) / 100.0) if (computed and kind == TargetKind.RELATIVE) else 0.0
    var_after = float(after.var(ddof=1)) / after.size
    var_before = scale * scale * float(before.var(ddof=1)) / before.size if scale else 0.0
    variance = var_after + var_before
    if variance <= 0.0:
        # No spread at all: the difference is exact.
        p_met = 0.0 if difference >= 0 else 1.0
        test = TestFigures(TEST_NAME, difference, 0.0, None, None, p_met, 1.0 - p_met, alpha)
    else:
        error = math.sqrt(variance)
        # Welch-Satterthwaite, with each part taken as its share of the variance: the squares
        # of tiny variances (1e-170 and less) would vanish to zero and divide by it.
        share_after, share_before = var_after / variance, var_before / variance
        df = 1.0 / (
            share_after**2 / (after.size - 1)
            + (share_before**2 / (before.size - 1) if var_before else 0.0)
        )
        t = difference / error
        # One-sided p-values: past the level (met) and short of it (missed).
        p_met, p_missed = t_sf(t, df), t_sf(-t, df)
        test = TestFigures(TEST_NAME, difference, error, t, df, p_met, p_missed, alpha)
    if test.p_met < alpha:
        return result(Verdict.MET, "The observed value is past the target, beyond the noise.", test)
    if test.p_missed < alpha:
        return result(
            Verdict.MISSED, "The observed value falls short of the target, beyond the noise.", test
        )
    return result(
        Verdict.INCONCLUSIVE,
        "The difference from the target is within the noise of the daily values.",
        test,
    )
