"""``patienthood criteria ...``: list, show, validate and describe the criteria."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from patienthood.cli.common import (
    InputError,
    console,
    dir_option,
    errors,
    load_standard_or_exit,
)
from patienthood.content import content_dir
from patienthood.spec.errors import SpecError


@click.group()
def criteria() -> None:
    """Inspect and validate the criteria that make up a standard."""


@criteria.command("list")
@click.option("--set", "set_name", default=None, help="Only the criteria of this set.")
@dir_option("criteria")
def criteria_list(set_name: str | None, criteria_dir: Path | None) -> None:
    """List the criteria (id, version, status, battery, title)."""
    from patienthood.spec.loader import load_criterion

    directory = criteria_dir or content_dir("criteria")
    if set_name:
        items = list(load_standard_or_exit(set_name, directory, None).criteria)
    else:
        try:
            items = [load_criterion(p) for p in sorted(directory.glob("*.yaml"))]
        except SpecError as err:
            raise InputError(str(err)) from None
    table = Table(title=f"Criteria in {directory}")
    for column in ("id", "version", "status", "battery", "title"):
        table.add_column(column)
    for c in items:
        table.add_row(c.id, c.version, c.status, c.battery, escape(c.title))
    console.print(table)


@criteria.command("show")
@click.argument("criterion_id")
@dir_option("criteria")
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
    console.print(f"[bold]{escape(c.title)}[/]  {c.ref}  ({c.status}, battery {c.battery})")
    console.print(f"[bold]Question:[/] {escape(c.question)}")
    console.print(f"[bold]Rationale:[/] {escape(c.rationale)}")
    table = Table(title="Measures")
    table.add_column("measure")
    table.add_column("note")
    for m in c.measures:
        table.add_row(m.id, escape(m.note))
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
@dir_option("batteries")
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
