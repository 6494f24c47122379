"""Statistics for self-report data: pure functions over numbers, no inspect and no files.

Answers to the same item are correlated (the same question, asked again), so intervals
for anything averaged over items are clustered by item (Miller 2024, "Adding Error Bars
to Evals"). Proportions use the Korn-Graubard interval: Clopper-Pearson on a
design-effect- and degrees-of-freedom-adjusted effective sample size, which stays inside
[0, 1] and does not collapse to zero width when every answer agrees. Differences of
proportions combine the two arms' intervals by Newcombe's method (MOVER).

Means (scores, differences between two runs on the same items) use the CR1
cluster-robust standard error with a Student t interval on G - 1 degrees of freedom,
because a report often has only a handful of items and the normal quantile would then
be too optimistic. Agreement between raters (Krippendorff's alpha, Cohen's kappa), the
similarity of rankings (Kendall's tau-b) and of answer distributions (Jensen-Shannon
divergence) and the planning helpers for how many items to ask live here too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:  # pandas is heavy, and inspect loads this module through the task registry
    import pandas as pd

# scipy.stats and krippendorff are imported inside the functions that use them: importing
# scipy.stats costs most of a second, and most callers of this module never need it.


def z_value(confidence: float = 0.95) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: float, n: float, confidence: float = 0.95, z: float | None = None) -> tuple[float, float]:
    """Wilson score interval for a proportion; ``n`` may be an effective (non-integer) size.

    ``z`` replaces the normal quantile, e.g. with a t quantile when the size is an
    effective size estimated from few clusters.
    """
    if n <= 0:
        return (0.0, 1.0)
    z = z_value(confidence) if z is None else z
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


def clopper_pearson(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson (beta quantile) interval; ``successes`` and ``n`` may be non-integer."""
    from scipy import stats as scipy_stats

    if n <= 0:
        return (0.0, 1.0)
    alpha = 1 - confidence
    low = 0.0 if successes <= 0 else float(scipy_stats.beta.ppf(alpha / 2, successes, n - successes + 1))
    high = 1.0 if successes >= n else float(scipy_stats.beta.ppf(1 - alpha / 2, successes + 1, n - successes))
    return (low, high)


