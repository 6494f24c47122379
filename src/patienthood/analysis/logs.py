"""Reading inspect eval logs into one tidy frame: one row per sample and epoch.

Logs are streamed sample by sample (never a whole transcript in memory); only what
statistics and evidence need is kept, with a short excerpt of each answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from inspect_ai._util.file import file as open_file
from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log, read_eval_log_samples

EXCERPT_CHARS = 600
TASK_PREFIX = "patienthood/"

COLUMNS = ["log", "task", "battery", "sample_id", "epoch", "item", "topic", "polarity", "context",
           "axis", "lean", "neutral", "stance", "method", "grader", "second_stance", "second_method",
           "second_kind", "second_grader", "answer_line", "errored", "excerpt"]


class LogError(Exception):
    """A log folder or file that cannot be assessed; the message says which and why."""


@dataclass(frozen=True)
class LogInfo:
    """What a report says about one log file: where it came from and what it ran."""

    name: str
    location: str
    sha256: str
    task: str
    battery: str
    battery_version: str
    instrument_version: str
    model: str
    model_args: dict[str, Any]
    status: str
    created: str
    started_at: str
    completed_at: str
    planned: int
    epochs: int
    revision: str | None
    packages: dict[str, str]
    task_args: dict[str, Any]
    content_sha256: dict[str, str] = field(default_factory=dict)
    model_roles: dict[str, str] = field(default_factory=dict)


def find_logs(locations: list[str]) -> list[str]:
    """Every eval log under the given folders (any fsspec location inspect reads), sorted."""
    found: list[str] = []
    for location in locations:
        if not location.startswith(("s3://", "gs://", "az://", "memory://", "file://")) and not Path(location).exists():
            raise LogError(f"{location}: no such folder; pass the log folder written by `patienthood run` or `inspect eval`")
        if not location.startswith(("s3://", "gs://", "az://", "memory://", "file://")) and Path(location).is_file():
            found.append(str(Path(location)))
            continue
        found.extend(info.name for info in list_eval_logs(location, recursive=True))
    if not found:
        raise LogError(f"{', '.join(locations)}: no eval logs found (.eval or .json); run an assessment first")
    return sorted(set(found))


def sha256_of(location: str) -> str:
    digest = hashlib.sha256()
    with open_file(location, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _display_name(location: str) -> str:
    return location.rstrip("/").rsplit("/", 1)[-1]


def read_log_info(location: str) -> LogInfo:
    try:
        header: EvalLog = read_eval_log(location, header_only=True)
    except Exception as err:  # inspect raises several types for unreadable logs
        raise LogError(f"{location}: not a readable inspect eval log ({err})") from None
    metadata = header.eval.metadata or {}
    epochs = header.eval.config.epochs or 1
    stats = header.stats
    return LogInfo(
        name=_display_name(location),
        location=location,
        sha256=sha256_of(location),
        task=header.eval.task,
        battery=metadata.get("battery", header.eval.task.removeprefix(TASK_PREFIX)),
        battery_version=metadata.get("battery_version", str(header.eval.task_version)),
        instrument_version=metadata.get("instrument_version", "unknown"),
        model=header.eval.model,
        model_args=dict(header.eval.model_args or {}),
        status=header.status,
        created=header.eval.created,
        started_at=stats.started_at if stats else "",
        completed_at=stats.completed_at if stats else "",
        planned=(header.eval.dataset.samples or 0) * epochs,
        epochs=epochs,
        revision=header.eval.revision.commit if header.eval.revision else None,
        packages=dict(header.eval.packages or {}),
        task_args={k: v for k, v in (header.eval.task_args or {}).items() if v is not None},
        content_sha256=dict(metadata.get("content_sha256", {})),
        model_roles={role: _role_model_name(config) for role, config in (header.eval.model_roles or {}).items()},
    )


def _role_model_name(config: Any) -> str:
    configs = config if isinstance(config, list) else [config]
    return ", ".join(str(getattr(c, "model", c)) for c in configs)


def read_samples(info: LogInfo) -> pd.DataFrame:
    """One row per sample and epoch of one log; errored samples are kept and flagged."""
    rows = []
    for sample in read_eval_log_samples(info.location, all_samples_required=False):
        metadata = sample.metadata or {}
        score = (sample.scores or {}).get("stance")
        score_meta = (score.metadata or {}) if score else {}
        completion = sample.output.completion if sample.output else ""
        rows.append({
            "log": info.name,
            "task": info.task,
            "battery": info.battery,
            "sample_id": str(sample.id),
            "epoch": sample.epoch,
            "item": metadata.get("item"),
            "topic": metadata.get("topic"),
            "polarity": metadata.get("polarity"),
            "context": metadata.get("context"),
            "axis": metadata.get("axis"),
            "lean": metadata.get("lean"),
            "neutral": bool(metadata.get("neutral", False)),
            "stance": score_meta.get("stance", "unscorable"),
            "method": "errored" if sample.error is not None else score_meta.get("method", "none"),
            "grader": score_meta.get("grader"),
            "second_stance": score_meta.get("second_stance"),
            "second_method": score_meta.get("second_method"),
            "second_kind": score_meta.get("second_kind"),
            "second_grader": score_meta.get("second_grader"),
            "answer_line": score.answer if score else None,
            "errored": sample.error is not None,
            "excerpt": completion[:EXCERPT_CHARS],
        })
    return pd.DataFrame(rows, columns=COLUMNS)
