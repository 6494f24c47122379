"""Measures of the task-preference battery: rankings, their stability, cycles and the opt-out.

Each row of the battery's frame is one answer to one pair (``item``) in one framing
(``context``) and epoch (a fresh session): the two tasks (``task_a``, ``task_b``, their
``category_a``/``category_b``) and what was chosen, as the scorer's numbers
``chose_a``, ``chose_b`` and ``opted_out`` (fractions when an answer is a distribution
or several epochs reduced). The statistics are in ``patienthood.preference_stats``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from patienthood.analysis.measures import KORN_GRAUBARD, MeasureResult, clustered_share, empty_result, rounded
from patienthood.preference_stats import (
    Choice,
    cyclic_triads,
    fit_strengths,
    kendall_tau_b,
    pair_bootstrap,
    pair_bootstrap_each,
)
from patienthood.spec.models import BelowOptOut, IntransitiveTriads, OptOutRate, RankStability
from patienthood.spec.vocabulary import OPT_OUT

VALUES = ("value_chose_a", "value_chose_b", "value_opted_out")
_STRENGTHS = ("Luce/Bradley-Terry strengths by penalised maximum likelihood (Newton's method; one pseudo-win and "
              "pseudo-loss per task against the reference)")
_PAIR_BOOTSTRAP = "percentile bootstrap over pairs, 200 resamples, seed 0"
BOOTSTRAP = f"{_STRENGTHS}, the opt-out as reference 0; {_PAIR_BOOTSTRAP}"
TAU = f"Kendall's tau-b between rankings by {_STRENGTHS} fitted to the choices of a task; {_PAIR_BOOTSTRAP}"
CYCLES = ("share of triads whose majority choices cycle; " + KORN_GRAUBARD + " over triads")


def answered(frame: pd.DataFrame) -> pd.DataFrame:
    """Scorable, unerrored answers that say what was chosen."""
    if any(column not in frame.columns for column in (*VALUES, "task_a", "task_b")):
        return frame.iloc[0:0]
    data = frame[frame["scorable"].astype(bool) & ~frame["errored"].astype(bool)]
    return data[data[list(VALUES)].notna().all(axis=1)]


def choices(data: pd.DataFrame) -> list[Choice]:
    """Each answer as up to three weighted choices among its two tasks and the opt-out."""
    found = []
    for a, b, *weights in data[["task_a", "task_b", *VALUES]].itertuples(index=False):
        offered = (str(a), str(b), OPT_OUT)
        found.extend(Choice(offered, chosen, float(weight)) for chosen, weight in zip(offered, weights) if weight > 0)
    return found


def _tasks(data: pd.DataFrame) -> list[str]:
    return sorted(set(data["task_a"].astype(str)) | set(data["task_b"].astype(str)))


@dataclass(frozen=True)
class Encoded:
    """The answers as arrays, for refitting strengths on many resamples of pairs quickly."""

    tasks: list[str]
    sets: np.ndarray  # rows of (task a, task b, opt-out) as item indices, the opt-out 0
    chosen: np.ndarray  # the weight with which each of the three was chosen
    context: np.ndarray
    epoch: np.ndarray
    rows_of_pair: dict[str, np.ndarray]

    @classmethod
    def of(cls, data: pd.DataFrame) -> "Encoded":
        tasks = _tasks(data)
        index = {task: k + 1 for k, task in enumerate(tasks)}
        sets = np.stack([data["task_a"].astype(str).map(index).to_numpy(), data["task_b"].astype(str).map(index)
                         .to_numpy(), np.zeros(len(data), dtype=int)], axis=1).astype(int)
        pairs = data["item"].astype(str).to_numpy()
        return cls(tasks, sets, data[list(VALUES)].astype(float).to_numpy(), data["context"].astype(str).to_numpy(),
                   data["epoch"].astype(int).to_numpy(),
                   {pair: np.flatnonzero(pairs == pair) for pair in sorted(set(pairs))})

    def rows(self, pairs: list[Hashable]) -> np.ndarray:
        return np.concatenate([self.rows_of_pair[str(pair)] for pair in pairs])

    def strengths(self, rows: np.ndarray, among_tasks: bool = False) -> np.ndarray:
        """Log-strengths of the tasks (opt-out 0) on these rows, rounded so equal evidence is an exact tie.

        ``among_tasks`` fits only the choices of a task (an opt-out says nothing about
        which of the two tasks comes first): a ranking for comparing orders, in which a
        respondent that always opts out ranks every task level (without it, a task asked
        in more pairs would lose more often to the opt-out, and the design's own degrees
        would look like a stable order).
        """
        chosen = self.chosen[rows]
        if among_tasks:
            chosen = chosen * np.array([1.0, 1.0, 0.0])
        return np.round(fit_strengths(self.sets[rows], chosen, len(self.tasks) + 1)[1:], 6)


def _mean(values: list[float]) -> float | None:
    defined = [v for v in values if v == v]
    return sum(defined) / len(defined) if defined else None


def rank_stability(frame: pd.DataFrame, spec: RankStability) -> MeasureResult:
    """Mean tau between the reference framing's ranking and the others' (framings), or epoch to epoch (sessions).

    Where a ranking has no order at all (every answer opted out) its tau is undefined
    and left out of the mean; with none defined the measure has no estimate.
    """
    data = answered(frame)
    if spec.between == "sessions" and not data.empty:
        data = data[data["context"] == spec.reference]
    if data.empty:
        return empty_result(spec.id, TAU)
    answers = Encoded.of(data)

    def tau(a: np.ndarray, b: np.ndarray) -> float:
        return kendall_tau_b(list(answers.strengths(a, True)), list(answers.strengths(b, True)))

    def statistic(pairs: list[Hashable]) -> float | None:
        rows = answers.rows(pairs)
        if spec.between == "sessions":
            epochs = sorted(set(answers.epoch[rows]))
            return _mean([tau(rows[answers.epoch[rows] == e], rows[answers.epoch[rows] == f])
                          for e, f in zip(epochs, epochs[1:])])
        reference = rows[answers.context[rows] == spec.reference]
        others = sorted(set(answers.context[rows]) - {spec.reference})
        return _mean([tau(reference, rows[answers.context[rows] == other]) for other in others])

    pairs: list[Hashable] = list(answers.rows_of_pair)
    estimate = statistic(pairs)
    if estimate is None:
        return MeasureResult(spec.id, None, None, None, len(data), len(pairs), TAU, per_item_range=(-1.0, 1.0))
    low, high = pair_bootstrap(pairs, statistic)
    return MeasureResult(spec.id, rounded(estimate), None if low is None else rounded(low),
                         None if high is None else rounded(high), len(data), len(pairs), TAU,
                         per_item_range=(-1.0, 1.0))


def intransitive_triads(frame: pd.DataFrame, spec: IntransitiveTriads) -> MeasureResult:
    """Share of the design's triads whose majority choices (over every framing and session) cycle."""
    data = answered(frame)
    if data.empty:
        return empty_result(spec.id, CYCLES)
    pairs = {tuple(sorted(p)) for p in data[["task_a", "task_b"]].astype(str).itertuples(index=False)}
    found = cyclic_triads(choices(data), sorted(pairs))  # type: ignore[arg-type]
    decided = {"+".join(triad): float(cyclic) for triad, cyclic in found.items() if cyclic is not None}
    if not decided:
        return empty_result(spec.id, CYCLES)
    result = clustered_share(spec.id, list(decided.values()), list(decided))
    return MeasureResult(result.id, result.estimate, result.ci_low, result.ci_high, len(data), result.n_items,
                         CYCLES, result.per_item, item_variance=result.item_variance)


