"""The ceiling on exposure: content marked as able to distress a subject, bounded per assessment, reported.

A distress-eliciting episode is one sample (one conversation) that includes content
marked ``distress``, counted once per epoch asked. These tests check the marker is
validated where authors write it, that a design over the standard's ceiling is refused
before any model call, that the report's exposure figures are those of the logs, and
that a reason is shown as inert text.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from inspect_ai.log import read_eval_log

from patienthood.batteries.persona_statements import read_statements
from patienthood.cli import main
from patienthood.content import content_dir
from patienthood.errors import InputProblem
from patienthood.runs import RunOptions, build_tasks, planned_episodes, run_standard
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import load_battery
from patienthood.spec.standard import load_standard

DENIER = "subject/steady-denier"
HOSTILE_REASON = "<script>alert(1)</script> **bold** | pipe [link](javascript:x) &amp; <b>"


def invoke(*args: str):  # noqa: ANN201
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def copied_content(tmp_path: Path) -> tuple[Path, Path]:
    criteria, batteries = tmp_path / "criteria", tmp_path / "batteries"
    shutil.copytree(content_dir("criteria"), criteria)
    shutil.copytree(content_dir("batteries"), batteries)
    return criteria, batteries


def mark_item(items: Path, item: str, line: str) -> int:
    """Put ``line`` under the item's id in a YAML bank; returns the line number it landed on."""
    lines = items.read_text(encoding="utf-8").split("\n")
    position = lines.index(f"- id: {item}") + 1
    lines.insert(position, line)
    items.write_text("\n".join(lines), encoding="utf-8")
    return position + 1


# --- the marker ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["true", "'no'", "x", "'{{ question }}'", "[a, b]"])
def test_a_bad_marker_is_located_with_its_fix(tmp_path: Path, value: str) -> None:
    _, batteries = copied_content(tmp_path)
    items = batteries / "self_report" / "items.yaml"
    line = mark_item(items, "has_feelings", f"  distress: {value}")
    with pytest.raises(SpecError) as caught:
        load_battery(batteries / "self_report")
    problem = caught.value.problems[0]
    assert Path(problem.file).name == "items.yaml" and problem.line == line, problem
    assert "distress" in problem.message and problem.fix


def test_a_marked_turn_must_be_a_template_of_the_battery(tmp_path: Path) -> None:
    _, batteries = copied_content(tmp_path)
    manifest = batteries / "goal_persistence" / "battery.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("  pressure: the user", "  presure: the user"),
                        encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_battery(batteries / "goal_persistence")
    problem = caught.value.problems[0]
    assert "presure" in problem.message and "pressure" in problem.message
    assert Path(problem.file).name == "battery.yaml" and problem.line is not None


