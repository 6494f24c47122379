"""Statistics against published and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from patienthood.stats import (
    ProportionEstimate,
    clopper_pearson,
    cluster_bootstrap,
    clustered_bounded_mean,
    clustered_mean,
    clustered_proportion,
    cohen_kappa,
    detectable_difference,
    half_width,
    jensen_shannon_divergence,
    kendall_tau,
    krippendorff_alpha,
    newcombe_difference,
    paired_bounded_difference,
    paired_difference,
    required_items,
    t_value,
    wilson,
    z_value,
)


@pytest.mark.parametrize("x, n, low, high", [
    # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson score).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe_table(x: int, n: int, low: float, high: float) -> None:
    got = wilson(x, n)
    assert got[0] == pytest.approx(low, abs=1e-4) and got[1] == pytest.approx(high, abs=1e-4)


def test_clustered_proportion_hand_computed() -> None:
    # Two clusters of four answers: (1,1,1,1) and (0,0,0,0), p = 0.5.
    # Cluster residual sums: +2 and -2; CR1 variance = 2/1 * (4 + 4) / 64 = 0.25.
    result = clustered_proportion([1, 1, 1, 1, 0, 0, 0, 0], ["a"] * 4 + ["b"] * 4)
    assert result.estimate == 0.5
    assert result.se == pytest.approx(0.5)
    # Design effect 0.25 / (0.25 / 8) = 8, so the effective size is one answer, shrunk by
    # (z / t_1)^2 = (1.95996 / 12.7062)^2 = 0.023793 for estimating it from two clusters.
    assert result.effective_n == pytest.approx((z_value() / t_value(1)) ** 2)
    assert result.effective_n == pytest.approx(0.023793, abs=1e-6)
    assert (result.ci_low, result.ci_high) == pytest.approx(clopper_pearson(0.5 * result.effective_n, result.effective_n))


def test_independent_answers_have_no_design_effect_penalty() -> None:
    values = [1, 0] * 50
    clusters = list(range(100))
    result = clustered_proportion(values, clusters)
    # CR1 on singleton clusters is n/(n-1) times the iid variance; then (z / t_99)^2.
    assert result.effective_n == pytest.approx(99 * (z_value() / t_value(99)) ** 2, rel=1e-6)


def test_unanimous_answers_count_each_cluster_once() -> None:
    result = clustered_proportion([1.0] * 200, [i // 10 for i in range(200)])
    size = 20 * (z_value() / t_value(19)) ** 2
    assert result.effective_n == pytest.approx(size)
    # Clopper-Pearson for all successes: lower bound (alpha / 2) ** (1 / n).
    assert result.ci_low == pytest.approx(0.025 ** (1 / size)) and result.ci_high == 1.0


def test_clustering_widens_the_interval() -> None:
    values = [1, 1, 1, 0, 0, 1, 1, 1, 1, 0] * 10
    clustered = clustered_proportion(values, [i // 10 for i in range(100)])
    same_item = clustered_proportion(values, [i // 50 for i in range(100)])
    assert (same_item.ci_high - same_item.ci_low) >= (clustered.ci_high - clustered.ci_low)


def test_empty_input_is_uninformative_not_an_error() -> None:
    result = clustered_proportion([], [])
    assert math.isnan(result.estimate) and (result.ci_low, result.ci_high) == (0.0, 1.0)


def test_newcombe_difference_matches_published_example() -> None:
    # Newcombe (1998) example: 56/70 vs 48/80, method 10: 0.0524 to 0.3339.
    a = ProportionEstimate(56 / 70, *wilson(56, 70), n=70, n_clusters=70, se=0.0, effective_n=70)
    b = ProportionEstimate(48 / 80, *wilson(48, 80), n=80, n_clusters=80, se=0.0, effective_n=80)
    difference, low, high = newcombe_difference(a, b)
    assert difference == pytest.approx(0.2)
    assert low == pytest.approx(0.0524, abs=2e-3) and high == pytest.approx(0.3339, abs=2e-3)


# --- Means clustered by item ---------------------------------------------------------


def test_clustered_mean_hand_computed() -> None:
    # Clusters a: (1, 3), b: (2, 4), c: (6, 8); n = 6, mean = 24 / 6 = 4.
    # Residual sums: a: -3 - 1 = -4, b: -2 + 0 = -2, c: 2 + 4 = 6; squares 16 + 4 + 36 = 56.
    # CR1 variance = G/(G-1) * 56 / n^2 = 3/2 * 56 / 36 = 7/3, so SE = sqrt(7/3) = 1.527525.
    # t(0.975, df = 2) = 4.302653, half-width = 4.302653 * 1.527525 = 6.572411.
    result = clustered_mean([1, 3, 2, 4, 6, 8], ["a", "a", "b", "b", "c", "c"])
    assert result.estimate == pytest.approx(4.0)
    assert result.se == pytest.approx(math.sqrt(7 / 3))
    assert (result.n, result.n_clusters, result.df) == (6, 3, 2)
    assert result.ci_low == pytest.approx(4 - 6.572411, abs=1e-5)
    assert result.ci_high == pytest.approx(4 + 6.572411, abs=1e-5)


def test_clustered_mean_uses_t_quantile_with_few_clusters() -> None:
    values = [0.1, 0.4, 0.2, 0.9, 0.5, 0.3, 0.8, 0.6, 0.0, 0.7]
    result = clustered_mean(values, [i // 2 for i in range(10)])  # G = 5, df = 4
    half = (result.ci_high - result.ci_low) / 2
    assert result.df == 4
    # t(0.975, 4) = 2.776445, well above the normal 1.959964.
    assert half / result.se == pytest.approx(2.776445, abs=1e-5)
    assert half > z_value(0.95) * result.se


def test_clustered_mean_degenerate_cases() -> None:
    single = clustered_mean([1.0, 2.0, 3.0], ["x", "x", "x"])
    assert single.estimate == pytest.approx(2.0) and math.isnan(single.se)
    assert (single.ci_low, single.ci_high) == (-math.inf, math.inf)
    empty = clustered_mean([], [])
    assert math.isnan(empty.estimate) and empty.n == 0
    with pytest.raises(ValueError):
        clustered_mean([1.0], ["a", "b"])


def test_cluster_bootstrap_is_deterministic_for_a_seed() -> None:
    # Continuous scores (fractional parts of multiples of the golden ratio), 10 clusters of 4,
    # so that the percentile bounds depend on the particular resamples drawn.
    values = [(i * 0.6180339887) % 1 for i in range(40)]
    clusters = [i // 4 for i in range(40)]
    first = cluster_bootstrap(values, clusters, n_resamples=500, seed=7)
    again = cluster_bootstrap(values, clusters, n_resamples=500, seed=7)
    other = cluster_bootstrap(values, clusters, n_resamples=500, seed=8)
    assert first == again
    assert first[1:] != other[1:]
    estimate, low, high = first
    assert estimate == pytest.approx(sum(values) / len(values))
    assert low <= estimate <= high and low < high


def test_cluster_bootstrap_accepts_other_statistics() -> None:
    values = [1.0, 5.0, 2.0, 8.0, 3.0, 4.0]
    estimate, low, high = cluster_bootstrap(values, [0, 0, 1, 1, 2, 2], statistic=max,
                                            n_resamples=200, seed=1)
    # Cluster maxima are 5, 8 and 4, so every resample's maximum is one of them.
    assert estimate == 8.0 and 4.0 <= low <= high <= 8.0


def test_paired_difference_identical_runs_give_zero_width() -> None:
    a = [0.2, 0.9, 0.4, 0.7, 1.0, 0.0]
    result = paired_difference(a, list(a), [0, 0, 1, 1, 2, 2])
    assert result.estimate == 0.0 and result.se == 0.0
    assert (result.ci_low, result.ci_high) == (0.0, 0.0)


def test_paired_difference_constant_shift() -> None:
    b = [0.2, 0.9, 0.4, 0.7, 1.0, 0.0]
    a = [x + 0.25 for x in b]
    result = paired_difference(a, b, [0, 0, 1, 1, 2, 2])
    assert result.estimate == pytest.approx(0.25)
    assert result.ci_low == pytest.approx(0.25) and result.ci_high == pytest.approx(0.25)
    with pytest.raises(ValueError):
        paired_difference(a, b[:-1], [0, 0, 1, 1, 2, 2])


# --- Bounded means clustered by item ---------------------------------------------------


def test_bounded_mean_all_at_the_bound_gives_the_clopper_pearson_bound_on_items() -> None:
    # Twelve items, three rankings each, every tau 1: the share of items away from 1 is at
    # most 1 - 0.025 ** (1 / 12) = 0.264648 (Clopper-Pearson for 0 of 12), so the lower
    # limit is 1 - 2 * 0.264648 = 0.470703 on [-1, 1]; the upper limit is the bound itself.
    result = clustered_bounded_mean([1.0] * 36, [i // 3 for i in range(36)], -1.0, 1.0)
    assert result.estimate == 1.0 and result.ci_high == 1.0
    assert result.ci_low == pytest.approx(-1 + 2 * 0.025 ** (1 / 12))
    assert result.ci_low == pytest.approx(0.470703, abs=1e-6)
    assert (result.ci_low + 1) / 2 == pytest.approx(clopper_pearson(12, 12)[0])
    assert (result.se, result.df, result.effective_n) == (0.0, 0.0, 12.0)
    at_zero = clustered_bounded_mean([0.0] * 5, list(range(5)), 0.0, 1.0)
    assert at_zero.ci_low == 0.0 and at_zero.ci_high == pytest.approx(1 - 0.025 ** (1 / 5))


@pytest.mark.parametrize("value, low, high", [(0.6, -1.0, 1.0), (0.5, 0.0, 1.0), (0.0, -1.0, 1.0), (3.0, 1.0, 5.0)])
def test_bounded_mean_zero_variance_keeps_honest_width_inside_the_bounds(value: float, low: float,
                                                                       high: float) -> None:
    # Every item at the same interior value c: c + s * [low - c, high - c], s = 1 - 0.025^(1/G).
    result = clustered_bounded_mean([value] * 40, [i // 4 for i in range(40)], low, high)
    share = 1 - 0.025 ** (1 / 10)
    assert result.estimate == pytest.approx(value)
    assert result.ci_low == pytest.approx(value + share * (low - value))
    assert result.ci_high == pytest.approx(value + share * (high - value))
    assert low <= result.ci_low < value < result.ci_high <= high
    # Answers that vary within items whose means all agree are zero variance between items too.
    mixed = clustered_bounded_mean([0.0, 1.0] * 10, [i // 2 for i in range(20)], 0.0, 1.0)
    assert mixed.ci_high - mixed.ci_low == pytest.approx(1 - 0.025 ** (1 / 10))


def test_bounded_mean_single_item_spans_nearly_the_whole_range() -> None:
    result = clustered_bounded_mean([0.2, 0.4], ["only", "only"], 0.0, 1.0)
    assert result.n_clusters == 1
    assert result.ci_low == pytest.approx(0.3 * 0.025) and result.ci_high == pytest.approx(0.3 + 0.975 * 0.7)


def test_bounded_mean_hand_computed() -> None:
    # Four items, one value each, on [0, 1]: 0.2, 0.4, 0.6, 0.8; p = 0.5.
    # Residual sums -0.3, -0.1, 0.1, 0.3; CR1 variance = 4/3 * 0.2 / 16 = 1/60, above the
    # independent-answers variance 0.2 / 16 = 0.0125, so no floor.
    # Design-effect df: mean squared residual 0.05, influences (r^2 - 0.05) / 0.05 = +-0.8
    # (the p term vanishes at p = 0.5); 2 / (4 * 0.64 / (4 * 3)) = 9.375, capped at G - 1 = 3.
    # n* = 0.25 / (1/60) * (z / t_3)^2 = 15 * (1.959964 / 3.182446)^2 = 5.689384.
    values, items = [0.2, 0.4, 0.6, 0.8], ["a", "b", "c", "d"]
    result = clustered_bounded_mean(values, items, 0.0, 1.0)
    shrink = (z_value() / t_value(3)) ** 2
    assert result.df == 3.0 and result.se == pytest.approx(math.sqrt(1 / 60))
    assert result.effective_n == pytest.approx(15 * shrink)
    assert result.effective_n == pytest.approx(5.689384, abs=1e-6)
    global_low, global_high = clopper_pearson(0.5 * 15 * shrink, 15 * shrink)
    # Lower limit as if the largest item mean, 0.8, were the upper bound: p' = 0.625,
    # V' = (1/60) / 0.64, n' = 0.625 * 0.375 / V' * shrink = 9 * shrink; mirrored above.
    local_low = 0.8 * clopper_pearson(0.625 * 9 * shrink, 9 * shrink)[0]
    local_high = 0.2 + 0.8 * clopper_pearson(0.375 * 9 * shrink, 9 * shrink)[1]
    assert result.ci_low == pytest.approx(min(global_low, local_low))
    assert result.ci_high == pytest.approx(max(global_high, local_high))
    assert (result.ci_low, result.ci_high) == pytest.approx((0.077735, 0.922265), abs=1e-6)


def test_bounded_mean_of_answers_is_korn_graubard_when_no_safeguard_binds() -> None:
    # 0/1 answers, five items of four, one item all 1 and one all 0 (so the item extremes
    # are the bounds) and df = G - 1: the interval of clustered_proportion.
    values = [1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1]
    items = [i // 4 for i in range(20)]
    bounded, proportion = clustered_bounded_mean(values, items, 0, 1), clustered_proportion(values, items)
    assert bounded.df == 4.0
    assert (bounded.ci_low, bounded.ci_high) == pytest.approx((proportion.ci_low, proportion.ci_high))
    assert bounded.effective_n == pytest.approx(proportion.effective_n)


def test_bounded_mean_is_invariant_under_rescaling() -> None:
    taus = [1.0, 1.0, 1 / 3, 1.0, 0.0, 2 / 3, 1.0, 1.0, 1.0, -1 / 3, 1.0, 2 / 3, 1.0, 1.0, 1.0]
    items = [i // 3 for i in range(15)]
    on_tau = clustered_bounded_mean(taus, items, -1.0, 1.0)
    on_unit = clustered_bounded_mean([(t + 1) / 2 for t in taus], items, 0.0, 1.0)
    assert on_unit.estimate == pytest.approx((on_tau.estimate + 1) / 2)
    assert on_unit.ci_low == pytest.approx((on_tau.ci_low + 1) / 2)
    assert on_unit.ci_high == pytest.approx((on_tau.ci_high + 1) / 2)
    assert on_unit.se == pytest.approx(on_tau.se / 2)
    assert (on_unit.df, on_unit.effective_n) == pytest.approx((on_tau.df, on_tau.effective_n))
    assert -1.0 <= on_tau.ci_low < on_tau.estimate < on_tau.ci_high <= 1.0


def test_bounded_mean_covers_where_cr1_collapses() -> None:
    # Eleven items agree at tau 1 and one item has a single swap (tau 1/3 once of three).
    taus = [1.0] * 33 + [1.0, 1.0, 1 / 3]
    items = [i // 3 for i in range(36)]
    bounded = clustered_bounded_mean(taus, items, -1.0, 1.0)
    assert bounded.ci_low < bounded.estimate < bounded.ci_high <= 1.0
    assert clustered_mean(taus, items).ci_high > 1.0  # the t interval leaves the bounds


@pytest.mark.parametrize("values, clusters, low, high, message", [
    ([], [], 0.0, 1.0, "no values"),
    ([0.5, 0.5], ["a"], 0.0, 1.0, "differ in length"),
    ([0.5, 1.5], ["a", "b"], 0.0, 1.0, r"values\[1\] = 1.5 lies outside \[0.0, 1.0\]"),
    ([-1.2, 0.0], ["a", "b"], -1.0, 1.0, "outside"),
    ([0.5, math.nan], ["a", "b"], 0.0, 1.0, "not a finite number"),
    ([0.5], ["a"], 1.0, 1.0, "low < high"),
    ([0.5], ["a"], 0.0, math.inf, "low < high"),
])
def test_bounded_mean_rejects_bad_input(values: list, clusters: list, low: float, high: float,
                                        message: str) -> None:
    with pytest.raises(ValueError, match=message):
        clustered_bounded_mean(values, clusters, low, high)


def test_bounded_mean_tolerates_rounding_at_the_bounds() -> None:
    result = clustered_bounded_mean([1.0 + 1e-12, 1.0, 0.5], ["a", "b", "c"], 0.0, 1.0)
    assert result.ci_high <= 1.0


def test_paired_bounded_difference_constant_shift_keeps_width() -> None:
    # Every item gained 0.25 on [0, 1]: the difference lies in [-1, 1], and with G = 6
    # items the share that could have changed otherwise is s = 1 - 0.025^(1/6).
    old = [0.2, 0.7, 0.4, 0.5, 0.75, 0.0]
    new = [x + 0.25 for x in old]
    result = paired_bounded_difference(new, old, list(range(6)), 0.0, 1.0)
    share = 1 - 0.025 ** (1 / 6)
    assert result.estimate == pytest.approx(0.25)
    assert result.ci_low == pytest.approx(0.25 + share * (-1 - 0.25))
    assert result.ci_high == pytest.approx(0.25 + share * (1 - 0.25))
    unchanged = paired_bounded_difference(old, old, list(range(6)), 0.0, 1.0)
    assert unchanged.estimate == 0.0 and unchanged.ci_low == pytest.approx(-share)
    assert unchanged.ci_high == pytest.approx(share)


def test_paired_bounded_difference_is_the_bounded_mean_of_differences() -> None:
    new = [1.0, 2 / 3, 1.0, 1 / 3, 1.0, 1.0, 0.0, 2 / 3]
    old = [2 / 3, 2 / 3, 1 / 3, 0.0, 1.0, 2 / 3, 0.0, 1 / 3]
    items = list("abcdefgh")
    result = paired_bounded_difference(new, old, items, 0.0, 1.0)
    direct = clustered_bounded_mean([a - b for a, b in zip(new, old)], items, -1.0, 1.0)
    assert result == direct
    assert -1.0 <= result.ci_low < result.estimate < result.ci_high <= 1.0
    # Tau per item in [-1, 1]: the difference lies in [-2, 2].
    taus = paired_bounded_difference([2 * x - 1 for x in new], [2 * x - 1 for x in old], items, -1.0, 1.0)
    assert taus.ci_low == pytest.approx(2 * result.ci_low) and taus.ci_high == pytest.approx(2 * result.ci_high)


def test_paired_bounded_difference_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        paired_bounded_difference([0.5, 0.5], [0.5], ["a", "b"], 0.0, 1.0)
    with pytest.raises(ValueError, match=r"old\[0\]"):
        paired_bounded_difference([0.5], [1.5], ["a"], 0.0, 1.0)
    with pytest.raises(ValueError, match="no values"):
        paired_bounded_difference([], [], [], 0.0, 1.0)


# --- Agreement and similarity ----------------------------------------------------------

_M = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: coders A-D
# (rows) x units 1-12 (columns), None = missing.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _M, _M, _M],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _M, 3],
    [_M, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _M],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _M],
]


@pytest.mark.parametrize("level, published", [
    ("nominal", 0.743),
    ("ordinal", 0.815),
    ("interval", 0.849),
])
def test_krippendorff_alpha_matches_published_example(level: str, published: float) -> None:
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == published


def test_krippendorff_alpha_accepts_string_labels_and_nan() -> None:
    names = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    labelled = [[math.nan if v is None else names[v] for v in row] for row in KRIPPENDORFF_2011]
    assert round(krippendorff_alpha(labelled, "nominal"), 3) == 0.743
    with pytest.raises(ValueError):
        krippendorff_alpha(labelled, "interval")


def test_krippendorff_alpha_undefined_without_variation() -> None:
    assert math.isnan(krippendorff_alpha([["x", "x"], ["x", "x"]]))


def test_cohen_kappa_hand_computed() -> None:
    # Ten complete pairs: yes/yes 4, yes/no 1, no/yes 2, no/no 3 (plus one dropped pair).
    # p_o = (4 + 3) / 10 = 0.7. Rater a says yes 5/10, rater b says yes 6/10.
    # p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, so kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    a = ["y"] * 4 + ["y"] + ["n"] * 2 + ["n"] * 3 + [None]
    b = ["y"] * 4 + ["n"] + ["y"] * 2 + ["n"] * 3 + ["y"]
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_perfect_and_undefined() -> None:
    assert cohen_kappa(["a", "b", "c", "a"], ["a", "b", "c", "a"]) == pytest.approx(1.0)
    assert math.isnan(cohen_kappa(["a", "a"], ["a", "a"]))
    assert math.isnan(cohen_kappa([None], ["a"]))


def test_kendall_tau_rankings() -> None:
    options = ["w", "x", "y", "z"]
    assert kendall_tau(options, list(options)) == pytest.approx(1.0)
    assert kendall_tau(options, options[::-1]) == pytest.approx(-1.0)
    # One adjacent swap: 5 of 6 pairs concordant, 1 discordant -> (5 - 1) / 6.
    assert kendall_tau(options, ["w", "y", "x", "z"]) == pytest.approx(4 / 6)


def test_kendall_tau_different_options_raise() -> None:
    with pytest.raises(ValueError, match="'z'.*'v'"):
        kendall_tau(["w", "x", "y", "z"], ["w", "x", "y", "v"])


def test_jensen_shannon_identical_and_disjoint() -> None:
    assert jensen_shannon_divergence({"a": 3, "b": 1}, {"a": 0.75, "b": 0.25}) == pytest.approx(0.0)
    assert jensen_shannon_divergence({"a": 1}, {"b": 5}) == pytest.approx(1.0)


def test_jensen_shannon_hand_computed() -> None:
    # p = (1, 0), q = (1/2, 1/2), m = (3/4, 1/4).
    # KL(p || m) = log2(4/3) = 0.4150375; KL(q || m) = 0.5*log2(2/3) + 0.5*log2(2) = 0.2075187.
    # JSD = (0.4150375 + 0.2075187) / 2 = 0.3112781.
    assert jensen_shannon_divergence({"a": 2}, {"a": 3, "b": 3}) == pytest.approx(0.3112781, abs=1e-7)
    # In nats the same divergence is multiplied by ln 2.
    assert jensen_shannon_divergence({"a": 2}, {"a": 3, "b": 3}, base=math.e) == pytest.approx(
        0.3112781 * math.log(2), abs=1e-7)


# --- Planning ---------------------------------------------------------------------------


def test_half_width_hand_computed_and_decreasing() -> None:
    # One epoch, so no design effect: 1.959964 * sqrt(0.25 / 100) = 0.0979982.
    assert half_width(100, 1, p=0.5, icc=0.2) == pytest.approx(0.0979982, abs=1e-6)
    # Five epochs, icc 0.2: deff = 1.8 on 500 answers -> 1.959964 * sqrt(0.25 * 1.8 / 500).
    assert half_width(100, 5) == pytest.approx(1.959964 * math.sqrt(0.25 * 1.8 / 500), abs=1e-6)
    widths = [half_width(n, 5) for n in (5, 10, 20, 40, 80)]
    assert all(earlier > later for earlier, later in zip(widths, widths[1:]))


@pytest.mark.parametrize("n, epochs, p, icc", [
    (1, 5, 0.5, 0.2), (7, 5, 0.5, 0.2), (20, 3, 0.3, 0.1), (50, 10, 0.8, 0.4), (123, 1, 0.5, 0.0),
])
def test_required_items_inverts_half_width(n: int, epochs: int, p: float, icc: float) -> None:
    assert required_items(half_width(n, epochs, p, icc), p, epochs, icc) == n
    # A target slightly tighter than n items achieve needs one more item.
    assert required_items(half_width(n, epochs, p, icc) * 0.999999, p, epochs, icc) == n + 1


def test_detectable_difference_is_t_quantiles_times_the_item_standard_error() -> None:
    from scipy import stats as scipy_stats

    expected = (scipy_stats.t.ppf(0.975, 39) + scipy_stats.t.ppf(0.80, 39)) * math.sqrt(0.09 / 40)
    assert detectable_difference(0.09, 40) == pytest.approx(expected)
    assert detectable_difference(0.09, 1000) == pytest.approx(2.80 * math.sqrt(0.09 / 1000), rel=0.01)
    assert detectable_difference(0.09, 160) < detectable_difference(0.09, 40)  # more items, finer
    assert math.isnan(detectable_difference(0.0, 40))  # every item agreed: nothing to plan from
    for bad in ((0.1, 1), (-0.1, 10), (math.inf, 10)):
        with pytest.raises(ValueError):
            detectable_difference(*bad)


def test_a_true_value_that_far_beyond_the_threshold_clears_it_four_times_in_five() -> None:
    """The figure's promise, measured: item means normal around threshold + d, the t bound
    (the interval the helper assumes) clears the threshold in about 80% of designs."""
    rng = np.random.default_rng(3)
    items, variance, threshold = 30, 0.04, 0.6
    shift = detectable_difference(variance, items)
    means = rng.normal(threshold + shift, math.sqrt(variance), size=(4000, items))
    lows = means.mean(axis=1) - t_value(items - 1) * means.std(axis=1, ddof=1) / math.sqrt(items)
    assert 0.77 <= float(np.mean(lows >= threshold)) <= 0.83


@pytest.mark.parametrize("x, n, low, high", [
    # Clopper-Pearson exact intervals (e.g. Newcombe 1998, table I, method 5).
    (81, 263, 0.2527, 0.3676),
    (0, 20, 0.0, 0.1684),
    (1, 29, 0.0009, 0.1776),
])
def test_clopper_pearson_matches_published_values(x: int, n: int, low: float, high: float) -> None:
    got = clopper_pearson(x, n)
    assert got[0] == pytest.approx(low, abs=1e-4) and got[1] == pytest.approx(high, abs=1e-4)
