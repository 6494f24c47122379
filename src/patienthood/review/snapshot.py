"""One side of a diff: the criteria, sets and problems of a criteria folder.

The snapshot is what the files say, validated by the same models as everywhere else;
the diff compares validated models, not text, so reformatting or a new comment is
not a change of content (and needs no version bump).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from patienthood.review.source import Source
from patienthood.review.validate import criterion_files, set_files, validate_paths
from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.loader import check_criterion, load_criteria_set
from patienthood.spec.models import CriteriaSet, Criterion


@dataclass
class Snapshot:
    """The criteria and sets of one side, by id, and every problem its content has."""

    source: Source
    criteria: dict[str, Criterion] = field(default_factory=dict)
    sets: dict[str, CriteriaSet] = field(default_factory=dict)
    set_files: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def load_snapshot(source: Source, validate: bool) -> Snapshot:
    """Read a criteria folder; with ``validate``, also run every check ``criteria validate`` runs."""
    snapshot = Snapshot(source=source)
    for path in criterion_files(source.criteria_dir):
        checked = check_criterion(path)
        if isinstance(checked.model, Criterion):
            snapshot.criteria[checked.model.id] = checked.model
        elif not validate:
            snapshot.problems.extend(checked.problems)
    for path in set_files(source.criteria_dir):
        try:
            criteria_set = load_criteria_set(path)
        except SpecError as err:
            if not validate:
                snapshot.problems.extend(err.problems)
            continue
        snapshot.sets[criteria_set.id] = criteria_set
        snapshot.set_files[criteria_set.id] = path
    if validate:
        snapshot.problems.extend(validate_paths([source.criteria_dir], source.batteries_dir).problems)
    return snapshot
