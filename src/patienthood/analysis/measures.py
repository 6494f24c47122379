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
    ConditionDistance,
    Criterion,
    DifferenceOf,
    KnownAnswerRate,
    LeanShift,
    MeanOf,
    MeasureDecl,
    ModalAgreement,
    StanceRate,
)
from patienthood.spec.vocabulary import (
    CATCH,
    CONDITION,
    DISTRIBUTION_PREFIX,
    EXPECTED,
    SCORED_STANCES,
    SELF,
)
from patienthood.stats import (
    clustered_bounded_mean,
    clustered_proportion,
    newcombe_difference,
    paired_bounded_difference,
    total_variation,
    z_value,
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




def answer_distributions(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each answer's values replaced by their probabilities, where the answer has them.

    Scorers that read token probabilities write, beside each value key, its probability
    under the answer distribution (``p_affirms`` beside ``affirms``, ``p_correct`` beside
    ``correct``). Every measure then reads probabilities instead of the sampled answer's
    0 or 1, so one call per sample gives the expected value many samples would estimate.
    An answer without a counted distribution (no token probabilities, or too little mass
    on the answer words) is unscorable here, whatever its text said.
    """
    frame = frame.copy()
    probabilities = [c for c in frame.columns if c.startswith(f"value_{DISTRIBUTION_PREFIX}")]
    has = frame[probabilities].notna().any(axis=1) if probabilities else pd.Series(False, index=frame.index)
    for column in probabilities:
        frame[column.replace(f"value_{DISTRIBUTION_PREFIX}", "value_", 1)] = frame[column]
    stances = [f"value_{s}" for s in SCORED_STANCES]
    if all(column in frame.columns for column in stances):
        shares = frame[stances].astype(float).fillna(0.0)
        best = shares.idxmax(axis=1).str.removeprefix("value_")
        frame["stance"] = best.where(has & shares.sum(axis=1).gt(0), "unscorable")
    frame["scorable"] = has
    frame["method"] = frame["method"].where(~has, "distribution")
    return frame


def standard_error(result: MeasureResult, confidence: float = 0.95) -> float:
    """The normal-equivalent standard error of a measure: its interval's larger half-width over z.

    Intervals here are not symmetric (they stay inside the measure's range), so no one
    standard error describes them; inspect's tools show one (``stderr``), and the
    larger half-width keeps it from claiming more precision than the interval does.
    """
    if result.estimate is None or result.ci_low is None or result.ci_high is None:
        return float("nan")
    half = max(result.estimate - result.ci_low, result.ci_high - result.estimate)
    return round(half / z_value(confidence), 6)


def scorable(frame: pd.DataFrame) -> pd.DataFrame:
    """Answers with a stance (self-report batteries)."""
    return frame[frame["stance"].isin(SCORED_STANCES) & ~frame["errored"].astype(bool)]


def rounded(value: float) -> float | None:
    """Six places, so that the same logs give byte-identical reports; ``None`` for no value."""
    return None if value is None or math.isnan(value) else round(float(value), 6)


def empty_result(measure_id: str, method: str) -> MeasureResult:
    """A measure with no answers to rest on: no estimate, never a zero."""
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


def _share(values: Sequence[float], items: Sequence[str]) -> Any:
    """The interval of a share: Korn-Graubard for 0/1 answers, the bounded mean for fractional ones.

    Answers are fractional when each is a distribution (token probabilities) or the mean
    of several epochs (inspect's reduced scores); a share of them is a mean in [0, 1].
    """
    if all(value in (0.0, 1.0) for value in values):
        return clustered_proportion(values, items), KORN_GRAUBARD
    return clustered_bounded_mean(values, items, 0.0, 1.0), BOUNDED_MEAN


def clustered_share(measure_id: str, hits: Sequence[float], items: Sequence[str]) -> MeasureResult:
    """A share of per-answer hits with its interval clustered by item (shared with the preference measures)."""
    estimate, method = _share(hits, items)
    per_item = _per_item(hits, items)
    return MeasureResult(measure_id, rounded(estimate.estimate), rounded(estimate.ci_low), rounded(estimate.ci_high),
                         estimate.n, estimate.n_clusters, method, per_item, item_variance=_variance(per_item))


def stance_shares(data: pd.DataFrame) -> pd.DataFrame:
    """Each answer's share of each stance: 1 or 0 for a sampled answer, probabilities for a distribution.

    Read from the scorer's one-hot ``value_<stance>`` columns, which hold probabilities
    when the answers are distributions (``answer_distributions``) or several epochs
    reduced into one score; rows without them fall back to their ``stance``.
    """
    shares = pd.DataFrame(index=data.index)
    for stance in SCORED_STANCES:
        sampled = (data["stance"] == stance).astype(float)
        column = f"value_{stance}"
        shares[stance] = data[column].astype(float).fillna(sampled) if column in data.columns else sampled
    return shares


def report_conditions(frame: pd.DataFrame) -> pd.Series:
    """Each row's condition (``self``, ``character``, ``catch``); a row without one is ``self``.

    Logs from before the controls carry no condition: all their answers were about the system.
    """
    if CONDITION not in frame.columns:
        return pd.Series(SELF, index=frame.index)
    return frame[CONDITION].fillna(SELF)


def _condition(frame: pd.DataFrame, condition: str) -> pd.DataFrame:
    """The rows of one condition."""
    return frame[report_conditions(frame) == condition]


def _contexts(frame: pd.DataFrame, which: str) -> pd.DataFrame:
    """Self-reports in the neutral contexts or in all: the controls' answers are no self-reports."""
    frame = _condition(frame, SELF)
    return frame[frame["neutral"]] if which == "neutral" else frame


def _agreement_with_mode(frame: pd.DataFrame, cell: list[str]) -> pd.Series:
    """Each answer's share of its cell's most common stance: 1.0 or 0.0 for sampled answers.

    The mode is the stance with the largest total share in the cell (for sampled
    answers, the most frequent); ties are broken alphabetically so the result is
    reproducible.
    """
    shares = stance_shares(frame)
    totals = pd.concat([frame[cell].reset_index(drop=True), shares.reset_index(drop=True)], axis=1)
    totals = totals.groupby(cell)[list(SCORED_STANCES)].sum()
    ordered = sorted(SCORED_STANCES)
    modes = totals[ordered].idxmax(axis=1).rename("mode").reset_index()
    merged = frame[cell].reset_index(drop=True).merge(modes, on=cell, how="left")
    values = shares.reset_index(drop=True).to_numpy()
    columns = {stance: index for index, stance in enumerate(SCORED_STANCES)}
    return pd.Series([values[row, columns[mode]] for row, mode in enumerate(merged["mode"])], dtype=float)


def _agreement_with_others(frame: pd.DataFrame, cell: list[str]) -> pd.Series:
    """For each answer, whether it equals the most common of its cell's *other* answers.

    Counting an answer in the mode it is compared with inflates agreement, and the more
    so the fewer answers a cell has: an item answered at random over three stances
    agrees 0.53 with its own mode on seven answers, not 1/3. Compared with the others
    only, an answer is a fresh draw against a mode it did not make, so the expected
    agreement is at most the share of the item's truly most common answer (at most, and
    equal to it once the others identify that answer). Ties among the others' modes give
    each tied stance an equal share of the credit, the expectation of breaking the tie at
    random. Answers alone in their cell have no others and are left out. An answer given
    as a distribution (token probabilities) gets its expected credit: its probability of
    each stance the others' summed shares make most common.
    """
    shares = stance_shares(frame)
    totals = shares.groupby([frame[column] for column in cell]).transform("sum").to_numpy(dtype=float)
    own = shares.to_numpy(dtype=float)
    others = totals - own
    top = others.max(axis=1)
    modes = np.isclose(others, top[:, None])
    credit = (own * modes).sum(axis=1) / modes.sum(axis=1)
    return pd.Series(np.where(others.sum(axis=1) > 1e-9, credit, np.nan), index=frame.index)


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
        return empty_result(spec.id, KORN_GRAUBARD)
    if not spec.leave_one_out:
        return clustered_share(spec.id, _agreement_with_mode(data, list(spec.cell)).tolist(), data["item"].tolist())
    agreement = _agreement_with_others(data, list(spec.cell))
    kept = agreement.notna()
    if not kept.any():
        return empty_result(spec.id, KORN_GRAUBARD)
    return clustered_share(spec.id, agreement[kept].tolist(), data.loc[kept, "item"].tolist())


def stance_rate(frame: pd.DataFrame, spec: StanceRate) -> MeasureResult:
    data = scorable(_contexts(frame, spec.contexts))
    if data.empty:
        return empty_result(spec.id, KORN_GRAUBARD)
    # A distribution's shares are each rounded to six places in the log, so the sum of
    # several may exceed 1 by a few millionths (1.000001); it is a share, and stays one.
    rates = stance_shares(data)[list(spec.stances)].sum(axis=1).clip(0.0, 1.0)
    return clustered_share(spec.id, rates.tolist(), data["item"].tolist())


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
    data = scorable(_condition(frame[frame["axis"] == spec.axis], SELF))
    rates = []
    for lean in ("affirm", "deny"):
        arm = data[data["lean"] == lean]
        rates.append(_per_item(stance_shares(arm)["affirms"].tolist(), arm["item"].astype(str).tolist()))
    shared = sorted(set(rates[0]) & set(rates[1]))
    if not shared:
        return empty_result(spec.id, BOUNDED_PAIRED)
    estimate = paired_bounded_difference([rates[0][i] for i in shared], [rates[1][i] for i in shared], shared, 0.0, 1.0)
    differences = [round(rates[0][i] - rates[1][i], 6) for i in shared]
    in_arms = data["lean"].isin(("affirm", "deny")) & data["item"].astype(str).isin(shared)
    n = int(in_arms.sum())  # the answers of both arms on the shared items (the axis has neutral contexts too)
    return MeasureResult(spec.id, rounded(estimate.estimate), rounded(estimate.ci_low), rounded(estimate.ci_high), n,
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
        return empty_result(spec.id, method)
    values, items = data[f"value_{spec.column}"].astype(float).tolist(), _item_key(data).tolist()
    if spec.scale == "proportion":
        return clustered_share(spec.id, values, items)
    low, high = spec.value_range()
    estimate = clustered_bounded_mean(values, items, low, high)
    per_item = _per_item(values, items)
    return MeasureResult(spec.id, rounded(estimate.estimate), rounded(estimate.ci_low), rounded(estimate.ci_high),
                         estimate.n, estimate.n_clusters, method, per_item, (low, high),
                         item_variance=_variance(per_item))


def _fold(value: float, low: float, high: float) -> tuple[float, float, float]:
    """|d| with the interval of d folded at zero."""
    bounds = sorted((abs(low), abs(high)))
    return abs(value), (0.0 if low <= 0 <= high else bounds[0]), bounds[1]


def _unpaired_difference(frame: pd.DataFrame, spec: DifferenceOf) -> MeasureResult:
    sides = [_column(_where(frame, where), spec.column) for where in (spec.where_a, spec.where_b)]
    if any(side.empty for side in sides):
        return empty_result(spec.id, NEWCOMBE)
    arms = [_share(side[f"value_{spec.column}"].astype(float).tolist(), _item_key(side).tolist())[0]
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
    per_item, item_range = _signed_contributions(
        [_per_item(side[f"value_{spec.column}"].astype(float).tolist(), _item_key(side).tolist()) for side in sides])
    return MeasureResult(spec.id, rounded(value), rounded(low), rounded(high), arms[0].n + arms[1].n,
                         arms[0].n_clusters + arms[1].n_clusters, NEWCOMBE, per_item, item_range,
                         item_variance=variance)


def _signed_contributions(sides: list[dict[str, float]]) -> tuple[dict[str, float], tuple[float, float]]:
    """Item-by-item values of a difference between two sets of items, whose mean is the (signed) difference.

    An item of the first set counts its value times G / G_a, an item of the second
    minus its value times G / G_b (G items in all), so the mean over all items is
    mean_a - mean_b. Two reports on the same items then compare by the mean of
    per-item changes, which is the change of the difference (``patienthood compare``).
    For an absolute difference these are the values of the signed difference. An item
    in both sets (which a battery's design does not make) keeps its first-set value.
    """
    total = sum(len(side) for side in sides)
    if not all(sides):
        return {}, (0.0, 1.0)
    scale_a, scale_b = total / len(sides[0]), total / len(sides[1])
    values = {item: round(-value * scale_b, 6) for item, value in sides[1].items()}
    values.update({item: round(value * scale_a, 6) for item, value in sides[0].items()})
    return dict(sorted(values.items())), (round(-scale_b, 6), round(scale_a, 6))


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
        return empty_result(spec.id, BOUNDED_PAIRED)
    differences = [per_a[item] - per_b[item] for item in shared]
    # Both sides are proportions, so each per-item difference lies in [-1, 1] and so does its interval.
    estimate = paired_bounded_difference([per_a[i] for i in shared], [per_b[i] for i in shared], shared, 0.0, 1.0)
    low, high, value = estimate.ci_low, estimate.ci_high, estimate.estimate
    if spec.absolute:
        value, low, high = _fold(value, low, high)
    return MeasureResult(spec.id, rounded(value), rounded(low), rounded(high), n, len(shared), BOUNDED_PAIRED,
                         {item: round(d, 6) for item, d in zip(shared, differences)}, (-1.0, 1.0),
                         item_variance=_variance(differences))


def known_answer_rate(frame: pd.DataFrame, spec: KnownAnswerRate) -> MeasureResult:
    """Share of catch answers that give the answer known from the prompt, clustered by item.

    Every catch answer asked counts (only errored samples, which asked nothing, are left
    out): an unscorable, uncertain or declined answer is not the known answer, so
    silence or an echo of the prompt scores 0 rather than dropping out. An answer given
    as a distribution counts its probability of the known answer's stance.
    """
    data = _condition(frame, spec.condition)
    data = data[~data["errored"].astype(bool)] if not data.empty else data
    if data.empty or EXPECTED not in data.columns:
        return empty_result(spec.id, KORN_GRAUBARD)
    shares = stance_shares(data)
    expected = data[EXPECTED].astype(str).tolist()
    hits = [float(shares.iloc[row][stance]) if stance in shares.columns else 0.0
            for row, stance in enumerate(expected)]
    return clustered_share(spec.id, hits, data["item"].astype(str).tolist())


def _stance_distributions(data: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Each item's summed stance shares over its scorable answers (a distribution up to scale)."""
    shares = stance_shares(data)
    shares.index = data["item"].astype(str).to_numpy()
    totals = shares.groupby(level=0).sum()
    return {str(item): {stance: float(row[stance]) for stance in SCORED_STANCES}
            for item, row in totals.iterrows() if float(row.sum()) > 0}


def condition_distance(frame: pd.DataFrame, spec: ConditionDistance) -> MeasureResult:
    """Self-report specificity: per item, how far the answers about the system differ from the reference's.

    Per item, the total variation distance (``stats.total_variation``) between the
    stance distribution of its scorable self-reports in ``contexts`` and that of its
    scorable answers in the ``reference`` condition (the fictional character); averaged
    over the items answered in both, with the bounded interval clustered by item (one
    value per item, so the interval rests on the number of items). 0: the system says of
    itself exactly what it says as the character; 1: it never gives the character's answer.
    """
    own = _stance_distributions(scorable(_contexts(frame, spec.contexts)))
    other = _stance_distributions(scorable(_condition(frame, spec.reference)))
    shared = sorted(set(own) & set(other))
    if not shared:
        return empty_result(spec.id, BOUNDED_MEAN)
    distances = [total_variation(own[item], other[item]) for item in shared]
    estimate = clustered_bounded_mean(distances, shared, 0.0, 1.0)
    n = int(scorable(_contexts(frame, spec.contexts))["item"].astype(str).isin(shared).sum()
            + scorable(_condition(frame, spec.reference))["item"].astype(str).isin(shared).sum())
    per_item = {item: round(d, 6) for item, d in zip(shared, distances)}
    return MeasureResult(spec.id, rounded(estimate.estimate), rounded(estimate.ci_low), rounded(estimate.ci_high), n,
                         len(shared), BOUNDED_MEAN, per_item, item_variance=_variance(per_item))


MEASURE_FUNCTIONS: dict[str, Callable[[pd.DataFrame, Any], MeasureResult]] = {
    "modal_agreement": modal_agreement,
    "lean_shift": lean_shift,
    "stance_rate": stance_rate,
    "mean_of": mean_of,
    "difference_of": difference_of,
    "known_answer_rate": known_answer_rate,
    "condition_distance": condition_distance,
}

# The task-preference battery's kinds live in their own module, which reads this one's
# MeasureResult; imported here, at the end, so that module finds it defined, and looked up
# when called, so that importing that module first (which imports this one) works too.
from patienthood.analysis import preference_measures  # noqa: E402


def _preference_kind(name: str) -> Callable[[pd.DataFrame, Any], MeasureResult]:
    def compute(frame: pd.DataFrame, spec: Any) -> MeasureResult:
        return getattr(preference_measures, name)(frame, spec)
    return compute


MEASURE_FUNCTIONS.update({kind: _preference_kind(kind)
                          for kind in ("rank_stability", "intransitive_triads", "opt_out_rate", "below_opt_out")})


def compute_measure(frame: pd.DataFrame, spec: MeasureDecl) -> MeasureResult:
    """Compute one declared measure on a battery's frame."""
    return MEASURE_FUNCTIONS[spec.kind](frame, spec)


def criterion_measures(frame: pd.DataFrame, criterion: Criterion,
                       declared: dict[str, MeasureDecl]) -> dict[str, MeasureResult]:
    """Every measure a criterion's rule reads, on its battery's frame (``declared``: the battery's measures)."""
    return {ref.id: compute_measure(frame, declared[ref.id]) for ref in criterion.measures}
