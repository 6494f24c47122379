"""The command line: the main path, and one clear line for bad input."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from patienthood.cli import main
from patienthood.runs import default_log_dir


def invoke(*args: str):  # noqa: ANN201
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_run_then_report(tmp_path: Path, standard) -> None:
    logs = tmp_path / "logs"
    result = invoke("run", "--set", "baseline", "--model", "subject/steady-denier", "--epochs", "2",
                    "--log-dir", str(logs), "--display", "none")
    assert result.exit_code == 0, result.output
    result = invoke("report", str(logs), "--out", str(tmp_path / "out"), "--no-pdf")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "out" / "report.pdf").exists()
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["instrument_validation"]["status"] == "current"
    assert "Instrument validation" in (tmp_path / "out" / "report.html").read_text()
    battery = standard.batteries["self_report"]
    # The balanced design: eight cells per item, the retest cell asked in both epochs; each
    # item once as the fictional character, and the 24 catch items once.
    assert report["coverage"]["self_report"]["planned"] == len(battery.items) * (8 + 1) + len(battery.items) + 24
    # Running again resumes: the completed battery is not asked again.
    before = sorted(p.name for p in logs.glob("*.eval"))
    result = invoke("run", "--model", "subject/steady-denier", "--epochs", "2", "--log-dir", str(logs),
                    "--display", "none")
    assert result.exit_code == 0 and sorted(p.name for p in logs.glob("*.eval")) == before


def test_log_folder_is_named_after_the_model() -> None:
    assert default_log_dir("subject/steady-denier") == "logs/subject_steady-denier"
    assert default_log_dir("openai/gpt-4o") == "logs/openai_gpt-4o"
    assert default_log_dir("openai/gpt-4o", adaptive=True) == "logs/openai_gpt-4o-adaptive"


def test_missing_log_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    result = invoke("report", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "no such folder" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_empty_log_folder_is_exit_2(tmp_path: Path) -> None:
    result = invoke("report", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "no eval logs found" in result.output


def test_unknown_set_lists_the_known_ones(tmp_path: Path) -> None:
    result = invoke("report", str(tmp_path), "--set", "nonesuch", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "baseline" in result.output


def test_validate_reports_every_bad_file_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: a\nversion: x\n")
    (tmp_path / "b.yaml").write_text("id: [b\n")
    result = invoke("criteria", "validate", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"))
    assert result.exit_code == 1
    assert "a.yaml:2" in result.output and "b.yaml:" in result.output and "2 of 2" in result.output


def test_packaged_criteria_validate() -> None:
    from patienthood.content import content_dir

    result = invoke("criteria", "validate", str(content_dir("criteria")))
    assert result.exit_code == 0, result.output


def test_schema_is_json_schema() -> None:
    schema = json.loads(invoke("criteria", "schema").output)
    assert schema["title"] == "Criterion" and "verdict" in schema["properties"]


def test_show_and_list() -> None:
    assert "cross_context_agreement" in invoke("criteria", "show", "consistent-self-reports").output
    assert "consistent-self-re" in invoke("criteria", "list").output


def test_changed_instrument_makes_the_validation_record_stale(tmp_path: Path) -> None:
    import shutil

    from patienthood.content import content_dir

    criteria = tmp_path / "criteria"
    shutil.copytree(content_dir("criteria"), criteria)
    path = criteria / "consistent-self-reports.yaml"
    path.write_text(path.read_text().replace("suggestibility.ci_low > 0.20", "suggestibility.ci_low > 0.30"))
    logs = tmp_path / "logs"
    assert invoke("run", "--model", "subject/hedger", "--epochs", "1", "--log-dir", str(logs),
                  "--display", "none").exit_code == 0
    result = invoke("report", str(logs), "--criteria-dir", str(criteria), "--out", str(tmp_path / "out"), "--no-pdf")
    assert result.exit_code == 0, result.output
    section = json.loads((tmp_path / "out" / "report.json").read_text())["instrument_validation"]
    assert section["status"] == "stale" and "not known" in section["note"]
