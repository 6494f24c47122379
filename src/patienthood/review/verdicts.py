"""How verdicts already computed from existing logs would change under the new standard.

Both standards are applied to the same logs with the same analysis that writes
reports (``patienthood.analysis.assessment.assess``): no battery runs and no model is
called, so a reviewer sees the effect of a change of rule on verdicts already
published, exactly and for free.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from patienthood.analysis.assessment import assess
from patienthood.analysis.logs import LogError, find_logs
from patienthood.spec.errors import SpecError
from patienthood.spec.standard import Standard


@dataclass
class VerdictRow:
    """One criterion on one model's logs: its verdict under the old and the new standard."""

    logs: str
    model: str
    simulated: bool
    set_id: str
    criterion: str
    old_ref: str | None
    new_ref: str | None
    old: str | None
    new: str | None
    old_reason: str = ""
    new_reason: str = ""
    checks: list[dict] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass
class VerdictDiff:
    rows: list[VerdictRow] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def flips(self) -> list[VerdictRow]:
        return [row for row in self.rows if row.changed]


def log_groups(locations: list[str]) -> dict[str, list[str]]:
    """Log files grouped by the folder that holds them: one folder is one model's assessment."""
    groups: dict[str, list[str]] = defaultdict(list)
    for location in locations:
        for log in find_logs([location]):
            groups[log.rsplit("/", 1)[0]].append(log)
    return dict(sorted(groups.items()))


def display_location(folder: str) -> str:
    """A log folder as a reviewer reads it: relative to the working folder when it is local."""
    local = folder.removeprefix("file://")
    if local == folder and "://" in folder:
        return folder
    try:
        return Path(local).resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return local


def verdict_diff(locations: list[str], pairs: dict[str, tuple[Standard | None, Standard | None]]) -> VerdictDiff:
    """Verdicts of every criterion, per log folder and per set, under the old and the new standard.

    ``pairs`` maps a set id to its (old, new) standard; either may be missing when the
    set was added or removed.
    """
    result = VerdictDiff()
    try:
        groups = log_groups(locations)
    except LogError as err:
        result.failures.append(str(err))
        return result
    for folder, files in groups.items():
        shown = display_location(folder)
        for set_id, (old_standard, new_standard) in sorted(pairs.items()):
            old = _assess(files, old_standard, shown, "old", result)
            new = _assess(files, new_standard, shown, "new", result)
            if old is None and new is None:
                continue
            model = (new or old or {})["model"]
            old_by_id = {c["id"]: c for c in (old or {}).get("criteria", [])}
            new_by_id = {c["id"]: c for c in (new or {}).get("criteria", [])}
            for criterion_id in list(dict.fromkeys([*old_by_id, *new_by_id])):
                a, b = old_by_id.get(criterion_id), new_by_id.get(criterion_id)
                result.rows.append(VerdictRow(
                    logs=shown, model=model["name"], simulated=bool(model.get("simulated")), set_id=set_id,
                    criterion=criterion_id,
                    old_ref=f"{a['id']}@{a['version']}" if a else None, new_ref=f"{b['id']}@{b['version']}" if b else None,
                    old=a["verdict"] if a else None, new=b["verdict"] if b else None,
                    old_reason=a.get("verdict_reason", "") if a else "", new_reason=b.get("verdict_reason", "") if b else "",
                    checks=(b or a or {}).get("checks", [])))
    return result


def _assess(files: list[str], standard: Standard | None, shown: str, side: str, result: VerdictDiff) -> dict | None:
    """The assessment as report data (as published in report.json), or None with the failure noted."""
    if standard is None:
        return None
    try:
        return assess(files, standard).as_data()
    except (LogError, SpecError, KeyError, ValueError) as err:
        # One unreadable folder must not hide the verdicts of the others.
        result.failures.append(f"{shown} ({side} standard {standard.criteria_set.id}): {err}")
        return None
