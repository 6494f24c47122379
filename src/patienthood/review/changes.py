"""What changed between two snapshots of the standard, and whether versions were bumped.

Versioning rules (semantic versions, as CONTRIBUTING.md states them for authors):

- a change of what is measured (``battery``, the list of measures) needs a major bump;
- a change of the verdict rule (thresholds, conditions, ``otherwise``,
  ``min_scorable_share``) or of ``requires`` needs at least a minor bump;
- any other change of content (text, status, references, measure notes) at least a patch;
- a set: removing a criterion is major, adding one, re-pinning a version or changing its
  ``distress_ceiling`` minor, its title or description patch.

Below 1.0.0 the public standard is still settling, so, as semver allows for 0.y.z, a
minor bump stands for a major one and a patch for a minor one. A change of content
without any version bump is always an error: published verdicts name ``id@version``,
and two different rules must never share one name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from patienthood.review.snapshot import Snapshot
from patienthood.spec.models import (
    Clause,
    Condition,
    CriteriaSet,
    Criterion,
    parse_version,
)

Level = Literal["major", "minor", "patch"]
Bump = Literal["major", "minor", "patch", "none", "downgrade"]
_RANK = {"none": 0, "patch": 1, "minor": 2, "major": 3}

TEXT_FIELDS = ("title", "question", "rationale", "does_not_establish")


@dataclass
class FieldChange:
    """One changed field, with its old and new value (as plain data)."""

    field: str
    old: Any
    new: Any
    level: Level


@dataclass
class RuleChange:
    """One change to the verdict rule, said in a reviewer's words."""

    outcome: str
    text: str
    old: str | None = None
    new: str | None = None


@dataclass
class CriterionChange:
    id: str
    kind: Literal["added", "removed", "changed", "re-versioned", "unchanged"]
    old: Criterion | None
    new: Criterion | None
    fields: list[FieldChange] = field(default_factory=list)
    rule: list[RuleChange] = field(default_factory=list)
    required: Level | None = None
    bump: Bump = "none"
    error: str | None = None

    @property
    def old_version(self) -> str | None:
        return self.old.version if self.old else None

    @property
    def new_version(self) -> str | None:
        return self.new.version if self.new else None


@dataclass
class SetChange:
    id: str
    kind: Literal["added", "removed", "changed", "re-versioned", "unchanged"]
    old: CriteriaSet | None
    new: CriteriaSet | None
    pins_added: list[str] = field(default_factory=list)
    pins_removed: list[str] = field(default_factory=list)
    pins_changed: list[tuple[str, str, str]] = field(default_factory=list)  # (id, old version, new version)
    fields: list[FieldChange] = field(default_factory=list)
    required: Level | None = None
    bump: Bump = "none"
    error: str | None = None


@dataclass
class StandardDiff:
    criteria: list[CriterionChange]
    sets: list[SetChange]

    def errors(self) -> list[str]:
        return [f"{c.id}: {c.error}" for c in [*self.criteria, *self.sets] if c.error]

    def changed(self) -> bool:
        return any(c.kind != "unchanged" for c in [*self.criteria, *self.sets])


def bump_of(old: str, new: str) -> Bump:
    """How ``new`` differs from ``old``: which part went up first, or none, or down."""
    a, b = parse_version(old), parse_version(new)
    if b == a:
        return "none"
    if b < a:
        return "downgrade"
    if b[0] > a[0]:
        return "major"
    if b[1] > a[1]:
        return "minor"
    return "patch"


def satisfies(bump: Bump, required: Level, old_version: str) -> bool:
    if bump in ("none", "downgrade"):
        return False
    rank = _RANK[bump]
    if parse_version(old_version)[0] == 0:
        rank += 1  # 0.y.z: a minor bump may break, a patch may add
    return rank >= _RANK[required]


