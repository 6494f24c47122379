"""Where the content folders live, and what a content file is called wherever it lives.

Content ships inside the wheel under ``patienthood/_content``; in a checkout (including
an editable install) it sits at the repository root. Every command can instead be
pointed at a user's own copy, so the packaged copy is only the default.

A content file is identified by its kind and its path inside the folder of that kind
in use (``batteries/self_report/items.yaml``), never by the folder's own name or place
on disk: a copy of the batteries in ``~/work/my-edit`` names its items file exactly as
the packaged copy does, so logs, reports and validation records compare content by
what it is, and two machines name the same file the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from patienthood.spec.vocabulary import PACKAGED_CONTENT_FOLDER

ContentKind = Literal["criteria", "batteries", "scorers", "reports", "subjects"]
PACKAGED_KINDS: tuple[ContentKind, ...] = ("criteria", "batteries", "scorers", "reports")

_PACKAGE_DIR = Path(__file__).resolve().parent


def content_dir(kind: ContentKind) -> Path:
    """Return the packaged (or checkout) folder for one kind of content."""
    if kind == "subjects":
        return content_dir("batteries") / "subjects"
    packaged = _PACKAGE_DIR / PACKAGED_CONTENT_FOLDER / kind
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE_DIR.parent.parent / kind
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"patienthood's '{kind}' folder was not found (looked in {packaged} and "
        f"{checkout}); reinstall the package or pass the folder explicitly."
    )


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class ContentRoots:
    """The content folders one command uses; None means the packaged folder of that kind."""

    criteria: Path | None = None
    batteries: Path | None = None
    scorers: Path | None = None
    reports: Path | None = None
    subjects: Path | None = None

    def folder(self, kind: ContentKind) -> Path:
        chosen = getattr(self, kind)
        return Path(chosen) if chosen is not None else content_dir(kind)

    def key(self, path: Path) -> str:
        """``<kind>/<path inside that kind's folder>``: the file's name in every hash table.

        The most specific folder wins (the packaged subjects sit inside the batteries
        folder). A file inside none of them is named by its kind-less file name, which
        only a criteria set given by path can be (``criteria/sets/<file>``).
        """
        resolved = path.resolve()
        candidates: list[tuple[int, str]] = []
        for kind in ("subjects", *PACKAGED_KINDS):
            try:
                root = self.folder(kind).resolve()  # type: ignore[arg-type]
            except FileNotFoundError:
                continue
            if resolved.is_relative_to(root):
                candidates.append((len(root.parts), f"{kind}/{resolved.relative_to(root).as_posix()}"))
        if candidates:
            return max(candidates)[1]
        return f"criteria/sets/{path.name}"

    def hashes(self, paths: Iterable[Path]) -> dict[str, str]:
        """SHA-256 of each file under its content key, sorted by key."""
        return dict(sorted((self.key(path), sha256_file(path)) for path in set(paths)))
