"""Running a standard's batteries: from (standard, content folders, options) to inspect tasks and one ``eval_set``.

Every command that asks a model anything (``run``, ``validate-instrument``, the
benchmarks) comes through here, so what a log records is what ran: the batteries are
built from the folder the standard was loaded from (and say so in their task
arguments), each task gets exactly the arguments its signature takes, adaptive
sampling is a task argument like any other (so ``inspect eval -T adaptive=true`` and
Inspect Flow reach the same code), and inspect's generation settings and model roles
pass through unchanged.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from inspect_ai import Task
from pydantic import Field

from patienthood import _registry
from patienthood.content import content_dir
from patienthood.errors import InputProblem
from patienthood.inspect_private import model_provider_known
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import validate_model
from patienthood.spec.models import Strict
from patienthood.spec.standard import Standard
from patienthood.spec.vocabulary import EXPOSURE, RESPONDENT_METADATA, SUBJECT_PREFIX
from patienthood.spec.yamlfile import read_yaml

ADAPTIVE_LOG_SUFFIX = "-adaptive"  # eval_set would take a fixed design's complete logs as this run's
# inspect names a log "<created>_" + this pattern, with {task}, {model} and {id} filled in
# (each made filename-safe: "subject/steady-denier" is "subject-steady-denier"); its default
# is "{task}_{id}". Logs of many models can then share a folder and still say whose they are.
LOG_FILE_PATTERN_VARIABLE = "INSPECT_EVAL_LOG_FILE_PATTERN"
LOG_FILE_PATTERN = "{task}_{model}_{id}"
_CACHE_EXPIRY = re.compile(r"[1-9][0-9]*[smhDWMY]")


class RunDesign(Strict):
    """A run's design written down (``patienthood run --design FILE``): what to ask and how.

    For designs used again and again (a quick look at a small local model, a body's
    cheaper screening design), so that the same design is asked every time and a
    report's design section can be compared with the file.
    """

    description: str = ""
    epochs: int | None = Field(None, ge=1)
    task_args: dict[str, Any] = Field(default_factory=dict, description=(
        "Task arguments: KEY for every battery that takes it, BATTERY.KEY for one battery."))
    generation: dict[str, Any] = Field(default_factory=dict, description=(
        "inspect generation settings (temperature, top_p, max_tokens, seed, logprobs, top_logprobs, ...)."))
    max_connections: int | None = Field(None, ge=1)
    max_tasks: int | None = Field(None, ge=1, description="Batteries run at once (one suits a local model).")


def load_design(path: Path) -> RunDesign:
    """A design file, checked whole: an unknown key or a generation setting inspect does not have is located."""
    from inspect_ai.model import GenerateConfig

    document = read_yaml(path)
    design = validate_model(RunDesign, document)
    unknown = sorted(set(design.generation) - set(GenerateConfig.model_fields))
    if unknown:
        raise SpecError([document.problem(("generation", unknown[0]), f"inspect has no generation setting "
                                          f"'{unknown[0]}'", "use a field of inspect's GenerateConfig, e.g. "
                                          "temperature, top_p, max_tokens, seed, logprobs, top_logprobs")])
    return design


@dataclass(frozen=True)
class RunOptions:
    """How to run a standard's batteries; None and empty mean each battery's and inspect's defaults."""

    epochs: int | None = None
    # -T: KEY to every battery whose signature takes it; BATTERY.KEY to that battery only.
    task_args: Mapping[str, Any] = field(default_factory=dict)
    double_read: float | None = None
    persona_source: str | None = None
    adaptive: bool = False
    generation: Mapping[str, Any] = field(default_factory=dict)  # inspect's GenerateConfig: temperature, ...
    model_roles: Mapping[str, Any] = field(default_factory=dict)  # role -> model name or inspect Model
    max_connections: int | None = None
    max_tasks: int | None = None  # batteries run at once (a local model is faster one at a time)
    cache_expiry: str | None = None
    display: str | None = None
    log_realtime: bool | None = None


