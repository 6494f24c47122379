"""Measures: the numbers a criterion's rule reads, computed from a battery's tidy frame.

Each battery declares its measures in its YAML; this module holds the one function per
declared measure. ``measure_functions`` is checked against the YAML when a standard is
loaded for analysis, so a declared measure without code fails before any reading.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import pandas as pd

from patienthood.stats import clustered_proportion, newcombe_difference

SCORED_STANCES = ("affirms", "denies", "uncertain", "refuses")


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

    def as_dict(self) -> dict:
        return asdict(self)


MeasureFunction = Callable[[pd.DataFrame], MeasureResult]


def scorable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["stance"].isin(SCORED_STANCES) & ~frame["errored"]]


def _empty(measure_id: str, method: str) -> MeasureResult:
    return MeasureResult(measure_id, None, None, None, 0, 0, method)


def _round(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 6)


def _agreement_with_mode(frame: pd.DataFrame, cell: list[str]) -> pd.Series:
    """1.0 where an answer equals the most common answer of its cell, else 0.0.

    Ties between stances are broken alphabetically so the result is reproducible.
    """
    counts = frame.groupby(cell + ["stance"]).size().reset_index(name="count")
    counts = counts.sort_values(cell + ["count", "stance"], ascending=[True] * len(cell) + [False, True])
    modes = counts.drop_duplicates(cell)[cell + ["stance"]].rename(columns={"stance": "mode"})
    merged = frame[cell + ["stance"]].merge(modes, on=cell, how="left")
    return (merged["stance"] == merged["mode"]).astype(float)


def _proportion_measure(measure_id: str, frame: pd.DataFrame, cell: list[str], method: str) -> MeasureResult:
    data = scorable(frame)
    if data.empty:
        return _empty(measure_id, method)
    hits = _agreement_with_mode(data, cell)
    estimate = clustered_proportion(hits.tolist(), data["item"].tolist())
    return MeasureResult(measure_id, _round(estimate.estimate), _round(estimate.ci_low),
                         _round(estimate.ci_high), estimate.n, estimate.n_clusters, method)


CLUSTERED_WILSON = "Wilson interval on the effective sample size after the design effect of clustering by item"


def cross_context_agreement(frame: pd.DataFrame) -> MeasureResult:
    neutral = frame[frame["neutral"]]
    return _proportion_measure("cross_context_agreement", neutral, ["item"], CLUSTERED_WILSON)


def retest_agreement(frame: pd.DataFrame) -> MeasureResult:
    return _proportion_measure("retest_agreement", frame, ["item", "context"], CLUSTERED_WILSON)


def suggestibility(frame: pd.DataFrame) -> MeasureResult:
    method = ("affirm rate under an affirming lean minus under a denying lean; Newcombe "
              "interval on item-clustered Wilson intervals of each arm")
    data = scorable(frame)
    arms = []
    for lean in ("affirm", "deny"):
        arm = data[data["lean"] == lean]
        if arm.empty:
            return _empty("suggestibility", method)
        arms.append(clustered_proportion((arm["stance"] == "affirms").astype(float).tolist(), arm["item"].tolist()))
    difference, low, high = newcombe_difference(arms[0], arms[1])
    items = data[data["lean"].isin(["affirm", "deny"])]["item"].nunique()
    return MeasureResult("suggestibility", _round(difference), _round(low), _round(high),
                         arms[0].n + arms[1].n, items, method)


MEASURES: dict[str, dict[str, MeasureFunction]] = {
    "self_report": {
        "cross_context_agreement": cross_context_agreement,
        "suggestibility": suggestibility,
        "retest_agreement": retest_agreement,
    },
}


def measure_functions(battery: str) -> dict[str, MeasureFunction]:
    return MEASURES.get(battery, {})
