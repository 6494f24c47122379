"""Checking a report folder against its inputs: the sceptic's ``patienthood verify``.

Starting from the folder's manifest, every input it names is hashed again (logs,
content, templates, the validation record), every output is recomputed from the logs
with the same code as ``report`` (``report.assemble``), and bytes are compared. Each
difference becomes one line naming the file; the command line prints them and exits 1.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from patienthood.analysis.logs import LogError, find_logs, sha256_of
from patienthood.content import content_dir
from patienthood.errors import InputProblem, first_invalid
from patienthood.instrument import instrument_identity, load_instrument_standard
from patienthood.instrument_validation.record import packaged_record_path
from patienthood.report.assemble import assemble_report, record_name
from patienthood.report.folder import render_outputs
from patienthood.report.manifest import (
    MANIFEST,
    Manifest,
    sha256_bytes,
    template_hashes,
)
from patienthood.spec.errors import SpecError
from patienthood.subjects.profile import subjects_dir

REPORT_FOLDER_FIX = "give a report folder written by `patienthood report`"


@dataclass(frozen=True)
class Overrides:
    """Inputs to read instead of those the manifest records (moved logs, a copy of the content)."""

    logs: tuple[str, ...] = ()
    validation_file: Path | None = None
    criteria_dir: Path | None = None
    batteries_dir: Path | None = None


@dataclass
class Verification:
    """The outcome: one line per difference (none means the folder is what its inputs give)."""

    report_dir: Path
    differences: list[str] = field(default_factory=list)
    logs: int = 0
    content_files: int = 0
    outputs: int = 0

    @property
    def ok(self) -> bool:
        return not self.differences


def read_manifest(report_dir: Path) -> Manifest:
    """The folder's manifest, or bad input that says which part is wrong."""
    path = report_dir / MANIFEST
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "not a regular file" if path.exists() else "not found"
        raise InputProblem(f"{path}: {what}; {REPORT_FOLDER_FIX}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputProblem(f"{path}: not a readable report manifest ({err}); {REPORT_FOLDER_FIX}") from None
    if not isinstance(data, dict):
        raise InputProblem(f"{path}: not a report manifest (not a JSON object); {REPORT_FOLDER_FIX}")
    try:
        return Manifest.model_validate(data)
    except ValidationError as err:
        raise InputProblem(f"{path}: not a report manifest ({first_invalid(err)}); restore it, or make the "
                           "report again with `patienthood report`") from None


def _short(digest: str | None) -> str:
    return "absent" if digest is None else digest[:12]


def compare_hashes(kind: str, recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """One line per file whose SHA-256 differs from the manifest, or that is missing or new."""
    lines = []
    for name in sorted(set(recorded) | set(current)):
        before, now = recorded.get(name), current.get(name)
        if before == now:
            continue
        if now is None:
            lines.append(f"{kind} {name}: named in manifest.json but not found")
        elif before is None:
            lines.append(f"{kind} {name}: used now but not named in manifest.json")
        else:
            lines.append(f"{kind} {name}: SHA-256 differs from manifest.json (recorded {_short(before)}, "
                         f"now {_short(now)})")
    return lines


def check_logs(recorded: dict[str, str], locations: list[str]) -> list[str]:
    """Re-hash every log the manifest names, found by name under the log locations."""
    try:
        found = find_logs(locations)
    except LogError as err:
        raise InputProblem(f"{err} (pass the logs' location with --logs)") from None
    by_name: dict[str, list[str]] = defaultdict(list)
    for location in found:
        by_name[location.rstrip("/").rsplit("/", 1)[-1]].append(location)
    lines = []
    for name, digest in sorted(recorded.items()):
        candidates = by_name.get(name, [])
        if not candidates:
            lines.append(f"log {name}: named in manifest.json but not found under {', '.join(locations)}")
        elif digest not in {sha256_of(location) for location in candidates}:
            now = sha256_of(candidates[0])
            lines.append(f"log {name}: SHA-256 differs from manifest.json (recorded {_short(digest)}, now {_short(now)})")
    return lines


def check_outputs(report_dir: Path, outputs: dict[str, bytes]) -> list[str]:
    """Compare every recomputed output with the file in the folder, byte for byte."""
    lines = []
    for name, data in sorted(outputs.items()):
        path = report_dir / name
        if not path.is_file():
            lines.append(f"output {name}: missing from {report_dir}")
        elif path.read_bytes() != data:
            lines.append(f"output {name}: differs from the report recomputed from the logs")
    return lines


def _folder(given: Path | None, recorded: str | None, option: str) -> Path | None:
    folder = given or (Path(recorded) if recorded else None)
    if folder is not None and not folder.is_dir():
        raise InputProblem(f"{folder}: no such folder (recorded in manifest.json); pass {option}")
    return folder


def verify_report(report_dir: Path, overrides: Overrides = Overrides(),
                  on_log: Callable[[str], None] | None = None) -> Verification:
    """Recompute a report folder from its logs and content and name every file that differs.

    By default the logs, criteria set, content folders and validation record are those
    recorded in the manifest, exactly as they were given to ``report`` (relative paths
    are read from the current folder).
    """
    manifest = read_manifest(report_dir)
    recorded = manifest.invocation
    locations = list(overrides.logs) or manifest.log_locations
    if not locations:
        raise InputProblem(f"{report_dir / MANIFEST}: records no log locations; pass them with --logs")
    criteria_dir = _folder(overrides.criteria_dir, recorded.criteria_dir, "--criteria-dir")
    batteries_dir = _folder(overrides.batteries_dir, recorded.batteries_dir, "--batteries-dir")
    validation_file = overrides.validation_file or (Path(recorded.validation) if recorded.validation else None)
    if validation_file is not None and not validation_file.is_file():
        raise InputProblem(f"{validation_file}: no such validation record (recorded in manifest.json); "
                           "pass --validation")

    inputs = manifest.inputs
    result = Verification(report_dir, logs=len(inputs.logs), outputs=len(manifest.outputs) + 1)
    result.differences += check_logs(inputs.logs, locations)
    try:
        standard = load_instrument_standard(recorded.set_name, criteria_dir, batteries_dir)
    except SpecError as err:
        # Content that the report was made with and that no longer loads has changed.
        first = err.problems[0] if err.problems else None
        detail = f"{first.where}: {first.message}" if first else str(err)
        result.differences.append(f"content: the criteria set '{recorded.set_name}' no longer loads ({detail})")
        return result
    content = instrument_identity(standard, subjects_dir()).content_sha256
    result.content_files = len(content)
    result.differences += compare_hashes("content", inputs.content, content)
    result.differences += compare_hashes("template", inputs.templates, template_hashes(content_dir("reports")))
    if inputs.validation_record:
        record_path = validation_file or packaged_record_path(standard.criteria_set.id)
        name = record_name(standard, validation_file)
        now = {name: sha256_bytes(record_path.read_bytes())} if record_path.is_file() else {}
        result.differences += compare_hashes("validation record", inputs.validation_record, now)

    try:
        # The folder's own model chooses its logs: a folder of one model's report still verifies when
        # logs of other models have joined its log folder since (they are never part of its report).
        report = assemble_report(locations, standard, validation_file, on_log, recorded.allow_incomplete,
                                 model=recorded.model or manifest.model, answers=recorded.answers or "sampled",
                                 issued_by=recorded.issued_by)
    except InputProblem as err:
        if not result.differences:
            raise
        result.differences.append(f"report: cannot be recomputed ({err})")
    else:
        result.differences += check_outputs(report_dir, render_outputs(report, manifest.log_locations, recorded))
    return result
