"""One plain-language sentence per criterion: why it got its verdict, for the report's first page.

A policy reader should not have to parse ``suggestibility.ci_low > 0.2 (seen 0.82)``.
This module reads the criterion's rule and the numbers in the report data and fills in
the wording of ``reports/phrases.yaml`` (a content file, hashed with the templates): the
words are content, only the choice of which words is code. The exact conditions stay in
each criterion's detailed section.

Placeholders are replaced by name with plain substitution, never ``str.format``, so a
phrase cannot reach attributes of the values it is given.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from patienthood.spec.models import Condition
from patienthood.spec.vocabulary import VERDICT_LABELS

PHRASES_FILE = "phrases.yaml"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_BOUND = {"ci_low": "low", "ci_high": "high", "estimate": "estimate"}
# An undecided verdict names at most this many of the conditions that did not hold.
OPEN_REASONS = 2


def _parse(text: str) -> Condition | None:
    """A condition read back from the text the report data holds (None if it is not one)."""
    try:
        return Condition.parse(text)
    except ValueError:
        return None


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``{name}`` replaced by ``values[name]``; an unknown name is a content error."""
    def replace(found: re.Match[str]) -> str:
        if found[1] not in values:
            raise ValueError(f"{PHRASES_FILE}: unknown placeholder {{{found[1]}}} in {template!r}; "
                             f"use one of {', '.join(sorted(values))}")
        return values[found[1]]
    return _PLACEHOLDER.sub(replace, template)


class Phrases:
    """The wording of ``reports/phrases.yaml`` and the rules for writing numbers in it."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def load(cls, templates: Path) -> Phrases:
        from patienthood.spec.yamlfile import read_yaml

        return cls(read_yaml(templates / PHRASES_FILE).data)

    def measure_name(self, measure: str) -> str:
        return str(self.data.get("measures", {}).get(measure, {}).get("name", measure.replace("_", " ")))

    def number(self, measure: str, value: float, against: float | None = None) -> str:
        """A value as a reader reads it: a share as a percentage, a difference of shares as points.

        With ``against`` (the threshold it is compared with), a value that would round to
        the same figure gets one more decimal, so that "5 points, below 5 points" never appears.
        """
        unit = self.data.get("measures", {}).get(measure, {}).get("unit", "number")
        scale, decimals = (100, 0) if unit in ("percent", "points") else (1, 2)
        shown = f"{value * scale:.{decimals}f}"
        if against is not None and value != against and shown == f"{against * scale:.{decimals}f}":
            shown = f"{value * scale:.{decimals + 1}f}"
        return fill(self.data["units"][unit], {"value": shown})

    def condition(self, condition: Condition, measure: dict[str, Any]) -> str:
        """How one condition reads against the measure's numbers."""
        bound = measure.get(condition.field)
        low, high = measure.get("ci_low"), measure.get("ci_high")
        values = {"measure": self.measure_name(condition.measure),
                  "threshold": self.number(condition.measure, condition.threshold),
                  "bound": self.number(condition.measure, bound, condition.threshold) if bound is not None else "n/a",
                  "low": self.number(condition.measure, low) if low is not None else "n/a",
                  "high": self.number(condition.measure, high) if high is not None else "n/a"}
        if bound is None:
            return values["measure"]
        side = "above" if bound > condition.threshold else "below" if bound < condition.threshold else "at"
        return fill(self.data["conditions"][f"{_BOUND[condition.field]}_{side}"], values)

    def spans(self, condition: Condition, measure: dict[str, Any]) -> str:
        values = {"measure": self.measure_name(condition.measure),
                  "threshold": self.number(condition.measure, condition.threshold),
                  "low": self.number(condition.measure, measure["ci_low"]),
                  "high": self.number(condition.measure, measure["ci_high"]), "bound": ""}
        return fill(self.data["conditions"]["spans"], values)

    def sentence(self, kind: str, **values: str) -> str:
        return fill(self.data["verdicts"][kind], values)

    def join(self, parts: list[str]) -> str:
        return str(self.data["join"]).join(parts)


