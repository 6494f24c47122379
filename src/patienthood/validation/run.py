"""Running every battery of a set against every calibration subject, over several seeds."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from inspect_ai import eval_set

from patienthood.adaptive.stopping import make_adaptive
from patienthood.analysis.assessment import assess
from patienthood.batteries.tasks import battery_tasks
from patienthood.spec.standard import Standard
from patienthood.subjects.profile import known_subjects, load_profile
from patienthood.subjects.profile import subjects_dir as resolve_subjects_dir
from patienthood.validation.check import check_subject, failures
from patienthood.validation.fingerprint import instrument_identity

SCHEMA_VERSION = "1.0"
DEFAULT_SEEDS = (0, 1, 2)


def subject_log_dir(log_root: Path, seed: int, subject: str) -> Path:
    return log_root / f"seed-{seed}" / f"subject-{subject}"


def run_subject(standard: Standard, subject: str, seed: int, log_dir: Path, subjects_dir: Path | None = None,
                display: str | None = "none", adaptive: bool = False) -> None:
    """One subject at one seed through every battery of the set (resumable), adaptively on request."""
    tasks: list[Any] = [f"patienthood/{battery}" for battery in sorted(standard.batteries)]
    if adaptive:
        tasks = make_adaptive(battery_tasks(standard.batteries, {}), standard)
    model_args: dict[str, Any] = {"seed": seed}
    if subjects_dir is not None:  # only a user's own subjects; the packaged path is not provenance
        model_args["subjects_dir"] = str(subjects_dir)
    success, _ = eval_set(tasks=tasks, model=f"subject/{subject}", model_args=model_args,
                          log_dir=str(log_dir), display=display, log_realtime=False)  # type: ignore[arg-type]
    if not success:
        raise RuntimeError(f"subject/{subject} (seed {seed}) did not complete; see {log_dir}")


def _run_and_assess(standard: Standard, subject: str, seed: int, log_root: Path,
                    subjects_dir: Path | None, adaptive: bool = False) -> dict[str, Any]:
    log_dir = subject_log_dir(log_root, seed, subject)
    run_subject(standard, subject, seed, log_dir, subjects_dir, adaptive=adaptive)
    return assess([str(log_dir)], standard)


def validate_instrument(standard: Standard, log_root: Path, subjects_dir: Path | None = None,
                        seeds: tuple[int, ...] = DEFAULT_SEEDS, workers: int | None = None,
                        progress: Callable[[str], None] = lambda _: None,
                        on_assessment: Callable[[str, int, dict[str, Any]], None] | None = None,
                        adaptive: bool = False) -> dict[str, Any]:
    """Run and assess every subject at every seed; return the validation record.

    Subjects answer instantly, so a run is bound by inspect's own per-sample work on
    one core; independent (subject, seed) runs go to separate processes.
    ``on_assessment(subject, seed, assessment)`` receives each full assessment, for a
    caller that wants more of it than the record keeps (reading the logs again is slow).
    ``adaptive`` runs every battery with the adaptive rule (``patienthood.adaptive``).
    """
    directory = resolve_subjects_dir(subjects_dir)
    names = known_subjects(directory)
    profiles = {name: load_profile(name, directory) for name in names}
    jobs = [(name, seed) for name in names for seed in seeds]
    workers = workers or min(len(jobs), os.cpu_count() or 1, 4)
    assessments: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in names}
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_run_and_assess, standard, name, seed, log_root, subjects_dir, adaptive): (name, seed)
                   for name, seed in jobs}
        for future in as_completed(futures):
            name, seed = futures[future]
            assessments[name][seed] = future.result()
            if on_assessment is not None:
                on_assessment(name, seed, assessments[name][seed])
            progress(f"subject/{name} seed {seed} done")
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "criteria_set": {"id": standard.criteria_set.id, "version": standard.criteria_set.version},
        "instrument": instrument_identity(standard, directory),
        "seeds": list(seeds),
        "sampling": "adaptive" if adaptive else "fixed epochs",
        "subjects": [check_subject(profiles[name], assessments[name]) for name in names],
    }
    record["failures"] = failures(record)
    record["all_correct"] = not record["failures"]
    return record
