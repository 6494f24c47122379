"""Measures: the numbers a criterion's rule reads, computed from a battery's tidy frame.

A battery declares its measures in its YAML by kind and parameters (which contexts,
which axis); this module holds one generic function per kind, so which contexts a
measure reads stays in content, not in code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from patienthood.spec.models import (
    Criterion,
    DifferenceOf,
    LeanShift,
    MeanOf,
    MeasureDecl,
    ModalAgreement,
    StanceRate,
)
from patienthood.spec.vocabulary import SCORED_STANCES
from patienthood.stats import (
    clustered_bounded_mean,
    clustered_proportion,
    newcombe_difference,
    paired_bounded_difference,
)

KORN_GRAUBARD = ("Korn-Graubard interval: Clopper-Pearson on the effective sample size after the design "
                 "effect of clustering by item")
NEWCOMBE = "Newcombe's method on the two arms' item-clustered Korn-Graubard intervals"
BOUNDED_MEAN = ("bounded Korn-Graubard interval: the mean rescaled to [0, 1] and treated as a proportion on its "
                "item-clustered effective size; when every item agrees, the share of items that could differ")
BOUNDED_PAIRED = ("per-item differences, paired by item (Miller 2024), with the bounded Korn-Graubard interval "
                  "of their mean")


@dataclass(frozen=True)
class MeasureResult:
    """One measure's value with its 95% interval, and how many answers and items it rests on."""

    id: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    n_items: int
    method: str
    # The measure item by item, so that two reports on the same items can be compared
    # as paired differences (Miller 2024) without going back to the logs.
    per_item: dict[str, float] = field(default_factory=dict)
    # The values an item's entry can take, so a comparison's interval stays inside them.
    per_item_range: tuple[float, float] = (0.0, 1.0)
    # The variance between items that the estimate's uncertainty rests on (per-item values
    # at the design's epochs and contexts; for a difference of two arms, the sum the
    # independent-arms interval assumes), for power statements (stats.detectable_difference).
    item_variance: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def scorable(frame: pd.DataFrame) -> pd.DataFrame:
    """Answers with a stance (self-report batteries)."""
    return frame[frame["stance"].isin(SCORED_STANCES) & ~frame["errored"].astype(bool)]


def _round(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 6)


def _empty(measure_id: str, method: str) -> MeasureResult:
    return MeasureResult(measure_id, None, None, None, 0, 0, method)


def _per_item(values: Sequence[float], items: Sequence[str]) -> dict[str, float]:
    means = pd.Series(list(values), index=list(items), dtype=float).groupby(level=0).mean()
    return {str(item): round(float(value), 6) for item, value in sorted(means.items())}


def _variance(per_item: dict[str, float] | Sequence[float]) -> float | None:
    """Sample variance (n - 1) of per-item values; None with fewer than two items."""
    values = list(per_item.values()) if isinstance(per_item, dict) else list(per_item)
    if len(values) < 2:
        return None
    return round(float(pd.Series(values, dtype=float).var(ddof=1)), 9)


def _clustered(measure_id: str, hits: Sequence[float], items: Sequence[str]) -> MeasureResult:
    estimate = clustered_proportion(hits, items)
    per_item = _per_item(hits, items)
    return MeasureResult(measure_id, _round(estimate.estimate), _round(estimate.ci_low), _round(estimate.ci_high),
                         estimate.n, estimate.n_clusters, KORN_GRAUBARD, per_item, item_variance=_variance(per_item))


def _contexts(frame: pd.DataFrame, which: str) -> pd.DataFrame:
    return frame[frame["neutral"]] if which == "neutral" else frame


def _agreement_with_mode(frame: pd.DataFrame, cell: list[str]) -> pd.Series:
    """1.0 where an answer equals the most common answer of its cell, else 0.0.

    Ties between stances are broken alphabetically so the result is reproducible.
    """
    counts = frame.groupby(cell + ["stance"]).size().reset_index(name="count")
    counts = counts.sort_values(cell + ["count", "stance"], ascending=[True] * len(cell) + [False, True])
    modes = counts.drop_duplicates(cell)[cell + ["stance"]].rename(columns={"stance": "mode"})
    merged = frame[cell + ["stance"]].merge(modes, on=cell, how="left")
    return (merged["stance"] == merged["mode"]).astype(float)


def _agreement_with_others(frame: pd.DataFrame, cell: list[str]) -> pd.Series:
    """For each answer, whether it equals the most common of its cell's *other* answers.

    Counting an answer in the mode it is compared with inflates agreement, and the more
    so the fewer answers a cell has: an item answered at random over three stances
    agrees 0.53 with its own mode on seven answers, not 1/3. Compared with the others
    only, an answer is a fresh draw against a mode it did not make, so the expected
    agreement is at most the share of the item's truly most common answer (at most, and
    equal to it once the others identify that answer). Ties among the others' modes give
    each tied stance an equal share of the credit, the expectation of breaking the tie at
    random. Answers alone in their cell have no others and are left out.
    """
    counts = frame.groupby(cell + ["stance"]).size().unstack("stance", fill_value=0)
    stances = list(counts.columns)
    index = pd.MultiIndex.from_frame(frame[cell]) if len(cell) > 1 else pd.Index(frame[cell[0]])
    others = np.array(counts.reindex(index).to_numpy(dtype=float), copy=True)
    own = np.array([stances.index(stance) for stance in frame["stance"]])
    rows = np.arange(len(frame))
    others[rows, own] -= 1
    top = others.max(axis=1)
    modes = others == top[:, None]
    credit = np.where(modes[rows, own], 1.0 / modes.sum(axis=1), 0.0)
    return pd.Series(np.where(others.sum(axis=1) > 0, credit, np.nan), index=frame.index)


