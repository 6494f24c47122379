"""A site from report folders: build it in memory, then write it (every file atomically, the manifest last).

The site holds:

- ``index.html``: every model and release against every criterion, simulated
  respondents apart; ``models/<family>.html``: a family's releases over time;
  ``validation.html``: the instruments' validation records;
- ``feed.json``: every verdict, for machines;
- ``reports/<release>/``: each report folder copied verbatim (its manifest and the
  outputs the manifest names, nothing else), so the site is self-contained;
- ``manifest.json``: the SHA-256 of every other file, of every input ``report.json``
  and manifest, of the templates, and how ``publish`` was called.

The same report folders give the same bytes, wherever they are read from: no path
of the machine and no clock goes into the site, and everything is sorted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from patienthood import __version__
from patienthood.atomic import write_atomic
from patienthood.content import ContentRoots, content_dir
from patienthood.errors import InputProblem
from patienthood.publish import DEFAULT_TITLE
from patienthood.publish.catalog import Catalog, Release, build_catalog
from patienthood.publish.feed import build_feed
from patienthood.publish.inputs import (
    is_site_manifest,
    read_report_folders,
    sha256_file,
)
from patienthood.publish.pages import SitePages, site_templates
from patienthood.report.manifest import MANIFEST, rendering_software, sha256_bytes
from patienthood.results import FeedSet, SiteInvocation, SiteManifest, SiteReport

FEED = "feed.json"


@dataclass(frozen=True)
class Site:
    """Every file of a site: generated ones as bytes, copied ones by their source, and the manifest."""

    generated: dict[str, bytes]  # site path -> bytes (pages and the feed)
    copies: dict[str, tuple[Path, str]]  # site path -> (the file it is a copy of, its SHA-256)
    manifest: SiteManifest

    @property
    def manifest_bytes(self) -> bytes:
        return self.manifest.to_json().encode("utf-8")


def template_hashes(templates: Path | None = None) -> dict[str, str]:
    """SHA-256 of every file of the site templates folder, by content key (``reports/site/...``)."""
    folder = templates or site_templates()
    return ContentRoots(reports=content_dir("reports")).hashes(
        path for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))


def _site_report(release: Release) -> SiteReport:
    return SiteReport(folder=release.path, model=release.model, simulated=release.simulated, family=release.family,
                      release=release.label, criteria_set=FeedSet(**release.criteria_set),
                      report_sha256=release.folder.report_sha256, manifest_sha256=release.folder.manifest_sha256,
                      instrument=release.instrument)


def site_manifest(catalog: Catalog, invocation: SiteInvocation, files: Mapping[str, str]) -> SiteManifest:
    return SiteManifest(
        invocation=invocation,
        reports=[_site_report(release) for release in catalog.releases],
        templates=template_hashes(),
        files=dict(sorted(files.items())),
        software={"patienthood": __version__, **rendering_software()},
    )


def build_site(report_dirs: Sequence[Path], invocation: SiteInvocation) -> Site:
    """The whole site from report folders (each a report folder, or a folder of them), in memory."""
    folders = read_report_folders(report_dirs)
    catalog = build_catalog(folders, invocation.families)
    _check_families(catalog, invocation)
    generated = dict(SitePages(catalog, invocation.title).all())
    generated[FEED] = build_feed(catalog, invocation.title).to_json().encode("utf-8")
    copies = {f"{release.path}/{name}": (release.folder.source / name, digest)
              for release in catalog.releases for name, digest in sorted(release.folder.files.items())}
    files = {**{path: sha256_bytes(data) for path, data in generated.items()},
             **{path: digest for path, (_, digest) in copies.items()}}
    return Site(generated=generated, copies=copies, manifest=site_manifest(catalog, invocation, files))


def _check_families(catalog: Catalog, invocation: SiteInvocation) -> None:
    """A --family for a model none of the reports is of is a typo, not a wish."""
    models = {release.model for release in catalog.releases}
    unknown = sorted(set(invocation.families) - models)
    if unknown:
        raise InputProblem(f"--family {', '.join(unknown)}: no report of {'this model' if len(unknown) == 1 else 'these models'} "
                           f"among the report folders (models: {', '.join(sorted(models))})")


def check_site_folder(out: Path) -> None:
    """A site is written into a new or empty folder, or over an earlier site; never over anything else."""
    if not out.exists():
        return
    if not out.is_dir():
        raise InputProblem(f"--out {out}: not a folder; give a new or empty folder, or an earlier site")
    if any(out.iterdir()) and not is_site_manifest(out / MANIFEST):
        raise InputProblem(f"--out {out}: a folder that is neither empty nor a site written by `patienthood "
                           "publish`; give a new or empty folder (a site replaces only its own files)")


def _previous_files(out: Path) -> set[str]:
    try:
        return set(SiteManifest.model_validate_json((out / MANIFEST).read_text(encoding="utf-8")).files)
    except (OSError, ValueError):
        return set()


def write_site(site: Site, out: Path) -> None:
    """Write the site: the old manifest goes first, every file atomically, files of the old site that the
    new one lacks are removed, and the new manifest comes last (an interrupted publish leaves no manifest,
    so ``verify`` refuses the folder rather than passing half a site)."""
    check_site_folder(out)
    previous = _previous_files(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).unlink(missing_ok=True)
    for path, (source, digest) in sorted(site.copies.items()):
        data = source.read_bytes()
        if sha256_bytes(data) != digest:
            raise InputProblem(f"{source}: changed while the site was being written; publish again")
        write_atomic(out / path, data)
    for path, data in sorted(site.generated.items()):
        write_atomic(out / path, data)
    for path in sorted(previous - set(site.manifest.files)):
        target = out / path
        if target.is_file() and _inside(out, target):
            target.unlink()
            _remove_empty_parents(out, target.parent)
    write_atomic(out / MANIFEST, site.manifest_bytes)


def _inside(root: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve()) and ".." not in Path(path).parts
    except OSError:
        return False


def _remove_empty_parents(root: Path, folder: Path) -> None:
    root = root.resolve()
    while folder.resolve() != root and folder.resolve().is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def publish(report_dirs: Sequence[Path], out: Path, title: str = DEFAULT_TITLE,
            families: Mapping[str, str] | None = None) -> Site:
    """``patienthood publish``: build the site from the report folders and write it to ``out``."""
    check_site_folder(out)
    site = build_site(report_dirs, SiteInvocation(title=title, families=dict(sorted((families or {}).items()))))
    write_site(site, out)
    return site


__all__ = ["DEFAULT_TITLE", "Site", "build_site", "publish", "sha256_file", "template_hashes", "write_site"]
