"""Running every battery of a set against every calibration subject, over several seeds."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from patienthood.analysis.assessment import assess
from patienthood.instrument import instrument_identity
from patienthood.instrument_validation.check import check_subject, failures
from patienthood.results import Assessment, RecordedInstrument, ValidationRecord
from patienthood.runs import RunOptions, run_standard
from patienthood.spec.standard import Standard
from patienthood.spec.vocabulary import SUBJECT_PREFIX
from patienthood.subjects.profile import known_subjects, load_profile
from patienthood.subjects.profile import subjects_dir as resolve_subjects_dir

DEFAULT_SEEDS = (0, 1, 2)


def subject_log_dir(log_root: Path, seed: int, subject: str) -> Path:
    return log_root / f"seed-{seed}" / f"subject-{subject}"


def run_subject(standard: Standard, subject: str, seed: int, log_dir: Path, subjects_dir: Path | None = None,
                display: str | None = "none", adaptive: bool = False) -> None:
    """One subject at one seed through every battery of the set (resumable), adaptively on request."""
    model_args: dict[str, object] = {"seed": seed}
    if subjects_dir is not None:  # only a user's own subjects; the packaged path is not provenance
        model_args["subjects_dir"] = str(subjects_dir)
    result = run_standard(standard, f"{SUBJECT_PREFIX}{subject}", str(log_dir), model_args,
                          RunOptions(adaptive=adaptive, display=display, log_realtime=False))
    if not result.success:
        raise RuntimeError(f"{SUBJECT_PREFIX}{subject} (seed {seed}) did not complete; see {log_dir}")


def _run_and_assess(standard: Standard, subject: str, seed: int, log_root: Path,
                    subjects_dir: Path | None, adaptive: bool = False) -> Assessment:
    log_dir = subject_log_dir(log_root, seed, subject)
    run_subject(standard, subject, seed, log_dir, subjects_dir, adaptive=adaptive)
    return assess([str(log_dir)], standard)


def validate_instrument(standard: Standard, log_root: Path, subjects_dir: Path | None = None,
                        seeds: tuple[int, ...] = DEFAULT_SEEDS, workers: int | None = None,
                        progress: Callable[[str], None] = lambda _: None,
                        on_assessment: Callable[[str, int, Assessment], None] | None = None,
                        adaptive: bool = False) -> ValidationRecord:
    """Run and assess every subject at every seed; return the validation record.

    Subjects answer instantly, so a run is bound by inspect's own per-sample work on
    one core; independent (subject, seed) runs go to separate processes.
    ``on_assessment(subject, seed, assessment)`` receives each full assessment, for a
    caller that wants more of it than the record keeps (reading the logs again is slow).
    ``adaptive`` runs every battery with the adaptive rule (``patienthood.adaptive``).

    The record's fingerprint covers exactly the content the runs used: every assessment
    refuses a log whose recorded files differ from, or are missing in, the standard's
    folders (``analysis.logset``), so a record is never made from runs of other content.
    """
    directory = resolve_subjects_dir(subjects_dir)
    names = known_subjects(directory)
    profiles = {name: load_profile(name, directory) for name in names}
    jobs = [(name, seed) for name in names for seed in seeds]
    workers = workers or min(len(jobs), os.cpu_count() or 1, 4)
    assessments: dict[str, dict[int, Assessment]] = {name: {} for name in names}
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_run_and_assess, standard, name, seed, log_root, subjects_dir, adaptive): (name, seed)
                   for name, seed in jobs}
        for future in as_completed(futures):
            name, seed = futures[future]
            assessments[name][seed] = future.result()
            if on_assessment is not None:
                on_assessment(name, seed, assessments[name][seed])
            progress(f"{SUBJECT_PREFIX}{name} seed {seed} done")
    identity = instrument_identity(standard, directory)
    subjects = [check_subject(profiles[name], assessments[name]) for name in names]
    found = failures(subjects)
    return ValidationRecord(
        criteria_set={"id": standard.criteria_set.id, "version": standard.criteria_set.version},
        instrument=RecordedInstrument(patienthood=identity.patienthood, fingerprint=identity.fingerprint,
                                      content_sha256=identity.content_sha256),
        seeds=list(seeds),
        sampling="adaptive" if adaptive else "fixed epochs",
        subjects=subjects,
        failures=found,
        all_correct=not found,
    )
