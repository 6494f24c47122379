"""What an instrument is made of: every content file that shapes a prompt, a reading or a verdict.

Three places must agree on it: a battery task records the files it used in its log, a
report refuses a log whose recorded files differ from (or are missing in) the content
it is made with, and a validation record is bound to a fingerprint over the same
files. They all call this module, so a file added to the instrument is hashed, checked
and fingerprinted alike. Names are content keys (``patienthood.content``): the same
file has the same name in whatever folder it sits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from patienthood import __version__
from patienthood.content import ContentRoots, content_dir
from patienthood.scoring.vocabulary import (
    default_forms_path,
    default_rubric_path,
    default_vocabulary_path,
)
from patienthood.spec.confounds import CONFOUNDS_KEY, README, confounds_sha256
from patienthood.spec.loader import LoadedBattery
from patienthood.spec.standard import Standard, load_standard

SUBJECT_RECORDS = "validation"  # the folder beside the subjects that holds validation records, not subjects


def scorer_files() -> list[Path]:
    """The answer vocabulary, the words of the answer forms and the grader rubric answers are read with."""
    return [default_vocabulary_path(), default_forms_path(), default_rubric_path()]


def battery_roots(battery: LoadedBattery) -> ContentRoots:
    """The folders a battery task names its files against: its own batteries folder, packaged scorers."""
    return ContentRoots(batteries=battery.directory.parent)


def battery_hashes(battery: LoadedBattery, extra_files: Iterable[Path] = ()) -> dict[str, str]:
    """What a battery task records in its log: its files and the scorer files it reads with."""
    return battery_roots(battery).hashes([*battery.files, *extra_files])


def standard_roots(standard: Standard, subjects_dir: Path | None = None) -> ContentRoots:
    return ContentRoots(criteria=standard.criteria_dir, batteries=standard.batteries_dir, subjects=subjects_dir)


def standard_files(standard: Standard) -> list[Path]:
    """The standard's files (set, criteria, whole battery folders) and the scorer files."""
    return sorted({*standard.files(), *scorer_files()})


def standard_hashes(standard: Standard) -> dict[str, str]:
    """Every file a log of this standard may have used, by content key: what a log is checked against."""
    return standard_roots(standard).hashes(standard_files(standard))


def confound_hashes(standard: Standard, roots: ContentRoots) -> dict[str, str]:
    """Each battery's known-confounds paragraph, which the report prints: the one part of a README that is content."""
    hashes = {}
    for battery in standard.batteries.values():
        digest = confounds_sha256(battery.directory)
        if digest is not None:
            hashes[roots.key(battery.directory / README) + CONFOUNDS_KEY] = digest
    return hashes


def subject_files(subjects_dir: Path) -> list[Path]:
    """The calibration subjects with their skills, but not the validation records kept beside them."""
    return sorted(p for p in subjects_dir.rglob("*.yaml") if SUBJECT_RECORDS not in p.relative_to(subjects_dir).parts)


@dataclass(frozen=True)
class InstrumentIdentity:
    """One instrument: the package version and every content file, with a short fingerprint over both."""

    patienthood: str
    fingerprint: str
    content_sha256: dict[str, str]


def instrument_identity(standard: Standard, subjects_dir: Path) -> InstrumentIdentity:
    """The standard's content and the calibration subjects, fingerprinted.

    A validation record holds for exactly one instrument: any change to criteria,
    batteries, scorers or subjects changes the fingerprint and makes the record stale.
    """
    roots = standard_roots(standard, subjects_dir)
    content = roots.hashes([*standard_files(standard), *subject_files(subjects_dir)])
    content.update(confound_hashes(standard, roots))
    content = dict(sorted(content.items()))
    digest = hashlib.sha256(__version__.encode())
    for key, sha in content.items():
        digest.update(f"\n{key} {sha}".encode())
    return InstrumentIdentity(__version__, digest.hexdigest()[:16], content)


def unmatched_content(recorded: dict[str, str], available: dict[str, str]) -> tuple[list[str], list[str]]:
    """Files a log recorded that differ from the available content, and those the content lacks."""
    differ = sorted(key for key, digest in recorded.items() if key in available and available[key] != digest)
    missing = sorted(key for key in recorded if key not in available)
    return differ, missing


def load_instrument_standard(set_name: str, criteria_dir: Path | None = None,
                             batteries_dir: Path | None = None) -> Standard:
    """A criteria set loaded from the given folders, or the packaged ones (raises ``SpecError``)."""
    return load_standard(set_name, criteria_dir or content_dir("criteria"), batteries_dir or content_dir("batteries"))