def with_design(options: RunOptions, design: RunDesign) -> RunOptions:
    """``options`` filled in from a design file; what was given on the command line wins."""
    return replace(options,
                   epochs=options.epochs or design.epochs,
                   task_args={**design.task_args, **options.task_args},
                   generation={**design.generation, **options.generation},
                   max_connections=options.max_connections or design.max_connections,
                   max_tasks=options.max_tasks or design.max_tasks)


def task_function(battery_id: str) -> Callable[..., Task]:
    """The registered ``@task`` of a battery: the one way a battery id becomes a task."""
    function = getattr(_registry, battery_id, None)
    if function is None or not callable(function):
        known = ", ".join(sorted(name for name in dir(_registry) if not name.startswith("_") and name.islower()))
        raise InputProblem(f"no battery task '{battery_id}' is registered; known: {known}")
    return function


def set_argument(standard: Standard) -> str:
    """How a task names the standard: its id when it sits in the criteria folder's sets, else its file."""
    criteria_dir = standard.criteria_dir or content_dir("criteria")
    if standard.set_file.resolve() == (criteria_dir / "sets" / f"{standard.criteria_set.id}.yaml").resolve():
        return standard.criteria_set.id
    return str(standard.set_file)


def _custom(folder: Path | None, kind: str) -> str | None:
    """A content folder as a task argument: None for the packaged one, so logs stay machine-independent."""
    if folder is None or folder.resolve() == content_dir(kind).resolve():  # type: ignore[arg-type]
        return None
    return str(folder)


def battery_arguments(standard: Standard, options: RunOptions, battery_id: str | None = None) -> dict[str, Any]:
    """The arguments offered to a battery task (each takes those its signature names).

    ``-T KEY=VALUE`` is offered to every battery, ``-T BATTERY.KEY=VALUE`` to that
    battery only (item ids differ from battery to battery).
    """
    arguments: dict[str, Any] = {key: value for key, value in options.task_args.items() if "." not in key}
    if battery_id is not None:
        arguments.update({key.split(".", 1)[1]: value for key, value in options.task_args.items()
                          if key.split(".", 1)[0] == battery_id and "." in key})
    # Options given to the run as a whole; one left unset must not blank a -T BATTERY.KEY
    # (a design's per-battery epochs would otherwise be dropped for the battery's own).
    arguments.update({key: value for key, value in {
        "epochs": options.epochs,
        "batteries_dir": _custom(standard.batteries_dir, "batteries"),
        "double_read": options.double_read,
        "source": options.persona_source,
    }.items() if value is not None})
    if options.adaptive:
        arguments.update({"adaptive": True, "criteria_set": set_argument(standard),
                          "criteria_dir": _custom(standard.criteria_dir, "criteria")})
    return {key: value for key, value in arguments.items() if value is not None}


def build_tasks(standard: Standard, options: RunOptions = RunOptions()) -> list[Task]:
    """One inspect task per battery of the standard, in battery order, built from the standard's own folders."""
    accepted: set[str] = set()
    tasks = []
    for battery_id in sorted(standard.batteries):
        function = task_function(battery_id)
        parameters = inspect.signature(function).parameters
        accepted.update(parameters)
        accepted.update(f"{battery_id}.{name}" for name in parameters)
        arguments = battery_arguments(standard, options, battery_id)
        tasks.append(function(**{k: v for k, v in arguments.items() if k in parameters}))
    unknown = sorted(set(options.task_args) - accepted)
    if unknown:
        raise InputProblem(f"-T {', '.join(unknown)}: no battery of set {standard.criteria_set.id} takes "
                           f"{'this argument' if len(unknown) == 1 else 'these arguments'}; see each battery's "
                           "task arguments in its README (BATTERY.KEY gives an argument to one battery)")
    return tasks


