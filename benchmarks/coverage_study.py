"""How often do the project's 95% intervals cover the true value? A simulation, run by hand.

    .venv/bin/python benchmarks/coverage_study.py [repetitions]

Every repetition draws a fresh battery of items and answers from a known
data-generating process, computes each interval, and records whether it contains the
true population value and how wide it is. Four families of cases, one per kind of
interval that reports use:

* proportions (0/1 answers; ``clustered_proportion``, and ``clustered_bounded_mean`` on
  [0, 1]): unclustered answers, and strong item clustering, where each item has its own
  rate drawn from a Beta distribution with mean p and intraclass correlation ICC
  (a + b = 1/ICC - 1). The true value is the population rate p.
* bounded means (Kendall's tau per ranking, in [-1, 1]; ``clustered_bounded_mean``):
  each item has its own dispersion theta ~ Gamma (coefficient of variation 0.6) and
  every ranking is drawn from a Mallows model, P(ranking) proportional to
  exp(-theta * Kendall distance to a centre ranking); tau compares the ranking with
  the first one. Centred on the first ranking the rankings of a stable system agree
  (tau = 1 for every answer of many items); centred on the reverse ranking they sit
  near -1 (pressure adopted); centred on the first ranking with one adjacent pair
  swapped they agree at the interior value tau = 0.8 (five options). The true value
  is the population mean of tau, E over theta of the Mallows mean, computed on a fine
  grid of theta quantiles. Items agree often enough that in some samples every item
  has the same mean: the "agree %" column counts those samples.
* paired differences (``paired_bounded_difference``): the per-item accuracy with a
  context minus without it (each item's two rates Beta, three answers each; the true
  value is the difference of the two population rates); two runs of a stable ranking
  system on the same items (per-item mean tau, true difference 0, usually every item
  unchanged); a new model that gets one more of five answers right on 90% of items and
  is no better on the rest (true difference 0.18, usually every item +0.2); and two
  0/1 columns on the same answers (a prediction's and a baseline's accuracy), passed
  answer by answer.
* differences of two proportions (``newcombe_difference`` on two
  ``clustered_proportion``): two arms on different items (unpaired ``difference_of``),
  and the same items asked under two leans (``lean_shift``), the two arms' item rates
  correlated through a Gaussian copula (rho 0.5).

Reference rows (not judged) show what reports used before (``clustered_mean``, the CR1
standard error with a t interval on G - 1 degrees of freedom, clipped to the bounds for
paired differences as analysis/measures.py did), the Korn-Graubard interval of
``clustered_proportion`` applied to the rescaled values without the safeguards of
``clustered_bounded_mean``, and a naive Wilson interval. Each project method is judged
against a 93-97% band. Widths are in the units of the measure. With R repetitions the
Monte Carlo standard error of a coverage near 95% is about sqrt(0.95 * 0.05 / R).

To run 10,000 repetitions of 90 cases in about four minutes the intervals are computed for
all repetitions at once: ``clustered_bounded_mean`` and ``paired_bounded_difference``
through the array core they themselves call (``stats._bounded_mean_core``), and the
other methods through batch copies of their formulas. On the first repetitions of every
case each result is checked against the project's function itself, to 1e-9.

This is a study, not a test: it prints a table and changes nothing.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import permutations

import numpy as np
from scipy import stats as scipy_stats

from patienthood.stats import (
    _bounded_mean_core,
    clustered_bounded_mean,
    clustered_mean,
    clustered_proportion,
    newcombe_difference,
    paired_bounded_difference,
    paired_difference,
    wilson,
)

SEED = 20241125
REPETITIONS = 10000
CHECKED = 40  # repetitions per case also run through the project's scalar functions
CONFIDENCE = 0.95
ALPHA = 1 - CONFIDENCE
Z = scipy_stats.norm.ppf(1 - ALPHA / 2)
BAND = (93.0, 97.0)
ICC = 0.3
FEW_CLUSTERS = (5, 10, 12, 20, 40)
RANKINGS_PER_ITEM = 3  # epochs in batteries/goal_persistence

Interval = tuple[np.ndarray, np.ndarray]


# --- Batch versions of the intervals ----------------------------------------------------


def t_quantile(df: np.ndarray | float) -> np.ndarray:
    return scipy_stats.t.ppf(1 - ALPHA / 2, df)


def clopper_pearson_batch(x: np.ndarray, n: np.ndarray) -> Interval:
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(x <= 0, 0.0, scipy_stats.beta.ppf(ALPHA / 2, np.maximum(x, 1e-300), n - x + 1))
        high = np.where(x >= n, 1.0, scipy_stats.beta.ppf(1 - ALPHA / 2, x + 1, np.maximum(n - x, 1e-300)))
    return np.nan_to_num(low, nan=0.0), np.nan_to_num(high, nan=1.0)


def korn_graubard_batch(y: np.ndarray) -> Interval:
    """``clustered_proportion``'s formula on items x answers arrays (R, G, m) in [0, 1]."""
    _, g, m = y.shape
    n = g * m
    p = y.mean(axis=(1, 2))
    residual_sums = y.sum(axis=2) - m * p[:, None]
    variance = g / (g - 1) * np.sum(residual_sums ** 2, axis=1) / n ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        design_effect = np.where(variance > 0, variance / (p * (1 - p) / n), 1.0)
        effective_n = np.where((p <= 0) | (p >= 1), float(g), n / design_effect)
    effective_n = effective_n * (Z / t_quantile(g - 1)) ** 2
    return clopper_pearson_batch(p * effective_n, effective_n)


