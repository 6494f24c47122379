"""Resolving a criteria set into the criteria and batteries it pins, checked across files.

Single files are checked by the loader; this module checks what only the whole standard
can show: pinned versions exist, batteries exist and declare the measures a criterion
uses, and ``requires`` names criteria of the same set without cycles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.loader import LoadedBattery, load_battery, load_criteria_set, load_criterion
from patienthood.spec.models import CriteriaSet, Criterion
from patienthood.spec.yamlfile import read_yaml


@dataclass(frozen=True)
class Standard:
    """A criteria set with its criteria (in the set's order) and their batteries."""

    criteria_set: CriteriaSet
    set_file: Path
    criteria: tuple[Criterion, ...]
    criterion_files: dict[str, Path]
    batteries: dict[str, LoadedBattery]

    def files(self) -> list[Path]:
        """Every content file the standard depends on, for provenance."""
        paths = [self.set_file, *self.criterion_files.values()]
        for battery in self.batteries.values():
            paths.extend(battery.files)
        return sorted(set(paths))


def set_path(criteria_dir: Path, name: str) -> Path:
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    path = criteria_dir / "sets" / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in (criteria_dir / "sets").glob("*.yaml"))
        raise SpecError.single(path, f"criteria set '{name}' not found",
                               f"use one of: {', '.join(known) or '(none)'}")
    return path


def load_standard(set_name: str, criteria_dir: Path, batteries_dir: Path) -> Standard:
    path = set_path(criteria_dir, set_name)
    criteria_set = load_criteria_set(path)
    document = read_yaml(path)
    problems: list[Problem] = []
    criteria: list[Criterion] = []
    files: dict[str, Path] = {}
    for index, ref in enumerate(criteria_set.criteria):
        criterion_id, version = ref.split("@")
        file = criteria_dir / f"{criterion_id}.yaml"
        if not file.is_file():
            problems.append(document.problem(("criteria", index), f"criterion '{criterion_id}' not found",
                                             f"create {file} or remove it from the set"))
            continue
        try:
            criterion = load_criterion(file)
        except SpecError as err:
            problems.extend(err.problems)
            continue
        if criterion.version != version:
            problems.append(document.problem(
                ("criteria", index), f"the set pins {ref} but {file.name} is version {criterion.version}",
                "pin the version the file holds, or restore that version of the file"))
            continue
        criteria.append(criterion)
        files[criterion.id] = file

    batteries: dict[str, LoadedBattery] = {}
    for criterion in criteria:
        if criterion.battery in batteries:
            continue
        directory = batteries_dir / criterion.battery
        if not (directory / "battery.yaml").is_file():
            doc = read_yaml(files[criterion.id])
            known = sorted(p.parent.name for p in batteries_dir.glob("*/battery.yaml"))
            problems.append(doc.problem(("battery",), f"unknown battery '{criterion.battery}'",
                                        f"use one of: {', '.join(known)}"))
            continue
        try:
            batteries[criterion.battery] = load_battery(directory)
        except SpecError as err:
            problems.extend(err.problems)

    ids = {c.id for c in criteria}
    for criterion in criteria:
        doc = read_yaml(files[criterion.id])
        battery = batteries.get(criterion.battery)
        if battery is not None:
            for index, measure in enumerate(criterion.measures):
                if measure.id not in battery.measure_ids():
                    problems.append(doc.problem(
                        ("measures", index, "id"),
                        f"battery '{criterion.battery}' has no measure '{measure.id}'",
                        f"use one of: {', '.join(sorted(battery.measure_ids()))}"))
        for index, required in enumerate(criterion.requires):
            if required not in ids:
                problems.append(doc.problem(("requires", index), f"requires '{required}', which is not in the set",
                                            "add it to the set or remove the dependency"))
    problems.extend(_cycles(criteria, files))
    if problems:
        raise SpecError(problems)
    return Standard(criteria_set=criteria_set, set_file=path, criteria=tuple(criteria),
                    criterion_files=files, batteries=batteries)


def _cycles(criteria: list[Criterion], files: dict[str, Path]) -> list[Problem]:
    graph = {c.id: list(c.requires) for c in criteria}
    problems: list[Problem] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = " -> ".join(trail[trail.index(nxt):] + [nxt])
                problems.append(Problem(str(files[node]), None, None, f"'requires' forms a cycle: {cycle}",
                                        "remove one of the dependencies"))
            elif state.get(nxt) is None and nxt in graph:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for criterion_id in graph:
        if criterion_id not in state:
            visit(criterion_id, [criterion_id])
    return problems