def _in_categories(data: pd.DataFrame, categories: list[str], exclude: list[str] | None = None) -> pd.Series:
    a, b = data["category_a"].astype(str), data["category_b"].astype(str)
    keep = (a.isin(categories) | b.isin(categories)) if categories else pd.Series(True, index=data.index)
    if exclude:
        keep &= ~(a.isin(exclude) | b.isin(exclude))
    return keep


def opt_out_rate(frame: pd.DataFrame, spec: OptOutRate) -> MeasureResult:
    """Share of answers that opted out, clustered by pair, over the pairs the categories select."""
    data = answered(frame)
    if not data.empty:
        data = data[_in_categories(data, spec.categories, spec.exclude)]
    if data.empty:
        return empty_result(spec.id, KORN_GRAUBARD)
    return clustered_share(spec.id, data["value_opted_out"].astype(float).tolist(), data["item"].astype(str).tolist())


def below_opt_out(frame: pd.DataFrame, spec: BelowOptOut) -> MeasureResult:
    """Share of the categories' tasks whose strength (fitted to every answer) is below the opt-out's."""
    data = answered(frame)
    if data.empty:
        return empty_result(spec.id, BOOTSTRAP)
    answers = Encoded.of(data)
    category = {**dict(zip(data["task_a"].astype(str), data["category_a"].astype(str))),
                **dict(zip(data["task_b"].astype(str), data["category_b"].astype(str)))}
    chosen = np.array([category.get(task) in spec.categories for task in answers.tasks])
    if not chosen.any():
        return empty_result(spec.id, BOOTSTRAP)

    def statistic(pairs: list[Hashable]) -> float:
        return float((answers.strengths(answers.rows(pairs))[chosen] < 0).mean())

    pairs: list[Hashable] = list(answers.rows_of_pair)
    below = answers.strengths(answers.rows(pairs)) < 0
    per_task = {task: float(b) for task, b, c in zip(answers.tasks, below, chosen) if c}
    low, high = pair_bootstrap(pairs, statistic)
    return MeasureResult(spec.id, rounded(float(below[chosen].mean())), None if low is None else rounded(low),
                         None if high is None else rounded(high), len(data), int(chosen.sum()), BOOTSTRAP, per_task)


@dataclass(frozen=True)
class Strength:
    """One task's log-strength against the opt-out (0), with its interval and how many answers offered it."""

    task: str
    category: str
    strength: float
    ci_low: float
    ci_high: float
    answers: int


def task_strengths(frame: pd.DataFrame) -> list[Strength]:
    """Every task's Luce/Bradley-Terry strength (opt-out 0) fitted to every answer, strongest first.

    The numbers the rankings and ``below_opt_out`` rest on, shown so a reader sees which
    tasks the respondent would rather not do at all (below 0) and how sure that is: the
    interval is the pair bootstrap of the same fit. Empty when the frame has no choices.
    """
    data = answered(frame)
    if data.empty:
        return []
    answers = Encoded.of(data)
    pairs: list[Hashable] = list(answers.rows_of_pair)
    fitted = answers.strengths(answers.rows(pairs))
    low, high = pair_bootstrap_each(pairs, lambda resample: answers.strengths(answers.rows(resample)))
    category = {**dict(zip(data["task_a"].astype(str), data["category_a"].astype(str))),
                **dict(zip(data["task_b"].astype(str), data["category_b"].astype(str)))}
    offered = pd.concat([data["task_a"], data["task_b"]]).astype(str).value_counts()
    found = [Strength(task, category.get(task, ""), float(rounded(float(value))), float(rounded(float(lo))),
                      float(rounded(float(hi))), int(offered.get(task, 0)))
             for task, value, lo, hi in zip(answers.tasks, fitted, low, high)]
    return sorted(found, key=lambda s: (-s.strength, s.task))