def planned_episodes(tasks: list[Task]) -> dict[str, int]:
    """Distress-eliciting episodes each task's design plans, by battery (the count its header records)."""
    return {str(task.metadata["battery"]): int(task.metadata[EXPOSURE]["episodes"]) for task in tasks}


def check_exposure(standard: Standard, tasks: list[Task]) -> None:
    """Refuse a design that plans more distress-eliciting episodes than the standard allows, before any call.

    Called by ``run_standard``, which every command that asks a model goes through;
    building tasks alone (the report's design section, benchmarks) asks nothing and is
    not refused.

    The count is the tasks' own (samples with content marked ``distress``, each once per
    epoch its design asks it; the most adaptive sampling could ask), so it covers every
    way a design is given: epochs, item restrictions, a battery's limit, a design file.
    """
    ceiling = standard.criteria_set.distress_ceiling
    if ceiling is None:
        return
    episodes = planned_episodes(tasks)
    total = sum(episodes.values())
    if total > ceiling:
        parts = ", ".join(f"{battery} {count}" for battery, count in sorted(episodes.items()) if count)
        raise InputProblem(
            f"set {standard.criteria_set.id} {standard.criteria_set.version} ({standard.set_file}) allows at most "
            f"{ceiling} distress-eliciting episodes per assessment, but this design plans {total} ({parts}); "
            "ask fewer epochs (--epochs, or -T BATTERY.epochs=N), fewer items (-T BATTERY.items=...), or propose "
            "a higher distress_ceiling for the set by pull request")


def check_model(model: str, option: str = "--model", model_args: Mapping[str, Any] | None = None) -> None:
    """Refuse a model that cannot be resolved, before anything runs: a typo must not half-start a run.

    Only names are checked (the provider is known to inspect; a calibration subject
    exists and loads): constructing the model itself could load local weights, which
    the run would then load a second time.
    """
    provider, _, name = model.partition("/")
    if not provider or not name:
        raise InputProblem(f"{option} {model}: write PROVIDER/MODEL, e.g. openai/gpt-4o or subject/steady-denier")
    if f"{provider}/" == SUBJECT_PREFIX:
        from patienthood.subjects.profile import load_profile, subjects_dir

        try:
            load_profile(name, subjects_dir((model_args or {}).get("subjects_dir")))
        except SpecError as err:
            first = err.problems[0]
            raise InputProblem(f"{option} {model}: {first.where}: {first.message}"
                               + (f"; fix: {first.fix}" if first.fix else "")) from None
    elif not model_provider_known(provider):
        raise InputProblem(f"{option} {model}: inspect has no model provider '{provider}'; check the spelling, or "
                           "install the provider's package (see inspect's model provider documentation)")


def cache_policy(expiry: str | None) -> Any:
    """inspect's model cache for ``--cache EXPIRY`` (e.g. 1D, 1W, 3M), or None."""
    if expiry is None:
        return None
    if not _CACHE_EXPIRY.fullmatch(expiry):
        raise InputProblem(f"--cache {expiry}: write a number and a unit (s, m, h, D, W, M, Y), e.g. 1D, 1W or 3M")
    from inspect_ai.model import CachePolicy

    return CachePolicy(expiry=expiry)


def respondent_facts(model: str, model_args: Mapping[str, Any]) -> dict[str, Any] | None:
    """What is known of the respondent beyond its name: for the bundled model, its source and size."""
    if not model.startswith("hf/"):
        return None
    from patienthood.bundled_model import respondent_facts as bundled_facts

    return bundled_facts(model_args)


def default_log_dir(model: str, adaptive: bool = False) -> str:
    """The log folder of one model: ``logs/<model, made filename-safe>`` (``-adaptive`` for that design)."""
    return "logs/" + re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_") + (ADAPTIVE_LOG_SUFFIX if adaptive else "")


@dataclass(frozen=True)
class RunResult:
    success: bool
    log_dir: str
    logs: list[Any]


