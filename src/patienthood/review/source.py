"""Where the two sides of a diff come from: a folder, or a git revision of this checkout.

A git revision is read with ``git archive`` into a temporary folder (never by checking
it out, so the working tree and the other engineers' changes are left alone). The
spec ``REV`` means the ``criteria`` folder at the repository's root at ``REV``;
``REV:path`` names another folder. The revision's own ``batteries`` folder (next to
the criteria folder) is used with it, so measure scales and verdicts are those of
that revision.
"""

from __future__ import annotations

import copy
import io
import os
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
            _extract_inside(tar, workdir, revision)
        yield Source(label=revision, criteria_dir=workdir / subpath,
                     batteries_dir=workdir / batteries if batteries in wanted else default_batteries,
                     revision=commit)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _extract_inside(tar: tarfile.TarFile, workdir: Path, revision: str) -> None:
    """Extract a revision's archive into ``workdir``, refusing any member that would leave it.

    A revision holds whatever anyone who can push wrote: a symlink or hard link out of the
    folder, an absolute name, a ``..`` or a device file must not reach anything outside
    the temporary folder. tarfile's ``data`` filter refuses exactly these, but
    ``extractall(filter=...)`` exists only from Python 3.11.4 on, and Debian bookworm's
    own Python is 3.11.2, where passing it is a TypeError. So the filter is used wherever
    tarfile has it (detected by feature, not version: distributions backport it), and
    elsewhere its checks, normalisation and wording are applied here, each member just
    before it is extracted, so that a link extracted earlier is followed as the filter
    follows it.
    """
    dest = os.path.realpath(workdir)

    def refused(problem: str) -> SourceError:
        return SourceError(f"revision {revision}: refused its archive ({problem}); compare another "
                           "revision, or replace that entry with a plain file in a new commit")

    if hasattr(tarfile, "data_filter"):
        try:
            tar.extractall(dest, filter="data")  # novermin: Python 3.11.4+, guarded by the hasattr above
        except tarfile.FilterError as err:
            raise refused(str(err)) from None
        return

    def outside(path: str) -> str | None:
        real = os.path.realpath(path)
        return real if os.path.commonpath([real, dest]) != dest else None

    def checked() -> Iterator[tarfile.TarInfo]:
        for member in tar.getmembers():
            name = member.name.lstrip("/" + os.sep)  # as the filter does
            if os.path.isabs(name):
                raise refused(f"member {member.name!r} has an absolute path")
            if real := outside(os.path.join(dest, name)):
                raise refused(f"{member.name!r} would be extracted to {real!r}, which is outside the destination")
            if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
                raise refused(f"{member.name!r} is a special file")
            if member.issym() or member.islnk():
                if os.path.isabs(member.linkname):
                    raise refused(f"{member.name!r} is a link to an absolute path")
                base = os.path.dirname(name) if member.issym() else ""
                if real := outside(os.path.join(dest, base, member.linkname)):
                    raise refused(f"{member.name!r} would link to {real!r}, which is outside the destination")
            safe = copy.copy(member)
            safe.name, safe.uid, safe.gid = name, os.geteuid(), os.getegid()  # owners are not taken over
            safe.mode = member.mode & 0o755  # nor high or group/other-write bits
            if member.isreg() or member.islnk():
                safe.mode = (safe.mode if safe.mode & 0o100 else safe.mode & ~0o111) | 0o600
            yield safe

    tar.extractall(dest, members=checked(), numeric_owner=True)


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
