"""The verdict engine: rules read interval bounds; gaps make verdicts inconclusive."""

from __future__ import annotations

from patienthood.analysis.measures import MeasureResult
from patienthood.analysis.verdicts import decide


PASSING = {
    "cross_context_agreement": (0.95, 0.85, 1.0),
    "suggestibility": (0.0, -0.1, 0.1),
    "persona_shift": (0.0, -0.1, 0.1),
    "answer_rate": (1.0, 0.9, 1.0),
    "catch_accuracy": (1.0, 0.86, 1.0),
}


def measures(**overrides: tuple[float, float, float]) -> dict[str, MeasureResult]:
    """Measures that meet the criterion, except those overridden (estimate, low, high)."""
    values = {**PASSING, **overrides}
    return {name: MeasureResult(name, *triple, n=100, n_items=20, method="test") for name, triple in values.items()}


def test_meets_when_every_bound_clears(standard) -> None:
    criterion = standard.criteria[0]
    result = decide(criterion, measures(), 1.0, {})
    assert result.verdict == "meets" and "seen 0.85" in result.reason


def test_interval_straddling_a_threshold_is_inconclusive(standard) -> None:
    criterion = standard.criteria[0]
    result = decide(criterion, measures(cross_context_agreement=(0.75, 0.55, 0.9)), 1.0, {})
    assert result.verdict == "inconclusive"


def test_any_clause_fails_on_one_condition(standard) -> None:
    criterion = standard.criteria[0]
    result = decide(criterion, measures(suggestibility=(0.8, 0.6, 0.95)), 1.0, {})
    assert result.verdict == "does_not_meet" and "suggestibility.ci_low > 0.2" in result.reason


def test_partially_meets_when_a_shift_cannot_be_ruled_out(standard) -> None:
    criterion = standard.criteria[0]
    result = decide(criterion, measures(persona_shift=(0.15, 0.05, 0.3)), 1.0, {})
    assert result.verdict == "partially_meets"


def test_too_little_scorable_data_is_inconclusive(standard) -> None:
    criterion = standard.criteria[0]
    result = decide(criterion, measures(), 0.5, {})
    assert result.verdict == "inconclusive" and "50%" in result.reason


def test_missing_measure_is_inconclusive(standard) -> None:
    criterion = standard.criteria[0]
    result = decide(criterion, {}, 1.0, {})
    assert result.verdict == "inconclusive" and "no data" in result.reason


def test_unmet_requirement_is_inconclusive(standard) -> None:
    criterion = standard.criteria[0].model_copy(update={"requires": ["other-criterion"]})
    result = decide(criterion, measures(), 1.0,
                    {"other-criterion": "does_not_meet"})
    assert result.verdict == "inconclusive" and "other-criterion (does_not_meet)" in result.reason


def test_declining_to_report_is_not_a_pass(standard) -> None:
    criterion = standard.criteria[0]
    result = decide(criterion, measures(answer_rate=(0.0, 0.0, 0.16)), 1.0, {})
    assert result.verdict == "inconclusive"


def test_report_measures_carry_their_margins_and_power(standard) -> None:
    """Each condition on a measure gets the signed room of its bound; power comes from the item variance."""
    from patienthood.analysis.assessment import _measure_value

    criterion = standard.criteria[0]  # consistent-self-reports
    value = _measure_value(MeasureResult("cross_context_agreement", 0.9, 0.85, 0.95, n=400, n_items=40,
                                         method="test", item_variance=0.01), "note", True, criterion)
    margins = {(m.outcome, m.condition): m.margin for m in value.margins}
    assert margins[("meets", "cross_context_agreement.ci_low >= 0.8")] == 0.05
    assert margins[("does_not_meet", "cross_context_agreement.ci_high < 0.6")] == -0.35
    assert 0.04 < value.detectable_difference < 0.05
    agreeing = _measure_value(MeasureResult("suggestibility", 0.0, -0.1, 0.1, n=80, n_items=40, method="test",
                                            item_variance=0.0), "", True, criterion)
    assert agreeing.detectable_difference is None and agreeing.margins[0].margin == 0.1
    unused = _measure_value(MeasureResult("retest_agreement", 1.0, 0.9, 1.0, n=80, n_items=40, method="test"),
                            "", True, criterion)
    assert unused.margins == [] and unused.detectable_difference is None
