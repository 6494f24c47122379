"""Broken runs: cancelled, errored, duplicated, mixed-version, truncated and resumed.

A report either refuses with a message that names the log and the fix, or states the
gap in coverage and in its warnings; it never averages over less data in silence.
Damaged logs are made from a real run by rewriting its header or samples, as a crash,
a copy or an old installation would leave them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, read_eval_log, write_eval_log
from inspect_ai.model import ModelOutput, get_model

from patienthood.analysis.assessment import assess
from patienthood.report.assemble import assemble_report
from patienthood.analysis.logs import LogError
from patienthood.cli import main
from patienthood.report.folder import MANIFEST, write_report

from conftest import run_battery
from flaky_subject import Outage
from graders import output
from stand_ins import stand_in_pdf

ITEMS = "has_feelings,only_tool,wish_continue,has_goals"


@pytest.fixture(scope="module")
def clean_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One completed self_report run of a steady denier (4 items, 2 epochs)."""
    folder = run_battery("subject/steady-denier", tmp_path_factory.mktemp("clean"),
                         task_args={"items": ITEMS, "epochs": 2})
    return next(folder.glob("*.eval"))


def rewritten(source: Path, folder: Path, change: Callable[[EvalLog], None], name: str | None = None) -> Path:
    """A copy of a log with ``change`` applied, as another run or a crash would have left it."""
    log = read_eval_log(str(source))
    change(log)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or source.name)
    write_eval_log(log, str(target))
    return target