def clustered_proportion(values: Sequence[float], clusters: Sequence[Hashable],
                         confidence: float = 0.95) -> ProportionEstimate:
    """Share of ``values`` (0/1) with the Korn-Graubard interval for clustered samples.

    The design effect is the ratio of the clustered variance (CR1 sandwich estimator)
    to the independent-answers variance; the effective size n / deff is shrunk further by
    (z / t_{g-1})^2 because the design effect is itself estimated from only g clusters,
    and the interval is Clopper-Pearson on that size (Korn & Graubard 1998). In the
    project's coverage study this holds 94-97% coverage both without clustering and
    with strong item clustering (benchmarks/coverage_study.py). When every answer is 0
    or every answer is 1 the design effect cannot be estimated, and the worst case is
    assumed: each cluster counts as one observation.
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
        design_effect = variance / iid_variance if variance > 0 else 1.0
        effective_n = n / design_effect
    if g > 1:
        effective_n *= (z_value(confidence) / t_value(g - 1, confidence)) ** 2
    low, high = clopper_pearson(p * effective_n, effective_n, confidence)
    return ProportionEstimate(p, low, high, n, g, se, effective_n)


def newcombe_difference(a: ProportionEstimate, b: ProportionEstimate,
                        confidence: float = 0.95) -> tuple[float, float, float]:
    """Difference ``a - b`` of two proportions, combining their intervals by Newcombe's method.

    Treats the two arms as independent; when they are the same items asked twice, the
    true interval is narrower, so this errs on the side of width.
    """
    difference = a.estimate - b.estimate
    low = difference - math.sqrt((a.estimate - a.ci_low) ** 2 + (b.ci_high - b.estimate) ** 2)
    high = difference + math.sqrt((a.ci_high - a.estimate) ** 2 + (b.estimate - b.ci_low) ** 2)
    return difference, max(-1.0, low), min(1.0, high)


# --- Means clustered by item ---------------------------------------------------------


@dataclass(frozen=True)
class MeanEstimate:
    """A mean over answers clustered by item, with its cluster-robust interval.

    ``df`` is the degrees of freedom of the t quantile used (clusters minus one).
    """

    estimate: float
    ci_low: float
    ci_high: float
    se: float
    n: int
    n_clusters: int
    df: int


def t_value(df: float, confidence: float = 0.95) -> float:
    """Two-sided Student t quantile; with few clusters it is noticeably wider than z."""
    from scipy import stats as scipy_stats

    return float(scipy_stats.t.ppf(0.5 + confidence / 2, df))


def _cluster_codes(clusters: Sequence[Hashable]) -> tuple[np.ndarray, int]:
    """Integer codes for cluster labels, in order of first appearance."""
    index: dict[Hashable, int] = {}
    codes = [index.setdefault(cluster, len(index)) for cluster in clusters]
    return np.asarray(codes, dtype=np.intp), len(index)


def clustered_mean(values: Sequence[float] | np.ndarray, clusters: Sequence[Hashable],
                   confidence: float = 0.95) -> MeanEstimate:
    """Mean of ``values`` with the CR1 cluster-robust standard error and a t interval.

    Answers to the same item are not independent, so the variance is built from
    per-cluster sums of residuals (Miller 2024, "Adding Error Bars to Evals"):
    SE^2 = G/(G-1) * sum_g (sum_{i in g} (x_i - mean))^2 / n^2. The interval uses
    Student's t with G - 1 degrees of freedom because the variance is estimated from
    only G cluster totals.

    Degenerate cases are reported, not raised: empty input gives a NaN estimate; a
    single cluster gives a NaN SE and the interval (-inf, inf), since nothing is known
    about between-item variation; when every cluster's residual sum is zero (for
    example all values equal) the SE is 0 and the interval has zero width.
    """
    if len(values) != len(clusters):
        raise ValueError("values and clusters differ in length")
    x = np.asarray(values, dtype=float)
    n = int(x.size)
    if n == 0:
        return MeanEstimate(math.nan, -math.inf, math.inf, math.nan, 0, 0, 0)
    codes, g = _cluster_codes(clusters)
    mean = float(x.mean())
    if g < 2:
        return MeanEstimate(mean, -math.inf, math.inf, math.nan, n, g, 0)
    residual_sums = np.bincount(codes, weights=x - mean, minlength=g)
    variance = g / (g - 1) * float(np.sum(residual_sums ** 2)) / (n * n)
    se = math.sqrt(variance)
    df = g - 1
    half = t_value(df, confidence) * se
    return MeanEstimate(mean, mean - half, mean + half, se, n, g, df)


def paired_difference(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray,
                      clusters: Sequence[Hashable], confidence: float = 0.95) -> MeanEstimate:
    """Mean of ``a - b`` for two runs scored on the same units, clustered by item.

    Pairing removes the item-to-item variation both runs share, so the interval is
    much narrower than treating the runs as independent samples (Miller 2024, paired
    analysis). Units are aligned by position. Identical inputs give an estimate of 0
    with SE 0 and the zero-width interval (0, 0); see ``clustered_mean`` for the other
    degenerate cases.
    """
    if not len(a) == len(b) == len(clusters):
        raise ValueError(f"a, b and clusters differ in length ({len(a)}, {len(b)}, {len(clusters)})")
    differences = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    return clustered_mean(differences, clusters, confidence)


def cluster_bootstrap(values: Sequence[float] | np.ndarray, clusters: Sequence[Hashable],
                      statistic: Callable[[np.ndarray], float] = np.mean,
                      n_resamples: int = 2000, confidence: float = 0.95,
                      seed: int = 0) -> tuple[float, float, float]:
    """Statistic of ``values`` with a cluster-bootstrap percentile interval.

    Whole clusters are resampled with replacement, so dependence within an item is
    kept in every resample; this covers statistics with no closed-form standard
    error. Deterministic for a given ``seed``. Returns (estimate, low, high); all NaN
    for empty input. With one cluster every resample equals the data, so the interval
    collapses onto the estimate: use it only with several clusters.
    """
    if len(values) != len(clusters):
        raise ValueError("values and clusters differ in length")
    if n_resamples < 1:
        raise ValueError("n_resamples must be at least 1")
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return (math.nan, math.nan, math.nan)
    codes, g = _cluster_codes(clusters)
    order = np.argsort(codes, kind="stable")
    groups = np.split(x[order], np.cumsum(np.bincount(codes, minlength=g))[:-1])
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, g, size=(n_resamples, g))
    replicates = np.array([float(statistic(np.concatenate([groups[k] for k in row])))
                           for row in draws])
    alpha = 1 - confidence
    low, high = np.nanquantile(replicates, [alpha / 2, 1 - alpha / 2])
    return (float(statistic(x)), float(low), float(high))


# --- Agreement and similarity ----------------------------------------------------------


def _is_missing(value: Any) -> bool:
    """None, NaN and pandas' NA all mean "no rating"."""
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def krippendorff_alpha(data: Sequence[Sequence[Any]] | pd.DataFrame | np.ndarray,
                       level: Literal["nominal", "ordinal", "interval", "ratio"] = "nominal"
                       ) -> float:
    """Krippendorff's alpha for ``data`` laid out coders x units (None/NaN = missing).

    Alpha handles any number of coders and missing ratings, which is why it is used
    for agreement between scorers. Computation is delegated to the ``krippendorff``
    package. For the nominal level any hashable labels (e.g. strings) are accepted and
    mapped to integer codes in a fixed order first; the other levels need numbers,
    because their distances depend on the values. Returns NaN when alpha is undefined:
    fewer than two distinct values, or no unit rated by at least two coders.
    """
    import krippendorff

    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ValueError(f"unknown level of measurement {level!r}")
    rows = data.to_numpy(dtype=object).tolist() if hasattr(data, "to_numpy") and hasattr(data, "columns") else [
        list(row) for row in data]
    if not rows:
        return math.nan
    if len({len(row) for row in rows}) != 1:
        raise ValueError("every coder's row must have one entry per unit")
    present = [value for row in rows for value in row if not _is_missing(value)]
    if level == "nominal":
        labels = sorted(set(present), key=lambda v: (type(v).__name__, repr(v)))
        codes = {label: float(i) for i, label in enumerate(labels)}
        matrix = [[math.nan if _is_missing(v) else codes[v] for v in row] for row in rows]
    else:
        try:
            matrix = [[math.nan if _is_missing(v) else float(v) for v in row] for row in rows]
        except (TypeError, ValueError) as error:
            raise ValueError(f"level {level!r} needs numeric ratings: {error}") from None
    array = np.asarray(matrix, dtype=float)
    if len(np.unique(array[~np.isnan(array)])) < 2:
        return math.nan
    if not np.any(np.sum(~np.isnan(array), axis=0) >= 2):
        return math.nan
    return float(krippendorff.alpha(reliability_data=array, level_of_measurement=level))


