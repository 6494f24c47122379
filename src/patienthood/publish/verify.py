"""Checking a published site: ``patienthood verify SITE`` (a folder whose manifest.json says ``"kind": "site"``).

Two checks, each difference one line naming the file:

1. every file of the site has the SHA-256 its manifest records, none is missing and
   none was added (so one changed byte anywhere, in a page or in a copied report, fails);
2. the site is what its own report folders give: the pages, the feed and the manifest
   are made again from the reports copied into the site (with the templates and the
   call recorded in the manifest) and compared byte for byte, and the templates are
   hashed again. A page edited by hand together with the manifest's hash of it still fails.

Recomputing a copied report from its logs is ``patienthood verify SITE/reports/FOLDER``
where the logs are; the site itself holds no logs.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from patienthood.errors import InputProblem, first_invalid
from patienthood.publish.inputs import is_site_manifest, sha256_file
from patienthood.publish.site import build_site, template_hashes
from patienthood.report.manifest import MANIFEST
from patienthood.report.verify import compare_hashes
from patienthood.results import SiteManifest

SITE_FIX = "give a site written by `patienthood publish`"
_REPORT_FOLDER = re.compile(r"reports/[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class SiteVerification:
    site: Path
    differences: list[str] = field(default_factory=list)
    files: int = 0
    reports: int = 0

    @property
    def ok(self) -> bool:
        return not self.differences


def is_site(folder: Path) -> bool:
    """Whether ``folder`` is a published site (its manifest says so), rather than a report folder."""
    return is_site_manifest(folder / MANIFEST)


def read_site_manifest(site: Path) -> SiteManifest:
    path = site / MANIFEST
    if not path.is_file():
        raise InputProblem(f"{path}: not found; {SITE_FIX}")
    try:
        return SiteManifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputProblem(f"{path}: not a readable site manifest ({err}); {SITE_FIX}") from None
    except ValidationError as err:
        raise InputProblem(f"{path}: not a site manifest ({first_invalid(err)}); restore it, or publish "
                           "the site again") from None


def site_files(site: Path) -> tuple[dict[str, str], list[str]]:
    """SHA-256 of every file under the site but its manifest (by path), and every entry that is not a plain file."""
    found: dict[str, str] = {}
    odd: list[str] = []
    for folder, dirs, files in os.walk(site, followlinks=False):
        base = Path(folder)
        for name in sorted(dirs):
            if (base / name).is_symlink():
                odd.append((base / name).relative_to(site).as_posix())
        for name in sorted(files):
            path = base / name
            relative = path.relative_to(site).as_posix()
            if relative == MANIFEST:
                continue
            if path.is_symlink() or not path.is_file():
                odd.append(relative)
            else:
                found[relative] = sha256_file(path)
    return found, odd


def verify_site(site: Path) -> SiteVerification:
    """Check a site's files against its manifest, and against the site its report folders give."""
    manifest = read_site_manifest(site)
    result = SiteVerification(site, files=len(manifest.files), reports=len(manifest.reports))
    found, odd = site_files(site)
    result.differences += [f"file {name}: not a plain file (a link or a device); a site holds plain files only"
                           for name in odd]
    result.differences += compare_hashes("file", manifest.files, found)
    result.differences += compare_hashes("template", manifest.templates, template_hashes())
    folders = []
    for report in manifest.reports:
        if not _REPORT_FOLDER.fullmatch(report.folder) or not (site / report.folder).is_dir():
            result.differences.append(f"report {report.folder}: named in {MANIFEST} but not a report folder of the site")
        else:
            folders.append(site / report.folder)
    if len(folders) != len(manifest.reports):
        return result
    try:
        rebuilt = build_site(folders, manifest.invocation) if folders else None
    except InputProblem as err:
        result.differences.append(f"site: cannot be made again from its report folders ({err})")
        return result
    if rebuilt is None:
        result.differences.append(f"site: {MANIFEST} names no report folders")
        return result
    for name, data in [*sorted(rebuilt.generated.items()), (MANIFEST, rebuilt.manifest_bytes)]:
        path = site / name
        if not path.is_file():
            result.differences.append(f"output {name}: missing from {site}")
        elif path.read_bytes() != data:
            result.differences.append(f"output {name}: differs from the site its report folders give")
    return result
