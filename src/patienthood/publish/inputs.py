"""The report folders a site is made from: found, checked whole, and read.

A site republishes report folders verbatim, so each must be exactly what ``patienthood
report`` wrote: every output its manifest names is there with the SHA-256 the manifest
records, and its ``report.json`` is a report of the shape this version reads. Only those
files are copied (never anything else that lies in the folder). A folder changed after
it was written is refused; ``patienthood verify`` on that folder says what changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from patienthood.errors import InputProblem, first_invalid
from patienthood.report.manifest import MANIFEST
from patienthood.report.verify import read_manifest
from patienthood.results import Report

REQUIRED = ("report.json", "report.html")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
FIX = "give report folders written by `patienthood report` (or a folder holding them)"


@dataclass(frozen=True)
class ReportFolder:
    """One report folder as the site sees it: its files by SHA-256 and its report data."""

    source: Path
    files: dict[str, str]  # file name -> SHA-256: manifest.json and every output it names
    report: dict[str, Any]
    report_sha256: str
    manifest_sha256: str


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_site_manifest(path: Path) -> bool:
    """Whether ``path`` is a site's manifest.json (``"kind": "site"``), not a report folder's.

    Only a regular file is opened (a FIFO under that name would block the reader).
    """
    if not path.is_file():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and data.get("kind") == "site"


def find_report_folders(paths: Sequence[Path]) -> list[Path]:
    """Each path is a report folder, or a folder whose subfolders are (as ``report`` writes for many models)."""
    if not paths:
        raise InputProblem(f"no report folders given; {FIX}")
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            raise InputProblem(f"{path}: {'not a folder' if path.exists() else 'no such folder'}; {FIX}")
        if (path / MANIFEST).is_file() and is_site_manifest(path / MANIFEST):
            raise InputProblem(f"{path}: a site written by `patienthood publish`, not a report folder; give the "
                               "report folders it was made from (or its reports/ folder)")
        if (path / MANIFEST).exists():
            found.append(path)
            continue
        # A site among the report folders (say, published into the same parent) is not a report.
        inside = sorted(child for child in path.iterdir() if child.is_dir() and (child / MANIFEST).is_file()
                        and not is_site_manifest(child / MANIFEST))
        if not inside:
            raise InputProblem(f"{path}: neither a report folder (no {MANIFEST}) nor a folder of report folders; {FIX}")
        found.extend(inside)
    return found


def read_report_folder(folder: Path) -> ReportFolder:
    """A report folder checked whole against its manifest, with its report read; or bad input that says why."""
    manifest = read_manifest(folder)
    names = sorted(manifest.outputs)
    odd = [name for name in names if not _PLAIN_NAME.fullmatch(name) or name == MANIFEST]
    if odd:
        raise InputProblem(f"{folder / MANIFEST}: names outputs that are not plain file names ({', '.join(odd)}); "
                           f"{FIX}")
    absent = [name for name in REQUIRED if name not in manifest.outputs]
    if absent:
        raise InputProblem(f"{folder / MANIFEST}: names no {', '.join(absent)}; {FIX}")
    files = {}
    for name in names:
        path = folder / name
        if path.is_symlink():  # a site copies files; it never follows a link to somewhere else
            raise InputProblem(f"{path}: a symbolic link, not a file `patienthood report` wrote; make the report "
                               "again with `patienthood report`")
        if not path.is_file():
            raise InputProblem(f"{path}: named in {MANIFEST} but not found; make the report again with "
                               "`patienthood report`")
        digest = sha256_file(path)
        if digest != manifest.outputs[name]:
            raise InputProblem(f"{path}: SHA-256 differs from {MANIFEST} (the folder changed after `patienthood "
                               "report` wrote it); `patienthood verify` on the folder says what changed")
        files[name] = digest
    manifest_sha256 = sha256_file(folder / MANIFEST)
    files[MANIFEST] = manifest_sha256
    path = folder / "report.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        Report.model_validate(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputProblem(f"{path}: not readable as JSON ({err}); {FIX}") from None
    except ValidationError as err:
        raise InputProblem(f"{path}: not a report this version of patienthood reads ({first_invalid(err)}); "
                           "make it again with `patienthood report`") from None
    return ReportFolder(source=folder, files=files, report=data, report_sha256=files["report.json"],
                        manifest_sha256=manifest_sha256)


def read_report_folders(paths: Sequence[Path]) -> list[ReportFolder]:
    """Every report folder under ``paths``, each once: the same report given twice is refused."""
    folders = [read_report_folder(folder) for folder in find_report_folders(paths)]
    seen: dict[str, Path] = {}
    for folder in folders:
        if folder.report_sha256 in seen:
            raise InputProblem(f"{folder.source}: the same report as {seen[folder.report_sha256]} (identical "
                               "report.json); give each report once")
        seen[folder.report_sha256] = folder.source
    return folders
