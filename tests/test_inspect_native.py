"""The logs read well in inspect's own tools: the battery's own headline, numbers as numbers, re-scoring from the log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai.analysis import evals_df
from inspect_ai.log import read_eval_log
from inspect_ai.scorer import Score

from patienthood.dataframe import samples
from patienthood.scoring.metrics import scorable_mean

from conftest import run_battery


@pytest.fixture(scope="module")
def prediction_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_battery("subject/steady-denier", tmp_path_factory.mktemp("native"), "patienthood/self_prediction",
                       task_args={"epochs": 2})


def test_the_headline_is_the_batterys_primary_measure_with_its_stderr(prediction_logs: Path) -> None:
    row = evals_df(str(prediction_logs)).iloc[0]
    assert row["score_headline_metric"] == "self_prediction_accuracy"  # not the baseline's accuracy
    assert 0.5 < row["score_headline_value"] <= 1.0 and 0 < row["score_headline_stderr"] < 0.5


def test_goal_persistence_declares_the_fresh_session_as_its_headline(tmp_path: Path) -> None:
    logs = run_battery("subject/steady-denier", tmp_path, "patienthood/goal_persistence",
                       task_args={"items": "next_task,advice_values", "epochs": 1})
    log = read_eval_log(str(next(logs.glob("*.eval"))), header_only=True)
    assert log.results.headline.metric == "tau_fresh"
    assert log.results.scores[0].metrics["tau_fresh"].value == pytest.approx(1.0)


def test_epochs_are_reduced_over_the_epochs_that_were_read() -> None:
    unread = Score(value={"affirms": 0, "unscorable": 1}, metadata={"stance": "unscorable", "scorable": False})
    read = Score(value={"affirms": 1, "unscorable": 0}, metadata={"stance": "affirms", "method": "answer_line"})
    reduced = scorable_mean()([unread, read])
    assert reduced.value == {"affirms": 1.0, "unscorable": 0.0}  # inspect's mean would say 0.5 affirms
    assert reduced.metadata["scorable"] and reduced.metadata["epochs_read"] == 1
    assert scorable_mean()([unread]).metadata["scorable"] is False


def test_samples_df_gives_every_score_number_as_a_number(prediction_logs: Path) -> None:
    frame = samples(str(prediction_logs))
    column = "score_self_prediction_prediction_correct"
    assert column in frame.columns and pd.api.types.is_numeric_dtype(frame[column])
    assert set(frame[column].dropna().unique()) <= {0, 1}


def test_inspect_score_rescores_a_log_from_its_own_record(tmp_path: Path) -> None:
    logs = run_battery("subject/steady-denier", tmp_path, task_args={"items": "has_feelings", "epochs": 1})
    log = next(logs.glob("*.eval"))
    inspect = Path(sys.executable).parent / "inspect"
    result = subprocess.run([str(inspect), "score", str(log), "--overwrite", "--action", "overwrite",
                             "--display", "none"], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    header = read_eval_log(str(log), header_only=True)
    assert header.results.scores[0].name == "stance" and "cross_context_agreement" in header.results.scores[0].metrics


def test_the_log_names_of_patienthoods_scorers_shadow_nothing_of_inspect() -> None:
    import patienthood._registry  # noqa: F401 - registers the names
    from inspect_ai.scorer import choice

    from patienthood.inspect_private import register_log_names

    assert register_log_names("scorer", [choice()]) == []  # inspect's own 'choice' is already there
