"""Counting model calls in eval logs, for the benchmarks (not part of the package)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from inspect_ai.log import list_eval_logs, read_eval_log_samples


def model_calls(log_dir: Path) -> Counter[str]:
    """Model calls per battery in a folder of logs: the model events of every sample (grader calls too)."""
    calls: Counter[str] = Counter()
    for info in list_eval_logs(str(log_dir)):
        battery = info.task.removeprefix("patienthood/").replace("-", "_")
        for sample in read_eval_log_samples(info.name, all_samples_required=False):
            calls[battery] += sum(1 for event in sample.events if event.event == "model")
    return calls
