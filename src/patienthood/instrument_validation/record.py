"""Validation records on disk, and how a report presents one.

The packaged record (``batteries/subjects/validation/<set>.json``) is made with
``patienthood validate-instrument --record`` and checked by the test suite against a
fresh run, so a report made from an installed package still shows how this version of
the instrument classified the subjects.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from patienthood.content import content_dir
from patienthood.errors import InputProblem
from patienthood.instrument import InstrumentIdentity
from patienthood.results import InstrumentRef, ValidationRecord, ValidationSection


def packaged_record_path(set_id: str) -> Path:
    return content_dir("subjects") / "validation" / f"{set_id}.json"


def load_record(path: Path) -> ValidationRecord:
    """A validation record from its file; a file that is not one is bad input, named with the fix."""
    try:
        return ValidationRecord.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, ValidationError) as err:
        reason = str(err).splitlines()[0]
        raise InputProblem(f"{path}: not a validation record ({reason}); give a validation.json written by "
                           "`patienthood validate-instrument`") from None


def validation_section(record: ValidationRecord | None, identity: InstrumentIdentity, source: str) -> ValidationSection:
    """What a report says about validation: the record, and whether it is for this instrument."""
    current = InstrumentRef(patienthood=identity.patienthood, fingerprint=identity.fingerprint)
    if record is None:
        return ValidationSection(status="absent", source=source, instrument=current,
                                 note="No validation record was found for this set; run "
                                      "`patienthood validate-instrument`.")
    made_with = record.instrument.fingerprint
    status = "current" if made_with == current.fingerprint else "stale"
    note = ("The record was made with this instrument." if status == "current" else
            f"The record was made with instrument {made_with}, not with this one "
            f"({current.fingerprint}): this instrument's classification of the subjects is not known.")
    return ValidationSection(status=status, source=source, note=note, instrument=current,
                             record_instrument=made_with, seeds=record.seeds, all_correct=record.all_correct,
                             failures=record.failures, subjects=record.subjects)
