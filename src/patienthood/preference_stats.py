"""Statistics of pairwise choices with an opt-out: pure functions over choices, no inspect, no files.

A choice is one question's answer: the alternatives offered (two tasks and the
opt-out) and the one chosen, with a weight (1 for a sampled answer; a fraction when an
answer is a distribution or the mean of several epochs). From choices:

- ``luce_strengths``: Bradley-Terry strengths generalised to choice sets of any size
  (Luce's choice axiom: P(i chosen from S) = s_i / sum of s_k over S; Hunter 2004, "MM
  algorithms for generalized Bradley-Terry models"), fitted by Newton's method on the
  concave log-likelihood (``fit_strengths``), on a log scale on which the reference (the opt-out) is 0: a task with a negative
  strength is one the respondent would rather not do at all. A weak prior (each item
  one pseudo-win and one pseudo-loss against the reference) keeps every strength finite
  when a task always or never wins, which a steady respondent makes common;
- ``kendall_tau_b``: rank agreement of two strength vectors, ties counted as ties
  (NaN when either has no order at all: a respondent that opts out of everything);
- ``triads`` and ``cyclic_triads``: the design's triangles and whether the majority
  choices on their three pairs form a cycle (an intransitivity);
- ``pair_bootstrap``: a percentile interval for any statistic of the choices, resampling
  whole pairs (the design's items) with a fixed seed, so a report is the same byte for
  byte each time it is made.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

BOOTSTRAP_REPLICATES = 200
BOOTSTRAP_SEED = 0
PRIOR_WEIGHT = 1.0


@dataclass(frozen=True)
class Choice:
    """One answer: the alternatives offered, the one chosen, and how much the answer weighs."""

    offered: tuple[str, ...]
    chosen: str
    weight: float = 1.0


def luce_strengths(choices: Iterable[Choice], items: Sequence[str], reference: str,
                   prior: float = PRIOR_WEIGHT) -> dict[str, float]:
    """Log-strengths of ``items`` (the reference's is 0) fitted to the choices; see ``fit_strengths``.

    Choices naming items outside ``items`` (or choosing what was not offered) are an error.
    """
    names = list(dict.fromkeys([reference, *items]))
    index = {name: k for k, name in enumerate(names)}
    rows: list[list[int]] = []
    chosen: list[list[float]] = []
    for choice in choices:
        unknown = [name for name in (*choice.offered, choice.chosen) if name not in index]
        if unknown:
            raise ValueError(f"a choice names {', '.join(map(repr, unknown))}, not among the items")
        if choice.chosen not in choice.offered:
            raise ValueError(f"{choice.chosen!r} was chosen but not offered ({', '.join(choice.offered)})")
        rows.append([index[name] for name in choice.offered])
        chosen.append([float(choice.weight) if name == choice.chosen else 0.0 for name in choice.offered])
    width = max([len(r) for r in rows], default=2)
    sets = np.full((len(rows), width), -1)
    weights = np.zeros((len(rows), width))
    for k, (row, ws) in enumerate(zip(rows, chosen)):
        sets[k, :len(row)] = row
        weights[k, :len(ws)] = ws
    theta = fit_strengths(sets, weights, len(names), prior)
    return {name: float(theta[k]) for name, k in index.items()}


def _hessian(safe: np.ndarray, mask: np.ndarray, pairs: np.ndarray, pair_index: np.ndarray, expected: np.ndarray,
             p: np.ndarray, n_items: int) -> np.ndarray:
    """The negative Hessian of the Luce log-likelihood at one Newton step, summed with one bincount.

    ``pair_index`` flattens every (member, member) pair of every set into the matrix, so
    the sum is one pass; ``np.add.at`` over each pair of set columns gave the same numbers
    at about twice a report's preference time, since a report fits a few thousand times
    for its bootstraps (``benchmarks/preference_fit.py``).
    """
    hessian = np.diag(np.bincount(safe[mask], weights=expected[mask], minlength=n_items))
    hessian -= np.bincount(pair_index, weights=(expected[:, :, None] * p[:, None, :])[pairs],
                           minlength=n_items * n_items).reshape(n_items, n_items)
    return hessian


def fit_strengths(sets: np.ndarray, chosen: np.ndarray, n_items: int, prior: float = PRIOR_WEIGHT,
                  iterations: int = 100, tolerance: float = 1e-10) -> np.ndarray:
    """Log-strengths theta (theta[0] = 0, item 0 the reference) maximising the penalised Luce likelihood.

    ``sets`` holds one choice set per row as item indices (-1 pads shorter sets),
    ``chosen`` the weight with which each member was chosen (one answer: 1 for the chosen
    member, 0 for the others; a distribution: its probabilities). Under Luce's axiom the
    log-likelihood, sum of chosen weight times log(s_i / sum of s over the set), is concave
    in theta, so Newton's method with step halving finds its maximum in a few steps (the
    MM algorithm of Hunter 2004 reaches the same point, far more slowly when strengths
    are far apart). ``prior`` adds, for every item but the reference, a choice between it
    and the reference won by each with weight ``prior``: shrinkage towards the reference
    that keeps every estimate finite (with ``prior=0`` and an item that never loses,
    there is no maximum).
    """
    sets = np.asarray(sets, dtype=int).reshape(-1, sets.shape[1] if np.ndim(sets) == 2 else 2)
    chosen = np.asarray(chosen, dtype=float).reshape(sets.shape)
    if prior > 0 and n_items > 1:
        others = np.arange(1, n_items)
        pseudo = np.stack([others, np.zeros_like(others)], axis=1)
        pad = np.full((len(others), max(sets.shape[1] - 2, 0)), -1)
        sets = np.vstack([sets, np.hstack([pseudo, pad])[:, :max(sets.shape[1], 2)]]) if sets.shape[1] >= 2 else sets
        chosen = np.vstack([chosen, np.hstack([np.full((len(others), 2), prior),
                                               np.zeros((len(others), max(chosen.shape[1] - 2, 0)))])])
    mask = sets >= 0
    safe = np.where(mask, sets, 0)
    total = chosen.sum(axis=1)
    keep = total > 0
    safe, mask, chosen, total = safe[keep], mask[keep], chosen[keep], total[keep]
    wins = np.bincount(safe[mask], weights=chosen[mask], minlength=n_items)
    theta = np.zeros(n_items)
    pairs = mask[:, :, None] & mask[:, None, :]  # every (member, member) pair of every set
    pair_index = (safe[:, :, None] * n_items + safe[:, None, :])[pairs]

    def loglik(t: np.ndarray) -> float:
        logits = np.where(mask, t[safe], -np.inf)
        top = logits.max(axis=1)
        return float((wins * t).sum() - (total * (top + np.log(np.exp(logits - top[:, None]).sum(axis=1)))).sum())

    current = loglik(theta)
    for _ in range(iterations):
        logits = np.where(mask, theta[safe], -np.inf)
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        expected = total[:, None] * p
        gradient = wins - np.bincount(safe[mask], weights=expected[mask], minlength=n_items)
        hessian = _hessian(safe, mask, pairs, pair_index, expected, p, n_items)
        free = slice(1, n_items)
        try:
            step = np.linalg.solve(hessian[free, free] + 1e-12 * np.eye(n_items - 1), gradient[free])
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hessian[free, free], gradient[free], rcond=None)[0]
        scale = 1.0
        while scale > 1e-6:
            trial = theta.copy()
            trial[free] += scale * step
            value = loglik(trial)
            if value >= current - 1e-12:
                break
            scale /= 2
        theta, gain = trial, value - current
        current = value
        if np.max(np.abs(scale * step), initial=0.0) < tolerance or abs(gain) < tolerance * 1e-3:
            break
    return theta


def kendall_tau_b(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's tau-b of two score vectors over the same objects (ties as ties).

    (concordant - discordant) / sqrt((n0 - ties in x) (n0 - ties in y)), n0 the number
    of pairs: 1 for the same order, -1 for the reverse. NaN when either vector has no
    order at all (every value tied), since then no agreement can be said to exist.
    """
    if len(x) != len(y):
        raise ValueError("the two vectors differ in length")
    concordant = discordant = ties_x = ties_y = pairs = 0
    for i, j in combinations(range(len(x)), 2):
        pairs += 1
        dx, dy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        ties_x += dx == 0
        ties_y += dy == 0
        product = dx * dy
        concordant += product > 0
        discordant += product < 0
    denominator = math.sqrt((pairs - ties_x) * (pairs - ties_y))
    return math.nan if denominator == 0 else float((concordant - discordant) / denominator)


