"""The task-preference strength fit: its Hessian summed by one bincount against np.add.at. Run by hand.

    .venv/bin/python benchmarks/preference_fit.py [--pairs 30] [--answers 6] [--resamples 200]

A report fits Luce/Bradley-Terry strengths a few thousand times (the pair bootstrap of
every task_preferences measure and of the strengths table), so the fit's Newton step is
most of that battery's analysis. This fits the same bootstrap resamples of a simulated
design (``--pairs`` pairs of tasks, each asked ``--answers`` times with the opt-out
offered, choices drawn from known strengths, seed 0) twice in one process: with
``preference_stats.fit_strengths`` as it is, and with its Hessian summed the way it was
before (``np.add.at`` once per pair of set columns, patched in for the second pass). It
prints both times, their ratio, and the largest difference between the two fits'
strengths, which must stay far below the reports' rounding (1e-6) for reports to stay
byte-identical. This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import time
from unittest import mock

import numpy as np

from patienthood import preference_stats


def add_at_hessian(safe: np.ndarray, mask: np.ndarray, pairs: np.ndarray, pair_index: np.ndarray,
                   expected: np.ndarray, p: np.ndarray, n_items: int) -> np.ndarray:
    """The Hessian as fit_strengths summed it before: np.add.at once per pair of set columns."""
    del pairs, pair_index  # the flat pair index is what the new sum uses
    hessian = np.zeros((n_items, n_items))
    np.add.at(hessian, (safe[mask], safe[mask]), expected[mask])
    for u in range(safe.shape[1]):
        for v in range(safe.shape[1]):
            both = mask[:, u] & mask[:, v]
            np.add.at(hessian, (safe[both, u], safe[both, v]), -(expected[both, u] * p[both, v]))
    return hessian


def simulated_design(pairs: int, answers: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """Choice sets (task, task, opt-out 0) and one-hot choices drawn from known strengths."""
    rng = np.random.default_rng(seed)
    n_tasks = max(3, int(np.ceil(np.sqrt(2 * pairs))) + 1)
    strength = np.concatenate([[0.0], rng.normal(0.0, 1.0, n_tasks)])
    sets, chosen = [], []
    for _ in range(pairs):
        members = np.append(rng.choice(np.arange(1, n_tasks + 1), size=2, replace=False), 0)
        weights = np.exp(strength[members])
        for pick in rng.choice(3, size=answers, p=weights / weights.sum()):
            sets.append(members)
            chosen.append(np.eye(3)[pick])
    return np.array(sets), np.array(chosen), n_tasks + 1


def fit_all(resamples: list[np.ndarray], sets: np.ndarray, chosen: np.ndarray,
            n_items: int) -> tuple[float, list[np.ndarray]]:
    started = time.perf_counter()
    fits = [preference_stats.fit_strengths(sets[rows], chosen[rows], n_items) for rows in resamples]
    return time.perf_counter() - started, fits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--answers", type=int, default=6, help="answers per pair (framings x sessions)")
    parser.add_argument("--resamples", type=int, default=200)
    options = parser.parse_args()
    sets, chosen, n_items = simulated_design(options.pairs, options.answers)
    by_pair = np.arange(len(sets)).reshape(options.pairs, options.answers)
    rng = np.random.default_rng(1)
    resamples = [by_pair[rng.integers(0, options.pairs, options.pairs)].ravel() for _ in range(options.resamples)]
    now, fits = fit_all(resamples, sets, chosen, n_items)
    with mock.patch.object(preference_stats, "_hessian", add_at_hessian):
        before, reference = fit_all(resamples, sets, chosen, n_items)
    difference = max(float(np.max(np.abs(a - b))) for a, b in zip(fits, reference))
    print(f"{len(resamples)} fits of {options.pairs} pairs x {options.answers} answers ({n_items - 1} tasks)")
    print(f"  bincount Hessian (now):      {now:.2f} s")
    print(f"  np.add.at Hessian (before):  {before:.2f} s")
    print(f"  ratio before / now:          {before / now:.2f}")
    print(f"  largest difference in a strength: {difference:.1e} (reports round to 1e-6)")


if __name__ == "__main__":
    main()