def bounded_batch(y: np.ndarray) -> Interval:
    """``clustered_bounded_mean`` on (R, G, m) arrays already rescaled to [0, 1]."""
    core = _bounded_mean_core(y.sum(axis=2), float(y.shape[2]), np.sum(y * y, axis=(1, 2)), CONFIDENCE)
    return core["low"], core["high"]


def cr1_t_batch(y: np.ndarray) -> Interval:
    """``clustered_mean`` (CR1 standard error, t on G - 1 df) on (R, G, m) arrays."""
    _, g, m = y.shape
    n = g * m
    mean = y.mean(axis=(1, 2))
    residual_sums = y.sum(axis=2) - m * mean[:, None]
    half = t_quantile(g - 1) * np.sqrt(g / (g - 1) * np.sum(residual_sums ** 2, axis=1) / n ** 2)
    return mean - half, mean + half


def wilson_batch(y: np.ndarray) -> Interval:
    n = y.shape[1] * y.shape[2]
    p = y.mean(axis=(1, 2))
    denominator = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denominator
    half = Z * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / denominator
    return np.where(p <= 0, 0.0, np.maximum(0.0, centre - half)), np.where(p >= 1, 1.0, np.minimum(1.0, centre + half))


def newcombe_batch(a: np.ndarray, b: np.ndarray) -> Interval:
    """``newcombe_difference`` of two ``clustered_proportion`` arms."""
    pa, pb = a.mean(axis=(1, 2)), b.mean(axis=(1, 2))
    (la, ua), (lb, ub) = korn_graubard_batch(a), korn_graubard_batch(b)
    low = pa - pb - np.sqrt((pa - la) ** 2 + (ub - pb) ** 2)
    high = pa - pb + np.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)
    return np.maximum(-1.0, low), np.minimum(1.0, high)


def to_unit(values: np.ndarray, low: float, high: float) -> np.ndarray:
    return (values - low) / (high - low)


def from_unit(interval: Interval, low: float, high: float) -> Interval:
    return low + (high - low) * interval[0], low + (high - low) * interval[1]


# --- Data-generating processes ----------------------------------------------------------


def beta_rates(rng: np.random.Generator, shape: tuple[int, ...], mean: float, icc: float = ICC) -> np.ndarray:
    total = 1 / icc - 1
    return rng.beta(mean * total, (1 - mean) * total, size=shape)


def answers(rng: np.random.Generator, rates: np.ndarray, m: int) -> np.ndarray:
    """0/1 answers, m per item, given each item's rate: shape rates.shape + (m,)."""
    return (rng.random(rates.shape + (m,)) < rates[..., None]).astype(float)


def _inversions(order: tuple[int, ...]) -> int:
    return sum(1 for i in range(len(order)) for j in range(i + 1, len(order)) if order[i] > order[j])


