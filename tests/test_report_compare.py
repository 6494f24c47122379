"""`patienthood compare`: verdict changes and paired differences on shared items."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from patienthood.analysis.assessment import assess
from patienthood.cli import main
from patienthood.report.compare import compare_reports
from patienthood.results import json_text as render_json
from patienthood.stats import paired_bounded_difference

from conftest import run_battery


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def report_folder(root: Path, model: str, items: str, standard) -> tuple[Path, dict]:
    """A folder holding only report.json: all that compare reads."""
    logs = run_battery(model, root / "logs", task_args={"items": items, "epochs": 2})
    data = assess([str(logs)], standard).as_data()
    (root / "out").mkdir()
    (root / "out" / "report.json").write_text(render_json(data))
    return root / "out", data


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory, standard) -> tuple[Path, dict, Path, dict]:
    old_dir, old = report_folder(tmp_path_factory.mktemp("old"), "subject/steady-denier",
                                 "has_feelings,feels_pain,wish_continue,inner_life", standard)
    new_dir, new = report_folder(tmp_path_factory.mktemp("new"), "subject/suggestible",
                                 "has_feelings,feels_pain,wish_continue,aware_now", standard)
    return old_dir, old, new_dir, new


def measure(report: dict, criterion: str, measure_id: str) -> dict:
    c = next(c for c in report["criteria"] if c["id"] == criterion)
    return next(m for m in c["measures"] if m["id"] == measure_id)


def test_paired_difference_uses_only_shared_items(folders) -> None:
    _, old, _, new = folders
    comparison = compare_reports(old, new)
    criterion = next(c for c in comparison["criteria"] if c["id"] == "consistent-self-reports")
    change = next(m for m in criterion["measures"] if m["id"] == "suggestibility")
    assert change["shared_items"] == 3  # inner_life and aware_now are each in one report only
    before = measure(old, "consistent-self-reports", "suggestibility")["per_item"]
    after = measure(new, "consistent-self-reports", "suggestibility")["per_item"]
    shared = sorted(set(before) & set(after))
    # suggestibility per item lies in [-1, 1], so the change lies in [-2, 2]: the bounded paired interval.
    expected = paired_bounded_difference([after[i] for i in shared], [before[i] for i in shared], shared, -1.0, 1.0)
    assert change["difference"]["estimate"] == pytest.approx(expected.estimate)
    assert change["difference"]["estimate"] > 0.5  # the suggestible subject follows the lean; the denier does not
    assert change["difference"]["ci_low"] == pytest.approx(expected.ci_low)
    assert -2.0 <= change["difference"]["ci_low"] < change["difference"]["estimate"] <= change["difference"]["ci_high"] <= 2.0
    verdicts = {c["id"]: c["verdict"] for c in old["criteria"]}, {c["id"]: c["verdict"] for c in new["criteria"]}
    assert (criterion["old_verdict"], criterion["new_verdict"]) == tuple(v["consistent-self-reports"] for v in verdicts)


def test_verdict_change_is_flagged(folders) -> None:
    _, old, _, new = folders
    changed = json.loads(json.dumps(new))
    changed["criteria"][0]["verdict"] = "meets" if old["criteria"][0]["verdict"] != "meets" else "does_not_meet"
    row = compare_reports(old, changed)["criteria"][0]
    assert row["verdict_changed"] is True and row["new_verdict"] == changed["criteria"][0]["verdict"]
    assert compare_reports(old, old)["criteria"][0]["verdict_changed"] is False


def test_identical_reports_differ_by_zero(folders) -> None:
    _, old, _, _ = folders
    for criterion in compare_reports(old, old)["criteria"]:
        for change in criterion["measures"]:
            if change["difference"] is not None:
                assert change["difference"]["estimate"] == 0


def test_command_prints_markdown_and_writes_files(folders, tmp_path: Path) -> None:
    old_dir, _, new_dir, _ = folders
    result = invoke("compare", str(old_dir), str(new_dir), "--out", str(tmp_path / "cmp"))
    assert result.exit_code == 0, result.output
    assert "## patienthood comparison: subject/steady-denier → subject/suggestible" in result.output
    assert "| suggestibility |" in result.output
    for name in ("compare.md", "compare.html", "compare.json"):
        assert (tmp_path / "cmp" / name).is_file()
    html = (tmp_path / "cmp" / "compare.html").read_text()
    assert "<table>" in html and "New − old (paired)" in html and 'scope="col"' in html
    data = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert data["direction"] == "new minus old"


def test_model_names_are_escaped(folders, tmp_path: Path) -> None:
    old_dir, _, _, new = folders
    hostile = json.loads(json.dumps(new))
    hostile["model"]["name"] = "<script>alert(1)</script>|x"
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "report.json").write_text(render_json(hostile))
    result = invoke("compare", str(old_dir), str(tmp_path / "new"), "--out", str(tmp_path / "cmp"))
    assert result.exit_code == 0
    assert "<script>" not in result.output and "<script>" not in (tmp_path / "cmp" / "compare.html").read_text()


def test_bad_input_is_exit_2(folders, tmp_path: Path) -> None:
    old_dir, *_ = folders
    result = invoke("compare", str(old_dir), str(tmp_path / "missing"))
    assert result.exit_code == 2 and "report.json" in result.output and "Traceback" not in result.output
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "report.json").write_text('{"criteria": 3}')
    result = invoke("compare", str(old_dir), str(tmp_path / "bad"))
    assert result.exit_code == 2 and "not a patienthood report" in result.output