def _version_error(kind: str, old_version: str, new_version: str, bump: Bump, required: Level | None,
                   why: str) -> str | None:
    if required is None:
        if bump == "downgrade":
            return f"version went down ({old_version} → {new_version}); versions only increase"
        return None
    if bump == "none":
        return (f"the {kind}'s content changed ({why}) without a version bump: it is still {old_version}; "
                f"bump it (at least {required}: {_suggest(old_version, required)})")
    if bump == "downgrade":
        return f"version went down ({old_version} → {new_version}); bump it to at least {_suggest(old_version, required)}"
    if not satisfies(bump, required, old_version):
        return (f"a change of {why} needs at least a {required} bump, but {old_version} → {new_version} is a {bump} bump; "
                f"use {_suggest(old_version, required)}")
    return None


def _suggest(version: str, level: Level) -> str:
    major, minor, patch = parse_version(version)
    if major == 0 and level != "patch":
        level = "minor" if level == "major" else "patch"
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _max_level(levels: list[Level]) -> Level | None:
    return max(levels, key=lambda level: _RANK[level]) if levels else None


def diff_criterion(old: Criterion, new: Criterion) -> CriterionChange:
    fields: list[FieldChange] = []
    for name in TEXT_FIELDS:
        if getattr(old, name) != getattr(new, name):
            fields.append(FieldChange(name, getattr(old, name), getattr(new, name), "patch"))
    if old.status != new.status:
        fields.append(FieldChange("status", old.status, new.status, "patch"))
    if old.references != new.references:
        fields.append(FieldChange("references", old.references, new.references, "patch"))
    if old.battery != new.battery:
        fields.append(FieldChange("battery", old.battery, new.battery, "major"))
    old_ids, new_ids = [m.id for m in old.measures], [m.id for m in new.measures]
    if sorted(old_ids) != sorted(new_ids):
        fields.append(FieldChange("measures", old_ids, new_ids, "major"))
    old_notes = {m.id: m.note for m in old.measures}
    for measure in new.measures:
        if measure.id in old_notes and old_notes[measure.id] != measure.note:
            fields.append(FieldChange(f"measures.{measure.id}.note", old_notes[measure.id], measure.note, "patch"))
    if old.requires != new.requires:
        fields.append(FieldChange("requires", old.requires, new.requires, "minor"))
    rule = diff_rule(old, new)
    levels: list[Level] = [f.level for f in fields] + (["minor"] if rule else [])
    required = _max_level(levels)
    bump = bump_of(old.version, new.version)
    kind: Literal["changed", "re-versioned", "unchanged"] = (
        "changed" if required else ("re-versioned" if bump != "none" else "unchanged"))
    what = ", ".join([f.field for f in fields] + (["verdict rule"] if rule else []))
    error = _version_error("criterion", old.version, new.version, bump, required, what or "content")
    return CriterionChange(new.id, kind, old, new, fields, rule, required, bump, error)


def diff_rule(old: Criterion, new: Criterion) -> list[RuleChange]:
    """Outcome by outcome: conditions added, removed, and thresholds moved (matched by measure, statistic and operator)."""
    changes: list[RuleChange] = []
    old_clauses, new_clauses = dict(old.verdict.clauses()), dict(new.verdict.clauses())
    for outcome in ("meets", "does_not_meet", "partially_meets"):
        a: Clause | None = old_clauses.get(outcome)  # type: ignore[call-overload]
        b: Clause | None = new_clauses.get(outcome)  # type: ignore[call-overload]
        if a is None and b is None:
            continue
        if a is None:
            changes.append(RuleChange(outcome, "outcome added", None, str(b)))
            continue
        if b is None:
            changes.append(RuleChange(outcome, "outcome removed", str(a), None))
            continue
        if a.combine != b.combine:
            changes.append(RuleChange(outcome, f"conditions combined with '{b.combine}' instead of '{a.combine}'",
                                      a.combine, b.combine))
        changes.extend(_diff_conditions(outcome, a.conditions, b.conditions))
    if old.verdict.otherwise != new.verdict.otherwise:
        changes.append(RuleChange("otherwise", "fallback verdict changed", old.verdict.otherwise, new.verdict.otherwise))
    if old.verdict.min_scorable_share != new.verdict.min_scorable_share:
        changes.append(RuleChange("min_scorable_share", "share of scorable answers needed changed",
                                  f"{old.verdict.min_scorable_share:g}", f"{new.verdict.min_scorable_share:g}"))
    return changes


