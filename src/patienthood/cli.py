"""The ``patienthood`` command: the one place that wires specs, batteries, analysis and report.

Bad input gets one clear message and exit status 2 (1 for content that fails
validation), never a traceback.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from patienthood import __version__
from patienthood.content import content_dir
from patienthood.spec.errors import SpecError

console = Console(stderr=False, highlight=False)
errors = Console(stderr=True, highlight=False)


class InputError(click.ClickException):
    """Bad input from the user: printed as one message, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:  # noqa: ARG002 - click's signature
        errors.print(f"[bold red]error:[/] {self.message}", markup=True, highlight=False, soft_wrap=True)


def _dir_option(kind: str) -> Any:
    return click.option(f"--{kind}-dir", f"{kind}_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=None, help=f"Use this {kind} folder instead of the packaged one.")


def _standard(set_name: str, criteria_dir: Path | None, batteries_dir: Path | None):  # noqa: ANN202
    from patienthood.spec.standard import load_standard

    try:
        return load_standard(set_name, criteria_dir or content_dir("criteria"), batteries_dir or content_dir("batteries"))
    except SpecError as err:
        raise InputError(str(err)) from None


def log_dir_for(model: str) -> str:
    """The default log folder of one model: ``logs/<model, made filename-safe>``."""
    return "logs/" + re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_")


@click.group()
@click.version_option(__version__, prog_name="patienthood")
def main() -> None:
    """Assess AI models against versioned criteria relevant to moral patienthood."""


@main.group()
def criteria() -> None:
    """Inspect and validate the criteria that make up a standard."""


@criteria.command("list")
@click.option("--set", "set_name", default=None, help="Only the criteria of this set.")
@_dir_option("criteria")
def criteria_list(set_name: str | None, criteria_dir: Path | None) -> None:
    """List the criteria (id, version, status, battery, title)."""
    from patienthood.spec.loader import load_criterion

    directory = criteria_dir or content_dir("criteria")
    if set_name:
        items = list(_standard(set_name, directory, None).criteria)
    else:
        try:
            items = [load_criterion(p) for p in sorted(directory.glob("*.yaml"))]
        except SpecError as err:
            raise InputError(str(err)) from None
    table = Table(title=f"Criteria in {directory}")
    for column in ("id", "version", "status", "battery", "title"):
        table.add_column(column)
    for c in items:
        table.add_row(c.id, c.version, c.status, c.battery, c.title)
    console.print(table)


@criteria.command("show")
@click.argument("criterion_id")
@_dir_option("criteria")
def criteria_show(criterion_id: str, criteria_dir: Path | None) -> None:
    """Show one criterion: question, measures and verdict rule."""
    from patienthood.spec.loader import load_criterion

    path = (criteria_dir or content_dir("criteria")) / f"{criterion_id.split('@')[0]}.yaml"
    if not path.is_file():
        raise InputError(f"{path}: no such criterion; `patienthood criteria list` shows the ids")
    try:
        c = load_criterion(path)
    except SpecError as err:
        raise InputError(str(err)) from None
    console.print(f"[bold]{c.title}[/]  {c.ref}  ({c.status}, battery {c.battery})")
    console.print(f"[bold]Question:[/] {c.question}")
    console.print(f"[bold]Rationale:[/] {c.rationale}")
    table = Table(title="Measures")
    table.add_column("measure")
    table.add_column("note")
    for m in c.measures:
        table.add_row(m.id, m.note)
    console.print(table)
    rule = Table(title="Verdict rule (first outcome that holds)")
    rule.add_column("outcome")
    rule.add_column("when")
    for verdict, clause in c.verdict.clauses():
        rule.add_row(verdict, str(clause))
    rule.add_row(c.verdict.otherwise, "otherwise")
    console.print(rule)


@criteria.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_dir_option("batteries")
def criteria_validate(paths: tuple[Path, ...], batteries_dir: Path | None) -> None:
    """Check criteria files and sets: syntax, schema and references. Exit 1 on any problem."""
    from patienthood.spec.loader import load_criterion
    from patienthood.spec.standard import load_standard

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")) + sorted((path / "sets").glob("*.yaml")))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    failed = 0
    for file in files:
        try:
            if file.parent.name == "sets":
                load_standard(str(file), file.parent.parent, batteries_dir or content_dir("batteries"))
            else:
                load_criterion(file)
        except SpecError as err:
            failed += 1
            errors.print(str(err), markup=False, highlight=False)
    if failed:
        errors.print(f"{failed} of {len(files)} file(s) failed validation", markup=False)
        sys.exit(1)
    console.print(f"{len(files)} file(s) valid")


@criteria.command("schema")
@click.option("--kind", type=click.Choice(["criterion", "set", "battery"]), default="criterion")
def criteria_schema(kind: str) -> None:
    """Print the JSON Schema of a criteria file (or a set, or a battery manifest)."""
    from patienthood.spec.models import Battery, CriteriaSet, Criterion

    model = {"criterion": Criterion, "set": CriteriaSet, "battery": Battery}[kind]
    click.echo(json.dumps(model.model_json_schema(), indent=2, sort_keys=True))


@main.command()
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
@_dir_option("criteria")
@_dir_option("batteries")
def run(set_name: str, model: str, log_dir: str | None, model_args: tuple[str, ...], epochs: int | None,
        grader: str | None, second_grader: str | None, double_read: float | None,
        max_connections: int | None, display: str | None, criteria_dir: Path | None,
        batteries_dir: Path | None) -> None:
    """Run every battery of a criteria set against one model (resumable, via inspect's eval_set)."""
    from inspect_ai import eval_set

    standard = _standard(set_name, criteria_dir, batteries_dir)
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


@main.command("validate-instrument")
@click.option("--set", "set_name", default="baseline", show_default=True, help="Criteria set to validate.")
@click.option("--seeds", default="0,1,2", show_default=True, help="Comma-separated subject seeds.")
@click.option("--log-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("logs/validation"),
              show_default=True, help="Where the subjects' logs go (resumable).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out/validation"),
              show_default=True, help="Where validation.json and validation.md go.")
