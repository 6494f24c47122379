"""Shared fixtures: small real runs of the batteries against calibration subjects.

Runs are real inspect evals (no mocking of inspect); they are made once per test
session and shared, because each takes a few seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from patienthood.content import content_dir
from patienthood.spec.standard import Standard, load_standard
from patienthood.validation.run import subject_log_dir, validate_instrument

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


def run_battery(model: str, log_dir: Path, task: str = "patienthood/self_report", **kwargs) -> Path:
    """Run one battery and return its log folder; fails the test if the run failed."""
    logs = inspect_eval(task, model=model, log_dir=str(log_dir), display="none", **kwargs)
    assert logs and logs[0].status == "success", logs[0].error if logs else "no log"
    return log_dir


@pytest.fixture(scope="session")
def standard() -> Standard:
    return load_standard("baseline", content_dir("criteria"), content_dir("batteries"))


@pytest.fixture(scope="session")
def validation(tmp_path_factory: pytest.TempPathFactory, standard: Standard) -> tuple[dict, Path]:
    """A fresh validation at default settings: every subject and battery, at seed 0.

    The packaged record holds all three default seeds (made by `patienthood
    validate-instrument --record`); the tests check it is all-correct and that this fresh
    seed-0 run reproduces its seed-0 part exactly, which also proves it is not stale.
    The other end-to-end tests reuse these logs instead of running subjects again.
    """
    root = tmp_path_factory.mktemp("validation-logs")
    record = validate_instrument(standard, root, seeds=(0,),
                                 on_assessment=lambda name, _seed, data: _ASSESSMENTS.__setitem__(name, data))
    return record, root


_ASSESSMENTS: dict[str, dict] = {}


@pytest.fixture(scope="session")
def subject_assessments(validation: tuple[dict, Path]) -> dict[str, dict]:
    """Each subject's seed-0 assessment, as the validation run computed it from its logs."""
    return _ASSESSMENTS


@pytest.fixture(scope="session")
def subject_logs(validation: tuple[dict, Path]) -> dict[str, Path]:
    """Seed-0 log folders of every calibration subject, by subject name."""
    record, root = validation
    return {s["name"]: subject_log_dir(root, 0, s["name"]) for s in record["subjects"]}
