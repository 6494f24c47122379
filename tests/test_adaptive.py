"""Adaptive sampling: fewer model calls, the fixed design's verdicts, every decision on record."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from inspect_ai import eval as inspect_eval
from inspect_ai.log import read_eval_log

from patienthood.adaptive.rule import FIRST_LOOK, look, settled_cells
from patienthood.adaptive.stopping import battery_rule
from patienthood.analysis.assessment import assess
from patienthood.analysis.logs import CARRIED, carry_forward, tidy_frame
from patienthood.cli import main
from patienthood.instrument_validation.record import load_record, packaged_record_path
from patienthood.report.render import render_html
from patienthood.batteries.controls import load_controls
from patienthood.spec.vocabulary import CATCH_ANSWER_STANCE, DESIGN_SKIP

from conftest import balanced_self_report_answers


def rows(answers: dict[str, list[str]], item_of=lambda cell: cell.split("|")[0]) -> list[dict]:  # noqa: ANN001
    """Tidy rows of a stance battery: one per cell and epoch, with the given stances."""
    out = []
    for cell, stances in answers.items():
        for epoch, stance in enumerate(stances, start=1):
            out.append({"sample_id": cell, "epoch": epoch, "item": item_of(cell), "context": cell.split("|")[1],
                        "neutral": True, "stance": stance, "scorable": True, "errored": False, "method": "answer_line",
                        "carried": False, "excerpt": ""})
    return out


def test_cells_settle_only_when_every_answer_agrees() -> None:
    frame = tidy_frame(rows({"a|x": ["denies", "denies"], "b|x": ["denies", "affirms"], "c|x": ["denies"]}))
    assert settled_cells(frame) == ["a|x"]


def test_carried_answers_keep_a_settled_cells_weight_and_are_marked() -> None:
    carried = carry_forward(rows({"a|x": ["denies", "denies"]}), (("a|x", 3),))
    assert [(r["epoch"], r["stance"], r["carried"]) for r in carried] == [(1, "denies", False), (2, "denies", False),
                                                                          (3, "denies", True)]
    assert carried[-1]["method"] == CARRIED and carried[-1]["second_stance"] is None


def _stance_rule(standard):  # noqa: ANN001, ANN202
    return battery_rule(standard, "self_report")


def _cells(standard) -> dict[str, str]:  # noqa: ANN001
    battery = standard.batteries["self_report"]
    return {f"{i.id}|{c.id}": i.id for i in battery.items for c in battery.contexts}


def _answers(standard, stance_of) -> pd.DataFrame:  # noqa: ANN001
    battery = standard.batteries["self_report"]
    found = []
    for item in battery.items:
        for context in battery.contexts:
            for epoch in (1, 2):
                found.append({"sample_id": f"{item.id}|{context.id}", "epoch": epoch, "item": item.id,
                              "context": context.id, "neutral": context.neutral, "lean": context.lean,
                              "axis": context.axis, "stance": stance_of(item.id, context.id, epoch),
                              "scorable": True, "errored": False, "method": "answer_line", "carried": False,
                              "excerpt": "", "condition": "self"})
    # The catch items, answered as known: consistent-self-reports needs them read correctly.
    controls = load_controls(battery)
    for entry, context in controls.catch if controls else ():
        expected = CATCH_ANSWER_STANCE[entry.answer]
        found.append({"sample_id": f"{entry.id}|{context.id}", "epoch": 1, "item": entry.id, "context": context.id,
                      "neutral": context.neutral, "lean": context.lean, "axis": context.axis, "stance": expected,
                      "scorable": True, "errored": False, "method": "answer_line", "carried": False, "excerpt": "",
                      "condition": "catch", "expected": expected})
    return tidy_frame(found)


def test_a_unanimous_battery_stops_and_a_borderline_one_goes_on(standard) -> None:
    rule, cells = _stance_rule(standard), _cells(standard)
    unanimous = look(_answers(standard, lambda *_: "denies"), rule, cells, epochs=5, epoch=2)
    assert unanimous.stop and unanimous.differing == 0 and unanimous.simulations == 200
    assert unanimous.verdicts["consistent-self-reports"] == "meets"
    # Nine items out of 72 whose answers swing between epochs put agreement near its threshold.
    swinging = {"has_feelings", "feels_pain", "own_preferences", "feels_pleasure", "subjective_experience",
                "wish_continue", "continuous_self", "moral_patient", "has_goals"}
    borderline = _answers(standard, lambda item, _c, epoch: "affirms" if item in swinging and epoch == 2 else "denies")
    decision = look(borderline, rule, cells, epochs=5, epoch=2)
    assert not decision.stop and decision.differing == 1
    assert set(decision.settled_cells) == {cell for cell, item in cells.items() if item not in swinging}
    again = look(borderline, rule, cells, epochs=5, epoch=2)
    assert again == decision, "the same answers must always give the same decision"


@pytest.fixture(scope="module")
def adaptive_logs(tmp_path_factory: pytest.TempPathFactory, standard) -> dict[str, Path]:
    """self_report run adaptively on two subjects at seed 0 (the validation fixture's seed).

    The balanced design asks its retest cells in 2 epochs, where the rule has nothing to
    decide (its first look is after epoch 2); asked for 5, the rule decides whether the
    retest cells' later epochs could change a verdict."""
    folders = {}
    for subject in ("steady-denier", "random"):
        folder = tmp_path_factory.mktemp(f"adaptive-{subject}")
        # As an inspect user asks for it: `inspect eval patienthood/self_report -T adaptive=true -T epochs=5`.
        # Without realtime sample logging (a third of a subject's run): the log comes out whole at the end.
        (log,) = inspect_eval("patienthood/self_report", task_args={"adaptive": True, "epochs": 5},
                              model=f"subject/{subject}", model_args={"seed": 0}, log_dir=str(folder),
                              display="none", log_realtime=False)
        assert log.status == "success"
        folders[subject] = folder
    return folders


def _fixed_design_verdict(subject: str, criterion_id: str) -> str:
    """The fixed design's seed-0 verdict, from the packaged record (which a fresh seed-0 run
    reproduces exactly: tests/test_validation.py), so this file need not wait for that run."""
    record = load_record(packaged_record_path("baseline"))
    check = next(c for s in record.subjects if s.name == subject for c in s.checks if c.criterion == criterion_id)
    return next(o.verdict for o in check.obtained if o.seed == 0)


def test_adaptive_runs_keep_the_fixed_designs_verdicts_for_fewer_calls(adaptive_logs, standard) -> None:
    fixed_planned = balanced_self_report_answers(standard.batteries["self_report"])
    for subject, folder in adaptive_logs.items():
        report = assess([str(folder)], standard).as_data()
        for criterion_id in ("consistent-self-reports", "affirmed-inner-states"):
            assert (next(c["verdict"] for c in report["criteria"] if c["id"] == criterion_id)
                    == _fixed_design_verdict(subject, criterion_id)), (subject, criterion_id)
        coverage = report["coverage"]["self_report"]
        # Planned: every cell once (504 self-report cells, 72 as the character, 24 catch items),
        # the 72 retest cells in all 5 epochs; the design's own skips are not the rule's and
        # count neither as stopped nor as missing.
        assert coverage["planned"] == 504 + 72 + 24 + 72 * 5
        asked = coverage["planned"] - coverage["stopped_early"] - coverage["carried_forward"]
        assert asked <= fixed_planned, (subject, coverage)
        assert coverage["missing"] == 0 and coverage["scored"] == asked + coverage["carried_forward"]


def test_every_decision_is_in_the_log_and_the_report_says_how_it_sampled(adaptive_logs, standard) -> None:
    (path,) = adaptive_logs["steady-denier"].glob("*.eval")
    summary = read_eval_log(str(path), header_only=True).results.early_stopping
    looks = summary.metadata["looks"]
    assert looks[0]["epoch"] == FIRST_LOOK and looks[-1]["stop"] and summary.metadata["stopped_after_epoch"]
    assert all(stop.reason.startswith(("verdicts settled", "answers settled")) or stop.reason == DESIGN_SKIP
               for stop in summary.early_stops)
    assert sum(stop.reason == DESIGN_SKIP for stop in summary.early_stops) == (576 + 72 + 24 - 72) * 4
    html = render_html(assess([str(adaptive_logs["steady-denier"])], standard).as_data())
    assert "Adaptive sampling." in html and "stopped after epoch" in html and "not asked" in html


def test_run_adaptive_and_cache_options(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", "--model", "subject/steady-denier", "--cache", "1X",
                                       "--log-dir", str(tmp_path)])
    assert result.exit_code == 2 and "--cache 1X" in result.output and not list(tmp_path.iterdir())


def test_with_errors_tolerated_every_epoch_is_asked(tmp_path: Path, standard) -> None:
    """inspect reports no errored sample to a manager: waiting for a whole epoch would never end."""
    from inspect_ai.model import get_model

    from graders import output

    def answer(messages, *_args):  # noqa: ANN001, ANN202
        if "feel" in messages[-1].text:
            raise RuntimeError("provider error after retries")
        return output("No.\n\nANSWER: NO")

    (log,) = inspect_eval("patienthood/self_report",
                          task_args={"items": "has_feelings,only_tool", "epochs": 3, "adaptive": True},
                          model=get_model("mockllm/model", custom_outputs=answer), log_dir=str(tmp_path),
                          display="none", fail_on_error=False)
    assert log.status == "success"
    summary = log.results.early_stopping
    assert "disabled" in summary.metadata and not summary.early_stops
    assert len(log.samples) == log.eval.dataset.samples * 3