def cohen_kappa(a: Sequence[Hashable | None], b: Sequence[Hashable | None]) -> float:
    """Cohen's kappa for two raters' nominal labels of the same units.

    Chance-corrected agreement: (p_o - p_e) / (1 - p_e), with p_e from each rater's
    own label frequencies. Pairs where either label is missing are dropped. Returns NaN
    when undefined: no complete pairs, or both raters always use one and the same
    label (p_e = 1).
    """
    if len(a) != len(b):
        raise ValueError("the two raters' label lists differ in length")
    pairs = [(x, y) for x, y in zip(a, b) if not _is_missing(x) and not _is_missing(y)]
    n = len(pairs)
    if n == 0:
        return math.nan
    observed = sum(x == y for x, y in pairs) / n
    counts_a: dict[Hashable, int] = {}
    counts_b: dict[Hashable, int] = {}
    for x, y in pairs:
        counts_a[x] = counts_a.get(x, 0) + 1
        counts_b[y] = counts_b.get(y, 0) + 1
    expected = sum(count * counts_b.get(label, 0) for label, count in counts_a.items()) / (n * n)
    if math.isclose(expected, 1.0):
        return math.nan
    return (observed - expected) / (1 - expected)


def kendall_tau(ranking_a: Sequence[Hashable], ranking_b: Sequence[Hashable]) -> float:
    """Kendall's tau-b between two rankings of the same options (best first).

    Measures how far two orderings agree pair by pair: 1 identical, -1 reversed. Each
    ranking is a sequence of distinct option names; rankings of different option
    sets are an error (the difference is named). NaN with fewer than two options.
    """
    for name, ranking in (("ranking_a", ranking_a), ("ranking_b", ranking_b)):
        if len(set(ranking)) != len(ranking):
            duplicates = sorted({repr(o) for o in ranking if list(ranking).count(o) > 1})
            raise ValueError(f"{name} lists options more than once: {', '.join(duplicates)}")
    only_a = set(ranking_a) - set(ranking_b)
    only_b = set(ranking_b) - set(ranking_a)
    if only_a or only_b:
        raise ValueError(
            "the rankings cover different options: only in ranking_a: "
            f"{sorted(map(repr, only_a)) or 'none'}; only in ranking_b: "
            f"{sorted(map(repr, only_b)) or 'none'}")
    if len(ranking_a) < 2:
        return math.nan
    from scipy import stats as scipy_stats

    position_b = {option: rank for rank, option in enumerate(ranking_b)}
    ranks_a = list(range(len(ranking_a)))
    ranks_b = [position_b[option] for option in ranking_a]
    return float(scipy_stats.kendalltau(ranks_a, ranks_b).statistic)