def run_standard(standard: Standard, model: str, log_dir: str, model_args: Mapping[str, Any] | None = None,
                 options: RunOptions = RunOptions()) -> RunResult:
    """Run every battery of the standard against one model with inspect's ``eval_set`` (resumable).

    Running it again with the same arguments resumes: answers already in ``log_dir``
    are kept and only what is missing is asked.
    """
    from inspect_ai import eval_set

    tasks = build_tasks(standard, options)
    check_exposure(standard, tasks)  # before eval_set: a refused design asks nothing
    extra: dict[str, Any] = {}
    if options.log_realtime is not None:
        extra["log_realtime"] = options.log_realtime
    if options.max_tasks is not None:
        extra["max_tasks"] = options.max_tasks
    facts = respondent_facts(model, model_args or {})
    if facts is not None:  # what the respondent is, in the logs themselves, for the report
        extra["metadata"] = {RESPONDENT_METADATA: facts}
    with model_in_log_names():
        success, logs = eval_set(tasks=tasks, model=model, model_args=dict(model_args or {}), log_dir=log_dir,
                                 model_roles=dict(options.model_roles) or None,
                                 max_connections=options.max_connections, display=options.display,
                                 cache=cache_policy(options.cache_expiry),  # type: ignore[arg-type]
                                 **extra, **dict(options.generation))
    return RunResult(success=success, log_dir=log_dir, logs=list(logs))


@contextmanager
def model_in_log_names() -> Iterator[None]:
    """Log file names that carry the model, by inspect's own mechanism (its log file pattern variable).

    A pattern the user set themselves is theirs and is left as it is; ours is set only
    while the run lasts.
    """
    if os.environ.get(LOG_FILE_PATTERN_VARIABLE):
        yield
        return
    os.environ[LOG_FILE_PATTERN_VARIABLE] = LOG_FILE_PATTERN
    try:
        yield
    finally:
        os.environ.pop(LOG_FILE_PATTERN_VARIABLE, None)


GRADER_ROLES = ("grader", "grader2")


@dataclass(frozen=True)
class RunRequest:
    """One ``patienthood run``: a model, where its logs go, the run options, and the model roles to bind."""

    model: str
    model_args: Mapping[str, Any] = field(default_factory=dict)
    log_dir: str | None = None
    options: RunOptions = RunOptions()
    roles: Mapping[str, str] = field(default_factory=dict)  # role -> model name (grader, grader2, ...)
    role_options: Mapping[str, str] = field(default_factory=dict)  # role -> the option it was given with
    grader_args: Mapping[str, Any] = field(default_factory=dict)  # model arguments of the grader roles
    grader_max_tokens: int | None = None


def bound_roles(request: RunRequest) -> dict[str, Any]:
    """Each role as inspect takes it: a name, or a model built with the graders' own arguments and settings."""
    if not request.grader_args and request.grader_max_tokens is None:
        return dict(request.roles)
    from inspect_ai.model import GenerateConfig, get_model

    config = GenerateConfig(max_tokens=request.grader_max_tokens)
    return {role: get_model(name, config=config, **dict(request.grader_args)) if role in GRADER_ROLES else name
            for role, name in request.roles.items()}


def run_request(standard: Standard, request: RunRequest) -> RunResult:
    """Check everything a run is given before it starts, then run every battery of the standard."""
    options = request.options
    if options.double_read is not None and not 0 <= options.double_read <= 1:
        raise InputProblem(f"--double-read {options.double_read}: give a share between 0 and 1")
    check_model(request.model, "--model", request.model_args)
    for role, name in request.roles.items():
        check_model(name, request.role_options.get(role, f"--model-role {role}"))
    cache_policy(options.cache_expiry)  # a malformed expiry is refused before anything runs
    log_dir = request.log_dir or default_log_dir(request.model, options.adaptive)
    options = replace(options, model_roles={**options.model_roles, **bound_roles(request)})
    return run_standard(standard, request.model, log_dir, request.model_args, options)
