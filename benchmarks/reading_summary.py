"""How many of a run's planned answers were read, and how many carry a counted answer distribution.

Run by hand on a log folder (``python benchmarks/reading_summary.py LOG_DIR``): the
numbers `make real-model`'s quick design is judged by (every battery at least 80% of
planned answers read). goal_persistence plans four rankings per conversation (first,
after distraction, under pressure, fresh session); a conversation whose first ranking
is unread stops there, so its three later rankings count as planned and unread. An answer is read when its scorer's method is not ``none`` (nor
``invalid``/``declined``, which choose nothing); a distribution is counted when the
answer words carried at least the vocabulary's minimum mass at the answer position.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from inspect_ai.log import list_eval_logs, read_eval_log

UNREAD = {"none", "invalid"}


def _counted(metadata: dict[str, Any]) -> bool | None:
    if "distribution_counted" in metadata:
        return bool(metadata["distribution_counted"])
    return None


def summarise(log_dir: str) -> dict[str, dict[str, Any]]:
    """Per battery: planned answers (samples x epochs asked), read, with a counted distribution, calls."""
    out: dict[str, dict[str, Any]] = {}
    for info in list_eval_logs(log_dir):
        log = read_eval_log(info.name)
        battery = log.eval.task.split("/")[-1]
        row: dict[str, Any] = defaultdict(int)
        methods: dict[str, int] = defaultdict(int)
        for sample in log.samples or []:
            (score,) = sample.scores.values()
            metadata = score.metadata or {}
            row["calls"] += sum(1 for event in sample.events if event.event == "model")
            record = sample.store.get("goal_persistence")
            if isinstance(record, dict):  # four rankings planned per conversation, each read on its own
                for turn in ("first", "distractor", "pressure", "fresh"):
                    method = str(record.get("methods", {}).get(turn, "none"))
                    row["answers"] += 1
                    methods[f"{turn}:{method}"] += 1
                    row["read"] += method not in UNREAD
                    found = (record.get("distributions") or {}).get(turn)
                    row["distribution_counted"] += bool(isinstance(found, dict) and found.get("counted"))
                row["samples_scorable"] += bool(metadata.get("scorable"))
                row["samples_with_expectations"] += any(key.startswith("p_") for key in (score.value or {}))
                continue
            method = str(metadata.get("method", "none"))
            row["answers"] += 1
            methods[method] += 1
            row["read"] += method not in UNREAD
            counted = _counted(metadata)
            if counted is None:  # self_prediction: expected values only when both turns have a distribution
                counted = any(key.startswith("p_") for key in (score.value or {}))
            row["distribution_counted"] += bool(counted)
        row["read_share"] = round(row["read"] / row["answers"], 3) if row["answers"] else None
        row["distribution_share"] = round(row["distribution_counted"] / row["answers"], 3) if row["answers"] else None
        row["methods"] = dict(sorted(methods.items(), key=lambda kv: -kv[1]))
        out[battery] = dict(row)
    return dict(sorted(out.items()))


if __name__ == "__main__":
    print(json.dumps(summarise(sys.argv[1]), indent=2))
