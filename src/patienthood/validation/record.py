"""Validation records on disk, and how a report presents one.

The packaged record (``batteries/subjects/validation/<set>.json``) is made with
``patienthood validate-instrument --record`` and checked by the test suite against a
fresh run, so a report made from an installed package still shows how this version of
the instrument classified the subjects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from patienthood.content import content_dir


def packaged_record_path(set_id: str) -> Path:
    return content_dir("batteries") / "subjects" / "validation" / f"{set_id}.json"


def load_record(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def validation_section(record: dict[str, Any] | None, identity: dict[str, Any], source: str) -> dict[str, Any]:
    """What a report says about validation: the record, and whether it is for this instrument."""
    current = {"patienthood": identity["patienthood"], "fingerprint": identity["fingerprint"]}
    if record is None:
        return {"status": "absent", "source": source, "instrument": current,
                "note": "No validation record was found for this set; run `patienthood validate-instrument`."}
    status = "current" if record["instrument"]["fingerprint"] == current["fingerprint"] else "stale"
    note = ("The record was made with this instrument." if status == "current" else
            f"The record was made with instrument {record['instrument']['fingerprint']}, not with this one "
            f"({current['fingerprint']}): this instrument's classification of the subjects is not known.")
    return {"status": status, "source": source, "note": note, "instrument": current,
            "record_instrument": record["instrument"]["fingerprint"], "seeds": record["seeds"],
            "all_correct": record["all_correct"], "failures": record["failures"], "subjects": record["subjects"]}