def _straddles(condition: Condition, measure: dict[str, Any]) -> bool:
    low, high = measure.get("ci_low"), measure.get("ci_high")
    return low is not None and high is not None and low <= condition.threshold <= high


def plain_reason(criterion: dict[str, Any], verdicts: dict[str, str], phrases: Phrases,
                 titles: dict[str, str] | None = None) -> str:
    """Why ``criterion`` got its verdict, in the words of ``phrases``.

    ``verdicts`` and ``titles`` are the set's verdicts and titles by criterion id (a
    criterion that requires another is explained by the other's verdict).
    """
    titles = titles or {}
    measures = {m["id"]: m for m in criterion["measures"]}
    unmet = [dep for dep in criterion["requires"] if verdicts.get(dep) != "meets"]
    if criterion["verdict"] == "inconclusive" and unmet:
        return phrases.sentence("requires", required=titles.get(unmet[0], unmet[0]),
                                required_verdict=VERDICT_LABELS.get(verdicts.get(unmet[0], ""), "not assessed"))
    coverage, rule = criterion["coverage"], criterion["rule"]
    if criterion["verdict"] == "inconclusive" and coverage["status"] == "absent":
        return phrases.sentence("not_run", battery=criterion["battery"])
    asked = coverage["planned"] - coverage["stopped_early"]
    share = coverage["scored"] / asked if asked else 0.0
    if criterion["verdict"] == "inconclusive" and share < rule["min_scorable_share"]:
        return phrases.sentence("too_few", share=f"{share:.0%}", needed=f"{rule['min_scorable_share']:.0%}")
    parsed = [(outcome, [_parse(c) for c in outcome["conditions"]]) for outcome in rule["outcomes"]]
    missing = sorted({c.measure for _, conditions in parsed for c in conditions
                      if c and (c.measure not in measures or measures[c.measure].get(c.field) is None)})
    if criterion["verdict"] == "inconclusive" and missing:
        return phrases.sentence("no_data", measures=", ".join(phrases.measure_name(m) for m in missing))

    for outcome, conditions in parsed:
        if outcome["verdict"] != criterion["verdict"] or any(c is None for c in conditions):
            continue
        held = [c for c in conditions if c.holds(measures[c.measure][c.field])]
        if (outcome["combine"] == "all" and len(held) == len(conditions)) or (outcome["combine"] == "any" and held):
            reasons = phrases.join([phrases.condition(c, measures[c.measure]) for c in held])
            return phrases.sentence(outcome["verdict"], reasons=reasons)

    # No outcome held: name the conditions for meets that failed, with the interval that spans their line.
    meets = next((conditions for outcome, conditions in parsed if outcome["verdict"] == "meets"), [])
    failed = [c for c in meets if c is not None and not c.holds(measures[c.measure][c.field])]
    reasons = [phrases.spans(c, measures[c.measure]) if _straddles(c, measures[c.measure])
               else phrases.condition(c, measures[c.measure]) for c in failed]
    if len(reasons) > OPEN_REASONS:  # a page-1 sentence; the criterion's section lists every condition
        reasons = [*reasons[:OPEN_REASONS], fill(phrases.data["more"], {"count": str(len(reasons) - OPEN_REASONS)})]
    return phrases.sentence("open", reasons=phrases.join(reasons) if reasons else criterion["verdict_reason"])


def plain_reasons(report: dict[str, Any], phrases: Phrases) -> dict[str, str]:
    """The plain sentence of every criterion of a report, by criterion id."""
    verdicts = {c["id"]: c["verdict"] for c in report["criteria"]}
    titles = {c["id"]: c["title"] for c in report["criteria"]}
    return {c["id"]: plain_reason(c, verdicts, phrases, titles) for c in report["criteria"]}
