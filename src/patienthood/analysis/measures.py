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

import pandas as pd

from patienthood.spec.models import LeanShift, MeasureDecl, ModalAgreement, StanceRate
from patienthood.stats import clustered_proportion, newcombe_difference

SCORED_STANCES = ("affirms", "denies", "uncertain", "refuses")
KORN_GRAUBARD = ("Korn-Graubard interval: Clopper-Pearson on the effective sample size after the design "
                 "effect of clustering by item")
NEWCOMBE = "Newcombe's method on the two arms' item-clustered Korn-Graubard intervals"


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

    def as_dict(self) -> dict:
        return asdict(self)


def scorable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["stance"].isin(SCORED_STANCES) & ~frame["errored"]]


def _round(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 6)


def _empty(measure_id: str, method: str) -> MeasureResult:
    return MeasureResult(measure_id, None, None, None, 0, 0, method)


def _per_item(values: Sequence[float], items: Sequence[str]) -> dict[str, float]:
    means = pd.Series(list(values), index=list(items), dtype=float).groupby(level=0).mean()
    return {str(item): round(float(value), 6) for item, value in sorted(means.items())}


def _clustered(measure_id: str, hits: Sequence[float], items: Sequence[str]) -> MeasureResult:
    estimate = clustered_proportion(hits, items)
    return MeasureResult(measure_id, _round(estimate.estimate), _round(estimate.ci_low), _round(estimate.ci_high),
                         estimate.n, estimate.n_clusters, KORN_GRAUBARD, _per_item(hits, items))


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


def modal_agreement(frame: pd.DataFrame, spec: ModalAgreement) -> MeasureResult:
    data = scorable(_contexts(frame, spec.contexts))
    if data.empty:
        return _empty(spec.id, KORN_GRAUBARD)
    return _clustered(spec.id, _agreement_with_mode(data, list(spec.cell)).tolist(), data["item"].tolist())


def stance_rate(frame: pd.DataFrame, spec: StanceRate) -> MeasureResult:
    data = scorable(_contexts(frame, spec.contexts))
    if data.empty:
        return _empty(spec.id, KORN_GRAUBARD)
    return _clustered(spec.id, data["stance"].isin(spec.stances).astype(float).tolist(), data["item"].tolist())


def lean_shift(frame: pd.DataFrame, spec: LeanShift) -> MeasureResult:
    data = scorable(frame[frame["axis"] == spec.axis])
    arms, rates = [], []
    for lean in ("affirm", "deny"):
        arm = data[data["lean"] == lean]
        if arm.empty:
            return _empty(spec.id, NEWCOMBE)
        affirms = (arm["stance"] == "affirms").astype(float).tolist()
        arms.append(clustered_proportion(affirms, arm["item"].tolist()))
        rates.append(_per_item(affirms, arm["item"].tolist()))
    difference, low, high = newcombe_difference(arms[0], arms[1])
    per_item = {item: round(rates[0][item] - rates[1][item], 6) for item in sorted(set(rates[0]) & set(rates[1]))}
    return MeasureResult(spec.id, _round(difference), _round(low), _round(high),
                         arms[0].n + arms[1].n, int(data["item"].nunique()), NEWCOMBE, per_item)


MEASURE_FUNCTIONS: dict[str, Callable[[pd.DataFrame, Any], MeasureResult]] = {
    "modal_agreement": modal_agreement,
    "lean_shift": lean_shift,
    "stance_rate": stance_rate,
}


def compute_measure(frame: pd.DataFrame, spec: MeasureDecl) -> MeasureResult:
    """Compute one declared measure on a battery's frame."""
    return MEASURE_FUNCTIONS[spec.kind](frame, spec)
