"""Turning measures into a verdict with a criterion's declarative rule.

The rule reads interval bounds, so a verdict is ``inconclusive`` whenever the interval
straddles a threshold; too little scorable data, a missing measure or an unmet
``requires`` also give ``inconclusive``, with the reason written down.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from patienthood.analysis.measures import MeasureResult
from patienthood.spec.models import Criterion, Verdict


@dataclass(frozen=True)
class ConditionCheck:
    condition: str
    value: float | None
    holds: bool | None


@dataclass(frozen=True)
class VerdictResult:
    verdict: Verdict
    reason: str
    checks: list[ConditionCheck] = field(default_factory=list)


def decide(criterion: Criterion, measures: dict[str, MeasureResult], scorable_share: float,
           required_verdicts: dict[str, Verdict]) -> VerdictResult:
    rule = criterion.verdict
    checks: list[ConditionCheck] = []
    for condition in rule.conditions():
        measure = measures.get(condition.measure)
        value = getattr(measure, condition.field) if measure else None
        checks.append(ConditionCheck(str(condition), value, None if value is None else condition.holds(value)))

    unmet = [f"{dep} ({required_verdicts.get(dep, 'not assessed')})" for dep in criterion.requires
             if required_verdicts.get(dep) != "meets"]
    if unmet:
        return VerdictResult("inconclusive", "requires " + ", ".join(unmet) + " to be met", checks)
    if scorable_share < rule.min_scorable_share:
        return VerdictResult("inconclusive",
                             f"only {scorable_share:.0%} of planned answers were scorable "
                             f"(the rule needs {rule.min_scorable_share:.0%})", checks)
    missing = sorted({c.measure for c in rule.conditions()
                      if measures.get(c.measure) is None or getattr(measures[c.measure], c.field) is None})
    if missing:
        return VerdictResult("inconclusive", "no data for " + ", ".join(missing), checks)

    for verdict, clause in rule.clauses():
        values = [getattr(measures[c.measure], c.field) for c in clause.conditions]
        held = [(c, v) for c, v in zip(clause.conditions, values) if c.holds(v)]
        if len(held) == len(values) if clause.combine == "all" else held:
            because = " and ".join(f"{c} (seen {v:.2f})" for c, v in held)
            return VerdictResult(verdict, f"because {because}", checks)
    return VerdictResult(rule.otherwise, "the conditions of no outcome held (an interval straddles a threshold)",
                         checks)
