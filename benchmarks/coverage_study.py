"""How often do the project's 95% intervals cover the true rate? A simulation, run by hand.

    /tmp/pv/bin/python benchmarks/coverage_study.py

Simulated respondents answer yes/no; every repetition draws a fresh battery of items and
answers, computes each interval, and records whether it contains the true population
rate and how wide it is. Two scenarios:

* unclustered: every answer is Bernoulli(p), independent of its item, so plain Wilson on
  all answers is the right interval and the clustered methods should not lose coverage;
* strong item clustering: each item has its own rate drawn from a Beta distribution with
  mean p and intraclass correlation ICC (a + b = 1/ICC - 1), so answers to one item are
  correlated; the true rate is the population mean p. Naive Wilson treats the answers as
  independent and is expected to undercover.

The project's methods are ``clustered_proportion`` (design-effect Wilson, used in
reports) and ``clustered_mean`` (CR1 standard error with a t interval on G - 1 degrees
of freedom); each is judged against a 93-97% band. With R repetitions the Monte Carlo
standard error of a coverage near 95% is about sqrt(0.95 * 0.05 / R).

This is a study, not a test: it prints a table and changes nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from patienthood.stats import clustered_mean, clustered_proportion, wilson

SEED = 20241125
REPETITIONS = 10000
N_ITEMS = 20
ANSWERS_PER_ITEM = 20
RATES = (0.1, 0.3, 0.5, 0.8)
ICC = 0.3
CONFIDENCE = 0.95
BAND = (93.0, 97.0)
PROJECT_METHODS = ("clustered_proportion", "clustered_mean")

Interval = tuple[float, float]


def unclustered_answers(rng: np.random.Generator, p: float) -> np.ndarray:
    """Items x answers matrix of independent Bernoulli(p) answers."""
    return (rng.random((N_ITEMS, ANSWERS_PER_ITEM)) < p).astype(float)


def clustered_answers(rng: np.random.Generator, p: float) -> np.ndarray:
    """Items x answers matrix where each item has its own Beta-distributed rate."""
    total = 1 / ICC - 1
    item_rates = rng.beta(p * total, (1 - p) * total, size=N_ITEMS)
    return (rng.random((N_ITEMS, ANSWERS_PER_ITEM)) < item_rates[:, None]).astype(float)


def interval_clustered_proportion(values: list[float], clusters: list[int]) -> Interval:
    result = clustered_proportion(values, clusters, CONFIDENCE)
    return result.ci_low, result.ci_high


def interval_clustered_mean(values: list[float], clusters: list[int]) -> Interval:
    result = clustered_mean(values, clusters, CONFIDENCE)
    return result.ci_low, result.ci_high


def interval_wilson(values: list[float], clusters: list[int]) -> Interval:
    return wilson(sum(values), len(values), CONFIDENCE)


METHODS: dict[str, Callable[[list[float], list[int]], Interval]] = {
    "clustered_proportion": interval_clustered_proportion,
    "clustered_mean": interval_clustered_mean,
    "wilson (naive)": interval_wilson,
}

SCENARIOS: dict[str, Callable[[np.random.Generator, float], np.ndarray]] = {
    "unclustered": unclustered_answers,
    f"strong item clustering (ICC {ICC})": clustered_answers,
}


def main() -> None:
    rng = np.random.default_rng(SEED)
    clusters = [item for item in range(N_ITEMS) for _ in range(ANSWERS_PER_ITEM)]
    rows: list[tuple[str, float, str, float, float]] = []
    started = time.perf_counter()
    total_repetitions = 0
    for scenario, simulate in SCENARIOS.items():
        for p in RATES:
            covered = dict.fromkeys(METHODS, 0)
            widths = dict.fromkeys(METHODS, 0.0)
            for _ in range(REPETITIONS):
                values = simulate(rng, p).ravel().tolist()
                for method, interval in METHODS.items():
                    low, high = interval(values, clusters)
                    covered[method] += low <= p <= high
                    widths[method] += high - low
            total_repetitions += REPETITIONS
            for method in METHODS:
                rows.append((scenario, p, method, 100 * covered[method] / REPETITIONS,
                             widths[method] / REPETITIONS))
    elapsed = time.perf_counter() - started

    header = f"{'scenario':<34} {'p':>4}  {'method':<21} {'coverage %':>10} {'mean width':>10}  verdict"
    print(f"Coverage of nominal {CONFIDENCE:.0%} intervals: {N_ITEMS} items x {ANSWERS_PER_ITEM} "
          f"answers, {REPETITIONS} repetitions per scenario and rate, seed {SEED}")
    print(header)
    print("-" * len(header))
    for scenario, p, method, coverage, width in rows:
        if method in PROJECT_METHODS:
            verdict = "within 93-97%" if BAND[0] <= coverage <= BAND[1] else "OUTSIDE 93-97%"
        else:
            verdict = "(reference)"
        print(f"{scenario:<34} {p:>4.1f}  {method:<21} {coverage:>10.2f} {width:>10.4f}  {verdict}")
    print()
    for method in PROJECT_METHODS:
        outside = [(scenario, p, coverage) for scenario, p, m, coverage, _ in rows
                   if m == method and not BAND[0] <= coverage <= BAND[1]]
        cases = sum(1 for _, _, m, _, _ in rows if m == method)
        if outside:
            listed = "; ".join(f"{s} p={p:.1f}: {c:.2f}%" for s, p, c in outside)
            print(f"Verdict {method}: OUTSIDE 93-97% in {len(outside)} of {cases} cases ({listed})")
        else:
            print(f"Verdict {method}: within 93-97% in all {cases} cases")
    monte_carlo_se = 100 * math.sqrt(CONFIDENCE * (1 - CONFIDENCE) / REPETITIONS)
    print(f"Total repetitions: {total_repetitions} ({len(SCENARIOS)} scenarios x {len(RATES)} rates x "
          f"{REPETITIONS}); Monte Carlo SE of a 95% coverage: {monte_carlo_se:.2f} points; "
          f"{elapsed:.1f} s")


if __name__ == "__main__":
    main()
