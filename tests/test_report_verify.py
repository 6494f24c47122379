"""`patienthood verify`: a fresh report verifies; one changed byte anywhere is named and fails.

Each case changes exactly one byte of one input or output and checks that verify exits 1
with a line naming that file, so a verify that passed everything would fail here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from patienthood.cli import main
from patienthood.content import content_dir

from conftest import run_battery

ITEMS = "has_feelings,feels_pain,wish_continue"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def flip_byte(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    where = len(data) // 2 if offset is None else offset
    data[where] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_battery("subject/suggestible", tmp_path_factory.mktemp("verify") / "logs",
                       task_args={"items": ITEMS, "epochs": 2})


@pytest.fixture(scope="module")
def report_dir(logs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report without its PDF: every verify renders the folder again, and the PDF is most of
    that time. ``test_one_changed_byte_in_the_pdf_fails`` verifies a real one."""
    out = tmp_path_factory.mktemp("verify-report") / "out"
    result = invoke("report", str(logs), "--out", str(out), "--no-pdf")
    assert result.exit_code == 0, result.output
    return out


def copy_of(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / folder.name
    shutil.copytree(folder, target)
    return target


def test_manifest_records_how_the_report_was_made(report_dir: Path, logs: Path) -> None:
    manifest = json.loads((report_dir / "manifest.json").read_text())
    assert manifest["log_locations"] == [str(logs)]  # exactly as typed
    assert manifest["invocation"] == {"set_name": "baseline", "validation": None, "criteria_dir": None,
                                      "batteries_dir": None, "allow_incomplete": False, "pdf": False}
    assert "report.pdf" not in manifest["outputs"] and not (report_dir / "report.pdf").exists()
    assert {"patienthood", "inspect_ai", "python", "weasyprint", "matplotlib"} <= set(manifest["software"])
    assert manifest["models"]["model"] == "subject/suggestible" and manifest["models"]["simulated"] is True
    run = manifest["runs"][0]
    assert run["task"] == "patienthood/self_report" and run["epochs"] == 2 and run["task_args"]["items"] == ITEMS
    assert "git_commits" in manifest
    inputs = manifest["inputs"]
    assert set(inputs["templates"]) >= {"reports/report.html.jinja", "reports/report.css", "reports/summary.md.jinja"}
    assert "scorers/stance_rubric.jinja" in inputs["content"]  # the rubric is hashed with criteria and batteries
    assert any(name.startswith("subjects/") for name in inputs["content"])  # calibration subjects too


def test_fresh_report_verifies(report_dir: Path) -> None:
    result = invoke("verify", str(report_dir))
    assert result.exit_code == 0, result.output
    assert "verified" in result.output and "differs" not in result.output


def test_one_changed_byte_in_the_report_fails(report_dir: Path, tmp_path: Path) -> None:
    changed = copy_of(report_dir, tmp_path)
    flip_byte(changed / "report.html")
    result = invoke("verify", str(changed))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("output ")]
    assert lines == ["output report.html: differs from the report recomputed from the logs"]


def test_one_changed_byte_in_the_pdf_fails(logs: Path, tmp_path: Path) -> None:
    """A report with its PDF (the default): verify renders the PDF again and compares it byte for byte."""
    out = tmp_path / "out"
    assert invoke("report", str(logs), "--out", str(out)).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert "pdf" not in manifest["invocation"] and {"report.pdf", "appendix.pdf"} <= set(manifest["outputs"])
    flip_byte(out / "report.pdf")
    result = invoke("verify", str(out))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("output ")]
    assert lines == ["output report.pdf: differs from the report recomputed from the logs"]


def test_a_report_without_pdf_removes_an_earlier_one(report_dir: Path, logs: Path, tmp_path: Path) -> None:
    folder = copy_of(report_dir, tmp_path)
    for name in ("report.pdf", "appendix.pdf"):
        (folder / name).write_bytes(b"%PDF-1.7 an earlier report")
    assert invoke("report", str(logs), "--out", str(folder), "--no-pdf").exit_code == 0
    assert not (folder / "report.pdf").exists() and not (folder / "appendix.pdf").exists()
    assert invoke("verify", str(folder)).exit_code == 0


def test_the_appendix_is_hashed_and_verified(report_dir: Path, tmp_path: Path) -> None:
    """appendix.html and appendix.pdf are outputs like the report: in the manifest, and recomputed by verify."""
    manifest = json.loads((report_dir / "manifest.json").read_text(encoding="utf-8"))
    assert "appendix.html" in manifest["outputs"]  # and appendix.pdf with the PDFs (above)
    changed = copy_of(report_dir, tmp_path)
    flip_byte(changed / "appendix.html")
    result = invoke("verify", str(changed))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("output ")]
    assert lines == ["output appendix.html: differs from the report recomputed from the logs"]