def modal_agreement(frame: pd.DataFrame, spec: ModalAgreement) -> MeasureResult:
    """Agreement with the cell's mode, over the cells with at least ``min_answers`` scorable answers.

    A design that asks most cells once and a few in every epoch (``self_report``) would
    otherwise count every single answer as agreeing with itself in a retest measure.
    With ``leave_one_out`` each answer is compared with the mode of the other answers
    of its cell (``_agreement_with_others``), which does not count an answer in its own
    favour.
    """
    data = scorable(_contexts(frame, spec.contexts))
    if spec.min_answers > 1 and not data.empty:
        sizes = data.groupby(list(spec.cell))["stance"].transform("size")
        data = data[sizes >= spec.min_answers]
    if data.empty:
        return _empty(spec.id, KORN_GRAUBARD)
    if not spec.leave_one_out:
        return _clustered(spec.id, _agreement_with_mode(data, list(spec.cell)).tolist(), data["item"].tolist())
    agreement = _agreement_with_others(data, list(spec.cell))
    kept = agreement.notna()
    if not kept.any():
        return _empty(spec.id, KORN_GRAUBARD)
    return _clustered(spec.id, agreement[kept].tolist(), data.loc[kept, "item"].tolist())


def stance_rate(frame: pd.DataFrame, spec: StanceRate) -> MeasureResult:
    data = scorable(_contexts(frame, spec.contexts))
    if data.empty:
        return _empty(spec.id, KORN_GRAUBARD)
    return _clustered(spec.id, data["stance"].isin(spec.stances).astype(float).tolist(), data["item"].tolist())


def lean_shift(frame: pd.DataFrame, spec: LeanShift) -> MeasureResult:
    """Affirm rate leaning one way minus the other, paired within the items answered in both arms.

    The design asks every item of a lean pair in both of its arms, so the shift is a
    difference within items: per item, its affirm rate in the arm leaning towards
    affirming minus in the arm leaning away, averaged over items with the bounded paired
    interval (``stats.paired_bounded_difference``; Miller 2024, paired analysis). An item
    answered in one arm only has no difference and is left out. Treating the arms as
    independent (Newcombe's method, used before) charges the difference with the spread
    of the items' levels: a respondent that steadily affirms some states and denies
    others, never moved by a lean, got a suggestibility interval of about +-0.22 on 40
    items and could not meet a 0.20 bound; paired, the items' levels cancel.
    """
    data = scorable(frame[frame["axis"] == spec.axis])
    rates = []
    for lean in ("affirm", "deny"):
        arm = data[data["lean"] == lean]
        rates.append(_per_item((arm["stance"] == "affirms").astype(float).tolist(), arm["item"].astype(str).tolist()))
    shared = sorted(set(rates[0]) & set(rates[1]))
    if not shared:
        return _empty(spec.id, BOUNDED_PAIRED)
    estimate = paired_bounded_difference([rates[0][i] for i in shared], [rates[1][i] for i in shared], shared, 0.0, 1.0)
    differences = [round(rates[0][i] - rates[1][i], 6) for i in shared]
    in_arms = data["lean"].isin(("affirm", "deny")) & data["item"].astype(str).isin(shared)
    n = int(in_arms.sum())  # the answers of both arms on the shared items (the axis has neutral contexts too)
    return MeasureResult(spec.id, _round(estimate.estimate), _round(estimate.ci_low), _round(estimate.ci_high), n,
                         len(shared), BOUNDED_PAIRED, dict(zip(shared, differences)), (-1.0, 1.0),
                         item_variance=_variance(differences))


def _where(frame: pd.DataFrame, conditions: dict[str, Any]) -> pd.DataFrame:
    for column, value in conditions.items():
        if column not in frame.columns:
            return frame.iloc[0:0]
        frame = frame[frame[column] == value]
    return frame


