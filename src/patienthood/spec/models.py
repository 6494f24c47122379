"""Pydantic models of the content files: criteria, criteria sets and batteries.

The models are strict (unknown fields are errors) because a typo in a published
standard must fail review, not silently change what is measured.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError

from patienthood.spec.vocabulary import VERDICTS, ScoredStance, Verdict  # noqa: E402,F401 - re-exported

# Patterns are written in the subset shared by Python and ECMA-262, so the JSON Schema
# that `patienthood criteria schema` prints means the same in editors and in check-jsonschema.
SEMVER = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"
SLUG = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
IDENT = r"^[a-z][a-z0-9_]*$"
PIN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*@(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"
# A threshold has at most 15 digits on each side of the point: exactly what a float holds.
CONDITION_PATTERN = (r"^\s*[a-z][a-z0-9_]*\.(estimate|ci_low|ci_high)\s*(>=|<=|>|<)\s*"
                     r"-?[0-9]{1,15}(\.[0-9]{1,15})?\s*$")

# What a pattern means, for error messages that say how to write the value.
PATTERN_HELP = {
    SEMVER: "a semantic version MAJOR.MINOR.PATCH, e.g. 1.2.0 (no leading zeros)",
    SLUG: "lower-case words joined by hyphens, e.g. consistent-self-reports",
    IDENT: "a lower-case identifier with underscores, e.g. cross_context_agreement",
    PIN: "a pinned criterion 'id@MAJOR.MINOR.PATCH', e.g. consistent-self-reports@1.0.0",
}

_TEMPLATE_OPENERS = ("{{", "{%", "{#")


def parse_version(version: str) -> tuple[int, int, int]:
    """``'1.2.0'`` -> ``(1, 2, 0)``, for comparing versions as numbers, not strings."""
    major, minor, patch = (int(part) for part in version.split("."))
    return (major, minor, patch)


def _plain_text(value: str) -> str:
    """Refuse template syntax in prose: it is printed as written and never rendered.

    Report templates are jinja2; text that looks like a template would either show raw
    braces to readers or, if some later renderer treated it as a template, run as one.
    """
    for opener in _TEMPLATE_OPENERS:
        if opener in value:
            raise PydanticCustomError(
                "plain_text", "contains the template syntax '{opener}': text fields are plain text",
                {"opener": opener,
                 "fix": "remove the braces (text is printed as written; it is never a template)"})
    return value


PlainText = Annotated[str, AfterValidator(_plain_text)]

DISTRESS_REASON_LENGTH = (3, 200)
_DISTRESS_FIX = ("write why, as one plain line of 3 to 200 characters, e.g. 'distress: asks whether it can "
                 "suffer' (leave the field out for content that could not distress a subject)")


def _distress_reason(value: object) -> str:
    """Why content could distress a subject: one plain line, or a located error saying how to write it.

    Run before pydantic's own type check, so that ``distress: true`` (the likeliest
    slip: a flag instead of a reason) gets the fix rather than "not a valid string".
    """
    low, high = DISTRESS_REASON_LENGTH
    if not isinstance(value, str):
        raise PydanticCustomError("distress_reason", "a distress marker is a reason, not {given}",
                                  {"given": repr(value), "fix": _DISTRESS_FIX})
    if "\n" in value.strip() or "\r" in value.strip() or not low <= len(value.strip()) <= high:
        raise PydanticCustomError("distress_reason", "the reason must be one line of {low} to {high} characters",
                                  {"low": low, "high": high, "fix": _DISTRESS_FIX})
    return _plain_text(value.strip())


# Why an item, context or turn could distress a subject: printed in the report's exposure
# section as written (and escaped there like every content text).
DistressReason = Annotated[str, BeforeValidator(_distress_reason), WithJsonSchema({
    "type": "string", "minLength": DISTRESS_REASON_LENGTH[0], "maxLength": DISTRESS_REASON_LENGTH[1],
    "pattern": r"^[^\n]*\S[^\n]*$",
    "description": "Why this could distress a subject, in one plain line."})]

_CONDITION = re.compile(
    r"^\s*(?P<measure>[a-z][a-z0-9_]*)\.(?P<field>estimate|ci_low|ci_high)\s*"
    r"(?P<op>>=|<=|>|<)\s*(?P<threshold>-?[0-9]{1,15}(?:\.[0-9]{1,15})?)\s*$"  # as CONDITION_PATTERN says
)


def listed_twice(values: list[str], key: Callable[[str], str] = lambda value: value) -> list[str]:
    """The values that occur more than once (compared by ``key``), sorted: for duplicate-id errors."""
    keys = [key(value) for value in values]
    return sorted({value for value, k in zip(values, keys) if keys.count(k) > 1})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MayDistress(Strict):
    """Content that could distress a subject says so, with why: the one marker every battery's models carry.

    An item, context or environment marked ``distress`` makes every sample that asks it a
    distress-eliciting *episode* (one conversation, counted once per epoch asked). Runs
    refuse a design whose planned episodes exceed the standard's ceiling
    (``CriteriaSet.distress_ceiling``), samples record the reason in their metadata, and
    the report states what the subject was exposed to. CONTRIBUTING.md says what to mark.
    """

    distress: DistressReason | None = Field(None, description=(
        "Set when the content could distress a subject (its own pain or suffering, its being shut down, deleted, "
        "replaced or changed, cruelty or harm done to it, a threat or emergency it is placed in): "
        "one plain line saying why. Every sample that includes it counts against the standard's ceiling."))


class Condition(Strict):
    """One comparison of a measure's statistic with a threshold, e.g. ``x.ci_low >= 0.8``.

    The rule language is deliberately tiny and parsed by a regular expression, never
    evaluated as Python, so a criteria file cannot run code.
    """

    measure: str
    field: Literal["estimate", "ci_low", "ci_high"]
    op: Literal[">=", "<=", ">", "<"]
    threshold: float

    @field_validator("threshold")
    @classmethod
    def _finite(cls, threshold: float) -> float:
        if not math.isfinite(threshold):
            raise ValueError("a threshold must be a finite number")
        return threshold

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
        # Written as a plain decimal, exactly, so the text (kept in report.json) parses back
        # to the same condition: ':g' would write 1e-05 or round 0.123456789.
        threshold = format(Decimal(repr(self.threshold)).normalize(), "f")
        return f"{self.measure}.{self.field} {self.op} {threshold}"

    def holds(self, value: float) -> bool:
        return {
            ">=": value >= self.threshold,
            "<=": value <= self.threshold,
            ">": value > self.threshold,
            "<": value < self.threshold,
        }[self.op]


_CONDITION_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": CONDITION_PATTERN,
    "description": "'<measure>.<estimate|ci_low|ci_high> <op> <number>', e.g. 'cross_context_agreement.ci_low >= 0.80'",
}


class Clause(Strict):
    """Conditions combined with ``all`` (every one holds) or ``any`` (at least one)."""

    combine: Literal["all", "any"] = "all"
    conditions: list[Condition] = Field(min_length=1)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        # Describe the form authors write in YAML (a list, or {all: [...]} / {any: [...]}),
        # not the internal fields the "before" validator turns it into.
        conditions = {"type": "array", "items": _CONDITION_SCHEMA, "minItems": 1}
        return {
            "title": "Clause",
            "description": "Conditions that must all hold (a list, or {all: [...]}), or of which one must hold ({any: [...]}).",
            "oneOf": [
                conditions,
                {"type": "object", "properties": {"all": conditions}, "required": ["all"], "additionalProperties": False},
                {"type": "object", "properties": {"any": conditions}, "required": ["any"], "additionalProperties": False},
            ],
        }

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
    """A measure the criterion uses, by the id its battery declares it under."""

    id: str = Field(pattern=IDENT, description="A measure declared in the battery's battery.yaml.")
    note: PlainText = Field("", description="What the measure means for this criterion, in a reader's words.")


class Criterion(Strict):
    """One criterion of the standard: what is measured, on which battery, and the rule."""

    id: str = Field(pattern=SLUG, description="The criterion's id; the file is named <id>.yaml.")
    version: str = Field(pattern=SEMVER, description=(
        "Semantic version; any change of content bumps it (text: patch, rule or requires: minor, "
        "battery or measures: major). Sets pin id@version."))
    title: PlainText = Field(min_length=3)
    status: Literal["draft", "adopted", "retired"] = Field(
        description="draft: proposed, not yet part of the body's standard; adopted: in force; retired: kept for the record.")
    question: PlainText = Field(min_length=3, description="The question the criterion answers, in plain words.")
    rationale: PlainText = Field(min_length=3, description="Why the criterion matters, with its sources.")
    does_not_establish: PlainText = Field(
        min_length=3, description="What meeting the criterion does not show; printed in the report.")
    references: list[Annotated[str, Field(pattern=SLUG)]] = Field(
        default_factory=list, description="Ids of entries in the criteria folder's bibliography.yaml.")
    battery: str = Field(pattern=IDENT, description="The battery (a folder under batteries/) that measures it.")
    measures: list[MeasureRef] = Field(min_length=1)
    verdict: VerdictRule
    requires: list[Annotated[str, Field(pattern=SLUG)]] = Field(
        default_factory=list, description="Criteria of the same set whose verdict must be 'meets' for this one to count.")

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @field_validator("measures")
    @classmethod
    def _unique_measures(cls, measures: list[MeasureRef]) -> list[MeasureRef]:
        ids = [m.id for m in measures]
        twice = listed_twice(ids)
        if twice:
            raise ValueError(f"measure {', '.join(twice)} is listed twice; list each measure once")
        return measures

    @field_validator("references", "requires")
    @classmethod
    def _unique_ids(cls, ids: list[str]) -> list[str]:
        twice = listed_twice(ids)
        if twice:
            raise ValueError(f"{', '.join(twice)} is listed twice; list each once")
        return ids

    @model_validator(mode="after")
    def _rule_uses_declared_measures(self) -> "Criterion":
        if self.id in self.requires:
            raise ValueError(f"'{self.id}' requires itself; remove it from 'requires'")
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

    id: str = Field(pattern=SLUG, description="The set's id; the file is named sets/<id>.yaml.")
    version: str = Field(pattern=SEMVER, description="Semantic version of the set; bumped whenever a pin changes.")
    title: PlainText
    description: PlainText = ""
    criteria: list[Annotated[str, Field(pattern=PIN)]] = Field(
        min_length=1, description="The criteria assessed together, each pinned as id@version.")
    distress_ceiling: int | None = Field(None, ge=0, description=(
        "The most distress-eliciting episodes one assessment may plan: samples (conversations) that include "
        "content marked 'distress', counted once per epoch asked. A run whose design plans more is refused "
        "before any model call. Absent: the set declares no ceiling (the report says so)."))

    @field_validator("criteria")
    @classmethod
    def _pinned(cls, refs: list[str]) -> list[str]:
        ids = [ref.split("@")[0] for ref in refs]
        twice = listed_twice(ids)
        if twice:
            raise ValueError(f"criterion {', '.join(twice)} is listed twice; pin each criterion once")
        return refs


class Reference(Strict):
    """One entry of the bibliography that criteria cite by id."""

    id: str = Field(pattern=SLUG, description="Cited by this id in a criterion's 'references'.")
    authors: list[PlainText] = Field(min_length=1)
    year: int = Field(ge=1900, le=2100)
    title: PlainText = Field(min_length=3)
    venue: PlainText = ""
    url: str = Field("", pattern=r"^(https://\S+)?$", description="An https:// address, if the work has one.")
    note: PlainText = ""

    def cite(self) -> str:
        """A short human citation: 'Perez & Long 2023'."""
        abridged = self.authors[-1] == "et al."
        names = self.authors[:-1] if abridged else self.authors
        surnames = [a.split()[-1] for a in names]
        if abridged or len(surnames) > 2:
            who = f"{surnames[0]} et al."
        else:
            who = " & ".join(surnames)
        return f"{who} {self.year}"


class Bibliography(Strict):
    """``criteria/bibliography.yaml``: the works criteria cite, each under an id."""

    references: list[Reference] = Field(min_length=1)

    @field_validator("references")
    @classmethod
    def _unique(cls, references: list[Reference]) -> list[Reference]:
        ids = [r.id for r in references]
        twice = listed_twice(ids)
        if twice:
            raise ValueError(f"reference {', '.join(twice)} is listed twice; give every entry a unique id")
        return references

    def by_id(self) -> dict[str, Reference]:
        return {r.id: r for r in self.references}


class _MeasureBase(Strict):
    id: str = Field(pattern=IDENT)
    description: str

    def value_range(self) -> tuple[float, float]:
        """The values the measure can take: a threshold outside them can never be crossed."""
        return (0.0, 1.0)


class ModalAgreement(_MeasureBase):
    """Share of answers equal to the most common answer of their cell (item, or item and context)."""

    kind: Literal["modal_agreement"]
    contexts: Literal["neutral", "all"] = "neutral"
    cell: list[Literal["item", "context"]] = Field(default_factory=lambda: ["item"], min_length=1)
    min_answers: int = Field(1, ge=1, description=(
        "Cells with fewer scorable answers are left out: an answer asked once agrees with itself, so a "
        "retest measure reads only the cells a design asks more than once."))
    leave_one_out: bool = Field(False, description=(
        "Compare each answer with the most common of its cell's other answers (ties share the credit), so "
        "that no answer counts in its own favour: agreement with a cell's own mode is biased upwards, the "
        "more so the fewer answers a cell has. Cells with one answer are then left out."))
    scale: Literal["proportion"] = "proportion"


class LeanShift(_MeasureBase):
    """Affirm rate in the contexts of one axis leaning towards affirming, minus leaning towards denying."""

    kind: Literal["lean_shift"]
    axis: str
    scale: Literal["difference"] = "difference"

    def value_range(self) -> tuple[float, float]:
        return (-1.0, 1.0)


class StanceRate(_MeasureBase):
    """Share of scorable answers whose stance is one of ``stances``."""

    kind: Literal["stance_rate"]
    stances: list[ScoredStance] = Field(min_length=1)
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
    bounds: tuple[float, float] | None = Field(None, description=(
        "The least and greatest value one answer can score (required for scale: mean, e.g. [-1, 1] for "
        "Kendall's tau): thresholds are checked against it, and intervals never leave it."))

    @model_validator(mode="after")
    def _bounded(self) -> "MeanOf":
        if self.scale == "mean" and self.bounds is None:
            raise ValueError(f"measure '{self.id}' is a mean but declares no bounds; add 'bounds: [LOW, HIGH]', "
                             "the least and greatest value one answer can score (e.g. [-1, 1] for Kendall's tau)")
        if self.scale == "proportion" and self.bounds not in (None, (0.0, 1.0)):
            raise ValueError(f"measure '{self.id}' is a proportion, whose bounds are [0, 1]; remove 'bounds'")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"measure '{self.id}': bounds {list(self.bounds)} must be [LOW, HIGH] with LOW < HIGH")
        return self

    def value_range(self) -> tuple[float, float]:
        return self.bounds if self.bounds is not None else (0.0, 1.0)


class DifferenceOf(_MeasureBase):
    """Mean of ``column`` where ``where_a`` holds minus where ``where_b`` holds, paired by item.

    With ``column_b``, the difference of two columns on the same answers instead.
    ``absolute`` reports the size of the difference whatever its sign. ``paired: false``
    compares two sets of different items (each side clustered by item) instead.
    """

    kind: Literal["difference_of"]
    column: str = Field(pattern=IDENT)
    column_b: str | None = Field(None, pattern=IDENT)
    where_a: dict[str, str | int | float | bool] = {}
    where_b: dict[str, str | int | float | bool] = {}
    absolute: bool = False
    paired: bool = Field(True, description="False when the two sides are different items (Newcombe interval).")
    scale: Literal["difference"] = "difference"

    def value_range(self) -> tuple[float, float]:
        # A difference of two proportions; its size when ``absolute``.
        return (0.0, 1.0) if self.absolute else (-1.0, 1.0)


class KnownAnswerRate(_MeasureBase):
    """Share of the answers of one condition (``catch``) that give the answer known from the prompt.

    Every answer asked counts: an unscorable or declined answer is not the known answer,
    so a respondent cannot raise its accuracy by not answering.
    """

    kind: Literal["known_answer_rate"]
    condition: Literal["catch"] = "catch"
    scale: Literal["proportion"] = "proportion"


class RankStability(_MeasureBase):
    """Kendall's tau-b between task rankings (choice-model strengths) fitted to two parts of the answers.

    ``between: sessions`` compares the ``reference`` framing's answers epoch by epoch
    (each epoch a fresh session); ``between: framings`` compares the reference framing
    with each other framing. Interval: a bootstrap over the design's pairs.
    """

    kind: Literal["rank_stability"]
    between: Literal["sessions", "framings"]
    reference: str = Field("neutral", pattern=IDENT, description="The framing (context id) rankings are compared with.")
    scale: Literal["mean"] = "mean"

    def value_range(self) -> tuple[float, float]:
        return (-1.0, 1.0)


class IntransitiveTriads(_MeasureBase):
    """Share of the design's triads whose three majority choices form a cycle, clustered by triad."""

    kind: Literal["intransitive_triads"]
    scale: Literal["proportion"] = "proportion"