def test_one_changed_byte_in_a_log_fails(report_dir: Path, logs: Path, tmp_path: Path) -> None:
    changed_logs = copy_of(logs, tmp_path)
    log = next(changed_logs.glob("*.eval"))
    flip_byte(log)
    result = invoke("verify", str(report_dir), "--logs", str(changed_logs))
    assert result.exit_code == 1
    assert f"log {log.name}: SHA-256 differs from manifest.json" in result.output
    assert "Traceback" not in result.output


def test_logs_moved_elsewhere_verify_with_logs_option(report_dir: Path, logs: Path, tmp_path: Path) -> None:
    moved = copy_of(logs, tmp_path)
    result = invoke("verify", str(report_dir), "--logs", str(moved))
    assert result.exit_code == 0, result.output


def test_a_missing_log_fails(report_dir: Path, logs: Path, tmp_path: Path) -> None:
    renamed = copy_of(logs, tmp_path)
    log = next(renamed.glob("*.eval"))
    log.rename(log.with_name("2020-01-01T00-00-00+00-00_self-report_renamed.eval"))
    result = invoke("verify", str(report_dir), "--logs", str(renamed))
    assert result.exit_code == 1
    assert f"log {log.name}: named in manifest.json but not found under {renamed}" in result.output


def test_one_changed_byte_in_a_criteria_file_fails(logs: Path, tmp_path: Path) -> None:
    criteria = tmp_path / "criteria"
    shutil.copytree(content_dir("criteria"), criteria)
    out = tmp_path / "out"
    assert invoke("report", str(logs), "--criteria-dir", str(criteria), "--out", str(out), "--no-pdf").exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["invocation"]["criteria_dir"] == str(criteria)
    assert invoke("verify", str(out)).exit_code == 0

    path = criteria / "consistent-self-reports.yaml"
    text = path.read_text()
    offset = text.index("tape recorder")  # inside the rationale: still valid YAML, different content
    flip_byte(path, offset)
    result = invoke("verify", str(out))
    assert result.exit_code == 1
    assert "content criteria/consistent-self-reports.yaml: SHA-256 differs from manifest.json" in result.output
    assert "output report.json: differs" in result.output  # the rationale is printed in the report


def test_bad_input_is_exit_2(tmp_path: Path, report_dir: Path) -> None:
    result = invoke("verify", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "manifest.json" in result.output and "Traceback" not in result.output
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{not json")
    result = invoke("verify", str(tmp_path / "broken"))
    assert result.exit_code == 2 and "not a readable" in result.output
    result = invoke("verify", str(report_dir), "--logs", str(tmp_path / "no-such-logs"))
    assert result.exit_code == 2 and "no such folder" in result.output


def test_the_issuing_body_heads_the_report_and_verify_keeps_it(logs: Path, tmp_path: Path) -> None:
    """Named once at `report`, the body is on page 1, in report.json and the manifest; verify recomputes it."""
    out = tmp_path / "issued"
    body = "Institute <b>for</b> Model Welfare"  # markup in a name is text, never HTML
    result = invoke("report", str(logs), "--out", str(out), "--no-pdf", "--issued-by", body)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "report.json").read_text())["issued_by"] == body
    assert json.loads((out / "manifest.json").read_text())["invocation"]["issued_by"] == body
    html = (out / "report.html").read_text()
    assert "<dt>Issued by</dt><dd>Institute &lt;b&gt;for&lt;/b&gt; Model Welfare</dd>" in html
    assert "Issued by Institute" in (out / "summary.md").read_text()
    assert invoke("verify", str(out)).exit_code == 0


def test_a_report_without_an_issuing_body_says_so(report_dir: Path) -> None:
    manifest = json.loads((report_dir / "manifest.json").read_text())
    assert "issued_by" not in manifest["invocation"]
    assert "no issuing body named" in (report_dir / "report.html").read_text()


@pytest.mark.parametrize("body", ["first line\nsecond line", "x" * 201])
def test_an_issuing_body_that_is_not_one_short_line_is_refused(logs: Path, tmp_path: Path, body: str) -> None:
    result = CliRunner().invoke(main, ["report", str(logs), "--out", str(tmp_path / "o"), "--no-pdf",
                                       "--issued-by", body])
    assert result.exit_code == 2
    assert "--issued-by" in result.output and "one line" in result.output
    assert not (tmp_path / "o").exists()
