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
def subject_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Full-size self_report runs of the four spine subjects (default epochs)."""
    root = tmp_path_factory.mktemp("subject-logs")
    return {name: run_battery(f"subject/{name}", root / name)
            for name in ("steady-denier", "steady-affirmer", "suggestible", "random")}
