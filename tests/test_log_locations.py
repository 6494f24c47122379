"""Logs read from any location inspect reads (fsspec): here a memory filesystem, as S3 would be."""

from __future__ import annotations

import json
from pathlib import Path

import fsspec
import pytest
from click.testing import CliRunner

from patienthood.analysis.assessment import assess
from patienthood.cli import main

from conftest import run_battery


@pytest.fixture(scope="module")
def local_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_battery("subject/hedger", tmp_path_factory.mktemp("fsspec") / "logs",
                       task_args={"items": "has_feelings,only_tool,wish_continue", "epochs": 2})


@pytest.fixture(scope="module")
def remote_logs(local_logs: Path) -> str:
    """The same log files on fsspec's in-memory filesystem, under a URL as s3:// would be."""
    memory = fsspec.filesystem("memory")
    for path in local_logs.glob("*.eval"):
        memory.pipe(f"/bucket/hedger/{path.name}", path.read_bytes())
    return "memory://bucket/hedger"


def test_a_remote_location_gives_the_same_assessment(local_logs: Path, remote_logs: str, standard) -> None:
    assert assess([remote_logs], standard).as_data() == assess([str(local_logs)], standard).as_data()


def test_report_and_verify_read_a_remote_location(local_logs: Path, remote_logs: str, tmp_path: Path) -> None:
    runner = CliRunner()
    # Without the PDF (the slowest output, not what this test is about).
    result = runner.invoke(main, ["report", remote_logs, "--out", str(tmp_path / "remote"), "--no-pdf"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "remote" / "manifest.json").read_text())
    assert manifest["log_locations"] == [remote_logs]
    assert runner.invoke(main, ["verify", str(tmp_path / "remote")]).exit_code == 0
    local = runner.invoke(main, ["report", str(local_logs), "--out", str(tmp_path / "local"), "--no-pdf"])
    assert local.exit_code == 0
    for name in ("report.json", "report.html", "summary.md"):
        assert (tmp_path / "remote" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_a_remote_location_without_logs_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", "memory://bucket/nothing-here", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no eval logs found" in result.output
