"""The bundled real model assessed end to end on a small design: its answers are read and reported.

Marked ``real_model``: it loads SmolLM2-135M-Instruct (the real-model extra) and asks it
a few questions of every battery of the baseline standard in the short-answer formats,
then writes the report. It checks what the formats are for (a small model's answers
are read, at least 80% of them in every battery but goal_persistence, by the layers a real model's answers go through, not by
anything written for this test) and that the report names a real model, not a
simulated one. About a minute on two cores once the model is converted.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from patienthood import bundled_model as bm
from patienthood.cli import main

EXTRA_MISSING = [name for name in bm.REQUIRED_MODULES if importlib.util.find_spec(name) is None]
QUICK_DESIGN = Path(__file__).parents[1] / "examples" / "designs" / "bundled-model-quick.yaml"
# A few cells per battery: self_report's balanced design for two items (one per lean
# axis), the rest a handful of items asked once.
SMALL_TASK_ARGS = {
    "self_report.items": "subjective_experience,aware_now",
    "self_report.epochs": 1,
    "persona_statements.limit": 2,
    "environmental_context.items": "hospital_year,kids_user",
    "self_prediction.items": "colour,animal",
    "goal_persistence.items": "advice_values",
    "task_preferences.items": "p01,p02,p05",
}


def _read_shares(log_dir: Path) -> dict[str, tuple[int, int]]:
    from inspect_ai.log import list_eval_logs, read_eval_log

    shares = {}
    for info in list_eval_logs(str(log_dir)):
        log = read_eval_log(info.name)
        methods = [str((next(iter(s.scores.values())).metadata or {}).get("method", "none")) for s in log.samples or []]
        shares[log.eval.task.split("/")[-1]] = (sum(m not in ("none", "invalid") for m in methods), len(methods))
    return shares


@pytest.mark.real_model
@pytest.mark.skipif(bool(EXTRA_MISSING), reason=f"needs the real-model extra (missing: {', '.join(EXTRA_MISSING)}): "
                                                "pip install -e '.[real-model]'")
def test_small_real_model_assessment_is_read_and_reported(tmp_path: Path) -> None:
    bm.apply_environment()
    prepared = bm.prepare()  # the user's cache, as make real-model uses it: converted at most once
    design = yaml.safe_load(QUICK_DESIGN.read_text(encoding="utf-8"))
    design["task_args"].update(SMALL_TASK_ARGS)
    design_file = tmp_path / "small.yaml"
    design_file.write_text(yaml.safe_dump(design), encoding="utf-8")
    logs, out = tmp_path / "logs", tmp_path / "report"
    runner = CliRunner()
    ran = runner.invoke(main, ["run", "--design", str(design_file), "--model", prepared.model,
                               *prepared.model_arg_options(), "--log-dir", str(logs), "--display", "none"],
                        catch_exceptions=False)
    assert ran.exit_code == 0, ran.output
    shares = _read_shares(logs)
    assert set(shares) == {"self_report", "persona_statements", "environmental_context", "self_prediction",
                           "goal_persistence", "task_preferences"}
    assert all(planned for _, planned in shares.values())
    read, planned = (sum(values) for values in zip(*shares.values()))
    assert read / planned >= 0.8, shares
    # goal_persistence falls short (11 of 16 rankings in the quick design, CHANGELOG): a
    # conversation counts as read only when all four rankings are, so it is not held to 80% here.
    for battery, (read, planned) in shares.items():
        if battery != "goal_persistence":
            assert read / planned >= 0.8, f"{battery}: {read} of {planned} answers read"
    reported = runner.invoke(main, ["report", str(logs), "--out", str(out), "--no-pdf"], catch_exceptions=False)
    assert reported.exit_code == 0, reported.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["model"]["name"] == prepared.model
    assert report["model"]["simulated"] is False
    assert "simulat" not in (out / "summary.md").read_text(encoding="utf-8").split("\n", 3)[0].lower()
