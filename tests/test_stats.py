"""Statistics against published and hand-computed values."""

from __future__ import annotations

import math

import pytest

from patienthood.stats import clustered_proportion, newcombe_difference, wilson


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
    # Design effect 0.25 / (0.25 / 8) = 8, so the effective size is one answer.
    assert result.effective_n == pytest.approx(1.0)
    assert (result.ci_low, result.ci_high) == pytest.approx(wilson(0.5, 1.0))


def test_independent_answers_have_no_design_effect_penalty() -> None:
    values = [1, 0] * 50
    clusters = list(range(100))
    result = clustered_proportion(values, clusters)
    assert result.effective_n == pytest.approx(100, rel=0.02)


def test_unanimous_answers_count_each_cluster_once() -> None:
    result = clustered_proportion([1.0] * 200, [i // 10 for i in range(200)])
    assert result.effective_n == 20
    assert result.ci_low == pytest.approx(wilson(20, 20)[0]) and result.ci_high == 1.0


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
    a = clustered_proportion([1] * 56 + [0] * 14, list(range(70)))
    b = clustered_proportion([1] * 48 + [0] * 32, list(range(80)))
    difference, low, high = newcombe_difference(a, b)
    assert difference == pytest.approx(0.2)
    assert low == pytest.approx(0.0524, abs=2e-3) and high == pytest.approx(0.3339, abs=2e-3)