@click.option("--record", is_flag=True, help="Also update the packaged record for this set (maintainers).")
@click.option("--subjects-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Use this folder of subjects instead of the packaged one.")
@_dir_option("criteria")
@_dir_option("batteries")
def validate_instrument_command(set_name: str, seeds: str, log_dir: Path, out_dir: Path, record: bool,
                                subjects_dir: Path | None, criteria_dir: Path | None,
                                batteries_dir: Path | None) -> None:
    """Run every battery of a set against every calibration subject; check each planted property.

    Exit status 1 when any subject is misclassified.
    """
    from patienthood.report.folder import write_atomic
    from patienthood.report.render import render_json
    from patienthood.validation.record import packaged_record_path
    from patienthood.validation.render import confusion_table, validation_markdown
    from patienthood.validation.run import validate_instrument

    standard = _standard(set_name, criteria_dir, batteries_dir)
    try:
        seed_list = tuple(int(s) for s in seeds.split(",") if s.strip())
    except ValueError:
        raise InputError(f"--seeds {seeds}: write whole numbers separated by commas, e.g. 0,1,2") from None
    try:
        result = validate_instrument(standard, log_dir, subjects_dir, seed_list,
                                     progress=lambda text: errors.print(f"running {text}", markup=False))
    except SpecError as err:
        raise InputError(str(err)) from None
    payload = render_json(result).encode("utf-8")
    write_atomic(out_dir / "validation.json", payload)
    write_atomic(out_dir / "validation.md", validation_markdown(result).encode("utf-8"))
    if record:
        write_atomic(packaged_record_path(standard.criteria_set.id), payload)
    console.print(confusion_table(result))
    for line in result["failures"]:
        errors.print(f"[red]failed:[/] {line}", markup=True, highlight=False)
    console.print(f"instrument {result['instrument']['fingerprint']}: "
                  + ("every subject classified as planted" if result["all_correct"] else "MISCLASSIFIED subjects")
                  + f"; written to {out_dir}")
    if not result["all_correct"]:
        sys.exit(1)


@main.command()
@click.argument("log_dirs", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the report into.")
@click.option("--set", "set_name", default="baseline", show_default=True, help="Criteria set to assess against.")
@click.option("--validation", "validation_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Instrument validation record to include [default: the packaged record for the set].")
@_dir_option("criteria")
@_dir_option("batteries")
def report(log_dirs: tuple[str, ...], out_dir: Path, set_name: str, validation_file: Path | None,
           criteria_dir: Path | None, batteries_dir: Path | None) -> None:
    """Assess one model's logs and write report.html, report.pdf, report.json, summary.md, manifest.json."""
    from patienthood.analysis.assessment import assess
    from patienthood.analysis.logs import LogError
    from patienthood.report.folder import write_report
    from patienthood.subjects.profile import subjects_dir
    from patienthood.validation.fingerprint import instrument_identity
    from patienthood.validation.record import load_record, packaged_record_path, validation_section

    standard = _standard(set_name, criteria_dir, batteries_dir)
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
        table.add_row(f"{c['id']}@{c['version']}", c["verdict"], c["verdict_reason"])
    console.print(table)
    console.print(f"report written to {out_dir}")
