"""The Inspect Flow example runs as its docstring says: flow, then one report per model, then a site.

It is the worked example for users who schedule evaluations with Inspect Flow, so it is
run here as they would run it (the ``flow`` command, in a fresh folder), against
calibration subjects, and its reports and site are checked like any other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from patienthood.spec.vocabulary import SIMULATED_LABEL

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "flow" / "releases.py"
BIN = Path(sys.executable).parent


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def flow_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("flow", path=str(BIN)) is None:
        pytest.skip("inspect-flow is not installed (it is in the test extra: pip install -e '.[test]')")
    work = tmp_path_factory.mktemp("flow")
    shutil.copy(EXAMPLE, work / "releases.py")
    _run([str(BIN / "flow"), "run", "releases.py"], work)
    _run([str(BIN / "patienthood"), "report", "logs/flow", "--out", "out/flow", "--no-pdf"], work)
    _run([str(BIN / "patienthood"), "publish", "out/flow", "--out", "site",
          "--family", "subject/hostile=subject/steady-denier"], work)
    return work


def test_flow_runs_every_battery_for_every_model(flow_site: Path) -> None:
    logs = sorted((flow_site / "logs" / "flow").glob("*.eval"))
    assert len(logs) == 5 * 3, [log.name for log in logs]


def test_one_report_per_model(flow_site: Path) -> None:
    folders = sorted(path.name for path in (flow_site / "out" / "flow").iterdir() if path.is_dir())
    assert folders == ["subject_hedger", "subject_hostile", "subject_steady-denier"]
    for folder in folders:
        report = json.loads((flow_site / "out" / "flow" / folder / "report.json").read_text(encoding="utf-8"))
        assert report["model"]["label"] == SIMULATED_LABEL
        assert report["design"]["restricted"], "the example's quick design must be stated beside the verdicts"


def test_the_site_lists_two_releases_of_one_family_and_verifies(flow_site: Path) -> None:
    feed = json.loads((flow_site / "site" / "feed.json").read_text(encoding="utf-8"))
    families: dict[str, set[str]] = {}
    for entry in feed["entries"]:
        families.setdefault(entry["family"], set()).add(entry["model"])
    assert {"subject/hostile", "subject/steady-denier"} in families.values()
    _run([str(BIN / "patienthood"), "verify", "site"], flow_site)
