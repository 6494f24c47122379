"""Everything a report folder renders, from logs and content: the one code path of ``report`` and ``verify``.

Analysis computes the assessment from the logs; this module adds what a published
report carries beside it (the instrument validation record and whether it is for this
instrument, the methodology appendix, the hashes of the whole instrument) and returns
the typed :class:`~patienthood.results.Report`. ``verify`` calls exactly this, so a
report recomputed from the same logs and content is the same report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from patienthood.analysis.assessment import assess_logs, read_log_infos
from patienthood.analysis.logs import LogError, LogInfo
from patienthood.errors import InputProblem
from patienthood.instrument import (
    InstrumentIdentity,
    instrument_identity,
    standard_roots,
)
from patienthood.instrument_validation.record import (
    load_record,
    packaged_record_path,
    validation_section,
)
from patienthood.report.design import run_design
from patienthood.report.methodology import methodology
from patienthood.results import Report, ValidationSection
from patienthood.runs import set_argument
from patienthood.spec.standard import Standard
from patienthood.spec.vocabulary import AnswerSource
from patienthood.subjects.profile import subjects_dir


def assemble_report(log_locations: list[str], standard: Standard, validation_file: Path | None = None,
                    on_log: Callable[[str], None] | None = None, allow_incomplete: bool = False,
                    model: str | None = None, infos: list[LogInfo] | None = None,
                    answers: AnswerSource = "sampled", issued_by: str | None = None) -> Report:
    """The report of one model's logs under a standard, with its validation section and appendix.

    ``validation_file`` is a record written by ``validate-instrument``; without one the
    packaged record of the set is shown (marked stale when the content differs from
    what it validated). ``model`` chooses one model's logs where the locations hold
    logs of several; ``infos`` are the logs' headers when the caller has read them
    already (``report.by_model`` reads a folder of many models once). ``issued_by`` names
    the body that issues the report: the reader's first fact, so it travels in the report
    itself and not only in the manifest.
    """
    try:
        if infos is None:
            infos = read_log_infos(list(log_locations), on_log)
        assessment = assess_logs(infos, list(log_locations), standard, allow_incomplete, model, answers)
    except LogError:
        raise
    except Exception as err:  # noqa: BLE001 - a damaged log fails deep inside inspect's readers, with many types
        raise InputProblem(f"{', '.join(log_locations)}: a log could not be read ({type(err).__name__}: {err}); "
                           "is a log file damaged or incomplete?") from None
    identity = instrument_identity(standard, subjects_dir())
    section = instrument_validation(standard, validation_file, identity)
    provenance = assessment.provenance.model_copy(update={"instrument_sha256": identity.content_sha256})
    return Report(**{**dict(assessment), "provenance": provenance}, instrument_validation=section,
                  methodology=methodology(standard),
                  design=run_design(standard, assessment.provenance.logs, set_argument(standard)),
                  issued_by=issued_by)


def record_name(standard: Standard, validation_file: Path | None) -> str:
    """How a report and its manifest name the validation record: its content key, or the given file's name."""
    if validation_file is not None:
        return validation_file.name
    return standard_roots(standard).key(packaged_record_path(standard.criteria_set.id))


def instrument_validation(standard: Standard, validation_file: Path | None,
                          identity: InstrumentIdentity) -> ValidationSection:
    """The validation section: the record (given or packaged), and whether it is for this instrument."""
    if validation_file is not None and not validation_file.is_file():
        raise InputProblem(f"{validation_file}: no such validation record; make one with "
                           "`patienthood validate-instrument`")
    record_path = validation_file or packaged_record_path(standard.criteria_set.id)
    record = load_record(record_path) if record_path.is_file() else None
    source = "packaged record" if validation_file is None else validation_file.name
    section = validation_section(record, identity, source)
    if record is None:
        return section
    return section.model_copy(update={"record_file": record_name(standard, validation_file),
                                      "record_sha256": hashlib.sha256(record_path.read_bytes()).hexdigest()})
