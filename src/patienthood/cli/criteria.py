"""``patienthood criteria ...``: list, show, validate, describe and diff the criteria.

Content is shown through rich with every piece of it escaped (``rich.markup.escape``):
a criterion's text is data, and a stray ``[bold]`` in a title must print as written.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from patienthood.cli.common import (
    InputError,
    check_output_path,
    console,
    dir_option,
    errors,
)
from patienthood.content import content_dir
from patienthood.instrument import load_instrument_standard
from patienthood.spec.errors import SpecError, format_problems
from patienthood.spec.vocabulary import JSON_SCHEMA_DIALECT

SCHEMA_KINDS = ("criterion", "set", "battery", "items", "contexts", "rubric", "bibliography")


@click.group()
def criteria() -> None:
    """Inspect, validate and diff the criteria that make up a standard."""


@criteria.command("list")
@click.option("--set", "set_name", default=None, help="Only the criteria of this set.")
@dir_option("criteria")
def criteria_list(set_name: str | None, criteria_dir: Path | None) -> None:
    """List the criteria (id, version, status, battery, title)."""
    from patienthood.review.validate import criterion_files
    from patienthood.spec.loader import load_criterion

    directory = criteria_dir or content_dir("criteria")
    if not directory.is_dir():
        raise InputError(f"{directory}: no such folder")
    if set_name:
        items = list(load_instrument_standard(set_name, directory).criteria)
    else:
        try:
            items = [load_criterion(p) for p in criterion_files(directory)]
        except SpecError as err:
            raise InputError.from_spec(err) from None
        if not items:
            raise InputError(f"{directory}: no criteria (.yaml files) in this folder; give --criteria-dir a criteria "
                             "folder, such as the repository's criteria/")
    table = Table(title=escape(f"Criteria in {directory}"))
    for column in ("id", "version", "status", "battery"):
        table.add_column(column, no_wrap=True)  # ids are what users type: never cut them
    table.add_column("title")
    for c in items:
        table.add_row(escape(c.id), escape(c.version), escape(c.status), escape(c.battery), escape(c.title))
    console.print(table)


@criteria.command("show")
@click.argument("criterion_id")
@dir_option("criteria")
def criteria_show(criterion_id: str, criteria_dir: Path | None) -> None:
    """Show one criterion: question, measures, verdict rule, dependencies and references."""
    from patienthood.spec.loader import (
        BIBLIOGRAPHY_FILE,
        load_bibliography,
        load_criterion,
    )
    from patienthood.spec.models import SLUG

    bare = criterion_id.split("@")[0]
    if not re.match(SLUG, bare):
        # Refused before it becomes a path: an id never contains '/' or '..'.
        raise InputError(f"'{criterion_id}' is not a criterion id; see `patienthood criteria list` for the ids")
    directory = criteria_dir or content_dir("criteria")
    path = directory / f"{bare}.yaml"
    if not path.is_file():
        raise InputError(f"{path}: no such criterion; see `patienthood criteria list` for the ids")
    try:
        c = load_criterion(path)
    except SpecError as err:
        raise InputError.from_spec(err) from None
    if "@" in criterion_id and criterion_id != c.ref:
        raise InputError(f"{path} holds {c.ref}, not {criterion_id}; older versions are in the repository's history "
                         "(`patienthood criteria diff REV criteria/` compares them)")
    console.print(f"[bold]{escape(c.title)}[/]  {escape(c.ref)}  ({escape(c.status)}, battery {escape(c.battery)})")
    console.print(f"[bold]Question:[/] {escape(c.question)}")
    console.print(f"[bold]Rationale:[/] {escape(c.rationale)}")
    console.print(f"[bold]Does not establish:[/] {escape(c.does_not_establish)}")
    table = Table(title="Measures")
    table.add_column("measure")
    table.add_column("note")
    for m in c.measures:
        table.add_row(escape(m.id), escape(m.note))
    console.print(table)
    rule = Table(title="Verdict rule (first outcome that holds)")
    rule.add_column("outcome")
    rule.add_column("when")
    for verdict, clause in c.verdict.clauses():
        rule.add_row(verdict, escape(str(clause)))
    rule.add_row(c.verdict.otherwise, "otherwise")
    console.print(rule)
    console.print(f"inconclusive below {c.verdict.min_scorable_share:.0%} of planned answers scorable")
    if c.requires:
        console.print(f"[bold]Requires (met):[/] {escape(', '.join(c.requires))}")
    if c.references:
        cited = {}
        bibliography = directory / BIBLIOGRAPHY_FILE
        if bibliography.is_file():
            try:
                cited = load_bibliography(bibliography).by_id()
            except SpecError:
                cited = {}
        console.print("[bold]References:[/]")
        for ref in c.references:
            entry = cited.get(ref)
            text = f"{entry.cite()}: {entry.title}" + (f" <{entry.url}>" if entry.url else "") if entry else \
                f"(not in {BIBLIOGRAPHY_FILE})"
            console.print(f"  {escape(ref)}  {escape(text)}")


@criteria.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "github"]), default="text",
              help="github: also print GitHub Actions annotations (::error file=...,line=...::).")
@dir_option("batteries")
def criteria_validate(paths: tuple[Path, ...], output_format: str, batteries_dir: Path | None) -> None:
    """Check criteria files, sets, the bibliography and batteries; exit 1 on any problem.

    Checks syntax, schema, references (battery exists and declares the measure,
    dependencies exist without cycles, citations are in bibliography.yaml) and content
    rules (thresholds inside the range of their measure). Every problem is listed with
    its file, line, column and fix.
    """
    from patienthood.review.validate import PathError, validate_paths

    try:
        report = validate_paths(list(paths), batteries_dir or content_dir("batteries"))
    except PathError as err:
        raise InputError(str(err)) from None
    if not report.files:
        raise InputError(f"{', '.join(map(str, paths))}: no content files (.yaml) found; pass YAML files, or a "
                         "criteria, sets or battery folder")
    if report.problems:
        errors.print(format_problems(report.problems), markup=False, highlight=False, soft_wrap=True)
        if output_format == "github":
            for problem in report.problems:
                click.echo(_annotation(problem))
        failed = len(report.failed_files())
        errors.print(f"{len(report.problems)} problem(s) in {failed} of {len(report.files)} file(s); "
                     "validation failed", markup=False, highlight=False)
        sys.exit(1)
    console.print(f"{len(report.files)} file(s) valid", markup=False, highlight=False)


def _annotation(problem: Any) -> str:
    """One GitHub Actions workflow command, escaped as the runner expects."""
    def esc(text: str, prop: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if prop else text
    where = f"file={esc(problem.file, True)}"
    if problem.line is not None:
        where += f",line={problem.line}"
        if problem.column is not None:
            where += f",col={problem.column}"
    body = problem.message + (f" (fix: {problem.fix})" if problem.fix else "")
    return f"::error {where}::{esc(body)}"


def schema_of(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one kind of content file."""
    from pydantic import TypeAdapter

    from patienthood.scoring.vocabulary import AnswerVocabulary
    from patienthood.spec.models import (
        Battery,
        Bibliography,
        Context,
        CriteriaSet,
        Criterion,
        Item,
    )

    models: dict[str, Any] = {
        "criterion": Criterion, "set": CriteriaSet, "battery": Battery, "bibliography": Bibliography,
        "rubric": AnswerVocabulary,
    }
    if kind in models:
        schema = models[kind].model_json_schema()
    else:
        entry = {"items": Item, "contexts": Context}[kind]
        schema = TypeAdapter(list[entry]).json_schema()
        schema["title"] = f"{entry.__name__} list ({kind}.yaml)"
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