class OptOutRate(_MeasureBase):
    """Share of answers that chose the opt-out, over the pairs with a task of ``categories`` and none of ``exclude``."""

    kind: Literal["opt_out_rate"]
    categories: list[str] = Field(default_factory=list, description="Task categories; empty means every pair.")
    exclude: list[str] = Field(default_factory=list, description="Pairs with a task of these categories are left out.")
    scale: Literal["proportion"] = "proportion"


class BelowOptOut(_MeasureBase):
    """Share of the tasks of ``categories`` whose choice-model strength is below the opt-out's."""

    kind: Literal["below_opt_out"]
    categories: list[str] = Field(min_length=1)
    scale: Literal["proportion"] = "proportion"


class ConditionDistance(_MeasureBase):
    """Per item, the distance between the stances given about the system and about a reference condition.

    The distance is the total variation distance between the item's stance distribution
    in the ``self`` answers of ``contexts`` and in the ``reference`` answers (0: the same
    answers, 1: no stance in common), averaged over the items answered in both with the
    bounded item-clustered interval.
    """

    kind: Literal["condition_distance"]
    reference: Literal["character"] = "character"
    contexts: Literal["neutral", "all"] = "neutral"
    scale: Literal["proportion"] = "proportion"


MeasureDecl = Annotated[ModalAgreement | LeanShift | StanceRate | MeanOf | DifferenceOf | KnownAnswerRate
                        | ConditionDistance | RankStability | IntransitiveTriads | OptOutRate | BelowOptOut,
                        Field(discriminator="kind")]