def triads(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Every three objects whose three pairs all occur in ``pairs``, each sorted, in sorted order."""
    linked: dict[str, set[str]] = {}
    for a, b in pairs:
        linked.setdefault(a, set()).add(b)
        linked.setdefault(b, set()).add(a)
    found = {tuple(sorted((a, b, c))) for a in linked for b in linked[a] for c in linked[a] & linked[b]
             if len({a, b, c}) == 3}
    return sorted(found)  # type: ignore[arg-type]


def majority(choices: Iterable[Choice], a: str, b: str) -> str | None:
    """Which of ``a`` and ``b`` the choices prefer: the one chosen more (by weight) where both were offered.

    None when neither was ever chosen there (every answer opted out) or they tie: no
    order between them is shown.
    """
    won = {a: 0.0, b: 0.0}
    for choice in choices:
        if a in choice.offered and b in choice.offered and choice.chosen in won:
            won[choice.chosen] += choice.weight
    if math.isclose(won[a], won[b]):
        return None
    return a if won[a] > won[b] else b


def is_cyclic(triad: tuple[str, str, str], preferred: Mapping[frozenset[str], str | None]) -> bool | None:
    """Whether the triad's three majority preferences form a cycle; None if any pair shows no order.

    With three strict preferences, the triad is transitive exactly when one object wins
    both its pairs; otherwise each wins one, which is a cycle.
    """
    winners = [preferred.get(frozenset(pair)) for pair in combinations(triad, 2)]
    if any(w is None for w in winners):
        return None
    return max(winners.count(t) for t in triad) == 1


def _resamples(units: Sequence[Hashable], replicates: int, seed: int) -> Iterable[list[Hashable]]:
    """Resamples of whole ``units`` with replacement, the same for a given seed."""
    rng = np.random.default_rng(seed)
    for draw in rng.integers(0, len(units), size=(replicates, len(units))):
        yield [units[k] for k in draw]


def pair_bootstrap(units: Sequence[Hashable], statistic: Callable[[list[Hashable]], float | None],
                   replicates: int = BOOTSTRAP_REPLICATES, seed: int = BOOTSTRAP_SEED,
                   confidence: float = 0.95) -> tuple[float | None, float | None]:
    """A percentile interval for ``statistic`` over resamples of whole ``units`` (with replacement).

    ``statistic`` receives the resampled units (a unit drawn twice appears twice) and
    returns a number, or None/NaN where it is undefined on that resample (such resamples
    are left out). Deterministic for a given seed. (None, None) when fewer than half of
    the resamples give a number: the interval would describe a few lucky draws.
    """
    if not units:
        return None, None
    values = []
    for resample in _resamples(units, replicates, seed):
        value = statistic(resample)
        if value is not None and not math.isnan(value):
            values.append(value)
    if len(values) * 2 < replicates:
        return None, None
    alpha = 1 - confidence
    low, high = np.quantile(np.asarray(values), [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def pair_bootstrap_each(units: Sequence[Hashable], statistic: Callable[[list[Hashable]], np.ndarray],
                        replicates: int = BOOTSTRAP_REPLICATES, seed: int = BOOTSTRAP_SEED,
                        confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """``pair_bootstrap`` for a statistic with one value per object (each task's strength): the interval of each."""
    if not units:
        return np.array([]), np.array([])
    values = np.stack([np.asarray(statistic(resample), dtype=float)
                       for resample in _resamples(units, replicates, seed)])
    alpha = 1 - confidence
    return np.quantile(values, alpha / 2, axis=0), np.quantile(values, 1 - alpha / 2, axis=0)


def cyclic_triads(choices: Sequence[Choice], pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str, str], bool | None]:
    """Each triad of the design (``triads(pairs)``) and whether its majority choices cycle (None: undecided)."""
    found = triads(pairs)
    preferred: dict[frozenset[str], str | None] = {}
    for triad in found:
        for a, b in combinations(triad, 2):
            key = frozenset((a, b))
            if key not in preferred:
                preferred[key] = majority(choices, a, b)
    return {triad: is_cyclic(triad, preferred) for triad in found}
