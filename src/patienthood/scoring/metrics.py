"""The one metric every patienthood scorer reports: the mean of each number in its score.

Scores are mappings (``{"affirms": 1, "denies": 0, ...}``, ``{"correct": 1}``) so that
reports can read every number from the log. inspect can show their means with one
``mean()`` metric per key, but then copies every sample's score once per key and
computes each metric separately, again after every sample while it runs: for the
self-report battery that was a fifth of a run's time. ``means`` reads each score once
and returns all the means together; inspect shows them as it shows any metric.
"""

from __future__ import annotations

from collections import defaultdict

from inspect_ai.scorer import Metric, SampleScore, metric


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