def _column(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Scorable answers that have a value in ``value_<name>``."""
    column = f"value_{name}"
    if column not in frame.columns:
        return frame.iloc[0:0]
    data = frame[frame["scorable"].astype(bool) & ~frame["errored"].astype(bool)]
    return data[data[column].notna()]


def _item_key(frame: pd.DataFrame) -> pd.Series:
    return frame["item"].astype(str)


def mean_of(frame: pd.DataFrame, spec: MeanOf) -> MeasureResult:
    data = _column(_where(frame, spec.where), spec.column)
    method = KORN_GRAUBARD if spec.scale == "proportion" else BOUNDED_MEAN
    if data.empty:
        return _empty(spec.id, method)
    values, items = data[f"value_{spec.column}"].astype(float).tolist(), _item_key(data).tolist()
    if spec.scale == "proportion":
        return _clustered(spec.id, values, items)
    low, high = spec.value_range()
    estimate = clustered_bounded_mean(values, items, low, high)
    per_item = _per_item(values, items)
    return MeasureResult(spec.id, _round(estimate.estimate), _round(estimate.ci_low), _round(estimate.ci_high),
                         estimate.n, estimate.n_clusters, method, per_item, (low, high),
                         item_variance=_variance(per_item))


def _fold(value: float, low: float, high: float) -> tuple[float, float, float]:
    """|d| with the interval of d folded at zero."""
    bounds = sorted((abs(low), abs(high)))
    return abs(value), (0.0 if low <= 0 <= high else bounds[0]), bounds[1]


def _unpaired_difference(frame: pd.DataFrame, spec: DifferenceOf) -> MeasureResult:
    sides = [_column(_where(frame, where), spec.column) for where in (spec.where_a, spec.where_b)]
    if any(side.empty for side in sides):
        return _empty(spec.id, NEWCOMBE)
    arms = [clustered_proportion(side[f"value_{spec.column}"].astype(float).tolist(), _item_key(side).tolist())
            for side in sides]
    value, low, high = newcombe_difference(arms[0], arms[1])
    if spec.absolute:
        value, low, high = _fold(value, low, high)
    # Two sets of items: the difference's variance is var_a / G_a + var_b / G_b, written as
    # the variance one pool of G_a + G_b items would need for the same standard error.
    sides_variance = [_variance(_per_item(side[f"value_{spec.column}"].astype(float).tolist(),
                                          _item_key(side).tolist())) for side in sides]
    variance = None
    if None not in sides_variance:
        pooled = sum(v / arm.n_clusters for v, arm in zip(sides_variance, arms))  # type: ignore[operator]
        variance = round(pooled * (arms[0].n_clusters + arms[1].n_clusters), 9)
    return MeasureResult(spec.id, _round(value), _round(low), _round(high), arms[0].n + arms[1].n,
                         arms[0].n_clusters + arms[1].n_clusters, NEWCOMBE, item_variance=variance)


def difference_of(frame: pd.DataFrame, spec: DifferenceOf) -> MeasureResult:
    """Paired by item: the per-item mean difference, averaged with a clustered t interval."""
    if not spec.paired:
        return _unpaired_difference(frame, spec)
    if spec.column_b is not None:
        data = _column(_column(_where(frame, spec.where_a), spec.column), spec.column_b)
        per_a = _per_item(data[f"value_{spec.column}"].astype(float).tolist(), _item_key(data).tolist())
        per_b = _per_item(data[f"value_{spec.column_b}"].astype(float).tolist(), _item_key(data).tolist())
        n = len(data)
    else:
        a = _column(_where(frame, spec.where_a), spec.column)
        b = _column(_where(frame, spec.where_b), spec.column)
        per_a = _per_item(a[f"value_{spec.column}"].astype(float).tolist(), _item_key(a).tolist())
        per_b = _per_item(b[f"value_{spec.column}"].astype(float).tolist(), _item_key(b).tolist())
        n = len(a) + len(b)
    shared = sorted(set(per_a) & set(per_b))
    if not shared:
        return _empty(spec.id, BOUNDED_PAIRED)
    differences = [per_a[item] - per_b[item] for item in shared]
    # Both sides are proportions, so each per-item difference lies in [-1, 1] and so does its interval.
    estimate = paired_bounded_difference([per_a[i] for i in shared], [per_b[i] for i in shared], shared, 0.0, 1.0)
    low, high, value = estimate.ci_low, estimate.ci_high, estimate.estimate
    if spec.absolute:
        value, low, high = _fold(value, low, high)
    return MeasureResult(spec.id, _round(value), _round(low), _round(high), n, len(shared), BOUNDED_PAIRED,
                         {item: round(d, 6) for item, d in zip(shared, differences)}, (-1.0, 1.0),
                         item_variance=_variance(differences))


MEASURE_FUNCTIONS: dict[str, Callable[[pd.DataFrame, Any], MeasureResult]] = {
    "modal_agreement": modal_agreement,
    "lean_shift": lean_shift,
    "stance_rate": stance_rate,
    "mean_of": mean_of,
    "difference_of": difference_of,
}


def compute_measure(frame: pd.DataFrame, spec: MeasureDecl) -> MeasureResult:
    """Compute one declared measure on a battery's frame."""
    return MEASURE_FUNCTIONS[spec.kind](frame, spec)


def criterion_measures(frame: pd.DataFrame, criterion: Criterion,
                       declared: dict[str, MeasureDecl]) -> dict[str, MeasureResult]:
    """Every measure a criterion's rule reads, on its battery's frame (``declared``: the battery's measures)."""
    return {ref.id: compute_measure(frame, declared[ref.id]) for ref in criterion.measures}
