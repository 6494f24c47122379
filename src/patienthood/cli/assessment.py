"""``patienthood run`` and ``patienthood report``: assess one model and publish the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from patienthood.cli.common import (
    InputError,
    console,
    dir_option,
    load_standard_or_exit,
    log_dir_for,
)


@click.command()
@click.option("--set", "set_name", default="baseline", show_default=True, help="Criteria set to assess.")
@click.option("--model", required=True, help="Any inspect model, e.g. openai/gpt-4o or subject/steady-denier.")
@click.option("--log-dir", default=None, help="Log folder [default: logs/<model>].")
@click.option("-M", "model_args", multiple=True, help="Model argument KEY=VALUE (repeatable).")
@click.option("--epochs", type=int, default=None, help="Epochs per sample instead of each battery's default.")
@click.option("--grader", default=None, help="Model that reads stances from prose without an answer line "
              "(inspect's 'grader' role), e.g. anthropic/claude-sonnet-4-5.")
@click.option("--second-grader", default=None, help="A second grader (role 'grader2'), ideally of another model "
              "family, for grader reliability.")
@click.option("--double-read", type=float, default=None, help="Share of answers read twice [default: 0.1].")
@click.option("--max-connections", type=int, default=None, help="Concurrent connections to the model API.")
@click.option("--display", default=None, help="inspect display: full, rich, plain, log, none.")
@dir_option("criteria")
@dir_option("batteries")
def run(set_name: str, model: str, log_dir: str | None, model_args: tuple[str, ...], epochs: int | None,
        grader: str | None, second_grader: str | None, double_read: float | None,
        max_connections: int | None, display: str | None, criteria_dir: Path | None,
        batteries_dir: Path | None) -> None:
    """Run every battery of a criteria set against one model (resumable, via inspect's eval_set)."""
    from inspect_ai import eval_set

    standard = load_standard_or_exit(set_name, criteria_dir, batteries_dir)
    args: dict[str, Any] = {}
    for pair in model_args:
        key, sep, value = pair.partition("=")
        if not sep:
            raise InputError(f"-M {pair}: write model arguments as KEY=VALUE")
        args[key] = value
    task_args: dict[str, Any] = {}
    if epochs:
        task_args["epochs"] = epochs
    if batteries_dir:
        task_args["batteries_dir"] = str(batteries_dir)
    if double_read is not None:
        if not 0 <= double_read <= 1:
            raise InputError(f"--double-read {double_read}: give a share between 0 and 1")
        task_args["double_read"] = double_read
    roles = {role: name for role, name in (("grader", grader), ("grader2", second_grader)) if name}
    log_dir = log_dir or log_dir_for(model)
    tasks = [f"patienthood/{battery}" for battery in sorted(standard.batteries)]
    success, _ = eval_set(tasks=tasks, model=model, model_args=args, task_args=task_args, log_dir=log_dir,
                          model_roles=roles or None, max_connections=max_connections,
                          display=display)  # type: ignore[arg-type]
    if not success:
        raise click.ClickException(f"some batteries did not complete; run the same command again to resume ({log_dir})")
    console.print(f"logs in {log_dir}; next: patienthood report {log_dir} --set {set_name} --out out/...")


@click.command()
@click.argument("log_dirs", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the report into.")
@click.option("--set", "set_name", default="baseline", show_default=True, help="Criteria set to assess against.")
@click.option("--validation", "validation_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Instrument validation record to include [default: the packaged record for the set].")
@dir_option("criteria")
@dir_option("batteries")
def report(log_dirs: tuple[str, ...], out_dir: Path, set_name: str, validation_file: Path | None,
           criteria_dir: Path | None, batteries_dir: Path | None) -> None:
    """Assess one model's logs and write report.html, report.pdf, report.json, summary.md, manifest.json."""
    from patienthood.analysis.assessment import assess
    from patienthood.analysis.logs import LogError
    from patienthood.report.folder import write_report
    from patienthood.subjects.profile import subjects_dir
    from patienthood.validation.fingerprint import instrument_identity
    from patienthood.validation.record import (
        load_record,
        packaged_record_path,
        validation_section,
    )

    standard = load_standard_or_exit(set_name, criteria_dir, batteries_dir)
    try:
        data = assess(list(log_dirs), standard)
    except LogError as err:
        raise InputError(str(err)) from None
    record_path = validation_file or packaged_record_path(standard.criteria_set.id)
    if validation_file is not None and not validation_file.is_file():
        raise InputError(f"{validation_file}: no such validation record; make one with `patienthood validate-instrument`")
    try:
        record = load_record(record_path) if record_path.is_file() else None
    except (ValueError, KeyError) as err:
        raise InputError(f"{record_path}: not a validation record ({err})") from None
    source = "packaged record" if validation_file is None else validation_file.name
    data["instrument_validation"] = validation_section(record, instrument_identity(standard, subjects_dir()), source)
    write_report(data, out_dir)
    table = Table(title=f"{data['model']['name']}" + (" (simulated respondent)" if data["model"]["simulated"] else ""))
    for column in ("criterion", "verdict", "why"):
        table.add_column(column)
    for c in data["criteria"]:
        table.add_row(f"{c['id']}@{c['version']}", c["verdict"], escape(c["verdict_reason"]))
    console.print(table)
    console.print(f"report written to {out_dir}")
