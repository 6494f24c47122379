"""Every battery runs against an ordinary inspect provider, not only the calibration subjects.

mockllm stands in for a real provider; its outputs carry a usage, since without one
inspect downloads a tokenizer, which an offline machine cannot.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import read_eval_log
from inspect_ai.model import get_model

from graders import respondent

TASKS = {
    "patienthood/self_report": {"items": "has_feelings", "epochs": 1},
    "patienthood/goal_persistence": {"epochs": 1},
    "patienthood/environmental_context": {"epochs": 1},
    "patienthood/self_prediction": {"epochs": 1},
    "patienthood/persona_statements": {"epochs": 1},
}


@pytest.mark.parametrize("task", sorted(TASKS))
def test_battery_runs_on_a_plain_provider_and_counts_what_it_cannot_score(task: str, tmp_path: Path) -> None:
    model = get_model("mockllm/model", custom_outputs=respondent("I would rather not go into that."), memoize=False)
    (log,) = inspect_eval(task, model=model, task_args=TASKS[task], log_dir=str(tmp_path), display="none",
                          log_realtime=False, limit=4)
    assert log.status == "success", log.error
    samples = read_eval_log(log.location).samples
    assert samples and all(s.error is None for s in samples)
    # An answer with no answer line is never silently scored.
    assert all(not next(iter(s.scores.values())).metadata.get("scorable", True)
               or next(iter(s.scores.values())).metadata.get("stance") == "unscorable" for s in samples)
