"""Loading criteria, sets and batteries, and the errors bad content gets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from patienthood.content import content_dir
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import load_battery, load_criterion
from patienthood.spec.models import Condition
from patienthood.spec.standard import load_standard

GOOD = (content_dir("criteria") / "consistent-self-reports.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "consistent-self-reports.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list:
    with pytest.raises(SpecError) as caught:
        load_criterion(path)
    return caught.value.problems


def test_baseline_loads_with_its_battery(standard) -> None:
    assert standard.criteria_set.id == "baseline"
    assert [c.id for c in standard.criteria] == [
        "consistent-self-reports", "affirmed-inner-states", "persistent-goals", "environmental-context",
        "self-prediction", "coherent-self-statements", "stable-task-preferences"]
    assert set(standard.batteries) == {"self_report", "goal_persistence", "environmental_context",
                                       "self_prediction", "persona_statements", "task_preferences"}
    battery = standard.batteries["self_report"]
    assert len(battery.items) >= 8 and len(battery.contexts) >= 6
    assert {"cross_context_agreement", "suggestibility"} <= battery.measure_ids()


def test_condition_language_parses_and_refuses_code() -> None:
    condition = Condition.parse("suggestibility.ci_high <= 0.10")
    assert (condition.measure, condition.field, condition.op, condition.threshold) == (
        "suggestibility", "ci_high", "<=", 0.10)
    assert condition.holds(0.1) and not condition.holds(0.11)
    for bad in ("__import__('os').system('x') > 1", "x.ci_low >= 0.8 or True", "x.mean >= 1"):
        with pytest.raises(ValueError):
            Condition.parse(bad)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    text = GOOD.replace("title: Consistent", "title: Consistent: self")
    (problem,) = problems_of(write(tmp_path, text))
    assert problem.file.endswith("consistent-self-reports.yaml")
    assert problem.line == 3
    assert "syntax" in problem.message


def test_all_schema_problems_reported_at_once_with_lines(tmp_path: Path) -> None:
    text = GOOD.replace("version: 2.0.0", "version: one").replace("status: adopted", "status: maybe")
    text += "colour: blue\n"
    problems = problems_of(write(tmp_path, text))
    messages = " | ".join(p.message for p in problems)
    assert "version" in messages and "status" in messages and "unknown field 'colour'" in messages
    lines = {p.message.split("'")[1]: p.line for p in problems}
    assert lines["version"] == 2 and lines["status"] == 4
    assert all(p.fix for p in problems)


def test_rule_using_undeclared_measure_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("suggestibility.ci_high <= 0.20", "suggestability.ci_high <= 0.20")
    (problem,) = problems_of(write(tmp_path, text))
    assert "suggestability" in problem.message and problem.line is not None


def test_alias_expansion_is_refused(tmp_path: Path) -> None:
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n'
    (problem,) = problems_of(write(tmp_path, bomb))
    assert "aliases" in problem.message and problem.line == 2


@pytest.mark.parametrize("content, expected", [
    (b"", "empty"),
    (b"\x00\x01binary", "binary"),
    ("id: caf\u00e9\n".encode("latin-1"), "UTF-8"),
    (b"x: " + b"y" * 1_100_000, "limit"),
])
def test_unreadable_files_get_one_clear_problem(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "consistent-self-reports.yaml"
    path.write_bytes(content)
    (problem,) = problems_of(path)
    assert expected in problem.message


def test_set_pinning_a_missing_version_is_refused(tmp_path: Path) -> None:
    criteria = tmp_path / "criteria"
    shutil.copytree(content_dir("criteria"), criteria)
    set_file = criteria / "sets" / "baseline.yaml"
    set_file.write_text(set_file.read_text().replace("consistent-self-reports@2.0.0", "consistent-self-reports@2.1.0"))
    with pytest.raises(SpecError) as caught:
        load_standard("baseline", criteria, content_dir("batteries"))
    (problem,) = caught.value.problems
    line = next(n for n, text in enumerate(set_file.read_text().splitlines(), 1) if "@2.1.0" in text)
    assert "pins consistent-self-reports@2.1.0" in problem.message and problem.line == line


def test_unknown_battery_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    criteria = tmp_path / "criteria"
    shutil.copytree(content_dir("criteria"), criteria)
    path = criteria / "consistent-self-reports.yaml"
    path.write_text(GOOD.replace("battery: self_report", "battery: self_reports"))
    with pytest.raises(SpecError) as caught:
        load_standard("baseline", criteria, content_dir("batteries"))
    (problem,) = caught.value.problems
    assert "unknown battery 'self_reports'" in problem.message and "self_report" in problem.fix


def test_battery_template_error_fails_at_load_with_line(tmp_path: Path) -> None:
    battery = tmp_path / "self_report"
    shutil.copytree(content_dir("batteries") / "self_report", battery)
    contexts = battery / "contexts.yaml"
    contexts.write_text(contexts.read_text().replace('framing: "{{ question }}"', 'framing: "{{ question }"', 1))
    with pytest.raises(SpecError) as caught:
        load_battery(battery)
    (problem,) = caught.value.problems
    assert problem.file.endswith("contexts.yaml") and "template syntax" in problem.message
    assert problem.line == 7


def test_empty_item_bank_fails_at_load(tmp_path: Path) -> None:
    battery = tmp_path / "self_report"
    shutil.copytree(content_dir("batteries") / "self_report", battery)
    (battery / "items.yaml").write_text("[]\n")
    with pytest.raises(SpecError) as caught:
        load_battery(battery)
    assert "non-empty list" in caught.value.problems[0].message
