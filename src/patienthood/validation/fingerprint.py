"""The instrument's identity: its version and a hash over every content file it uses.

A validation record holds for exactly one instrument; any change to criteria,
batteries, scorers or subjects changes the fingerprint and makes the record stale.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from patienthood import __version__
from patienthood.content import display_path
from patienthood.scoring.vocabulary import default_rubric_path, default_vocabulary_path
from patienthood.spec.standard import Standard


def instrument_files(standard: Standard, subjects_dir: Path) -> list[Path]:
    # Subjects with their skills, but not the validation records kept beside them.
    subjects = [p for p in subjects_dir.rglob("*.yaml") if "validation" not in p.relative_to(subjects_dir).parts]
    files = [*standard.files(), default_vocabulary_path(), default_rubric_path(), *subjects]
    return sorted(set(files))


def instrument_identity(standard: Standard, subjects_dir: Path) -> dict:
    content = {display_path(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in instrument_files(standard, subjects_dir)}
    digest = hashlib.sha256()
    digest.update(__version__.encode())
    for path, sha in sorted(content.items()):
        digest.update(f"\n{path} {sha}".encode())
    return {"patienthood": __version__, "fingerprint": digest.hexdigest()[:16], "content_sha256": dict(sorted(content.items()))}
