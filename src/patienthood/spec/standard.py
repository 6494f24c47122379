"""Resolving a criteria set into the criteria and batteries it pins, checked across files.

Single files are checked by the loader; this module checks what only the whole standard
can show: pinned versions exist, batteries exist and declare the measures a criterion
uses, and ``requires`` names criteria of the same set without cycles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.loader import (
    BIBLIOGRAPHY_FILE,
    LoadedBattery,
    load_battery,
    load_bibliography,
    load_criteria_set,
    load_criterion,
)
from patienthood.spec.models import Condition, CriteriaSet, Criterion, Reference
from patienthood.spec.vocabulary import PACKAGED_CONTENT_FOLDER
from patienthood.spec.yamlfile import Loc, YamlDocument, read_yaml


@dataclass(frozen=True)
class Standard:
    """A criteria set with its criteria (in the set's order) and their batteries."""

    criteria_set: CriteriaSet
    set_file: Path
    criteria: tuple[Criterion, ...]
    criterion_files: dict[str, Path]
    batteries: dict[str, LoadedBattery]
    bibliography: dict[str, Reference] = field(default_factory=dict)
    # The folders it was loaded from: what ran, and what a log is checked against, is
    # the content of these folders, whatever they are called.
    criteria_dir: Path | None = None
    batteries_dir: Path | None = None

    def files(self) -> list[Path]:
        """Every content file the standard depends on, for provenance.

        A battery's whole folder counts (not only the files its manifest names): a task
        may read more, such as persona_statements' default statements.
        """
        paths = [self.set_file, *self.criterion_files.values()]
        for battery in self.batteries.values():
            paths.extend(battery.files)
            paths.extend(p for p in battery.directory.rglob("*") if p.is_file() and p.name != "README.md")
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


class BatteryCatalogue:
    """The batteries of one folder, each loaded at most once, with the problems of broken ones."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # How messages name the folder: a user's own folder by its path, the packaged one as
        # such (its path is somewhere in site-packages or a hook's cache, which means nothing
        # to the reader).
        packaged = directory.resolve().parent.name == PACKAGED_CONTENT_FOLDER
        self.description = "patienthood's packaged batteries" if packaged else f"the batteries in {directory}"
        self._loaded: dict[str, LoadedBattery | None] = {}
        self.problems: list[Problem] = []

    def known(self) -> list[str]:
        return sorted(p.parent.name for p in self.directory.glob("*/battery.yaml"))

    def exists(self, battery_id: str) -> bool:
        return (self.directory / battery_id / "battery.yaml").is_file()

    def get(self, battery_id: str) -> LoadedBattery | None:
        """The loaded battery, or None when it is missing or broken (its problems are kept)."""
        if battery_id not in self._loaded:
            loaded: LoadedBattery | None = None
            if self.exists(battery_id):
                try:
                    loaded = load_battery(self.directory / battery_id)
                except SpecError as err:
                    self.problems.extend(err.problems)
            self._loaded[battery_id] = loaded
        return self._loaded[battery_id]

    def loaded(self) -> dict[str, LoadedBattery]:
        return {key: value for key, value in self._loaded.items() if value is not None}


def unknown_battery(document: YamlDocument, battery_id: str, batteries: BatteryCatalogue) -> Problem:
    return document.problem(("battery",), f"unknown battery '{battery_id}' (no {battery_id}/battery.yaml among "
                                          f"{batteries.description})",
                            f"use one of: {', '.join(batteries.known()) or '(none found)'}")


def condition_locations(document: YamlDocument, criterion: Criterion) -> list[tuple[str, Condition, Loc]]:
    """Each condition of the verdict rule with the outcome it belongs to and where it is written."""
    raw = document.data.get("verdict", {}) if isinstance(document.data, dict) else {}
    found: list[tuple[str, Condition, Loc]] = []
    for outcome, clause in criterion.verdict.clauses():
        written = raw.get(outcome) if isinstance(raw, dict) else None
        base: Loc = ("verdict", outcome)
        if isinstance(written, dict):
            key = next((k for k in ("all", "any", "conditions") if k in written), "conditions")
            base = base + (key,)
        for index, condition in enumerate(clause.conditions):
            found.append((outcome, condition, base + (index,)))
    return found


def criterion_problems(criterion: Criterion, document: YamlDocument, batteries: BatteryCatalogue,
                       bibliography: dict[str, Reference] | None, known_ids: set[str] | None,
                       scope: str = "in this folder") -> list[Problem]:
    """What only other files can show about one criterion.

    The battery exists and declares every measure; thresholds lie inside the range of
    their measure's scale; references are in the bibliography (when one is given); and
    ``requires`` names known criteria (when ``known_ids`` is given).
    """
    problems: list[Problem] = []
    if not batteries.exists(criterion.battery):
        problems.append(unknown_battery(document, criterion.battery, batteries))
    battery = batteries.get(criterion.battery)
    if battery is not None:
        declared = {m.id: m for m in battery.spec.measures}
        for index, measure in enumerate(criterion.measures):
            if measure.id not in declared:
                problems.append(document.problem(
                    ("measures", index, "id"), f"battery '{criterion.battery}' has no measure '{measure.id}'",
                    f"use one of: {', '.join(sorted(declared))}"))
        for outcome, condition, loc in condition_locations(document, criterion):
            # A threshold outside the values the measure can take can never be crossed,
            # so the condition is always or never true, which is always a mistake.
            decl = declared.get(condition.measure)
            if decl is None:
                continue
            scale = decl.scale
            low, high = decl.value_range()
            if not low <= condition.threshold <= high:
                problems.append(document.problem(
                    loc, f"threshold {condition.threshold:g} in '{condition}' ({outcome}) is outside [{low:g}, {high:g}], "
                         f"the range of '{condition.measure}' (a {scale}), so the condition can never change",
                    f"use a threshold between {low:g} and {high:g}"
                    + (" (a proportion is written as a share, e.g. 0.80 for 80%)" if scale == "proportion" else "")))
    if bibliography is not None:
        for index, reference in enumerate(criterion.references):
            if reference not in bibliography:
                problems.append(document.problem(
                    ("references", index), f"reference '{reference}' is not in {BIBLIOGRAPHY_FILE}",
                    f"add an entry with id '{reference}' to {BIBLIOGRAPHY_FILE}, or correct the id"
                    + (f" (known: {', '.join(sorted(bibliography))})" if bibliography else "")))
    if known_ids is not None:
        for index, required in enumerate(criterion.requires):
            if required not in known_ids:
                problems.append(document.problem(
                    ("requires", index), f"requires '{required}', which is not a criterion {scope}",
                    "correct the id, add that criterion (and pin it in the set), or remove the dependency"))
    return problems


def bibliography_for(criteria_dir: Path, problems: list[Problem], required: bool) -> dict[str, Reference] | None:
    """The folder's bibliography by id; None when there is none and none is required."""
    path = criteria_dir / BIBLIOGRAPHY_FILE
    if not path.is_file():
        if required:
            return {}
        return None
    try:
        return load_bibliography(path).by_id()
    except SpecError as err:
        problems.extend(err.problems)
        return None


def load_standard(set_name: str, criteria_dir: Path, batteries_dir: Path) -> Standard:
    path = set_path(criteria_dir, set_name)
    criteria_set = load_criteria_set(path)
    document = read_yaml(path)
    problems: list[Problem] = []
    criteria: list[Criterion] = []
    files: dict[str, Path] = {}
    documents: dict[str, YamlDocument] = {}
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
        if criterion.status == "retired":
            problems.append(document.problem(
                ("criteria", index), f"the set pins {ref}, which is retired",
                "remove it from the set (retired criteria are kept for the record, not assessed)"))
            continue
        criteria.append(criterion)
        files[criterion.id] = file
        documents[criterion.id] = read_yaml(file)

    batteries = BatteryCatalogue(batteries_dir)
    bibliography = bibliography_for(criteria_dir, problems, required=False)
    # Every pinned id counts as known, loaded or not: a criterion that failed to load has
    # its own problems listed, and should not also make its dependants look wrong.
    ids = {ref.split("@")[0] for ref in criteria_set.criteria}
    for criterion in criteria:
        problems.extend(criterion_problems(criterion, documents[criterion.id], batteries, bibliography, ids,
                                           scope="of the set"))
    problems.extend(batteries.problems)
    problems.extend(requires_cycles(criteria, documents))
    if problems:
        raise SpecError(problems)
    return Standard(criteria_set=criteria_set, set_file=path, criteria=tuple(criteria),
                    criterion_files=files, batteries=batteries.loaded(), bibliography=bibliography or {},
                    criteria_dir=criteria_dir, batteries_dir=batteries_dir)


def requires_cycles(criteria: list[Criterion], documents: dict[str, YamlDocument]) -> list[Problem]:
    """For each cycle in ``requires``, a problem in every file on it, at the entry that continues it.

    Every member gets the problem so that validating any one of the files shows it.
    """
    graph = {c.id: list(c.requires) for c in criteria}
    problems: list[Problem] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                members = trail[trail.index(nxt):]
                cycle = " -> ".join(members + [nxt])
                for index, member in enumerate(members):
                    following = (members + [nxt])[index + 1]
                    problems.append(documents[member].problem(
                        ("requires", graph[member].index(following)), f"'requires' forms a cycle: {cycle}",
                        f"remove one of the dependencies (e.g. '{following}' from {member}'s requires)"))
            elif state.get(nxt) is None and nxt in graph:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for criterion_id in graph:
        if criterion_id not in state:
            visit(criterion_id, [criterion_id])
    return problems