@dataclass(frozen=True)
class Mallows:
    """Rankings of ``options`` options around a centre; tau is measured against the first ranking."""

    options: int
    centre: str  # "first", "reverse" or "swap" (the first ranking with its top two swapped)
    theta_mean: float
    theta_cv: float = 0.6

    def _tables(self) -> tuple[np.ndarray, np.ndarray]:
        orders = list(permutations(range(self.options)))
        pairs = self.options * (self.options - 1) / 2
        tau = np.array([1 - 2 * _inversions(o) / pairs for o in orders])
        centre = list(range(self.options))
        if self.centre == "reverse":
            centre = centre[::-1]
        elif self.centre == "swap":
            centre[0], centre[1] = centre[1], centre[0]
        position = {option: rank for rank, option in enumerate(centre)}
        distance = np.array([_inversions(tuple(position[o] for o in order)) for order in orders], dtype=float)
        return tau, distance

    def _probabilities(self, theta: np.ndarray) -> np.ndarray:
        _, distance = self._tables()
        weights = np.exp(-theta[..., None] * distance)
        return weights / weights.sum(axis=-1, keepdims=True)

    def _thetas(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        k = 1 / self.theta_cv ** 2
        return rng.gamma(k, self.theta_mean / k, size=shape)

    def true_mean(self) -> float:
        k = 1 / self.theta_cv ** 2
        grid = scipy_stats.gamma.ppf((np.arange(20000) + 0.5) / 20000, k, scale=self.theta_mean / k)
        tau, _ = self._tables()
        return float(np.mean(self._probabilities(grid) @ tau))

    def taus(self, rng: np.random.Generator, theta: np.ndarray, m: int) -> np.ndarray:
        """tau of m rankings per item, each item with its own theta: shape theta.shape + (m,)."""
        tau, _ = self._tables()
        out = np.empty(theta.shape + (m,))
        for start in range(0, theta.shape[0], 1000):
            block = self._probabilities(theta[start:start + 1000]).cumsum(axis=-1)
            u = rng.random(block.shape[:-1] + (m,))
            index = np.minimum((u[..., None] > block[..., None, :]).sum(axis=-1), tau.size - 1)
            out[start:start + 1000] = tau[index]
        return out

    def sample(self, rng: np.random.Generator, repetitions: int, g: int, m: int) -> np.ndarray:
        return self.taus(rng, self._thetas(rng, (repetitions, g)), m)


# --- Cases ------------------------------------------------------------------------------


@dataclass
class Case:
    family: str
    name: str
    g: int
    m: int
    true: float
    draw: Callable[[np.random.Generator, int], dict[str, np.ndarray]]
    methods: dict[str, Callable[[dict[str, np.ndarray]], Interval]]
    checks: dict[str, Callable[[dict[str, np.ndarray], int], tuple[float, float]]]
    agree: Callable[[dict[str, np.ndarray]], np.ndarray] | None = None


def items_of(g: int, m: int) -> list[int]:
    return [item for item in range(g) for _ in range(m)]


def every_item_agrees(values: np.ndarray) -> np.ndarray:
    means = values.mean(axis=2) if values.ndim == 3 else values
    return (means.max(axis=1) - means.min(axis=1)) <= 1e-9


def proportion_cases() -> list[Case]:
    cases = []
    designs = [("unclustered", 20, 20, rate, 0.0) for rate in (0.1, 0.3, 0.5, 0.8, 0.9)]
    designs += [(f"ICC {ICC}", 20, 20, rate, ICC) for rate in (0.1, 0.3, 0.5, 0.8, 0.9)]
    designs += [(f"ICC {ICC}", g, 10, rate, ICC) for g in FEW_CLUSTERS for rate in (0.1, 0.5, 0.9)]
    for label, g, m, rate, icc in designs:
        def draw(rng: np.random.Generator, r: int, g: int = g, m: int = m, rate: float = rate,
                 icc: float = icc) -> dict[str, np.ndarray]:
            rates = np.full((r, g), rate) if icc == 0 else beta_rates(rng, (r, g), rate, icc)
            return {"y": answers(rng, rates, m)}

        def check_cp(s: dict, i: int, g: int = g, m: int = m) -> tuple[float, float]:
            e = clustered_proportion(s["y"][i].ravel().tolist(), items_of(g, m), CONFIDENCE)
            return e.ci_low, e.ci_high

        def check_bm(s: dict, i: int, g: int = g, m: int = m) -> tuple[float, float]:
            e = clustered_bounded_mean(s["y"][i].ravel(), items_of(g, m), 0.0, 1.0, CONFIDENCE)
            return e.ci_low, e.ci_high

        def check_cm(s: dict, i: int, g: int = g, m: int = m) -> tuple[float, float]:
            e = clustered_mean(s["y"][i].ravel(), items_of(g, m), CONFIDENCE)
            return e.ci_low, e.ci_high

        def check_w(s: dict, i: int) -> tuple[float, float]:
            return wilson(float(s["y"][i].sum()), s["y"][i].size, CONFIDENCE)

        cases.append(Case(
            "proportion", f"0/1 answers, {label}, rate {rate}", g, m, rate, draw,
            {"clustered_proportion": lambda s: korn_graubard_batch(s["y"]),
             "clustered_bounded_mean": lambda s: bounded_batch(s["y"]),
             "clustered_mean (CR1 t, ref)": lambda s: cr1_t_batch(s["y"]),
             "wilson naive (ref)": lambda s: wilson_batch(s["y"])},
            {"clustered_proportion": check_cp, "clustered_bounded_mean": check_bm,
             "clustered_mean (CR1 t, ref)": check_cm, "wilson naive (ref)": check_w},
            lambda s: every_item_agrees(s["y"])))
    return cases


def bounded_cases() -> list[Case]:
    processes = [
        ("tau, stable, 4 options (at the bound)", Mallows(4, "first", 8.0)),
        ("tau, moderate, 5 options", Mallows(5, "first", 0.5)),
        ("tau, pressure adopted, 5 options", Mallows(5, "reverse", 2.0)),
        ("tau, habitual swap, 5 options (interior)", Mallows(5, "swap", 8.0)),
        ("tau, loose habitual swap, 5 options", Mallows(5, "swap", 2.5)),
    ]
    cases = []
    m = RANKINGS_PER_ITEM
    for label, process in processes:
        true = process.true_mean()
        for g in FEW_CLUSTERS:
            def draw(rng: np.random.Generator, r: int, g: int = g, process: Mallows = process) -> dict[str, np.ndarray]:
                return {"x": process.sample(rng, r, g, m)}

            def check_bm(s: dict, i: int, g: int = g) -> tuple[float, float]:
                e = clustered_bounded_mean(s["x"][i].ravel(), items_of(g, m), -1.0, 1.0, CONFIDENCE)
                return e.ci_low, e.ci_high

            def check_cm(s: dict, i: int, g: int = g) -> tuple[float, float]:
                e = clustered_mean(s["x"][i].ravel(), items_of(g, m), CONFIDENCE)
                return e.ci_low, e.ci_high

            cases.append(Case(
                "bounded mean", label, g, m, true, draw,
                {"clustered_bounded_mean": lambda s: from_unit(bounded_batch(to_unit(s["x"], -1, 1)), -1, 1),
                 "clustered_mean (CR1 t, ref)": lambda s: cr1_t_batch(s["x"]),
                 "Korn-Graubard only (ref)": lambda s: from_unit(korn_graubard_batch(to_unit(s["x"], -1, 1)), -1, 1)},
                {"clustered_bounded_mean": check_bm, "clustered_mean (CR1 t, ref)": check_cm},
                lambda s: every_item_agrees(s["x"])))
    return cases


def paired_cases() -> list[Case]:
    stable = Mallows(4, "first", 8.0)

    def gain(high_rate: float, low_rate: float) -> Callable[[np.random.Generator, int, int], dict[str, np.ndarray]]:
        def draw(rng: np.random.Generator, r: int, g: int) -> dict[str, np.ndarray]:
            new = answers(rng, beta_rates(rng, (r, g), high_rate), 3).mean(axis=2)
            old = answers(rng, beta_rates(rng, (r, g), low_rate), 3).mean(axis=2)
            return {"new": new, "old": old}
        return draw

    def unchanged_tau(rng: np.random.Generator, r: int, g: int) -> dict[str, np.ndarray]:
        theta = stable._thetas(rng, (r, g))
        return {"new": stable.taus(rng, theta, 3).mean(axis=2), "old": stable.taus(rng, theta, 3).mean(axis=2)}

    def one_more_right(rng: np.random.Generator, r: int, g: int) -> dict[str, np.ndarray]:
        improved = rng.random((r, g)) < 0.9
        base = rng.binomial(4, 0.5, (r, g)) / 5
        old = np.where(improved, base, rng.binomial(5, 0.5, (r, g)) / 5)
        new = np.where(improved, base + 0.2, rng.binomial(5, 0.5, (r, g)) / 5)
        return {"new": new, "old": old}

    def two_columns(rng: np.random.Generator, r: int, g: int) -> dict[str, np.ndarray]:
        return {"new": answers(rng, beta_rates(rng, (r, g), 0.6), 5),
                "old": answers(rng, beta_rates(rng, (r, g), 0.5), 5)}

    processes = [
        ("context gain 0.95 vs 0.05 (at the bound)", gain(0.95, 0.05), 0.9, 0.0, 1.0, 1),
        ("context gain 0.7 vs 0.4", gain(0.7, 0.4), 0.3, 0.0, 1.0, 1),
        ("no change between reports (tau)", unchanged_tau, 0.0, -1.0, 1.0, 1),
        ("one more of 5 right on 90% of items", one_more_right, 0.18, 0.0, 1.0, 1),
        ("two 0/1 columns, same answers, 0.6 vs 0.5", two_columns, 0.1, 0.0, 1.0, 5),
    ]
    cases = []
    for label, draw_pair, true, low, high, m in processes:
        span = high - low
        for g in FEW_CLUSTERS:
            def draw(rng: np.random.Generator, r: int, g: int = g,
                     draw_pair: Callable = draw_pair) -> dict[str, np.ndarray]:
                sample = draw_pair(rng, r, g)
                d = sample["new"] - sample["old"]
                sample["d"] = d if d.ndim == 3 else d[..., None]
                return sample

            def check_pb(s: dict, i: int, g: int = g, m: int = m, low: float = low,
                         high: float = high) -> tuple[float, float]:
                e = paired_bounded_difference(s["new"][i].ravel(), s["old"][i].ravel(), items_of(g, m),
                                              low, high, CONFIDENCE)
                return e.ci_low, e.ci_high

            def check_pd(s: dict, i: int, g: int = g, m: int = m, span: float = span) -> tuple[float, float]:
                e = paired_difference(s["new"][i].ravel(), s["old"][i].ravel(), items_of(g, m), CONFIDENCE)
                return max(-span, e.ci_low), min(span, e.ci_high)

            def clipped(s: dict, span: float = span) -> Interval:
                lo, hi = cr1_t_batch(s["d"])
                return np.maximum(-span, lo), np.minimum(span, hi)

            cases.append(Case(
                "paired difference", label, g, m, true, draw,
                {"paired_bounded_difference":
                     lambda s, span=span: from_unit(bounded_batch(to_unit(s["d"], -span, span)), -span, span),
                 "paired_difference clipped (ref)": clipped,
                 "Korn-Graubard only (ref)":
                     lambda s, span=span: from_unit(korn_graubard_batch(to_unit(s["d"], -span, span)), -span, span)},
                {"paired_bounded_difference": check_pb, "paired_difference clipped (ref)": check_pd},
                lambda s: every_item_agrees(s["d"])))
    return cases


def newcombe_cases() -> list[Case]:
    m = 10

    def unpaired(rate_a: float, rate_b: float) -> Callable[[np.random.Generator, int, int], dict[str, np.ndarray]]:
        def draw(rng: np.random.Generator, r: int, g: int) -> dict[str, np.ndarray]:
            return {"a": answers(rng, beta_rates(rng, (r, g), rate_a), m),
                    "b": answers(rng, beta_rates(rng, (r, g), rate_b), m)}
        return draw

    def same_items(rate_a: float, rate_b: float, rho: float = 0.5) -> Callable:
        def draw(rng: np.random.Generator, r: int, g: int) -> dict[str, np.ndarray]:
            shared = rng.standard_normal((r, g))
            total = 1 / ICC - 1
            arms = {}
            for key, rate in (("a", rate_a), ("b", rate_b)):
                u = scipy_stats.norm.cdf(rho * shared + math.sqrt(1 - rho * rho) * rng.standard_normal((r, g)))
                arms[key] = answers(rng, scipy_stats.beta.ppf(u, rate * total, (1 - rate) * total), m)
            return arms
        return draw

    processes = [(f"different items, {a} vs {b}", unpaired(a, b), a, b, (5, 10, 12, 20))
                 for a, b in ((0.1, 0.3), (0.5, 0.5), (0.9, 0.1))]
    processes.append(("same items, two leans, 0.7 vs 0.3, rho 0.5", same_items(0.7, 0.3), 0.7, 0.3, (5, 12, 20)))
    cases = []
    for label, draw_pair, rate_a, rate_b, sizes in processes:
        for g in sizes:
            def check(s: dict, i: int, g: int = g) -> tuple[float, float]:
                arms = [clustered_proportion(s[k][i].ravel().tolist(), items_of(g, m), CONFIDENCE) for k in "ab"]
                _, low, high = newcombe_difference(arms[0], arms[1], CONFIDENCE)
                return low, high

            cases.append(Case(
                "Newcombe difference", label, g, m, rate_a - rate_b,
                lambda rng, r, g=g, draw_pair=draw_pair: draw_pair(rng, r, g),
                {"newcombe_difference": lambda s: newcombe_batch(s["a"], s["b"])},
                {"newcombe_difference": check}))
    return cases


PROJECT_METHODS = ("clustered_proportion", "clustered_bounded_mean", "paired_bounded_difference",
                   "newcombe_difference")


def run_case(case: Case, rng: np.random.Generator,
             repetitions: int) -> tuple[float | None, list[tuple[str, float, float]]]:
    """Share (%) of samples in which every item agrees, and each method's coverage (%) and mean width."""
    sample = case.draw(rng, repetitions)
    agree = None if case.agree is None else 100 * float(case.agree(sample).mean())
    rows = []
    for method, interval in case.methods.items():
        low, high = interval(sample)
        check = case.checks.get(method)
        if check is not None:
            for i in range(min(CHECKED, repetitions)):
                got = check(sample, i)
                if abs(got[0] - low[i]) > 1e-9 or abs(got[1] - high[i]) > 1e-9:
                    raise AssertionError(f"{case.name} G={case.g}: batch {method} ({low[i]}, {high[i]}) "
                                         f"differs from the function ({got[0]}, {got[1]}) at repetition {i}")
        covered = (low <= case.true + 1e-12) & (case.true - 1e-12 <= high)
        rows.append((method, 100 * float(covered.mean()), float(np.mean(high - low))))
    return agree, rows


def main() -> None:
    repetitions = int(sys.argv[1]) if len(sys.argv) > 1 else REPETITIONS
    rng = np.random.default_rng(SEED)
    cases = proportion_cases() + bounded_cases() + paired_cases() + newcombe_cases()
    started = time.perf_counter()
    print(f"Coverage of nominal {CONFIDENCE:.0%} intervals, {repetitions} repetitions per case, seed {SEED}. "
          "Widths in the measure's units; agree %: samples in which every item has the same mean.")
    header = (f"{'case':<46} {'G':>3} {'m':>3} {'true':>6} {'agree %':>7}  {'method':<32} "
              f"{'coverage %':>10} {'mean width':>10}  verdict")
    outside: dict[str, list[str]] = {method: [] for method in PROJECT_METHODS}
    counts = dict.fromkeys(PROJECT_METHODS, 0)
    family = None
    for case in cases:
        if case.family != family:
            family = case.family
            print(f"\n{family}s".upper() if family != "bounded mean" else "\nBOUNDED MEANS (tau in [-1, 1])")
            print(header)
            print("-" * len(header))
        share, rows = run_case(case, rng, repetitions)
        agree = f"{'':>7}" if share is None else f"{share:7.1f}"
        for method, coverage, width in rows:
            if method in PROJECT_METHODS:
                counts[method] += 1
                inside = BAND[0] <= coverage <= BAND[1]
                verdict = "within 93-97%" if inside else "OUTSIDE 93-97%"
                if not inside:
                    outside[method].append(f"{case.name} G={case.g}: {coverage:.2f}%")
            else:
                verdict = "(reference)"
            print(f"{case.name:<46} {case.g:>3} {case.m:>3} {case.true:>6.3f} {agree}  {method:<32} "
                  f"{coverage:>10.2f} {width:>10.4f}  {verdict}")
    elapsed = time.perf_counter() - started
    print()
    for method in PROJECT_METHODS:
        if outside[method]:
            print(f"Verdict {method}: OUTSIDE 93-97% in {len(outside[method])} of {counts[method]} cases: "
                  + "; ".join(outside[method]))
        else:
            print(f"Verdict {method}: within 93-97% in all {counts[method]} cases")
    monte_carlo_se = 100 * math.sqrt(CONFIDENCE * (1 - CONFIDENCE) / repetitions)
    print(f"{len(cases)} cases x {repetitions} repetitions; Monte Carlo SE of a 95% coverage: "
          f"{monte_carlo_se:.2f} points; {elapsed:.0f} s")


if __name__ == "__main__":
    main()
