"""Reading inspect eval logs into one tidy frame: one row per sample and epoch.

Rows come from inspect's sample summaries, never from whole transcripts, so memory and
time grow with the number of answers, not with their length; the few answers a report
quotes are then read one by one (``fill_excerpts``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fsspec
import pandas as pd
from inspect_ai.log import (
    EvalLog,
    list_eval_logs,
    read_eval_log,
    read_eval_log_sample,
)
from inspect_ai.scorer import Score

from patienthood.analysis.summaries import iter_summaries
from patienthood.errors import InputProblem
from patienthood.spec.vocabulary import DEMONSTRATION, DESIGN_SKIP, EXPOSURE, RESPONDENT_METADATA

EXCERPT_CHARS = 600
TASK_PREFIX = "patienthood/"
ADAPTIVE_MANAGER = "patienthood.adaptive"  # the name adaptive.stopping gives inspect
SETTLED_CELL = "answers settled"  # its reason for skipping a cell whose answers were all the same

# Columns every battery's frame has (None where a battery has no such thing).
COLUMNS = ["log", "task", "battery", "sample_id", "epoch", "item", "context", "neutral", "stance", "scorable",
           "method", "grader", "second_stance", "second_method", "second_kind", "second_grader", "grader_failure",
           "answer_line",
           "errored", "carried", "excerpt"]
CARRIED = "carried forward"  # the method of an answer carried forward from a settled cell


class LogError(InputProblem):
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
    stopped_early: int = 0  # sample-epochs skipped because the battery's verdicts had settled (never asked)
    carried: tuple[tuple[str, int], ...] = ()  # (sample id, epoch) skipped because the cell's answers had settled
    adaptive: dict[str, Any] | None = None  # what patienthood's adaptive rule decided, when it ran
    # The run's design as given: task arguments passed (not defaults), inspect's sample
    # limit and selection, and the generation settings that were set.
    task_args_passed: dict[str, Any] = field(default_factory=dict)
    samples: int = 0
    limit: Any = None
    sample_ids: Any = None
    generation: dict[str, Any] = field(default_factory=dict)
    respondent: dict[str, Any] | None = None  # what the run recorded of the respondent (the bundled model's facts)
    # Distress-eliciting episodes the task's design planned (None: a log written before they were recorded).
    planned_episodes: int | None = None


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
    with fsspec.open(location, "rb") as stream:
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
    stopping = _early_stopping(header)
    stopping.pop("outside_design")
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
        planned=planned_answers(header.eval.dataset.samples or 0, epochs, metadata.get("design")),
        epochs=epochs,
        revision=header.eval.revision.commit if header.eval.revision else None,
        packages=dict(header.eval.packages or {}),
        task_args={k: v for k, v in (header.eval.task_args or {}).items() if v is not None},
        content_sha256=dict(metadata.get("content_sha256", {})),
        model_roles={role: _role_model_name(config) for role, config in (header.eval.model_roles or {}).items()},
        task_args_passed={k: v for k, v in (header.eval.task_args_passed or {}).items() if v is not None},
        samples=header.eval.dataset.samples or 0,
        limit=_plain(header.eval.config.limit),
        sample_ids=_plain(header.eval.config.sample_id),
        generation=header.eval.model_generate_config.model_dump(exclude_none=True, mode="json"),
        respondent=(header.eval.metadata or {}).get(RESPONDENT_METADATA),
        planned_episodes=_planned_episodes(metadata.get(EXPOSURE)),
        **stopping,
    )


def planned_answers(samples: int, epochs: int, design: Any) -> int:
    """The sample-epochs a run's design asks: every sample in every epoch, unless the task's
    metadata says how many samples are asked in every epoch (the rest in the first only).

    Read from the header the task wrote, not from what inspect skipped, so that a run
    cut off before its last epoch still counts its unasked answers as missing.
    """
    every = design.get("every_epoch") if isinstance(design, dict) else None
    if not isinstance(every, int) or not 0 <= every <= samples:
        return samples * epochs
    return (samples - every) + every * epochs


def _planned_episodes(exposure: Any) -> int | None:
    """The episodes a task header says its design plans (``batteries.common.battery_task`` writes them)."""
    episodes = exposure.get("episodes") if isinstance(exposure, dict) else None
    return episodes if isinstance(episodes, int) and not isinstance(episodes, bool) and episodes >= 0 else None


def _plain(value: Any) -> Any:
    """A config value as JSON-ready data (inspect keeps a limit range as a tuple)."""
    return list(value) if isinstance(value, tuple) else value


def _early_stopping(header: EvalLog) -> dict[str, Any]:
    """Sample-epochs inspect skipped: outside the battery's design, settled, or stopped; and the adaptive record.

    A design that asks some cells in the first epoch only (``batteries.design``) never
    planned their later epochs, so those are taken off the plan rather than counted as
    stopped or missing; the adaptive rule's skips are its own (``stopped_early``, and
    ``carried`` for settled cells whose answer is carried forward).
    """
    summary = header.results.early_stopping if header.results else None
    if summary is None:
        return {"outside_design": 0}
    adaptive = dict(summary.metadata or {}) if summary.manager == ADAPTIVE_MANAGER else None
    outside = sum(1 for stop in summary.early_stops if stop.reason == DESIGN_SKIP)
    carried = tuple(sorted((str(stop.id), stop.epoch) for stop in summary.early_stops
                           if adaptive is not None and stop.reason == SETTLED_CELL))
    return {"outside_design": outside, "stopped_early": len(summary.early_stops) - outside - len(carried),
            "carried": carried, "adaptive": adaptive}


def _role_model_name(config: Any) -> str:
    configs = config if isinstance(config, list) else [config]
    return ", ".join(str(getattr(c, "model", c)) for c in configs)


def read_samples(info: LogInfo) -> pd.DataFrame:
    """One row per sample and epoch of one log; errored samples are kept and flagged.

    Every battery shares the base columns; its sample metadata (item, context, condition,
    ...) become columns as they are, and the numbers its scorer puts in ``Score.value``
    become ``value_<name>`` columns, which generic measures (``mean_of``,
    ``difference_of``) read.

    Rows come from the samples' summaries (ids, metadata, scores, errors), which inspect
    keeps apart from the transcripts, read one at a time (``analysis.summaries``):
    reading them costs the same however long the answers are, and memory holds the rows
    only. ``excerpt`` is left empty; ``fill_excerpts`` reads the few answers a report
    quotes.
    """
    try:
        rows = [tidy_row(summary.metadata or {}, next(iter((summary.scores or {}).values()), None), log=info.name,
                         task=info.task, battery=info.battery, sample_id=str(summary.id), epoch=summary.epoch,
                         errored=summary.error is not None)
                for summary in iter_summaries(info.location) if summary.completed or summary.error is not None]
    except Exception as err:  # noqa: BLE001 - inspect's readers raise many types for a damaged file
        raise LogError(f"{info.location}: its samples could not be read ({type(err).__name__}: {err}); the log is "
                       "damaged: move it out of the log folder and run the same `patienthood run` again to redo "
                       "that battery") from None
    return tidy_frame(carry_forward(rows, info.carried))


def fill_excerpts(frame: pd.DataFrame, info: LogInfo, index: pd.Index) -> None:
    """Set ``excerpt`` on the rows of ``index``: the start of each answer, read from the log.

    One sample is read at a time, without its events, so memory stays that of one answer.
    ``prompt`` gets the sample's input messages (role and text, each cut at the same
    length), so that a quoted answer is shown with the question it answers.
    """
    if "prompt" not in frame:
        frame["prompt"] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for position in index:
        row = frame.loc[position]
        if row["carried"]:
            continue
        sample = _read_sample(info, str(row["sample_id"]), int(row["epoch"]))
        completion = sample.output.completion if sample.output else ""
        frame.loc[position, "excerpt"] = completion[:EXCERPT_CHARS]
        frame.at[position, "prompt"] = prompt_messages(sample.input)


def prompt_messages(given: Any) -> tuple[tuple[str, str, bool], ...]:
    """A sample's input as (role, text, is a demonstration) triples: a plain string is the user's turn.

    Demonstrations are the worked exchanges of an answer format (marked in their metadata);
    a report shows them as one line, since they are the same before every question.
    """
    if isinstance(given, str):
        return (("user", given[:EXCERPT_CHARS], False),)
    return tuple((str(message.role), str(message.text)[:EXCERPT_CHARS],
                  bool((message.metadata or {}).get(DEMONSTRATION))) for message in given or ())


def _read_sample(info: LogInfo, sample_id: str, epoch: int) -> Any:
    """One sample without its events; its id as text, or as the number a plain task may have used."""
    candidates: list[str | int] = [sample_id] + ([int(sample_id)] if sample_id.isdigit() else [])
    for candidate in candidates:
        try:
            return read_eval_log_sample(info.location, id=candidate, epoch=epoch,
                                        exclude_fields={"events", "attachments", "store"})
        except Exception as err:  # noqa: BLE001 - as in read_samples
            failure = err
    raise LogError(f"{info.location}: sample {sample_id} (epoch {epoch}) could not be read "
                   f"({type(failure).__name__}: {failure}); the log is damaged") from None


def carry_forward(rows: list[dict[str, Any]], skipped: tuple[tuple[str, int], ...]) -> list[dict[str, Any]]:
    """``rows`` plus, for every (cell, epoch) skipped as settled, the cell's settled answer again.

    The adaptive rule stops asking a cell once all its answers agree. Without its
    skipped epochs such a cell would weigh less than in the fixed design, and the
    estimates would move for no reason but the rule; carrying its answer forward keeps
    every cell at the design's weight. Carried rows are marked (``carried``, method
    "carried forward"), never quoted as evidence, and hold no second reading.
    """
    if not skipped:
        return rows
    last = {row["sample_id"]: row for row in sorted(rows, key=lambda r: r["epoch"])}
    carried = [{**last[cell], "epoch": epoch, "carried": True, "method": CARRIED, "excerpt": "",
                "second_stance": None, "second_method": None, "second_kind": None, "second_grader": None}
               for cell, epoch in skipped if cell in last]
    return rows + carried


def carried_rows(frame: pd.DataFrame) -> pd.Series:
    """Which rows of a tidy frame were carried forward rather than answered."""
    return frame["carried"].fillna(False).astype(bool)


def tidy_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows made by ``tidy_row`` as a frame with every base column, present or not."""
    frame = pd.DataFrame(rows)
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    return frame


