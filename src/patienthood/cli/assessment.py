"""``patienthood run`` and ``patienthood report``: assess one model and publish the report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from patienthood.cli.common import (
    check_output_path,
    console,
    dir_option,
    errors,
    issuing_body,
    key_values,
    readable_logs,
)


@click.command()
@click.option("--set", "set_name", default="baseline", show_default=True, help="Criteria set to assess.")
@click.option("--model", required=True, help="Any inspect model, e.g. openai/gpt-4o or subject/steady-denier.")
@click.option("--log-dir", type=click.Path(file_okay=False), default=None, help="Log folder [default: logs/<model>].")
@click.option("-M", "model_args", multiple=True, metavar="KEY=VALUE",
              help="Model argument (repeatable; values read as YAML, as inspect reads them).")
@click.option("-T", "task_args", multiple=True, metavar="KEY=VALUE",
              help="Task argument for every battery that takes it, or BATTERY.KEY=VALUE for one battery "
                   "(repeatable), e.g. -T self_report.items=has_feelings,feels_pain.")
@click.option("--design", "design_file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="A design file (YAML: epochs, task_args, generation, max_connections); options given here win.")
@click.option("--epochs", type=click.IntRange(min=1), default=None,
              help="Epochs per sample instead of each battery's default.")
@click.option("--temperature", type=float, default=None, help="Sampling temperature (part of the design: logged).")
@click.option("--top-p", type=float, default=None, help="Nucleus sampling threshold.")
@click.option("--max-tokens", type=click.IntRange(min=1), default=None, help="Most tokens per answer.")
@click.option("--seed", type=int, default=None, help="Sampling seed, for providers that take one.")
@click.option("--top-logprobs", type=click.IntRange(min=1, max=20), default=None,
              help="Ask for token probabilities (the N likeliest at each token), for answer distributions "
                   "(`report --answers distribution`), where the provider returns them.")
@click.option("--reasoning-effort", type=click.Choice(["none", "minimal", "low", "medium", "high", "xhigh"]),
              default=None, help="Reasoning effort, for reasoning models.")
@click.option("--grader", default=None, help="Model that reads stances from prose without an answer line "
              "(inspect's 'grader' role), e.g. anthropic/claude-sonnet-4-5.")
@click.option("--second-grader", default=None, help="A second grader (role 'grader2'), ideally of another model "
              "family, for grader reliability.")
@click.option("--model-role", "model_roles", multiple=True, metavar="ROLE=MODEL",
              help="Bind an inspect model role (repeatable), e.g. --model-role grader=openai/gpt-4o.")
@click.option("--grader-arg", "grader_args", multiple=True, metavar="KEY=VALUE",
              help="Model argument for the graders (repeatable).")
@click.option("--grader-max-tokens", type=click.IntRange(min=1), default=None,
              help="Most tokens per grader reply [default: the provider's].")
@click.option("--double-read", type=float, default=None, help="Share of answers read twice [default: 0.1].")
@click.option("--persona-source", type=click.Path(dir_okay=False, exists=True), default=None,
              help="A model-written-evals persona .jsonl file for persona_statements [default: the project's own].")
@click.option("--max-connections", type=click.IntRange(min=1), default=None,
              help="Concurrent connections to the model API.")
@click.option("--max-tasks", type=click.IntRange(min=1), default=None,
              help="Batteries run at once [default: inspect's]; 1 suits a local model.")
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
def run(set_name: str, model: str, log_dir: str | None, model_args: tuple[str, ...], task_args: tuple[str, ...],
        design_file: Path | None, epochs: int | None, temperature: float | None, top_p: float | None,
        max_tokens: int | None, seed: int | None, top_logprobs: int | None, reasoning_effort: str | None,
        grader: str | None, second_grader: str | None,
        model_roles: tuple[str, ...], grader_args: tuple[str, ...], grader_max_tokens: int | None,
        double_read: float | None, persona_source: str | None, max_connections: int | None,
        max_tasks: int | None, display: str | None,
        adaptive: bool, cache_expiry: str | None, criteria_dir: Path | None, batteries_dir: Path | None) -> None:
    """Run every battery of a criteria set against one model (resumable, via inspect's eval_set)."""
    from patienthood.instrument import load_instrument_standard
    from patienthood.runs import (
        RunOptions,
        RunRequest,
        load_design,
        run_request,
        with_design,
    )

    generation = {key: value for key, value in (("temperature", temperature), ("top_p", top_p),
                                                 ("max_tokens", max_tokens), ("seed", seed),
                                                 ("reasoning_effort", reasoning_effort)) if value is not None}
    if top_logprobs is not None:
        generation.update({"logprobs": True, "top_logprobs": top_logprobs})
    options = RunOptions(epochs=epochs, task_args=key_values(task_args, "-T"), double_read=double_read,
                         persona_source=persona_source, adaptive=adaptive, generation=generation,
                         max_connections=max_connections, max_tasks=max_tasks, cache_expiry=cache_expiry,
                         display=display)
    if design_file is not None:
        options = with_design(options, load_design(design_file))
    shorthands = {role: (option, name) for role, option, name in (("grader", "--grader", grader),
                                                                  ("grader2", "--second-grader", second_grader)) if name}
    roles = {**key_values(model_roles, "--model-role", parse=False),
             **{role: name for role, (_, name) in shorthands.items()}}
    request = RunRequest(model=model, model_args=key_values(model_args, "-M"), log_dir=log_dir, options=options,
                         roles=roles, role_options={role: option for role, (option, _) in shorthands.items()},
                         grader_args=key_values(grader_args, "--grader-arg"), grader_max_tokens=grader_max_tokens)
    standard = load_instrument_standard(set_name, criteria_dir, batteries_dir)
    result = run_request(standard, request)
    if not result.success:
        raise click.ClickException(f"some batteries did not complete; run the same command again to resume "
                                   f"({result.log_dir})")
    console.print(f"logs in {escape(result.log_dir)}; next: patienthood report {escape(result.log_dir)} "
                  f"--set {escape(set_name)} --out out/...")


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


@click.command()
@click.argument("log_dirs", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the report into (with logs of several models: one folder per model in it).")
@click.option("--model", "models", multiple=True, metavar="NAME",
              help="Report only this model's logs (repeatable); with one --model the report goes into --out itself.")
@click.option("--set", "set_name", default="baseline", show_default=True, help="Criteria set to assess against.")
@click.option("--validation", "validation_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Instrument validation record to include [default: the packaged record for the set].")
@click.option("--allow-incomplete", is_flag=True, default=False,
              help="Report a battery whose run did not finish, with its missing answers shown as a gap "
                   "[default: refuse, and say how to resume the run].")
@click.option("--answers", type=click.Choice(["sampled", "distribution"]), default="sampled", show_default=True,
              help="Compute the measures from the sampled answers, or from the answer distributions of the "
                   "provider's token probabilities (runs made with `run --top-logprobs N`).")
@click.option("--pdf/--no-pdf", default=True, show_default=True,
              help="Write report.pdf and appendix.pdf; --no-pdf leaves them out for a quick look (PDFs take most of a report's "
                   "time). The manifest records the choice, so verify expects no PDF.")
@click.option("--issued-by", "issued_by", metavar="BODY", envvar="PATIENTHOOD_ISSUED_BY", default=None,
              callback=lambda _ctx, _param, value: issuing_body(value),
              help="The body that issues the report, named on its first page and in report.json "
                   "[env PATIENTHOOD_ISSUED_BY; default: none named, a working report].")
@dir_option("criteria")
@dir_option("batteries")
def report(log_dirs: tuple[str, ...], out_dir: Path, models: tuple[str, ...], set_name: str,
           validation_file: Path | None, allow_incomplete: bool, answers: str, pdf: bool, issued_by: str | None,
           criteria_dir: Path | None, batteries_dir: Path | None) -> None:
    """Assess the logs and write report.html, report.pdf, report.json, summary.md, manifest.json.

    Logs of one model give one report folder, OUT itself. Logs of several models give
    one folder per model under OUT, named after the model (openai/gpt-4o: OUT/openai_gpt-4o);
    --model picks some. manifest.json records the log locations and options exactly as
    given here, so that `patienthood verify FOLDER` can recompute each folder from the
    same inputs.
    """
    from patienthood.instrument import load_instrument_standard
    from patienthood.report.by_model import assemble_model_reports, write_model_reports
    from patienthood.report.manifest import Invocation

    check_output_path(out_dir, "--out")
    standard = load_instrument_standard(set_name, criteria_dir, batteries_dir)
    invocation = Invocation(set_name=set_name, validation=_text(validation_file), criteria_dir=_text(criteria_dir),
                            batteries_dir=_text(batteries_dir), allow_incomplete=allow_incomplete,
                            answers="distribution" if answers == "distribution" else None, pdf=pdf,
                            issued_by=issued_by)
    with log_progress(list(log_dirs)) as on_log:
        results = assemble_model_reports(list(log_dirs), standard, out_dir, invocation, models, validation_file,
                                         on_log)
    write_model_reports(results, log_dirs)
    for each in results:
        print_verdicts(each.report)
        console.print(f"report written to {escape(str(each.folder))}")


def _text(path: Path | None) -> str | None:
    return None if path is None else str(path)


def print_verdicts(result: Any) -> None:
    """The verdict table, then every warning a reader must see."""
    table = Table(title=escape(result.model.name) + (" (simulated respondent)" if result.model.simulated else ""))
    for column in ("criterion", "verdict", "why"):
        table.add_column(column)
    for c in result.criteria:
        table.add_row(f"{c.id}@{c.version}", c.verdict, escape(c.verdict_reason))
    console.print(table)
    for warning in result.warnings:
        errors.print(f"[bold yellow]warning:[/] {escape(warning)}")