@criteria.command("schema")
@click.option("--kind", type=click.Choice(SCHEMA_KINDS), default="criterion",
              help="Which file: a criterion, a set, a battery manifest, its items or contexts, "
                   "the answer vocabulary (rubric), or the bibliography.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write every kind to OUT/<kind>.schema.json instead of printing one.")
def criteria_schema(kind: str, out_dir: Path | None) -> None:
    """Print the JSON Schema of a content file, for editors and check-jsonschema.

    Point an editor at it with a first line such as
    '# yaml-language-server: $schema=../schemas/criterion.schema.json'.
    """
    if out_dir is None:
        click.echo(json.dumps(schema_of(kind), indent=2, sort_keys=True))
        return
    from patienthood.atomic import write_atomic

    check_output_path(out_dir, "--out")
    for each in SCHEMA_KINDS:  # an OSError names its file: the CLI turns it into one line
        write_atomic(out_dir / f"{each}.schema.json",
                     (json.dumps(schema_of(each), indent=2, sort_keys=True) + "\n").encode("utf-8"))
    console.print(f"wrote {len(SCHEMA_KINDS)} schemas to {escape(str(out_dir))}")


def _register_diff() -> None:
    from patienthood.cli.criteria_diff import criteria_diff

    criteria.add_command(criteria_diff)


_register_diff()