def tidy_row(metadata: dict[str, Any], score: Score | None, *, log: str, task: str, battery: str, sample_id: str,
             epoch: int, errored: bool, completion: str = "") -> dict[str, Any]:
    """One sample-epoch as a row: its metadata, its score's numbers, how it was read.

    The one definition of a row, for logs read after a run and for answers seen during
    one (the adaptive stopping rule decides on the same rows the report will read).
    """
    metadata = {k: v for k, v in metadata.items() if isinstance(v, (str, int, float, bool))}
    score_meta = (score.metadata or {}) if score else {}
    values = score.value if score is not None and isinstance(score.value, dict) else {}
    stance = score_meta.get("stance", "unscorable")
    row: dict[str, Any] = {**metadata}
    row.update({f"value_{k}": v for k, v in values.items() if isinstance(v, (int, float)) and v is not None})
    row.update({
        "log": log,
        "task": task,
        "battery": battery,
        "sample_id": sample_id,
        "epoch": epoch,
        "neutral": bool(metadata.get("neutral", False)),
        "stance": stance,
        "scorable": bool(score_meta.get("scorable", stance != "unscorable")) and not errored,
        "method": "errored" if errored else score_meta.get("method", "none"),
        "grader": score_meta.get("grader"),
        "second_stance": score_meta.get("second_stance"),
        "second_method": score_meta.get("second_method"),
        "second_kind": score_meta.get("second_kind"),
        "second_grader": score_meta.get("second_grader"),
        "grader_failure": score_meta.get("grader_failure"),
        "answer_line": score.answer if score else None,
        "errored": errored,
        "carried": False,
        "excerpt": completion[:EXCERPT_CHARS],
    })
    return row
