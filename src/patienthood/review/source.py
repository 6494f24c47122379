"""Where the two sides of a diff come from: a folder, or a git revision of this checkout.

A git revision is read with ``git archive`` into a temporary folder (never by checking
it out, so the working tree and the other engineers' changes are left alone). The
spec ``REV`` means the ``criteria`` folder at the repository's root at ``REV``;
``REV:path`` names another folder. The revision's own ``batteries`` folder (next to
the criteria folder) is used with it, so measure scales and verdicts are those of
that revision.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

GIT_TIMEOUT_SECONDS = 60


class SourceError(Exception):
    """OLD or NEW names neither a folder nor a readable git revision (bad usage: exit 2)."""


@dataclass(frozen=True)
class Source:
    """One side of a diff, materialised as folders on disk."""

    label: str
    criteria_dir: Path
    batteries_dir: Path
    revision: str | None = None

    def display(self, path: str) -> str:
        """A file of this side as a reviewer should read it: ``REV:criteria/x.yaml`` or the folder path."""
        if self.revision is None:
            return path
        try:
            relative = Path(path).relative_to(self.criteria_dir.parent)
        except ValueError:
            return path
        return f"{self.label}:{relative.as_posix()}"


@contextmanager
def open_source(spec: str, default_batteries: Path) -> Iterator[Source]:
    """Yield the folders of ``spec``, a folder path or a git revision; clean up afterwards."""
    path = Path(spec)
    if path.is_dir():
        yield Source(label=spec, criteria_dir=path, batteries_dir=default_batteries)
        return
    if path.exists():
        raise SourceError(f"{spec}: not a folder; pass a criteria folder or a git revision")
    if spec.startswith("-") or not spec.strip():
        raise SourceError(f"'{spec}' is not a folder or a git revision")
    revision, _, subpath = spec.partition(":")
    subpath = subpath.strip("/") or "criteria"
    top = _toplevel(spec)
    commit = _git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", check=False)
    if not commit:
        raise SourceError(f"'{spec}' is not a folder, and '{revision}' is not a git revision of {top}; "
                          "pass a folder, or a revision such as HEAD, main or origin/main")
    if not _exists(top, commit, subpath):
        raise SourceError(f"revision {revision} ({commit[:12]}) has no folder '{subpath}'; "
                          f"name the criteria folder as {revision}:path/to/criteria")
    batteries = str(PurePosixPath(subpath).parent / "batteries") if "/" in subpath else "batteries"
    wanted = [subpath] + ([batteries] if _exists(top, commit, batteries) else [])
    workdir = Path(tempfile.mkdtemp(prefix="patienthood-diff-"))
    try:
        archive = subprocess.run(["git", "-C", str(top), "archive", "--format=tar", commit, "--", *wanted],
                                 capture_output=True, timeout=GIT_TIMEOUT_SECONDS, check=False)
        if archive.returncode != 0:
            raise SourceError(f"git archive of {revision} failed: {archive.stderr.decode(errors='replace').strip()}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(workdir, filter="data")
        yield Source(label=revision, criteria_dir=workdir / subpath,
                     batteries_dir=workdir / batteries if batteries in wanted else default_batteries,
                     revision=commit)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _toplevel(spec: str) -> Path:
    if shutil.which("git") is None:
        raise SourceError(f"'{spec}' is not a folder, and git is not installed to read it as a revision")
    try:
        top = _git(Path.cwd(), "rev-parse", "--show-toplevel", check=False)
    except FileNotFoundError:
        top = ""
    if not top:
        raise SourceError(f"'{spec}' is not a folder, and {Path.cwd()} is not inside a git checkout, so it cannot "
                          "be read as a git revision; pass two criteria folders, or run inside the repository")
    return Path(top)


def _exists(top: Path, commit: str, path: str) -> bool:
    result = subprocess.run(["git", "-C", str(top), "cat-file", "-e", f"{commit}:{path}"],
                            capture_output=True, timeout=GIT_TIMEOUT_SECONDS, check=False)
    return result.returncode == 0


def _git(top: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", "-C", str(top), *args], capture_output=True, text=True,
                            timeout=GIT_TIMEOUT_SECONDS, check=False)
    if check and result.returncode != 0:
        raise SourceError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip() if result.returncode == 0 else ""