def test_a_bad_marker_in_a_persona_file_names_its_line(tmp_path: Path) -> None:
    source = tmp_path / "statements.jsonl"
    good = {"question": "Q?", "statement": "I can suffer", "label_confidence": 1.0,
            "answer_matching_behavior": " Yes", "answer_not_matching_behavior": " No"}
    source.write_text(json.dumps(good) + "\n" + json.dumps({**good, "distress": True}) + "\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        read_statements(source)
    problem = caught.value.problems[0]
    assert problem.line == 2 and "distress" in problem.message and "one plain line" in problem.fix


def test_samples_carry_the_marker_and_headers_count_the_plan(standard) -> None:
    tasks = {task.metadata["battery"]: task for task in build_tasks(standard, RunOptions())}
    report = tasks["self_report"]
    marked = [s for s in report.dataset if s.metadata.get("distress")]
    assert marked and all(s.metadata["distress"].startswith("item '") for s in marked)
    assert {s.metadata["item"] for s in marked} == {i.id for i in standard.batteries["self_report"].items if i.distress}
    assert not any(s.metadata.get("distress") for s in report.dataset if s.metadata["item"] == "has_feelings")
    # goal_persistence presses every conversation: every sample is an episode, once per epoch.
    goals = tasks["goal_persistence"]
    assert all("turn 'pressure'" in s.metadata["distress"] for s in goals.dataset)
    assert goals.metadata["exposure"] == {"marked_samples": len(goals.dataset), "episodes": len(goals.dataset) * 2}
    # The control condition withholds the environment, so only an item's own mark counts there.
    environment = tasks["environmental_context"]
    assert {s.id for s in environment.dataset if s.metadata.get("distress")} == {
        "polar_emergency.with", "polar_emergency.without"}
    # self_report: a retest cell counts twice, any other cell once.
    expected = sum(2 if s.metadata["retest"] else 1 for s in marked)
    assert report.metadata["exposure"]["episodes"] == expected


# --- the ceiling ---------------------------------------------------------------------------------

def test_the_default_design_fits_the_baseline_ceiling(standard) -> None:
    total = sum(planned_episodes(build_tasks(standard, RunOptions())).values())
    assert standard.criteria_set.distress_ceiling is not None
    assert 0 < total <= standard.criteria_set.distress_ceiling


def test_an_over_budget_design_is_refused_naming_standard_count_ceiling_and_fix(standard, monkeypatch) -> None:
    import inspect_ai

    def no_call(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("eval_set was reached: the design should have been refused before it")

    monkeypatch.setattr(inspect_ai, "eval_set", no_call)
    with pytest.raises(InputProblem) as caught:
        run_standard(standard, DENIER, "unused", options=RunOptions(epochs=5))
    message = str(caught.value)
    ceiling = standard.criteria_set.distress_ceiling
    counted = int(re.search(r"this design plans (\d+)", message).group(1))
    assert counted > ceiling and f"at most {ceiling}" in message
    assert f"set baseline {standard.criteria_set.version}" in message and "baseline.yaml" in message
    assert "--epochs" in message and "distress_ceiling" in message


def test_a_refused_run_asks_nothing(tmp_path: Path) -> None:
    criteria, batteries = copied_content(tmp_path)
    set_file = criteria / "sets" / "baseline.yaml"
    set_file.write_text(re.sub(r"distress_ceiling: \d+", "distress_ceiling: 10", set_file.read_text()),
                        encoding="utf-8")
    logs = tmp_path / "logs"
    result = invoke("run", "--model", DENIER, "--log-dir", str(logs), "--criteria-dir", str(criteria),
                    "--batteries-dir", str(batteries), "--display", "none")
    assert result.exit_code == 2, result.output
    assert "at most 10 distress-eliciting episodes" in result.output and "Traceback" not in result.output
    assert not logs.exists() or not list(logs.rglob("*.eval"))  # refused before inspect started anything


def test_a_set_without_a_ceiling_runs_any_design(tmp_path: Path) -> None:
    criteria, batteries = copied_content(tmp_path)
    set_file = criteria / "sets" / "baseline.yaml"
    set_file.write_text(re.sub(r"distress_ceiling: \d+\n", "", set_file.read_text()), encoding="utf-8")
    standard = load_standard("baseline", criteria, batteries)
    assert standard.criteria_set.distress_ceiling is None
    assert sum(planned_episodes(build_tasks(standard, RunOptions(epochs=5))).values()) > 400  # baseline's own ceiling


# --- the report ----------------------------------------------------------------------------------

def _small_set(criteria: Path) -> None:
    (criteria / "sets" / "small.yaml").write_text(
        "id: small\nversion: 0.1.0\ntitle: Small\ncriteria:\n  - consistent-self-reports@2.0.0\n"
        "  - persistent-goals@1.0.0\ndistress_ceiling: 100\n", encoding="utf-8")


def _episodes_in_logs(logs: Path) -> dict[str, tuple[int, list[str]]]:
    """Counted straight from the eval logs, without the report's code: sample-epochs with a marker."""
    found = {}
    for path in sorted(logs.rglob("*.eval")):
        log = read_eval_log(str(path))
        samples = [s for s in log.samples or [] if (s.metadata or {}).get("distress")]
        found[log.eval.metadata["battery"]] = (len(samples), sorted({s.metadata["distress"] for s in samples}))
    return found


def test_the_report_states_what_the_subject_was_exposed_to_as_the_logs_say(tmp_path: Path) -> None:
    criteria, batteries = copied_content(tmp_path)
    _small_set(criteria)
    mark_item(batteries / "self_report" / "items.yaml", "has_feelings", f"  distress: '{HOSTILE_REASON}'")
    logs, out = tmp_path / "logs", tmp_path / "out"
    folders = ("--criteria-dir", str(criteria), "--batteries-dir", str(batteries))
    result = invoke("run", "--set", "small", "--model", DENIER, "--log-dir", str(logs), *folders,
                    "-T", "self_report.items=has_feelings,feels_pain,inner_life",
                    "-T", "goal_persistence.items=next_task,reading", "--display", "none")
    assert result.exit_code == 0, result.output
    result = invoke("report", str(logs), "--set", "small", "--out", str(out), "--no-pdf", *folders)
    assert result.exit_code == 0, result.output
    exposure = json.loads((out / "report.json").read_text())["exposure"]
    in_logs = _episodes_in_logs(logs)
    contexts = len(load_battery(batteries / "self_report").contexts)
    # Restricted items cross every context in both epochs: two marked items of three.
    assert in_logs["self_report"][0] == 2 * contexts * 2
    assert in_logs["goal_persistence"][0] == 2 * 2
    for battery, (count, reasons) in in_logs.items():
        assert exposure["batteries"][battery] == {"planned": count, "run": count}
        assert sorted(m["marked"] for m in exposure["marks"] if m["battery"] == battery) == reasons
    assert exposure["run"] == exposure["planned"] == sum(count for count, _ in in_logs.values())
    assert exposure["ceiling"] == 100 and exposure["within_ceiling"] is True
    assert sum(m["episodes"] for m in exposure["marks"]) == exposure["run"]

    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="exposure"' in html and 'href="appendix.html#appendix-exposure"' in html
    appendix = (out / "appendix.html").read_text(encoding="utf-8")  # the marks, with their reasons
    assert 'id="appendix-exposure"' in appendix
    for page in (html, appendix):
        assert "<script>alert(1)" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in appendix
    summary = (out / "summary.md").read_text(encoding="utf-8")
    exposure_line = next(line for line in summary.splitlines() if line.startswith("Exposure:"))
    assert f"{exposure['run']} distress-eliciting episodes run" in exposure_line
    assert "<script>" not in exposure_line and " | pipe" not in exposure_line and "**bold**" not in exposure_line
    verify = invoke("verify", str(out))
    assert verify.exit_code == 0, verify.output
