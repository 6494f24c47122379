"""The run's design as the logs record it: what was asked, how often, with which settings, and how to ask it again.

A verdict reached on three items and one epoch is not the verdict the standard's
design would give, and a reader must see that next to the verdict, not in an
appendix. Each battery's design is compared with its defaults (the battery's own
epochs, every sample the battery holds at default task arguments), every departure is
written as a sentence, and the exact commands that ask the same questions again are
derived from the same record.
"""

from __future__ import annotations

import json

import shlex
from collections.abc import Mapping
from typing import Any

from patienthood.analysis.logs import TASK_PREFIX
from patienthood.results import BatteryDesign, Design, LogRecord
from patienthood.runs import RunOptions, build_tasks
from patienthood.spec.standard import Standard

# Task arguments that say where content came from rather than what was asked.
CONTENT_ARGS = ("batteries_dir", "criteria_dir")
# Task arguments that change how often or whether a sample is asked, not which samples.
SAMPLING_ARGS = ("epochs", "adaptive", "criteria_set")
# Generation settings a run may set, and the inspect option that sets each.
GENERATION_FLAGS = {"temperature": "--temperature", "top_p": "--top-p", "top_k": "--top-k",
                    "max_tokens": "--max-tokens", "seed": "--seed", "reasoning_effort": "--reasoning-effort",
                    "logprobs": "--logprobs", "top_logprobs": "--top-logprobs", "num_choices": "--num-choices"}


def default_samples(standard: Standard) -> dict[str, int]:
    """How many samples each battery holds at its default task arguments (building tasks asks nothing)."""
    return {task.metadata["battery"]: len(task.dataset) for task in build_tasks(standard, RunOptions())}


def _value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _departures(info: LogRecord, default_epochs: int, full: int) -> list[str]:
    sentences = []
    if info.epochs != default_epochs:
        sentences.append(f"{info.epochs} epoch{'s' if info.epochs != 1 else ''} instead of the battery's "
                         f"{default_epochs}")
    selection = {k: v for k, v in info.task_args_passed.items() if k not in (*CONTENT_ARGS, *SAMPLING_ARGS)}
    if info.samples != full or selection:
        chosen = "; ".join(f"{key} {_value(value)}" for key, value in sorted(selection.items()))
        # More samples than the default: a fuller design (self_report's design=full), not a selection.
        size = f"{info.samples} of its {full} samples" if info.samples <= full else (
            f"{info.samples} samples instead of its {full}")
        sentences.append(size + (f" ({chosen})" if chosen else ""))
    if info.limit is not None:
        sentences.append(f"inspect's --limit {_value(info.limit)}")
    if info.sample_ids is not None:
        sentences.append(f"only the samples {_value(info.sample_ids)}")
    if info.task_args_passed.get("adaptive"):
        sentences.append("adaptive sampling (epochs not needed for the verdicts were not asked)")
    for key, value in sorted(info.generation.items()):
        sentences.append(f"{key.replace('_', ' ')} {_visible(_value(value))}")
    return sentences


def _visible(text: str) -> str:
    """A setting as a reader can see it: a stop sequence of a newline reads as \\n, not as blank."""
    return text if text.isprintable() else json.dumps(text)[1:-1]


def inspect_command(info: LogRecord) -> str:
    """The ``inspect eval`` command that asks this battery's questions again, as this run asked them."""
    parts = ["inspect", "eval", info.task, "--model", info.model]
    parts += [f"-M {shlex.quote(f'{k}={_value(v)}')}" for k, v in sorted(info.model_args.items())]
    parts += [f"-T {shlex.quote(f'{k}={_value(v)}')}" for k, v in sorted(info.task_args_passed.items())]
    if "epochs" not in info.task_args_passed:
        parts += ["--epochs", str(info.epochs)]
    if info.limit is not None:
        parts += ["--limit", shlex.quote(_value(info.limit))]
    if info.sample_ids is not None:
        parts += ["--sample-id", shlex.quote(_value(info.sample_ids))]
    parts += _generation_flags(info.generation)
    parts += [f"--model-role {shlex.quote(f'{role}={name}')}" for role, name in sorted(info.model_roles.items())]
    return " ".join([*parts, "--log-dir", "LOG_DIR"])


def _generation_flags(generation: Mapping[str, Any]) -> list[str]:
    flags = []
    for key, value in sorted(generation.items()):
        flag = GENERATION_FLAGS.get(key)
        if flag is None:
            continue  # a setting with no command-line option: named among the departures
        if isinstance(value, bool):
            flags += [flag] if value else []
        else:
            flags += [flag, shlex.quote(_value(value))]
    return flags


def run_design(standard: Standard, logs: list[LogRecord], set_argument: str) -> Design:
    """Each battery's design against its defaults, and the commands that reproduce the whole run."""
    full = default_samples(standard)
    batteries = []
    for info in sorted(logs, key=lambda log: log.task):
        battery_id = info.task.removeprefix(TASK_PREFIX)
        default_epochs = standard.batteries[battery_id].spec.epochs
        batteries.append(BatteryDesign(
            battery=battery_id, task=info.task, epochs=info.epochs, default_epochs=default_epochs,
            samples=info.samples, default_samples=full.get(battery_id, info.samples),
            task_args=info.task_args_passed, limit=info.limit, sample_ids=info.sample_ids,
            generation=info.generation, departures=_departures(info, default_epochs, full.get(battery_id, 0)),
            command=inspect_command(info)))
    restricted = any(b.samples < b.default_samples or b.limit is not None or b.sample_ids is not None
                     or b.epochs < b.default_epochs for b in batteries)
    report_line = f"patienthood report LOG_DIR --set {shlex.quote(set_argument)} --out OUT_DIR"
    return Design(restricted=restricted, batteries=batteries,
                  commands=[b.command for b in batteries] + [report_line])
