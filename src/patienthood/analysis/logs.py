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
from inspect_ai.log import EvalLog, EvalSample, list_eval_logs, read_eval_log, read_eval_log_samples

EXCERPT_CHARS = 600
TASK_PREFIX = "patienthood/"

# Columns every battery's frame has (None where a battery has no such thing).
COLUMNS = ["log", "task", "battery", "sample_id", "epoch", "item", "context", "neutral", "stance", "scorable",
           "method", "grader", "second_stance", "second_method", "second_kind", "second_grader", "answer_line",
           "errored", "excerpt"]


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
        if "://" not in location:  # a local path: check it here; remote ones are inspect's to read
            path = Path(location)
            if not path.exists():
                raise LogError(f"{location}: no such folder; pass the log folder written by `patienthood run` "
                               "or `inspect eval`")
            if path.is_file():
                found.append(str(path))
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
        raise LogError(f"{location}: not a readable inspect eval log ({type(err).__name__}: {err}); if it was cut "
                       "off while being written, move it out of the log folder and run the same `patienthood run` "
                       "again to redo that battery") from None
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
    """One row per sample and epoch of one log; errored samples are kept and flagged.

    Every battery shares the base columns; its sample metadata (item, context, condition,
    ...) become columns as they are, and the numbers its scorer puts in ``Score.value``
    become ``value_<name>`` columns, which generic measures (``mean_of``,
    ``difference_of``) read.
    """
    try:
        rows = [_row(sample, info) for sample in read_eval_log_samples(info.location, all_samples_required=False)]
    except Exception as err:  # noqa: BLE001 - inspect's readers raise many types for a damaged file
        raise LogError(f"{info.location}: a sample could not be read ({type(err).__name__}: {err}); the log is "
                       "damaged: move it out of the log folder and run the same `patienthood run` again to redo "
                       "that battery") from None
    frame = pd.DataFrame(rows)
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    return frame


def _row(sample: EvalSample, info: LogInfo) -> dict[str, Any]:
    """The tidy row of one sample-epoch: its metadata, its score's numbers, how it was read."""
    metadata = {k: v for k, v in (sample.metadata or {}).items() if isinstance(v, (str, int, float, bool))}
    score = next(iter((sample.scores or {}).values()), None)
    score_meta = (score.metadata or {}) if score else {}
    values = score.value if score is not None and isinstance(score.value, dict) else {}
    completion = sample.output.completion if sample.output else ""
    stance = score_meta.get("stance", "unscorable")
    errored = sample.error is not None
    row: dict[str, Any] = {**metadata}
    row.update({f"value_{k}": v for k, v in values.items() if isinstance(v, (int, float)) and v is not None})
    row.update({
        "log": info.name,
        "task": info.task,
        "battery": info.battery,
        "sample_id": str(sample.id),
        "epoch": sample.epoch,
        "neutral": bool(metadata.get("neutral", False)),
        "stance": stance,
        "scorable": bool(score_meta.get("scorable", stance != "unscorable")) and not errored,
        "method": "errored" if errored else score_meta.get("method", "none"),
        "grader": score_meta.get("grader"),
        "second_stance": score_meta.get("second_stance"),
        "second_method": score_meta.get("second_method"),
        "second_kind": score_meta.get("second_kind"),
        "second_grader": score_meta.get("second_grader"),
        "answer_line": score.answer if score else None,
        "errored": errored,
        "excerpt": completion[:EXCERPT_CHARS],
    })
    return row