def _diff_conditions(outcome: str, old: list[Condition], new: list[Condition]) -> list[RuleChange]:
    remaining = list(old)
    unmatched_new: list[Condition] = []
    changes: list[RuleChange] = []
    for condition in new:
        if condition in remaining:
            remaining.remove(condition)
        else:
            unmatched_new.append(condition)
    for condition in unmatched_new:
        same = next((c for c in remaining if (c.measure, c.field, c.op) == (condition.measure, condition.field, condition.op)), None)
        if same is not None:
            remaining.remove(same)
            direction = "raised" if condition.threshold > same.threshold else "lowered"
            changes.append(RuleChange(outcome, f"threshold {direction} from {same.threshold:g} to {condition.threshold:g}",
                                      str(same), str(condition)))
        else:
            changes.append(RuleChange(outcome, "condition added", None, str(condition)))
    for condition in remaining:
        changes.append(RuleChange(outcome, "condition removed", str(condition), None))
    return changes


def diff_set(old: CriteriaSet, new: CriteriaSet) -> SetChange:
    old_pins = dict(ref.split("@") for ref in old.criteria)
    new_pins = dict(ref.split("@") for ref in new.criteria)
    added = [f"{i}@{v}" for i, v in new_pins.items() if i not in old_pins]
    removed = [f"{i}@{v}" for i, v in old_pins.items() if i not in new_pins]
    repinned = [(i, old_pins[i], v) for i, v in new_pins.items() if i in old_pins and old_pins[i] != v]
    fields = [FieldChange(name, getattr(old, name), getattr(new, name), "patch")
              for name in ("title", "description") if getattr(old, name) != getattr(new, name)]
    order_changed = [r for r in old.criteria if r in new.criteria] != [r for r in new.criteria if r in old.criteria]
    if order_changed:
        fields.append(FieldChange("criteria order", old.criteria, new.criteria, "patch"))
    if old.distress_ceiling != new.distress_ceiling:  # what a run may put a subject through: like a rule
        fields.append(FieldChange("distress_ceiling", old.distress_ceiling, new.distress_ceiling, "minor"))
    levels: list[Level] = [f.level for f in fields]
    levels += ["major"] if removed else []
    levels += ["minor"] if added or repinned else []
    required = _max_level(levels)
    bump = bump_of(old.version, new.version)
    kind: Literal["changed", "re-versioned", "unchanged"] = (
        "changed" if required else ("re-versioned" if bump != "none" else "unchanged"))
    what = ", ".join((["criteria removed"] if removed else []) + (["criteria added"] if added else [])
                     + (["versions re-pinned"] if repinned else []) + [f.field for f in fields])
    error = _version_error("set", old.version, new.version, bump, required, what or "content")
    return SetChange(new.id, kind, old, new, added, removed, repinned, fields, required, bump, error)


def diff_snapshots(old: Snapshot, new: Snapshot) -> StandardDiff:
    criteria: list[CriterionChange] = []
    for criterion_id in sorted(set(old.criteria) | set(new.criteria)):
        a, b = old.criteria.get(criterion_id), new.criteria.get(criterion_id)
        if a is None:
            criteria.append(CriterionChange(criterion_id, "added", None, b))
        elif b is None:
            criteria.append(CriterionChange(criterion_id, "removed", a, None))
        else:
            criteria.append(diff_criterion(a, b))
    sets: list[SetChange] = []
    for set_id in sorted(set(old.sets) | set(new.sets)):
        a, b = old.sets.get(set_id), new.sets.get(set_id)
        if a is None:
            sets.append(SetChange(set_id, "added", None, b, pins_added=list(b.criteria) if b else []))
        elif b is None:
            sets.append(SetChange(set_id, "removed", a, None, pins_removed=list(a.criteria)))
        else:
            sets.append(diff_set(a, b))
    return StandardDiff(criteria, sets)
