"""``patienthood criteria validate``: every problem of every content file, at once.

Paths may be criteria folders, criterion files, set files, the bibliography, battery
folders or battery manifests. A criterion is checked with its folder around it
(siblings for ``requires`` and cycles, the folder's ``bibliography.yaml``), so
validating one changed file catches the same problems as validating the folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.loader import (
    BIBLIOGRAPHY_FILE,
    Checked,
    check_criterion,
    load_battery,
    load_bibliography,
    load_criteria_set,
)
from patienthood.spec.models import Criterion
from patienthood.spec.standard import (
    BatteryCatalogue,
    bibliography_for,
    criterion_problems,
    load_standard,
    requires_cycles,
    unknown_battery,
)
from patienthood.spec.yamlfile import YamlDocument, read_yaml

YAML_SUFFIXES = (".yaml", ".yml")


class PathError(Exception):
    """A path that does not exist or is not content: bad usage, not bad content."""


@dataclass
class ValidationReport:
    """The files looked at and every problem found in them."""

    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def failed_files(self) -> list[str]:
        return list(dict.fromkeys(p.file for p in self.problems))


def criterion_files(directory: Path) -> list[Path]:
    """The criterion files of a criteria folder (every YAML file except the bibliography)."""
    return sorted(p for p in directory.iterdir()
                  if p.suffix in YAML_SUFFIXES and p.is_file() and p.name != BIBLIOGRAPHY_FILE)


def set_files(directory: Path) -> list[Path]:
    sets = directory / "sets"
    return sorted(p for p in sets.iterdir() if p.suffix in YAML_SUFFIXES) if sets.is_dir() else []


def expand(paths: list[Path]) -> list[tuple[str, Path]]:
    """(kind, file) for every content file the given paths name; raises PathError for a bad path."""
    found: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_dir():
            if (path / "battery.yaml").is_file():
                found.append(("battery", path / "battery.yaml"))
            elif path.name == "sets":
                found.extend(("set", p) for p in set_files(path.parent))
            elif any(path.glob("*/battery.yaml")) and not criterion_files(path):
                found.extend(("battery", p) for p in sorted(path.glob("*/battery.yaml")))
            else:
                for file in criterion_files(path):
                    found.append(("criterion", file))
                if (path / BIBLIOGRAPHY_FILE).is_file():
                    found.append(("bibliography", path / BIBLIOGRAPHY_FILE))
                found.extend(("set", p) for p in set_files(path))
        elif path.is_file():
            found.append((_kind_of(path), path))
        elif path.is_symlink():  # exists() follows the link: this one leads nowhere
            raise PathError(f"{path}: a symbolic link to nothing (or a link loop); point it at a YAML file, "
                            "or pass the file itself")
        elif path.exists():
            raise PathError(f"{path}: not a regular file or folder (a FIFO or device?); pass a YAML file or a folder")
        else:
            raise PathError(f"{path}: no such file or folder; check the path")
    return list(dict.fromkeys(found))


def _kind_of(path: Path) -> str:
    if path.name == "battery.yaml":
        return "battery"
    if path.name == BIBLIOGRAPHY_FILE:
        return "bibliography"
    if path.parent.name == "sets":
        return "set"
    return "criterion"


class _Folder:
    """One criteria folder: its criteria checked once, its bibliography and its cycles."""

    def __init__(self, directory: Path, batteries: BatteryCatalogue) -> None:
        self.directory = directory
        self.batteries = batteries
        self.bibliography_problems: list[Problem] = []
        self.bibliography = bibliography_for(directory, self.bibliography_problems, required=True)
        self.checked: dict[Path, Checked] = {p: check_criterion(p) for p in criterion_files(directory)}
        self.ids = {p.stem for p in self.checked}
        valid = [c for c in self.checked.values() if isinstance(c.model, Criterion)]
        documents = {c.model.id: c.document for c in valid if c.document is not None}  # type: ignore[union-attr]
        self.cycles = requires_cycles([c.model for c in valid], documents)  # type: ignore[misc]

    def problems_of(self, path: Path) -> list[Problem]:
        checked = self.checked.get(path) or check_criterion(path)
        problems = list(checked.problems)
        if isinstance(checked.model, Criterion) and checked.document is not None:
            problems.extend(criterion_problems(checked.model, checked.document, self.batteries,
                                               self.bibliography, self.ids))
            if self.bibliography is None and checked.model.references:
                # References cannot be resolved against a broken bibliography: show why.
                problems.extend(self.bibliography_problems)
        elif checked.document is not None:
            problems.extend(_raw_problems(checked.document, self.batteries))
        problems.extend(p for p in self.cycles if Path(p.file) == path)
        return problems


def _raw_problems(document: YamlDocument, batteries: BatteryCatalogue) -> list[Problem]:
    """Cross-file problems that can be seen even when the schema check failed."""
    data = document.data if isinstance(document.data, dict) else {}
    battery = data.get("battery")
    if isinstance(battery, str) and battery and not batteries.exists(battery):
        return [unknown_battery(document, battery, batteries)]
    return []


def validate_paths(paths: list[Path], batteries_dir: Path) -> ValidationReport:
    """Check every content file the paths name; never raises for bad content, only for bad paths."""
    report = ValidationReport()
    batteries = BatteryCatalogue(batteries_dir)
    folders: dict[Path, _Folder] = {}
    for kind, file in expand(paths):
        report.files.append(file)
        if kind == "criterion":
            directory = file.parent
            if directory not in folders:
                folders[directory] = _Folder(directory, batteries)
            report.problems.extend(folders[directory].problems_of(file))
        elif kind == "set":
            report.problems.extend(_set_problems(file, batteries_dir))
        elif kind == "bibliography":
            report.problems.extend(_problems_of(load_bibliography, file))
        else:
            report.problems.extend(_problems_of(load_battery, file.parent))
    # Battery problems found while checking criteria are reported once, with the battery's files.
    report.problems.extend(batteries.problems)
    report.problems = list(dict.fromkeys(report.problems))
    return report


def _problems_of(load: Callable[[Path], object], path: Path) -> list[Problem]:
    """The problems a loader raises for one path (none when it loads)."""
    try:
        load(path)
    except SpecError as err:
        return err.problems
    return []


def _set_problems(file: Path, batteries_dir: Path) -> list[Problem]:
    try:
        criteria_set = load_criteria_set(file)
    except SpecError as err:
        return err.problems
    problems: list[Problem] = []
    if criteria_set.id != file.stem:
        problems.append(read_yaml(file).problem(("id",), f"set id '{criteria_set.id}' does not match the file name '{file.name}'",
                                                f"rename the file to {criteria_set.id}.yaml or correct the id"))
    problems.extend(_problems_of(lambda set_file: load_standard(str(set_file), set_file.parent.parent, batteries_dir),
                                 file))
    return problems