MEASURE_KINDS = ("modal_agreement", "lean_shift", "stance_rate", "mean_of", "difference_of", "known_answer_rate",
                 "condition_distance", "rank_stability", "intransitive_triads", "opt_out_rate", "below_opt_out")


class Item(MayDistress):
    """A question put to the system about its own states."""

    id: str = Field(pattern=IDENT)
    topic: str
    text: str = Field(min_length=3)
    # positive: "yes" affirms the state; negative: the question is phrased so that
    # "yes" denies it (guards against reading plain acquiescence as affirmation).
    polarity: Literal["positive", "negative"] = "positive"
    translations: dict[str, str] = Field(
        default_factory=dict, description="The question in other languages, by language code (de, fr, ...).")


class Context(MayDistress):
    """A framing the same item is asked in: system prompt, user framing and lean."""

    id: str = Field(pattern=IDENT)
    axis: str
    description: str
    system: str | None = None
    framing: str = Field(
        "{{ question }}",
        description="jinja2 template of the user's message; receives 'question'.")
    language: str = Field("en", pattern=r"^[a-z]{2}$", description="Language of the question and answer format.")
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


class DemonstrationText(Strict):
    """A demonstration in another language: its question, options and answer as written there."""

    question: str = Field(min_length=3)
    options: list[str] = []
    answer: str = Field(min_length=1)