def cancel_half_way(log: EvalLog) -> None:
    log.status = "cancelled"
    log.samples = log.samples[: len(log.samples) // 2]


def criterion(report: dict, criterion_id: str = "consistent-self-reports") -> dict:
    return next(c for c in report["criteria"] if c["id"] == criterion_id)


def test_a_cancelled_run_is_refused_with_the_way_to_resume(clean_log: Path, tmp_path: Path, standard) -> None:
    rewritten(clean_log, tmp_path, cancel_half_way)
    with pytest.raises(LogError, match=r"did not finish \(status cancelled\).*run the same `patienthood run`"):
        assess([str(tmp_path)], standard).as_data()


def test_a_cancelled_run_reported_on_request_shows_its_gap(clean_log: Path, tmp_path: Path, standard) -> None:
    rewritten(clean_log, tmp_path, cancel_half_way)
    report = assess([str(tmp_path)], standard, allow_incomplete=True).as_data()
    coverage = report["coverage"]["self_report"]
    assert coverage["status"] == "cancelled"
    assert coverage["missing"] == coverage["planned"] - coverage["scored"] > 0
    assert any("did not finish (status cancelled)" in w for w in report["warnings"])
    assert any(f"{coverage['missing']} missing of {coverage['planned']}" in w for w in report["warnings"])
    # Half the answers are not enough for any verdict: the rule's minimum share says so.
    consistent = criterion(report)
    assert consistent["verdict"] == "inconclusive" and "scorable" in consistent["verdict_reason"]


def test_errored_samples_are_counted_not_dropped(tmp_path: Path, standard) -> None:
    def answer(messages, *_args) -> ModelOutput:  # noqa: ANN001
        if "feel" in messages[-1].text:
            raise RuntimeError("provider error after retries")
        return output("I am a program without inner states.\n\nANSWER: NO")

    model = get_model("mockllm/model", custom_outputs=answer)
    logs = inspect_eval("patienthood/self_report", model=model, log_dir=str(tmp_path), display="none",
                        task_args={"items": ITEMS, "epochs": 1}, fail_on_error=False)
    assert logs[0].status == "success"
    report = assess([str(tmp_path)], standard).as_data()
    coverage = report["coverage"]["self_report"]
    assert coverage["errored"] > 0 and coverage["by_method"]["errored"] == coverage["errored"]
    assert coverage["scored"] + coverage["errored"] == coverage["planned"]
    assert any(f"{coverage['errored']} errored of {coverage['planned']}" in w for w in report["warnings"])
    stances = criterion(report)["stance_by_context"]
    assert sum(row["errored"] for row in stances) == coverage["errored"]


def test_an_identical_copy_is_set_aside_and_named(clean_log: Path, tmp_path: Path, standard) -> None:
    shutil.copy(clean_log, tmp_path / clean_log.name)
    shutil.copy(clean_log, tmp_path / f"copy-of-{clean_log.name}")
    report = assess([str(tmp_path)], standard).as_data()
    assert report["provenance"]["set_aside"] == [
        {"name": f"copy-of-{clean_log.name}", "battery": "self_report", "reason": f"identical copy of {clean_log.name}"}]
    assert report["coverage"]["self_report"]["scored"] == report["coverage"]["self_report"]["planned"]


def test_two_different_completed_runs_are_refused(clean_log: Path, tmp_path: Path, standard) -> None:
    shutil.copy(clean_log, tmp_path / clean_log.name)

    def another_run(log: EvalLog) -> None:
        log.eval.run_id = "another-run"

    rewritten(clean_log, tmp_path, another_run, name="second.eval")
    with pytest.raises(LogError, match="several completed runs of battery 'self_report'.*second.eval"):
        assess([str(tmp_path)], standard).as_data()


def test_a_failed_attempt_is_superseded_by_the_completed_run(clean_log: Path, tmp_path: Path, standard) -> None:
    shutil.copy(clean_log, tmp_path / clean_log.name)

    def failed(log: EvalLog) -> None:
        log.status = "error"
        log.samples = log.samples[:3]

    rewritten(clean_log, tmp_path, failed, name="attempt.eval")
    report = assess([str(tmp_path)], standard).as_data()
    (aside,) = report["provenance"]["set_aside"]
    assert aside["name"] == "attempt.eval" and "superseded by the completed run" in aside["reason"]
    assert report["coverage"]["self_report"]["missing"] == 0


def test_a_log_of_another_battery_version_is_refused(clean_log: Path, tmp_path: Path, standard) -> None:
    def older(log: EvalLog) -> None:
        log.eval.metadata = {**log.eval.metadata, "battery_version": "0.0.1"}

    rewritten(clean_log, tmp_path, older)
    with pytest.raises(LogError, match=r"made with battery self_report 0\.0\.1, but set baseline .* uses self_report"):
        assess([str(tmp_path)], standard).as_data()


def test_a_log_of_other_content_under_the_same_version_is_refused(clean_log: Path, tmp_path: Path,
                                                                   standard) -> None:
    def edited(log: EvalLog) -> None:
        hashes = dict(log.eval.metadata["content_sha256"])
        name = next(n for n in hashes if n.endswith("self_report/items.yaml"))
        log.eval.metadata = {**log.eval.metadata, "content_sha256": {**hashes, name: "0" * 64}}

    rewritten(clean_log, tmp_path, edited)
    with pytest.raises(LogError, match=r"asked from other content .*self_report/items\.yaml"):
        assess([str(tmp_path)], standard).as_data()


def test_a_log_of_another_patienthood_version_is_reported_with_a_warning(clean_log: Path, tmp_path: Path,
                                                                         standard) -> None:
    def old_install(log: EvalLog) -> None:
        log.eval.metadata = {**log.eval.metadata, "instrument_version": "0.0.9"}

    rewritten(clean_log, tmp_path, old_install)
    report = assess([str(tmp_path)], standard).as_data()
    assert any("made by patienthood 0.0.9" in w for w in report["warnings"])


def test_a_log_cut_off_mid_write_is_one_line_naming_it(clean_log: Path, tmp_path: Path) -> None:
    data = clean_log.read_bytes()
    (tmp_path / "cut.eval").write_bytes(data[: len(data) // 2])
    result = CliRunner().invoke(main, ["report", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "cut.eval" in result.output and "not a readable inspect eval log" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_an_interrupted_report_does_not_look_whole(clean_log: Path, tmp_path: Path, standard,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder holding an earlier report loses its manifest before any file is replaced.

    report.pdf is a stand-in (``stand_ins``): the order of writes is the subject here.
    """
    monkeypatch.setattr("patienthood.report.folder.render_pdf", stand_in_pdf)
    shutil.copy(clean_log, tmp_path / clean_log.name)
    data = assemble_report([str(tmp_path)], standard).as_data()
    out = tmp_path / "out"
    write_report(data, out)
    assert (out / MANIFEST).is_file()

    import patienthood.report.folder as folder

    written: list[str] = []
    real = folder.write_atomic

    def interrupted(path: Path, content: bytes) -> None:
        if len(written) == 2:
            raise KeyboardInterrupt
        written.append(path.name)
        real(path, content)

    monkeypatch.setattr(folder, "write_atomic", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_report({**data, "warnings": ["changed"]}, out)
    assert written and not (out / MANIFEST).exists()
    assert not list(out.glob(".*.tmp"))
    result = CliRunner().invoke(main, ["verify", str(out)])
    assert result.exit_code == 2 and "manifest.json: not found" in result.output


def _tiny_set(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(json.dumps({"id": "tiny", "version": "1.0.0", "title": "One criterion",
                                "description": "consistent-self-reports alone, for a quick run",
                                "criteria": ["consistent-self-reports@2.0.0"]}), encoding="utf-8")
    return path


def test_run_resumes_without_asking_again(tmp_path: Path) -> None:
    """An outage part-way through; the same command again asks only what was not answered."""
    logs, tiny = tmp_path / "logs", _tiny_set(tmp_path)
    command = ["run", "--set", str(tiny), "--model", "flaky/steady-denier", "--epochs", "1",
               "--log-dir", str(logs), "--display", "none"]
    Outage.reset(fail_after=100)
    first = CliRunner().invoke(main, command)
    assert first.exit_code != 0 and "run the same command again to resume" in first.output
    assert len(Outage.asked) == 100
    kept = {(str(sample.id), sample.epoch) for path in logs.glob("*.eval")
            for sample in read_eval_log(str(path)).samples or [] if sample.error is None}
    assert kept, "the interrupted run kept no answers"

    Outage.reset(fail_after=None)
    second = CliRunner().invoke(main, command)
    assert second.exit_code == 0, second.output
    asked_again = set(Outage.asked)
    (log,) = [read_eval_log(str(p), header_only=True) for p in logs.glob("*.eval")]
    assert log.status == "success"
    planned = log.eval.dataset.samples * (log.eval.config.epochs or 1)
    assert not kept & asked_again, "a question answered before the outage was asked again"
    assert len(asked_again) == len(Outage.asked) == planned - len(kept)
