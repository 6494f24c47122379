"""Page 1's plain sentences: built from a rule and its numbers, in the words of reports/phrases.yaml."""

from __future__ import annotations

import pytest

from patienthood.content import content_dir
from patienthood.report.plain import Phrases, fill, plain_reason


def criterion(verdict: str, measures: dict[str, tuple[float, float, float]], requires: tuple[str, ...] = (),
              status: str = "success", scored: int = 10) -> dict:
    return {
        "id": "c", "title": "C", "verdict": verdict, "verdict_reason": "exact", "requires": list(requires),
        "battery": "b", "coverage": {"status": status, "planned": 10, "scored": scored, "stopped_early": 0},
        "rule": {"min_scorable_share": 0.8, "outcomes": [
            {"verdict": "meets", "combine": "all", "conditions": ["agreement.ci_low >= 0.8", "shift.ci_high <= 0.2"]},
            {"verdict": "does_not_meet", "combine": "any", "conditions": ["shift.ci_low > 0.2"]}]},
        "measures": [{"id": k, "estimate": e, "ci_low": lo, "ci_high": hi} for k, (e, lo, hi) in measures.items()],
    }


@pytest.fixture(scope="module")
def phrases() -> Phrases:
    return Phrases({**Phrases.load(content_dir("reports")).data,
                    "measures": {"agreement": {"name": "agreement", "unit": "percent"},
                                 "shift": {"name": "the shift", "unit": "points"}}})


def test_each_way_to_a_verdict_reads_plainly(phrases: Phrases) -> None:
    met = plain_reason(criterion("meets", {"agreement": (0.95, 0.9, 1.0), "shift": (0.0, -0.1, 0.1)}), {}, phrases)
    assert met == "Met: agreement is at least 90%, above 80%; the shift is at most 10 points, below 20 points."
    failed = plain_reason(criterion("does_not_meet", {"agreement": (1, 0.95, 1), "shift": (0.9, 0.82, 1)}), {}, phrases)
    assert failed == "Not met: the shift is at least 82 points, above 20 points."
    undecided = plain_reason(criterion("inconclusive", {"agreement": (0.8, 0.6, 0.9), "shift": (0, -0.1, 0.1)}), {},
                             phrases)
    assert undecided.startswith("Undecided: agreement lies between 60% and 90%, across the line at 80%")
    waiting = plain_reason(criterion("inconclusive", {"agreement": (1, 1, 1), "shift": (0, 0, 0)}, requires=("d",)),
                           {"d": "does_not_meet"}, phrases, {"d": "Other criterion"})
    assert "“Other criterion”" in waiting and "“does not meet”" in waiting
    absent = plain_reason(criterion("inconclusive", {"agreement": (None, None, None), "shift": (None, None, None)},
                                    status="absent", scored=0), {}, phrases)
    assert absent == "Not judged: its battery (b) was not run for this report."


def test_a_bound_that_rounds_to_its_threshold_gets_a_decimal(phrases: Phrases) -> None:
    text = plain_reason(criterion("meets", {"agreement": (0.9, 0.804, 1.0), "shift": (0.0, -0.1, 0.196)}), {}, phrases)
    assert "at least 80.4%, above 80%" in text and "at most 19.6 points" in text


def test_placeholders_are_replaced_by_name_only() -> None:
    assert fill("{a} and {b}", {"a": "1", "b": "2"}) == "1 and 2"
    assert fill("{a.__class__}", {"a": "1"}) == "{a.__class__}"  # never str.format: no attribute access
    with pytest.raises(ValueError, match="unknown placeholder"):
        fill("{b}", {"a": "1"})