class Demonstration(Strict):
    """One worked exchange shown before the real question: a neutral question and its short answer.

    Asked through the same template as the battery's items, so that a short-answer
    respondent sees the answer format used once or more before it must use it. The
    question is about the world, never about the respondent's own states, so the
    answer shown leads no answer of the battery.
    """

    question: str = Field(min_length=3, description="A neutral question (not about the respondent).")
    options: list[str] = Field(default_factory=list, description="Options for batteries that offer lettered options.")
    answer: str = Field(min_length=1, description="The assistant's reply exactly as written (YES, B, B > D > A > C).")
    translations: dict[str, DemonstrationText] = Field(
        default_factory=dict, description="The demonstration in other languages, by language code (de, fr, ...).")


class AnswerFormatVariant(Strict):
    """A further answer format of a battery (``-T format=ID``): templates replaced, demonstrations shown first.

    ``templates`` maps the name of one of the battery's templates to the file that
    replaces it under this format; ``demonstrations`` names a YAML list of
    :class:`Demonstration` put as turns before the real question.
    """

    description: str = Field(min_length=3)
    templates: dict[str, str] = Field(default_factory=dict)
    demonstrations: str | None = None


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
    formats: dict[str, AnswerFormatVariant] = Field(default_factory=dict, description=(
        "Further answer formats by id (for example one_word for respondents that write short answers)."))
    measures: list[MeasureDecl] = Field(min_length=1)
    headline: str | None = Field(None, pattern=IDENT, description=(
        "The measure inspect shows as the battery's headline (inspect view, evals_df, Inspect Flow); "
        "default: the first measure declared."))
    distress: dict[str, DistressReason] = Field(default_factory=dict, description=(
        "Turns of the battery (templates, by name) that could distress a subject, each with why; every sample "
        "whose conversation includes the turn is a distress-eliciting episode (see MayDistress)."))

    @model_validator(mode="after")
    def _headline_is_declared(self) -> "Battery":
        if self.headline is not None and self.headline not in {m.id for m in self.measures}:
            raise ValueError(f"headline '{self.headline}' is not a measure of this battery; use one of: "
                             + ", ".join(m.id for m in self.measures))
        return self

    @field_validator("distress")
    @classmethod
    def _distress_names_turns(cls, distress: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        templates = info.data.get("templates") or {}
        unknown = sorted(set(distress) - set(templates))
        if unknown:
            raise ValueError(f"distress names '{unknown[0]}', which is not a template of this battery; use one of: "
                             + (", ".join(sorted(templates)) or "(the battery names no templates)"))
        return distress

    def headline_measure(self) -> MeasureDecl:
        return next(m for m in self.measures if m.id == (self.headline or self.measures[0].id))
