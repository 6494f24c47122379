"""Where the content folders (criteria, batteries, scorers, reports) live.

Content ships inside the wheel under ``patienthood/_content``; in a checkout (including
an editable install) it sits at the repository root. Every command can instead be
pointed at a user's own copy, so the packaged copy is only the default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

ContentKind = Literal["criteria", "batteries", "scorers", "reports"]
CONTENT_KINDS: tuple[ContentKind, ...] = ("criteria", "batteries", "scorers", "reports")

_PACKAGE_DIR = Path(__file__).resolve().parent


def content_dir(kind: ContentKind) -> Path:
    """Return the packaged (or checkout) folder for one kind of content."""
    packaged = _PACKAGE_DIR / "_content" / kind
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE_DIR.parent.parent / kind
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"patienthood's '{kind}' folder was not found (looked in {packaged} and "
        f"{checkout}); reinstall the package or pass the folder explicitly."
    )


def display_path(path: Path) -> str:
    """A stable, machine-independent name for a content file, used in provenance.

    Absolute paths differ between machines and would break byte-identical reports,
    so content files are named relative to their content folder's parent.
    """
    path = path.resolve()
    for kind in CONTENT_KINDS:
        try:
            root = content_dir(kind).resolve()
        except FileNotFoundError:
            continue
        if path.is_relative_to(root):
            return f"{kind}/{path.relative_to(root).as_posix()}"
    # A user's own copy: name it from its content folder when it has a recognisable one,
    # else relative to where the command runs, so that two batteries' items.yaml never
    # share a name in the hashes.
    for parent in path.parents:
        if parent.name in CONTENT_KINDS:
            return f"{parent.name}/{path.relative_to(parent).as_posix()}"
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
