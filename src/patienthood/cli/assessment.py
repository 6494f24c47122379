"""``patienthood run`` and ``patienthood report``: assess one model and publish the report."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from patienthood.cli.common import (
    InputError,
    check_model_name,
    check_output_path,
    console,
    dir_option,
    errors,
    load_standard_or_exit,
    log_dir_for,
    readable_logs,
)
from patienthood.spec.errors import SpecError

if TYPE_CHECKING:
    from patienthood.spec.standard import Standard


@click.command()
@click.option("--set", "set_name", default="baseline", show_default=True, help="Criteria set to assess.")
@click.option("--model", required=True, help="Any inspect model, e.g. openai/gpt-4o or subject/steady-denier.")
@click.option("--log-dir", type=click.Path(file_okay=False), default=None, help="Log folder [default: logs/<model>].")
@click.option("-M", "model_args", multiple=True, help="Model argument KEY=VALUE (repeatable).")
@click.option("--epochs", type=click.IntRange(min=1), default=None,
              help="Epochs per sample instead of each battery's default.")
@click.option("--grader", default=None, help="Model that reads stances from prose without an answer line "
              "(inspect's 'grader' role), e.g. anthropic/claude-sonnet-4-5.")
@click.option("--second-grader", default=None, help="A second grader (role 'grader2'), ideally of another model "
              "family, for grader reliability.")
@click.option("--double-read", type=float, default=None, help="Share of answers read twice [default: 0.1].")
@click.option("--persona-source", type=click.Path(dir_okay=False, exists=True), default=None,
              help="A model-written-evals persona .jsonl file for persona_statements [default: the project's own].")
@click.option("--max-connections", type=click.IntRange(min=1), default=None,
              help="Concurrent connections to the model API.")
@click.option("--display", type=click.Choice(["full", "conversation", "rich", "plain", "log", "none"]), default=None,
              help="inspect display.")
@click.option("--adaptive", is_flag=True, default=False,
              help="Skip the epochs that can no longer change a verdict (see the README's 'Adaptive sampling'); "
                   "logs go to logs/<model>-adaptive unless --log-dir says otherwise.")
@click.option("--cache", "cache_expiry", default=None, metavar="EXPIRY",
              help="Cache model answers in inspect's cache for this long (e.g. 1D, 1W, 3M), so a repeated run "
                   "pays for no answer twice.")
@dir_option("criteria")
@dir_option("batteries")
def run(set_name: str, model: str, log_dir: str | None, model_args: tuple[str, ...], epochs: int | None,
        grader: str | None, second_grader: str | None, double_read: float | None,
        persona_source: str | None, max_connections: int | None, display: str | None, adaptive: bool,
        cache_expiry: str | None, criteria_dir: Path | None, batteries_dir: Path | None) -> None:
    """Run every battery of a criteria set against one model (resumable, via inspect's eval_set)."""
    from inspect_ai import eval_set
    from inspect_ai.model import CachePolicy

    from patienthood.adaptive.stopping import make_adaptive

    from patienthood.batteries.tasks import battery_tasks

    standard = load_standard_or_exit(set_name, criteria_dir, batteries_dir)
    args: dict[str, Any] = {}
    for pair in model_args:
        key, sep, value = pair.partition("=")
        if not sep:
            raise InputError(f"-M {pair}: write model arguments as KEY=VALUE")
        args[key] = value
    for option, name in (("--model", model), ("--grader", grader), ("--second-grader", second_grader)):
        if name:  # before anything runs: a typo in a name must not start (or half-start) an evaluation
            check_model_name(name, option, args if option == "--model" else None)
    task_args: dict[str, Any] = {}
    if epochs:
        task_args["epochs"] = epochs
    if batteries_dir:
        task_args["batteries_dir"] = str(batteries_dir)
    if double_read is not None:
        if not 0 <= double_read <= 1:
            raise InputError(f"--double-read {double_read}: give a share between 0 and 1")
        task_args["double_read"] = double_read
    task_args["source"] = persona_source
    roles = {role: name for role, name in (("grader", grader), ("grader2", second_grader)) if name}
    log_dir = log_dir or (log_dir_for(model) + ("-adaptive" if adaptive else ""))
    if cache_expiry is not None and not re.fullmatch(r"[1-9][0-9]*[smhDWMY]", cache_expiry):
        raise InputError(f"--cache {cache_expiry}: write a number and a unit (s, m, h, D, W, M, Y), e.g. 1D, 1W or 3M")
    cache = CachePolicy(expiry=cache_expiry) if cache_expiry else None
    try:
        tasks = battery_tasks(standard.batteries, task_args)
        if adaptive:
            make_adaptive(tasks, standard)
        success, _ = eval_set(tasks=tasks, model=model, model_args=args, log_dir=log_dir,
                              model_roles=roles or None, max_connections=max_connections,
                              display=display, cache=cache)  # type: ignore[arg-type]
    except SpecError as err:  # content, or a calibration subject's file, that does not load
        raise InputError.from_spec(err) from None
    if not success:
        raise click.ClickException(f"some batteries did not complete; run the same command again to resume ({log_dir})")
    console.print(f"logs in {log_dir}; next: patienthood report {log_dir} --set {set_name} --out out/...")


@contextmanager
def log_progress(locations: list[str]) -> Iterator[Callable[[str], None]]:
    """A transient progress bar on stderr while logs are read; silent when stderr is not a terminal.

    ``report`` and ``verify`` never run inspect, so no inspect display competes with it;
    it goes to stderr so that stdout stays clean for the results.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
    )

    total = len(readable_logs(locations))
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        console=errors, transient=True, disable=not errors.is_terminal)
    task = progress.add_task("reading logs", total=total)

    def advance(location: str) -> None:
        progress.advance(task)
        done = progress.tasks[0].completed >= total
        name = location.rstrip("/").rsplit("/", 1)[-1]
        progress.update(task, description="computing measures" if done else f"reading {escape(name)}")

    with progress:
        yield advance


def report_data(log_locations: list[str], standard: Standard, validation_file: Path | None,
                on_log: Callable[[str], None] | None = None, allow_incomplete: bool = False) -> dict[str, Any]:
    """Everything a report folder renders, from logs and content: the one code path of report and verify."""
    from patienthood.analysis.assessment import assess
    from patienthood.analysis.logs import LogError
    from patienthood.content import display_path
    from patienthood.report.methodology import methodology
    from patienthood.subjects.profile import subjects_dir
    from patienthood.validation.fingerprint import instrument_identity
    from patienthood.validation.record import (
        load_record,
        packaged_record_path,
        validation_section,
    )

    try:
        data = assess(list(log_locations), standard, on_log=on_log, allow_incomplete=allow_incomplete)
    except LogError as err:
        raise InputError(str(err)) from None
    except Exception as err:  # noqa: BLE001 - a damaged log fails deep inside inspect's readers, with many types
        raise InputError(f"{', '.join(log_locations)}: a log could not be read ({type(err).__name__}: {err}); "
                         "is a log file damaged or incomplete?") from None
    record_path = validation_file or packaged_record_path(standard.criteria_set.id)
    if validation_file is not None and not validation_file.is_file():
        raise InputError(f"{validation_file}: no such validation record; make one with `patienthood validate-instrument`")
    try:
        record = load_record(record_path) if record_path.is_file() else None
    except (ValueError, KeyError) as err:
        raise InputError(f"{record_path}: not a validation record ({err}); give a validation.json written by "
                         "`patienthood validate-instrument`") from None
    source = "packaged record" if validation_file is None else validation_file.name
    identity = instrument_identity(standard, subjects_dir())
    section = validation_section(record, identity, source)
    if record is not None:
        section["record_file"] = display_path(record_path) if validation_file is None else validation_file.name
        section["record_sha256"] = hashlib.sha256(record_path.read_bytes()).hexdigest()
    data["instrument_validation"] = section
    # Scorer vocabularies, rubrics and subjects shape verdicts and the validation status
    # too: hash them with the criteria and batteries so that verify names any change.
    data["provenance"]["instrument_sha256"] = identity["content_sha256"]
    data["methodology"] = methodology(standard)
    return data


@click.command()
@click.argument("log_dirs", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the report into.")
@click.option("--set", "set_name", default="baseline", show_default=True, help="Criteria set to assess against.")
@click.option("--validation", "validation_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Instrument validation record to include [default: the packaged record for the set].")
@click.option("--allow-incomplete", is_flag=True, default=False,
              help="Report a battery whose run did not finish, with its missing answers shown as a gap "
                   "[default: refuse, and say how to resume the run].")
@dir_option("criteria")
@dir_option("batteries")
def report(log_dirs: tuple[str, ...], out_dir: Path, set_name: str, validation_file: Path | None,
           allow_incomplete: bool, criteria_dir: Path | None, batteries_dir: Path | None) -> None:
    """Assess one model's logs and write report.html, report.pdf, report.json, summary.md, manifest.json.

    manifest.json records the log locations and options exactly as given here, so that
    `patienthood verify OUT` can recompute the folder from the same inputs.
    """
    from patienthood.report.folder import Invocation, write_report

    check_output_path(out_dir, "--out")
    standard = load_standard_or_exit(set_name, criteria_dir, batteries_dir)
    with log_progress(list(log_dirs)) as on_log:
        data = report_data(list(log_dirs), standard, validation_file, on_log, allow_incomplete)
    invocation = Invocation(log_locations=tuple(log_dirs), set_name=set_name,
                            validation=None if validation_file is None else str(validation_file),
                            criteria_dir=None if criteria_dir is None else str(criteria_dir),
                            batteries_dir=None if batteries_dir is None else str(batteries_dir),
                            allow_incomplete=allow_incomplete)
    write_report(data, out_dir, invocation=invocation)
    table = Table(title=f"{data['model']['name']}" + (" (simulated respondent)" if data["model"]["simulated"] else ""))
    for column in ("criterion", "verdict", "why"):
        table.add_column(column)
    for c in data["criteria"]:
        table.add_row(f"{c['id']}@{c['version']}", c["verdict"], escape(c["verdict_reason"]))
    console.print(table)
    for warning in data["warnings"]:
        errors.print(f"[bold yellow]warning:[/] {escape(warning)}")
    console.print(f"report written to {escape(str(out_dir))}")
