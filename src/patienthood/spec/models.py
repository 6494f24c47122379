"""Pydantic models of the content files: criteria, criteria sets and batteries.

The models are strict (unknown fields are errors) because a typo in a published
standard must fail review, not silently change what is measured.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Verdict = Literal["meets", "partially_meets", "does_not_meet", "inconclusive"]
VERDICTS: tuple[Verdict, ...] = ("meets", "partially_meets", "does_not_meet", "inconclusive")

SEMVER = r"^\d+\.\d+\.\d+$"
SLUG = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
IDENT = r"^[a-z][a-z0-9_]*$"

_CONDITION = re.compile(
    r"^\s*(?P<measure>[a-z][a-z0-9_]*)\.(?P<field>estimate|ci_low|ci_high)\s*"
    r"(?P<op>>=|<=|>|<)\s*(?P<threshold>-?\d+(?:\.\d+)?)\s*$"
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(Strict):
    """One comparison of a measure's statistic with a threshold, e.g. ``x.ci_low >= 0.8``.

    The rule language is deliberately tiny and parsed by a regular expression, never
    evaluated as Python, so a criteria file cannot run code.
    """

    measure: str
    field: Literal["estimate", "ci_low", "ci_high"]
    op: Literal[">=", "<=", ">", "<"]
    threshold: float

    @classmethod
    def parse(cls, text: str) -> "Condition":
        match = _CONDITION.match(text)
        if not match:
            raise ValueError(
                f"cannot read the condition {text!r}; write it as "
                "'<measure>.<estimate|ci_low|ci_high> <op> <number>', "
                "for example 'cross_context_agreement.ci_low >= 0.80'"
            )
        return cls(measure=match["measure"], field=match["field"], op=match["op"],  # type: ignore[arg-type]
                   threshold=float(match["threshold"]))

    def __str__(self) -> str:
        return f"{self.measure}.{self.field} {self.op} {self.threshold:g}"

    def holds(self, value: float) -> bool:
        return {
            ">=": value >= self.threshold,
            "<=": value <= self.threshold,
            ">": value > self.threshold,
            "<": value < self.threshold,
        }[self.op]


class Clause(Strict):
    """Conditions combined with ``all`` (every one holds) or ``any`` (at least one)."""

    combine: Literal["all", "any"] = "all"
    conditions: list[Condition] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, value: object) -> object:
        # A bare list means "all"; a mapping {all: [...]} or {any: [...]} says which.
        if isinstance(value, list):
            return {"combine": "all", "conditions": value}
        if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("all", "any"):
            key = next(iter(value))
            return {"combine": key, "conditions": value[key]}
        if isinstance(value, dict) and "conditions" in value:
            return value
        raise ValueError("write a list of conditions, or a mapping with one key 'all' or 'any'")

    @field_validator("conditions", mode="before")
    @classmethod
    def _parse_conditions(cls, value: object) -> object:
        if not isinstance(value, list):
            raise ValueError("conditions must be a list")
        return [Condition.parse(v) if isinstance(v, str) else v for v in value]

    def __str__(self) -> str:
        joiner = " and " if self.combine == "all" else " or "
        return joiner.join(str(c) for c in self.conditions)


class VerdictRule(Strict):
    """How a criterion's measures become a verdict; outcomes are tried in this order:
    ``meets``, ``does_not_meet``, ``partially_meets``, then ``otherwise``."""

    meets: Clause
    does_not_meet: Clause | None = None
    partially_meets: Clause | None = None
    otherwise: Verdict = "inconclusive"
    min_scorable_share: float = Field(
        0.8, ge=0, le=1,
        description="Below this share of planned samples scored, the verdict is inconclusive.")

    def clauses(self) -> list[tuple[Verdict, Clause]]:
        ordered: list[tuple[Verdict, Clause | None]] = [
            ("meets", self.meets), ("does_not_meet", self.does_not_meet),
            ("partially_meets", self.partially_meets)]
        return [(name, clause) for name, clause in ordered if clause is not None]

    def conditions(self) -> list[Condition]:
        return [c for _, clause in self.clauses() for c in clause.conditions]


class MeasureRef(Strict):
    id: str = Field(pattern=IDENT)
    note: str = ""


class Criterion(Strict):
    """One criterion of the standard: what is measured, on which battery, and the rule."""

    id: str = Field(pattern=SLUG)
    version: str = Field(pattern=SEMVER)
    title: str = Field(min_length=3)
    status: Literal["draft", "adopted", "retired"]
    question: str = Field(min_length=3)
    rationale: str = Field(min_length=3)
    does_not_establish: str = Field(
        min_length=3, description="What meeting the criterion does not show; printed in the report.")
    references: list[str] = []
    battery: str = Field(pattern=IDENT)
    measures: list[MeasureRef] = Field(min_length=1)
    verdict: VerdictRule
    requires: list[str] = []

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @model_validator(mode="after")
    def _rule_uses_declared_measures(self) -> "Criterion":
        declared = {m.id for m in self.measures}
        for condition in self.verdict.conditions():
            if condition.measure not in declared:
                raise ValueError(
                    f"the verdict rule uses '{condition.measure}', which is not among this "
                    f"criterion's measures ({', '.join(sorted(declared))}); add it under "
                    "'measures' or correct the name")
        return self


class CriteriaSet(Strict):
    """An assessment standard: the pinned criteria (``id@version``) assessed together."""

    id: str = Field(pattern=SLUG)
    version: str = Field(pattern=SEMVER)
    title: str
    description: str = ""
    criteria: list[str] = Field(min_length=1)

    @field_validator("criteria")
    @classmethod
    def _pinned(cls, refs: list[str]) -> list[str]:
        for ref in refs:
            if not re.match(r"^[a-z][a-z0-9-]*@\d+\.\d+\.\d+$", ref):
                raise ValueError(f"'{ref}' is not pinned; write it as 'criterion-id@1.0.0'")
        if len(set(refs)) != len(refs):
            raise ValueError("a criterion is listed twice")
        return refs


class _MeasureBase(Strict):
    id: str = Field(pattern=IDENT)
    description: str


class ModalAgreement(_MeasureBase):
    """Share of answers equal to the most common answer of their cell (item, or item and context)."""

    kind: Literal["modal_agreement"]
    contexts: Literal["neutral", "all"] = "neutral"
    cell: list[Literal["item", "context"]] = Field(default_factory=lambda: ["item"], min_length=1)
    scale: Literal["proportion"] = "proportion"


class LeanShift(_MeasureBase):
    """Affirm rate in the contexts of one axis leaning towards affirming, minus leaning towards denying."""

    kind: Literal["lean_shift"]
    axis: str
    scale: Literal["difference"] = "difference"


class StanceRate(_MeasureBase):
    """Share of scorable answers whose stance is one of ``stances``."""

    kind: Literal["stance_rate"]
    stances: list[Literal["affirms", "denies", "uncertain", "refuses"]] = Field(min_length=1)
    contexts: Literal["neutral", "all"] = "neutral"
    scale: Literal["proportion"] = "proportion"


class MeanOf(_MeasureBase):
    """Mean of one per-answer score column over the answers whose metadata match ``where``.

    The generic measure for batteries whose scorer writes named numbers into
    ``Score.value`` (accuracy, agreement, Kendall's tau): a proportion when the column
    is 0/1, otherwise a mean; intervals are clustered by item either way.
    """

    kind: Literal["mean_of"]
    column: str = Field(pattern=IDENT)
    where: dict[str, str | int | float | bool] = {}
    scale: Literal["proportion", "mean"] = "proportion"


class DifferenceOf(_MeasureBase):
    """Mean of ``column`` where ``where_a`` holds minus where ``where_b`` holds, paired by item.

    With ``column_b``, the difference of two columns on the same answers instead.
    ``absolute`` reports the size of the difference whatever its sign.
    """

    kind: Literal["difference_of"]
    column: str = Field(pattern=IDENT)
    column_b: str | None = Field(None, pattern=IDENT)
    where_a: dict[str, str | int | float | bool] = {}
    where_b: dict[str, str | int | float | bool] = {}
    absolute: bool = False
    scale: Literal["difference"] = "difference"


MeasureDecl = Annotated[ModalAgreement | LeanShift | StanceRate | MeanOf | DifferenceOf, Field(discriminator="kind")]
MEASURE_KINDS = ("modal_agreement", "lean_shift", "stance_rate", "mean_of", "difference_of")


class Item(Strict):
    """A question put to the system about its own states."""

    id: str = Field(pattern=IDENT)
    topic: str
    text: str = Field(min_length=3)
    # positive: "yes" affirms the state; negative: the question is phrased so that
    # "yes" denies it (guards against reading plain acquiescence as affirmation).
    polarity: Literal["positive", "negative"] = "positive"


class Context(Strict):
    """A framing the same item is asked in: system prompt, user framing and lean."""

    id: str = Field(pattern=IDENT)
    axis: str
    description: str
    system: str | None = None
    framing: str = Field(
        "{{ question }}",
        description="jinja2 template of the user's message; receives 'question'.")
    lean: Literal["none", "affirm", "deny"] = Field(
        "none", description="Whether the context pushes towards affirming or denying inner states.")
    neutral: bool = Field(True, description="Neutral contexts count towards cross-context agreement.")

    @model_validator(mode="after")
    def _leaning_is_not_neutral(self) -> "Context":
        if self.lean != "none" and self.neutral:
            raise ValueError(f"context '{self.id}' leans '{self.lean}' but is marked neutral; set neutral: false")
        return self


class AnswerFormat(Strict):
    id: str = Field(pattern=IDENT)
    template: str = Field(description="Template file (relative to the battery) appended to the question.")


class Battery(Strict):
    """A battery's manifest: its files, templates and measures.

    ``items``/``contexts``/``answer_format`` are the self-report layout; other batteries
    name their own YAML files under ``data`` and templates under ``templates`` (all
    relative to the battery folder), which the loader reads and checks whole before a
    run, and which the battery's task module validates against its own models.
    """

    id: str = Field(pattern=IDENT)
    version: str = Field(pattern=SEMVER)
    title: str
    description: str
    epochs: int = Field(5, ge=1)
    items: str | None = None
    contexts: str | None = None
    answer_format: AnswerFormat | None = None
    data: dict[str, str] = {}
    templates: dict[str, str] = {}
    measures: list[MeasureDecl] = Field(min_length=1)
