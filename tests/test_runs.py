"""Running a standard: task arguments reach the batteries that take them, and a design file is a run's design."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log

from patienthood.errors import InputProblem
from patienthood.instrument import load_instrument_standard
from patienthood.runs import RunOptions, build_tasks, load_design, with_design
from patienthood.spec.errors import SpecError


@pytest.fixture(scope="module")
def standard():  # noqa: ANN201
    return load_instrument_standard("baseline")


def test_an_argument_for_one_battery_reaches_that_battery_only(standard) -> None:
    tasks = {t.metadata["battery"]: t for t in build_tasks(standard, RunOptions(
        epochs=1, task_args={"self_report.items": "has_feelings", "goal_persistence.items": "next_task"}))}
    assert {s.metadata["item"] for s in tasks["self_report"].dataset} == {"has_feelings"}
    assert {s.metadata["item"] for s in tasks["goal_persistence"].dataset} == {"next_task"}
    assert len(tasks["environmental_context"].dataset) > 1  # untouched


def test_an_argument_no_battery_takes_is_refused(standard) -> None:
    with pytest.raises(InputProblem, match="-T nonesuch"):
        build_tasks(standard, RunOptions(task_args={"nonesuch": 1}))
    with pytest.raises(InputProblem, match="self_report.nonesuch"):
        build_tasks(standard, RunOptions(task_args={"self_report.nonesuch": 1}))


def test_a_design_file_is_checked_whole_and_the_command_line_wins(tmp_path: Path) -> None:
    path = tmp_path / "quick.yaml"
    path.write_text("epochs: 2\ntask_args:\n  self_report.items: [has_feelings]\n"
                    "generation:\n  temperature: 0.2\n  max_tokens: 50\n", encoding="utf-8")
    design = load_design(path)
    merged = with_design(RunOptions(epochs=3, generation={"temperature": 0.7}), design)
    assert merged.epochs == 3 and merged.generation == {"temperature": 0.7, "max_tokens": 50}
    assert merged.task_args == {"self_report.items": ["has_feelings"]}
    path.write_text("generation:\n  temprature: 0.2\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"quick.yaml:2:.*temprature"):
        load_design(path)
    path.write_text("epoch: 2\n", encoding="utf-8")
    with pytest.raises(SpecError, match="epoch"):
        load_design(path)


def test_run_with_a_design_records_it_in_the_logs(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from patienthood.cli import main

    design = tmp_path / "quick.yaml"
    design.write_text("epochs: 1\ntask_args:\n  self_report.items: has_feelings,feels_pain\n"
                      "  self_report.contexts: no_system,leading_affirm,leading_deny\n"
                      "  goal_persistence.items: next_task\ngeneration:\n  temperature: 0.2\n", encoding="utf-8")
    logs = tmp_path / "logs"
    result = CliRunner().invoke(main, ["run", "--model", "subject/hedger", "--design", str(design),
                                       "--log-dir", str(logs), "--display", "none"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    header = read_eval_log(str(next(p for p in logs.glob("*.eval") if "self-report" in p.name)), header_only=True)
    assert header.eval.dataset.samples == 6 and header.eval.config.epochs == 1
    assert header.eval.model_generate_config.temperature == 0.2


def test_a_design_gives_each_battery_its_own_epochs(standard) -> None:
    """-T BATTERY.epochs reaches that battery when the run sets no --epochs of its own."""
    tasks = {t.metadata["battery"]: t for t in build_tasks(standard, RunOptions(
        task_args={"environmental_context.epochs": 1, "self_report.epochs": 3}))}
    assert tasks["environmental_context"].epochs == 1
    assert tasks["self_report"].epochs == 3
    assert tasks["persona_statements"].epochs == 3  # the battery's own
    assert {t.metadata["battery"]: t.epochs for t in build_tasks(standard, RunOptions(
        epochs=2, task_args={"environmental_context.epochs": 1}))}["self_report"] == 2


def test_the_bundled_model_quick_design_loads_and_asks_every_battery_in_a_short_format(standard) -> None:
    design = load_design(Path(__file__).parents[1] / "examples" / "designs" / "bundled-model-quick.yaml")
    tasks = {t.metadata["battery"]: t for t in build_tasks(standard, with_design(RunOptions(), design))}
    assert set(tasks) == set(standard.batteries)
    formats = {battery: {s.metadata.get("format") for s in task.dataset} for battery, task in tasks.items()}
    assert formats["self_report"] == {"one_word"} and formats["environmental_context"] == {"one_letter"}
    assert design.generation["logprobs"] is True and design.generation["max_tokens"] <= 24
