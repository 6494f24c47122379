"""``patienthood verify`` and ``patienthood compare``: checking and comparing published report folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from patienthood.cli.common import (
    InputError,
    check_output_path,
    dir_option,
    require_file,
)

FAILED = 1


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
    """Recompute a report folder from its logs and content (or check a site); exit 1 naming every file that differs.

    A site written by `patienthood publish` (its manifest.json says so) is checked file by
    file against its manifest and made again from the report folders copied into it.

    By default the logs, criteria set, content folders and validation record are those
    recorded in REPORT_DIR/manifest.json, exactly as they were given to `patienthood
    report` (relative paths are read from the current folder).
    """
    from patienthood.cli.assessment import log_progress
    from patienthood.publish.verify import is_site
    from patienthood.report.manifest import MANIFEST
    from patienthood.report.verify import Overrides, read_manifest, verify_report

    if is_site(report_dir):
        if logs or validation_file or criteria_dir or batteries_dir:
            raise InputError(f"{report_dir}: a site written by `patienthood publish`; --logs, --validation, "
                             "--criteria-dir and --batteries-dir apply to a report folder (verify SITE/reports/FOLDER)")
        _verify_site(report_dir)
        return
    manifest = read_manifest(report_dir)
    with log_progress(list(logs) or manifest.log_locations or [str(report_dir / MANIFEST)]) as on_log:
        result = verify_report(report_dir, Overrides(logs, validation_file, criteria_dir, batteries_dir), on_log)
    _exit_on_differences(result.differences, report_dir)
    click.echo(f"verified {report_dir}: {result.logs} logs, {result.content_files} content files and "
               f"{result.outputs} outputs match")


def _exit_on_differences(differences: list[str], folder: Path) -> None:
    """Print every difference verify found, then fail with their count (exit status 1); nothing if none."""
    if differences:
        for line in differences:
            click.echo(line)
        count = len(differences)
        click.echo(f"verify failed: {count} difference{'s' if count != 1 else ''} in {folder}", err=True)
        click.get_current_context().exit(FAILED)


def _verify_site(site: Path) -> None:
    from patienthood.publish.verify import verify_site

    result = verify_site(site)
    _exit_on_differences(result.differences, site)
    click.echo(f"verified site {site}: {result.files} files and {result.reports} report folders match, and its "
               "pages, feed and manifest are what its report folders give")


def _read_report(folder: Path) -> dict[str, Any]:
    path = folder / "report.json"
    require_file(path, "give a report folder written by `patienthood report`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"{path}: not a readable report.json ({err}); give a report folder written by "
                         "`patienthood report`") from None
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list) or "model" not in data:
        raise InputError(f"{path}: not a patienthood report (no criteria or model); give a report folder written "
                         "by `patienthood report`")
    return data


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
    from patienthood.report.compare import (
        COMPARE_FILES,
        compare_reports,
        render_compare,
    )

    if out_dir is not None:
        check_output_path(out_dir, "--out")
    old, new = (_read_report(folder) for folder in (old_dir, new_dir))
    try:
        comparison = compare_reports(old, new)
    except (AttributeError, KeyError, TypeError, ValueError) as err:  # a report.json of the wrong shape
        raise InputError(f"{old_dir} / {new_dir}: report.json lacks a field the comparison needs ({err}); give "
                         "report folders written by `patienthood report`") from None
    files = render_compare(comparison)
    click.echo(files["compare.md"].decode("utf-8"), nl=False)
    if out_dir is not None:
        for name in COMPARE_FILES:
            write_atomic(out_dir / name, files[name])
        click.echo(f"comparison written to {out_dir}", err=True)
