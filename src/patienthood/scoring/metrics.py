"""What inspect shows of a battery: the mean of every number, the battery's own headline measure, and epochs reduced honestly.

Scores are mappings (``{"affirms": 1, "denies": 0, ...}``, ``{"correct": 1}``) so that
reports can read every number from the log. Three pieces make them read well in
inspect's own tools (``inspect view``, ``evals_df``, progress displays, Inspect Flow):

- ``means`` reads each score once and returns every key's mean together (one
  ``mean()`` per key made inspect copy every score once per key, a fifth of a
  self_report run's time);
- ``declared_measure`` computes the battery's primary measure (the first it declares
  in its battery.yaml) with the same code the report uses, item-clustered, with its
  standard error as ``stderr``, so the headline is the number the criteria read, not
  the first key in alphabetical order (self_prediction's headline was the
  behaviour-free baseline's accuracy);
- ``scorable_mean`` reduces a sample's epochs to the mean over the epochs that could be
  read, so an unreadable epoch does not count as a zero, and says how many there were.

Heavy imports (pandas, the analysis layer) happen inside the metric, when inspect
computes it, so loading the task registry stays light.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from inspect_ai.scorer import (
    Metric,
    SampleScore,
    Score,
    ScoreReducer,
    metric,
    score_reducer,
)


@metric
def means() -> Metric:
    """The mean of every numeric entry of dict-valued scores, by key."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        counts: dict[str, int] = defaultdict(int)
        for sample_score in scores:
            value = sample_score.score.value
            if not isinstance(value, dict):
                continue
            for key, number in value.items():
                if isinstance(number, (int, float)):  # True counts as 1, as inspect's mean() reads it
                    totals[key] += float(number)
                    counts[key] += 1
        return {key: totals[key] / counts[key] for key in sorted(totals)}

    return compute


def _readable(score: Score) -> bool:
    metadata = score.metadata or {}
    if "scorable" in metadata:
        return bool(metadata["scorable"])
    return metadata.get("stance", "unscorable") != "unscorable"


@score_reducer(name="scorable_mean")
def scorable_mean() -> ScoreReducer:
    """Each number's mean over the epochs that were read; over all epochs when none was."""

    def reduce(scores: list[Score]) -> Score:
        readable = [score for score in scores if _readable(score)]
        counted = readable or scores
        totals: dict[str, float] = defaultdict(float)
        for score in counted:
            if isinstance(score.value, dict):
                for key, number in score.value.items():
                    if isinstance(number, (int, float)):
                        totals[key] += float(number)
        methods = Counter(str((score.metadata or {}).get("method", "none")) for score in scores)
        return Score(
            value={key: totals[key] / len(counted) for key in sorted(totals)},
            answer=next((score.answer for score in readable if score.answer), None),
            explanation=f"{len(readable)} of {len(scores)} epochs read",
            metadata={"scorable": bool(readable), "epochs": len(scores), "epochs_read": len(readable),
                      "methods": dict(sorted(methods.items()))},
        )

    return reduce


@metric
def declared_measure(measure: dict[str, Any], battery: str) -> Metric:
    """A battery's declared measure over inspect's per-sample (epoch-reduced) scores, with its stderr.

    ``measure`` is the declaration from battery.yaml (as data, so inspect can record it).
    The estimate is the report's, computed by ``analysis.measures`` from each sample's
    mean over its read epochs; the report itself computes it from every epoch's answer,
    so the two intervals may differ slightly, the estimate hardly at all.
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        from pydantic import TypeAdapter

        from patienthood.analysis.logs import tidy_frame, tidy_row
        from patienthood.analysis.measures import compute_measure, standard_error
        from patienthood.spec.models import MeasureDecl
        from patienthood.spec.vocabulary import SCORED_STANCES

        declaration = TypeAdapter(MeasureDecl).validate_python(measure)
        rows = []
        for sample_score in scores:
            score = sample_score.score
            value = score.value if isinstance(score.value, dict) else {}
            shares = {stance: float(value.get(stance, 0.0)) for stance in SCORED_STANCES}
            scored = sum(shares.values())
            stance = max(sorted(shares), key=lambda s: shares[s]) if scored > 0 else "unscorable"
            readable = Score(value={**value, **({s: v / scored for s, v in shares.items()} if scored else {})},
                             metadata={"stance": stance, "scorable": _readable(score) or scored > 0})
            rows.append(tidy_row(sample_score.sample_metadata or {}, readable, log="", task="", battery=battery,
                                 sample_id=str(sample_score.sample_id), epoch=0, errored=False))
        result = compute_measure(tidy_frame(rows), declaration)
        if result.estimate is None:
            return {declaration.id: float("nan"), "stderr": float("nan")}
        return {declaration.id: result.estimate, "stderr": standard_error(result)}

    return compute
