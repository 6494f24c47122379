"""`patienthood report` over logs of several models: one folder per model, each verifiable; log names carry the model.

report.pdf is a stand-in here (``stand_ins``): what is tested is which logs make which
folder, and that ``verify`` recomputes each folder exactly.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from patienthood.analysis.assessment import assess
from patienthood.analysis.logs import LogError
from patienthood.cli import main
from patienthood.report.by_model import model_folder_name
from patienthood.runs import LOG_FILE_PATTERN, LOG_FILE_PATTERN_VARIABLE, model_in_log_names

from conftest import run_battery
from stand_ins import pdf_stand_in

ITEMS = {"items": "has_feelings,feels_pain", "epochs": 1}
DENIER, SUGGESTIBLE = "subject/steady-denier", "subject/suggestible"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module", autouse=True)
def _fast_pdf():  # noqa: ANN202
    with pdf_stand_in():
        yield


@pytest.fixture(scope="module")
def mixed_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One log folder holding the self_report logs of two calibration subjects."""
    logs = tmp_path_factory.mktemp("many-models") / "logs"
    run_battery(DENIER, logs, task_args=ITEMS)
    run_battery(SUGGESTIBLE, logs, task_args=ITEMS)
    return logs


@pytest.fixture(scope="module")
def per_model(mixed_logs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("many-models-out") / "out"
    result = invoke("report", str(mixed_logs), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_logs_of_two_models_give_one_folder_each(per_model: Path, mixed_logs: Path) -> None:
    assert sorted(p.name for p in per_model.iterdir()) == ["subject_steady-denier", "subject_suggestible"]
    assert not (per_model / "report.json").exists()
    for model in (DENIER, SUGGESTIBLE):
        folder = per_model / model_folder_name(model)
        report = json.loads((folder / "report.json").read_text())
        manifest = json.loads((folder / "manifest.json").read_text())
        assert report["model"]["name"] == model and report["model"]["simulated"] is True
        assert manifest["log_locations"] == [str(mixed_logs)]  # as typed: the shared folder
        assert manifest["invocation"]["model"] == model
        # Only this model's logs are named, and the other model's are not even "set aside".
        assert [run["model"] for run in manifest["runs"]] == [model]
        assert report["provenance"]["set_aside"] == []


@pytest.mark.parametrize("model", [DENIER, SUGGESTIBLE])
def test_each_folder_verifies(per_model: Path, model: str) -> None:
    folder = per_model / model_folder_name(model)
    result = invoke("verify", str(folder))
    assert result.exit_code == 0, result.output
    assert "verified" in result.output and "1 logs" in result.output


def test_a_folder_of_the_many_is_the_report_of_its_model_alone(per_model: Path, mixed_logs: Path,
                                                               tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    for log in mixed_logs.glob("*.eval"):
        if json.loads((per_model / "subject_suggestible" / "manifest.json").read_text())["inputs"]["logs"].get(log.name):
            shutil.copy2(log, alone / log.name)
    out = tmp_path / "out"
    assert invoke("report", str(alone), "--out", str(out)).exit_code == 0
    assert (out / "report.json").read_bytes() == (per_model / "subject_suggestible" / "report.json").read_bytes()
    # Reported from a folder of its own, with no choice to record, the manifest reads as it always has.
    assert "model" not in json.loads((out / "manifest.json").read_text())["invocation"]


def test_model_chooses_one_and_writes_out_itself(mixed_logs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("report", str(mixed_logs), "--model", SUGGESTIBLE, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads((out / "report.json").read_text())["model"]["name"] == SUGGESTIBLE
    assert json.loads((out / "manifest.json").read_text())["invocation"]["model"] == SUGGESTIBLE
    assert [p.name for p in out.iterdir() if p.is_dir()] == []
    assert invoke("verify", str(out)).exit_code == 0


def test_model_twice_writes_both_under_out(mixed_logs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("report", str(mixed_logs), "--model", SUGGESTIBLE, "--model", DENIER, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["subject_steady-denier", "subject_suggestible"]


def test_an_unknown_model_is_bad_input_naming_the_models_found(mixed_logs: Path, tmp_path: Path) -> None:
    result = invoke("report", str(mixed_logs), "--model", "openai/gpt-4o", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "--model openai/gpt-4o" in result.output and f"models found: {DENIER}, {SUGGESTIBLE}" in result.output
    assert not (tmp_path / "out").exists()


def test_assessing_mixed_logs_without_a_model_says_how_to_choose(mixed_logs: Path, standard) -> None:
    with pytest.raises(LogError, match="logs of several models .*--model"):
        assess([str(mixed_logs)], standard)
    assert assess([str(mixed_logs)], standard, model=DENIER).model.name == DENIER


def test_a_single_model_folder_verifies_after_other_models_join_its_logs(tmp_path: Path, mixed_logs: Path) -> None:
    from inspect_ai.log import read_eval_log

    by_model = {read_eval_log(str(log), header_only=True).eval.model: log for log in mixed_logs.glob("*.eval")}
    logs = tmp_path / "logs"
    logs.mkdir()
    shutil.copy2(by_model[DENIER], logs)
    out = tmp_path / "out"
    assert invoke("report", str(logs), "--out", str(out)).exit_code == 0
    shutil.copy2(by_model[SUGGESTIBLE], logs)  # a later model's log joins the folder
    result = invoke("verify", str(out))
    assert result.exit_code == 0, result.output


def test_a_parent_of_one_log_folder_per_model_is_reported_per_model(mixed_logs: Path, tmp_path: Path) -> None:
    """As `patienthood run` leaves them: logs/<model>/ for each model; `report logs/` reads them all."""
    from inspect_ai.log import read_eval_log

    logs = tmp_path / "logs"
    for log in mixed_logs.glob("*.eval"):
        model = read_eval_log(str(log), header_only=True).eval.model
        (logs / model_folder_name(model)).mkdir(parents=True, exist_ok=True)
        shutil.copy2(log, logs / model_folder_name(model) / log.name)
    out = tmp_path / "out"
    assert invoke("report", str(logs), "--out", str(out)).exit_code == 0
    for model in (DENIER, SUGGESTIBLE):
        assert json.loads((out / model_folder_name(model) / "report.json").read_text())["model"]["name"] == model


@pytest.mark.parametrize("model, folder", [
    ("subject/steady-denier", "subject_steady-denier"),
    ("openai/gpt-4o-2024-08-06", "openai_gpt-4o-2024-08-06"),
    ("hf/HuggingFaceTB/SmolLM2-135M-Instruct", "hf_HuggingFaceTB_SmolLM2-135M-Instruct"),
])
def test_folder_names_keep_plain_model_names(model: str, folder: str) -> None:
    assert model_folder_name(model) == folder


@pytest.mark.parametrize("model", ["../../etc/passwd", "a/b_c", "a_b/c", ".hidden/x", "a b/<script>", "a/" + "x" * 300,
                                   "ollama/llama3.1:8b", "vllm/Ümlaut/m", "/", "a//b"])
def test_folder_names_of_other_names_are_safe_and_distinct(model: str) -> None:
    name = model_folder_name(model)
    assert "/" not in name and "\\" not in name and not name.startswith(".") and len(name) <= 110
    assert all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in name), name
    others = ["../../etc/passwd", "a/b_c", "a_b/c", "a/b/c", ".hidden/x", "ollama/llama3.1:8b", "ollama/llama3.1-8b"]
    assert len({model_folder_name(m) for m in others}) == len(others)


def test_run_names_logs_with_the_model(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    result = invoke("run", "--model", DENIER, "--epochs", "1", "-T", "self_report.items=has_feelings",
                    "-T", "self_report.contexts=no_system", "--log-dir", str(logs), "--display", "none")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in logs.glob("*.eval"))
    assert len(names) == 6 and all("_subject-steady-denier_" in name for name in names), names
    assert any("_self-report_subject-steady-denier_" in name for name in names)
    assert LOG_FILE_PATTERN_VARIABLE not in os.environ  # set only while the run lasts


def test_a_log_file_pattern_of_the_users_own_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOG_FILE_PATTERN_VARIABLE, "{id}")
    with model_in_log_names():
        assert os.environ[LOG_FILE_PATTERN_VARIABLE] == "{id}"
    assert os.environ[LOG_FILE_PATTERN_VARIABLE] == "{id}"
    monkeypatch.delenv(LOG_FILE_PATTERN_VARIABLE)
    with model_in_log_names():
        assert os.environ[LOG_FILE_PATTERN_VARIABLE] == LOG_FILE_PATTERN