def jensen_shannon_divergence(p: Mapping[str, float], q: Mapping[str, float],
                              base: float = 2) -> float:
    """Jensen-Shannon divergence between two discrete distributions over labels.

    Symmetric and always finite, even when one distribution gives zero weight to a
    label the other uses, so it suits comparing answer distributions. ``p`` and ``q``
    are counts or probabilities; a missing key counts as 0; both are normalised first.
    0 for identical distributions; at most log_base(2), i.e. 1 in base 2.
    """
    keys = sorted(set(p) | set(q))
    pv = np.array([float(p.get(k, 0.0)) for k in keys])
    qv = np.array([float(q.get(k, 0.0)) for k in keys])
    for name, vector in (("p", pv), ("q", qv)):
        if np.any(vector < 0) or not np.all(np.isfinite(vector)):
            raise ValueError(f"{name} has negative or non-finite weights")
        if vector.sum() <= 0:
            raise ValueError(f"{name} has no positive weight to normalise")
    pv = pv / pv.sum()
    qv = qv / qv.sum()
    m = (pv + qv) / 2

    def kl_to_m(vector: np.ndarray) -> float:
        mask = vector > 0
        return float(np.sum(vector[mask] * np.log(vector[mask] / m[mask])))

    divergence = (kl_to_m(pv) + kl_to_m(qv)) / 2 / math.log(base)
    return max(0.0, divergence)


# --- Planning: how many items ---------------------------------------------------------


def _check_design(p: float, epochs: int, icc: float, confidence: float) -> None:
    if not 0 <= p <= 1:
        raise ValueError("p must lie in [0, 1]")
    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    if not 0 <= icc <= 1:
        raise ValueError("icc must lie in [0, 1]")
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie in (0, 1)")


def half_width(n_items: int, epochs: int, p: float = 0.5, icc: float = 0.2,
               confidence: float = 0.95) -> float:
    """Expected half-width of the interval for a proportion over ``n_items`` x ``epochs``.

    For planning a battery before running it. Assumes every item is asked ``epochs``
    times, answers to the same item share an intraclass correlation ``icc`` while
    different items are independent, so the design effect is 1 + (epochs - 1) * icc;
    and uses the normal approximation z * sqrt(p (1 - p) * deff / (n_items * epochs)).
    ``p = 0.5`` is the worst case. Near 0 or 1, or with very few items, the Wilson and
    t intervals actually reported are wider than this.
    """
    _check_design(p, epochs, icc, confidence)
    if n_items <= 0:
        raise ValueError("n_items must be positive")
    design_effect = 1 + (epochs - 1) * icc
    return z_value(confidence) * math.sqrt(p * (1 - p) * design_effect / (n_items * epochs))


def required_items(target_half_width: float, p: float = 0.5, epochs: int = 5,
                   icc: float = 0.2, confidence: float = 0.95) -> int:
    """Smallest number of items whose ``half_width`` is at most ``target_half_width``.

    Same assumptions as ``half_width``. More epochs help less than more items: with
    icc > 0 repeated answers to one item carry partly the same information.
    """
    if target_half_width <= 0:
        raise ValueError("target_half_width must be positive")
    _check_design(p, epochs, icc, confidence)
    design_effect = 1 + (epochs - 1) * icc
    exact = z_value(confidence) ** 2 * p * (1 - p) * design_effect / (epochs * target_half_width ** 2)
    n_items = max(1, math.ceil(exact))
    # Settle rounding at the boundary with the same formula half_width uses.
    while n_items > 1 and half_width(n_items - 1, epochs, p, icc, confidence) <= target_half_width:
        n_items -= 1
    while half_width(n_items, epochs, p, icc, confidence) > target_half_width:
        n_items += 1
    return n_items
