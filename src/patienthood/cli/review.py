"""``patienthood verify`` and ``patienthood compare``: checking and comparing published reports.

``verify`` is the sceptic's command: it starts from a report folder's manifest.json,
re-hashes every input the manifest names, recomputes every output from the logs with
the same code path as ``report`` and compares bytes. It prints one line per input or
output that differs and exits 1, so a changed byte anywhere is caught and named.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, NoReturn

import click

from patienthood.cli.common import InputError, check_output_path, dir_option, load_standard_or_exit, require_file

FAILED = 1


def _read_json(path: Path, what: str) -> dict[str, Any]:
    require_file(path, "give a report folder written by `patienthood report`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"{path}: not a readable {what} ({err}); give a report folder written by "
                         "`patienthood report`") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: not a {what} (not a JSON object); give a report folder written by "
                         "`patienthood report`")
    return data


MANIFEST_PARTS: dict[str, type] = {"inputs": dict, "outputs": dict, "invocation": dict, "log_locations": list}
INVOCATION_PATHS = ("set_name", "validation", "criteria_dir", "batteries_dir")


def _check_manifest(manifest: dict[str, Any], path: Path) -> None:
    """Refuse a manifest whose parts have the wrong types, before code that trusts them reads it.

    A hand-edited or damaged manifest is bad input; unchecked, it would fail deep in
    verify as a TypeError that names nothing.
    """
    def refuse(what: str) -> None:
        raise InputError(f"{path}: not a report manifest ({what}); restore it, or make the report again "
                         "with `patienthood report`")

    for key in ("inputs", "outputs"):
        if key not in manifest:
            refuse(f"no '{key}'")
    for key, kind in MANIFEST_PARTS.items():
        if manifest.get(key) is not None and not isinstance(manifest[key], kind):
            refuse(f"'{key}' is not a {'mapping' if kind is dict else 'list'}")
    for key, value in manifest["inputs"].items():
        if not isinstance(value, dict) or not all(isinstance(digest, str) for digest in value.values()):
            refuse(f"'inputs.{key}' is not a mapping of file to SHA-256")
    if not all(isinstance(location, str) for location in manifest.get("log_locations") or []):
        refuse("'log_locations' holds something other than paths")
    invocation = manifest.get("invocation") or {}
    for key in INVOCATION_PATHS:
        if invocation.get(key) is not None and not isinstance(invocation[key], str):
            refuse(f"'invocation.{key}' is not a string")


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
    from patienthood.analysis.logs import LogError, find_logs, sha256_of

    try:
        found = find_logs(locations)
    except LogError as err:
        raise InputError(f"{err} (pass the logs' location with --logs)") from None
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


def _fail(lines: list[str], report_dir: Path) -> NoReturn:
    for line in lines:
        click.echo(line)
    click.echo(f"verify failed: {len(lines)} difference{'s' if len(lines) != 1 else ''} in {report_dir}", err=True)
    click.get_current_context().exit(FAILED)
    raise AssertionError("unreachable")  # Context.exit raises


@click.command()
@click.argument("report_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--logs", "logs", multiple=True,
              help="Log location to read instead of those recorded in manifest.json (repeatable).")
@click.option("--validation", "validation_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Validation record instead of the one recorded in manifest.json.")
@dir_option("criteria")
@dir_option("batteries")
def verify(report_dir: Path, logs: tuple[str, ...], validation_file: Path | None, criteria_dir: Path | None,
           batteries_dir: Path | None) -> None:
    """Recompute a report folder from its logs and content; exit 1 naming every file that differs.

    By default the logs, criteria set, content folders and validation record are those
    recorded in REPORT_DIR/manifest.json, exactly as they were given to `patienthood
    report` (relative paths are read from the current folder).
    """
    from patienthood.cli.assessment import log_progress, report_data
    from patienthood.content import display_path
    from patienthood.report.folder import MANIFEST, Invocation, render_outputs, sha256_bytes, template_hashes
    from patienthood.subjects.profile import subjects_dir
    from patienthood.validation.fingerprint import instrument_files
    from patienthood.validation.record import packaged_record_path

    manifest = _read_json(report_dir / MANIFEST, "report manifest")
    _check_manifest(manifest, report_dir / MANIFEST)
    recorded = Invocation.from_manifest(manifest)
    locations = list(logs) or list(recorded.log_locations)
    if not locations:
        raise InputError(f"{report_dir / MANIFEST}: records no log locations; pass them with --logs")
    criteria_dir = criteria_dir or (Path(recorded.criteria_dir) if recorded.criteria_dir else None)
    batteries_dir = batteries_dir or (Path(recorded.batteries_dir) if recorded.batteries_dir else None)
    for option, folder in (("--criteria-dir", criteria_dir), ("--batteries-dir", batteries_dir)):
        if folder is not None and not folder.is_dir():
            raise InputError(f"{folder}: no such folder (recorded in manifest.json); pass {option}")
    validation_file = validation_file or (Path(recorded.validation) if recorded.validation else None)
    if validation_file is not None and not validation_file.is_file():
        raise InputError(f"{validation_file}: no such validation record (recorded in manifest.json); pass --validation")

    inputs = manifest["inputs"]
    lines = check_logs(inputs.get("logs", {}), locations)
    try:
        standard = load_standard_or_exit(recorded.set_name, criteria_dir, batteries_dir)
    except InputError as err:
        # Content that the report was made with and that no longer loads has changed.
        _fail([*lines, f"content: the criteria set '{recorded.set_name}' no longer loads ({err.message})"], report_dir)
    content = {display_path(path): sha256_bytes(path.read_bytes()) for path in instrument_files(standard, subjects_dir())}
    lines += compare_hashes("content", inputs.get("content", {}), content)
    lines += compare_hashes("template", inputs.get("templates", {}), template_hashes())
    record_path = validation_file or packaged_record_path(standard.criteria_set.id)
    if "validation_record" in inputs:
        name = validation_file.name if validation_file else display_path(record_path)
        now = {name: sha256_bytes(record_path.read_bytes())} if record_path.is_file() else {}
        lines += compare_hashes("validation record", inputs["validation_record"], now)

    try:
        with log_progress(locations) as on_log:
            data = report_data(locations, standard, validation_file, on_log, recorded.allow_incomplete)
    except InputError as err:
        if not lines:
            raise
        lines.append(f"report: cannot be recomputed ({err.message})")
    else:
        lines += check_outputs(report_dir, render_outputs(data, invocation=recorded))

    if lines:
        _fail(lines, report_dir)
    click.echo(f"verified {report_dir}: {len(inputs.get('logs', {}))} logs, {len(content)} content files and "
               f"{len(manifest['outputs']) + 1} outputs match")


@click.command()
@click.argument("old_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("new_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write compare.md, compare.html and compare.json into this folder.")
def compare(old_dir: Path, new_dir: Path, out_dir: Path | None) -> None:
    """Compare two report folders (e.g. two releases): verdict changes and paired differences per measure.

    Differences are new minus old, on the items both reports share, with 95% intervals
    clustered by item. The Markdown goes to stdout.
    """
    from patienthood.atomic import write_atomic
    from patienthood.report.compare import COMPARE_FILES, compare_reports, render_compare

    if out_dir is not None:
        check_output_path(out_dir, "--out")

    reports = [_read_json(folder / "report.json", "report.json") for folder in (old_dir, new_dir)]
    for folder, data in zip((old_dir, new_dir), reports):
        if not isinstance(data.get("criteria"), list) or "model" not in data:
            raise InputError(f"{folder / 'report.json'}: not a patienthood report (no criteria or model)")
    try:
        comparison = compare_reports(*reports)
    except (AttributeError, KeyError, TypeError, ValueError) as err:  # a report.json of the wrong shape
        raise InputError(f"{old_dir} / {new_dir}: report.json lacks a field the comparison needs ({err}); give "
                         "report folders written by `patienthood report`") from None
    files = render_compare(comparison)
    click.echo(files["compare.md"].decode("utf-8"), nl=False)
    if out_dir is not None:
        for name in COMPARE_FILES:
            write_atomic(out_dir / name, files[name])
        click.echo(f"comparison written to {out_dir}", err=True)
