"""Statistics for self-report data: pure functions over numbers, no inspect and no files.

Answers to the same item are correlated (the same question, asked again), so intervals
for anything averaged over items are clustered by item (Miller 2024, "Adding Error Bars
to Evals"). Proportions use the Wilson score interval on a design-effect-adjusted
effective sample size, which stays inside [0, 1] and does not collapse to zero width
when every answer agrees. Differences of proportions use Newcombe's hybrid score
interval on the same effective sizes.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from statistics import NormalDist


def z_value(confidence: float = 0.95) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion; ``n`` may be an effective (non-integer) size."""
    if n <= 0:
        return (0.0, 1.0)
    z = z_value(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At the boundaries the bound is exactly 0 or 1; rounding must not report 1e-17.
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= n else min(1.0, centre + half)
    return (low, high)


@dataclass(frozen=True)
class ProportionEstimate:
    """A proportion over answers clustered by item, with its interval and how it was got."""

    estimate: float
    ci_low: float
    ci_high: float
    n: int
    n_clusters: int
    se: float
    effective_n: float


def clustered_proportion(values: Sequence[float], clusters: Sequence[Hashable],
                         confidence: float = 0.95) -> ProportionEstimate:
    """Share of ``values`` (0/1) with a Wilson interval on the cluster-adjusted effective size.

    The design effect is the ratio of the clustered variance (CR1 sandwich estimator)
    to the independent-answers variance. When every answer is 0 or every answer is 1
    the design effect cannot be estimated, and the worst case is assumed: each cluster
    counts as one observation.
    """
    if len(values) != len(clusters):
        raise ValueError("values and clusters differ in length")
    n = len(values)
    if n == 0:
        return ProportionEstimate(math.nan, 0.0, 1.0, 0, 0, math.nan, 0.0)
    p = sum(values) / n
    sums: dict[Hashable, float] = {}
    for value, cluster in zip(values, clusters):
        sums[cluster] = sums.get(cluster, 0.0) + (value - p)
    g = len(sums)
    if g > 1:
        variance = g / (g - 1) * sum(s * s for s in sums.values()) / (n * n)
    else:
        variance = math.nan
    se = math.sqrt(variance) if not math.isnan(variance) else math.nan
    if p in (0.0, 1.0) or math.isnan(variance):
        effective_n = float(g)
    else:
        iid_variance = p * (1 - p) / n
        design_effect = max(variance / iid_variance, 1.0) if variance > 0 else 1.0
        effective_n = n / design_effect
    low, high = wilson(p * effective_n, effective_n, confidence)
    return ProportionEstimate(p, low, high, n, g, se, effective_n)


def newcombe_difference(a: ProportionEstimate, b: ProportionEstimate,
                        confidence: float = 0.95) -> tuple[float, float, float]:
    """Difference ``a - b`` of two proportions with Newcombe's hybrid score interval.

    Treats the two arms as independent; when they are the same items asked twice, the
    true interval is narrower, so this errs on the side of width.
    """
    difference = a.estimate - b.estimate
    low = difference - math.sqrt((a.estimate - a.ci_low) ** 2 + (b.ci_high - b.estimate) ** 2)
    high = difference + math.sqrt((a.ci_high - a.estimate) ** 2 + (b.estimate - b.ci_low) ** 2)
    return difference, max(-1.0, low), min(1.0, high)
