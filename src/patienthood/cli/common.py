"""What every subcommand shares: consoles, the one-line error, and reading its options."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from patienthood.spec.errors import SpecError

console = Console(stderr=False, highlight=False)
errors = Console(stderr=True, highlight=False)


def follow_columns() -> None:
    """Size both consoles by ``COLUMNS`` as it is when a command starts (rich reads it once, at import).

    A process that runs several commands (a notebook, a test runner, click's CliRunner)
    gets each command's own width; unset, rich measures the terminal as usual.
    """
    columns = os.environ.get("COLUMNS", "")
    for each in (console, errors):
        each.width = int(columns) if columns.isdigit() and int(columns) > 0 else None  # type: ignore[assignment]


def one_line(text: str) -> str:
    """Text on one line: every line stripped, empty ones dropped, the rest joined with '; '."""
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


class OneLineError(click.ClickException):
    """An error shown as one line on stderr, whatever the message holds (click's own show() adds none)."""

    def show(self, file: Any = None) -> None:  # noqa: ARG002 - click's signature
        # The message may quote file names or content: escape it so rich reads no markup in it.
        errors.print(f"[bold red]error:[/] {escape(one_line(self.message))}", markup=True, highlight=False,
                     soft_wrap=True)


class InputError(OneLineError):
    """Bad input from the user: printed as one line, exit status 2."""

    exit_code = 2

    @classmethod
    def from_spec(cls, error: SpecError) -> InputError:
        """The first problem of a content error, with its fix; the rest are counted, not listed.

        One line keeps the cause in view; `criteria validate` is the command that lists all.
        """
        if not error.problems:
            return cls(str(error))
        first, *rest = error.problems
        text = f"{first.where}: {first.message}" + (f"; fix: {first.fix}" if first.fix else "")
        if rest:
            text += (f" (and {len(rest)} more problem(s); `patienthood criteria validate {Path(first.file).parent}` "
                     "lists them all)")
        return cls(text)


def dir_option(kind: str) -> Any:
    return click.option(f"--{kind}-dir", f"{kind}_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                        default=None, help=f"Use this {kind} folder instead of the packaged one.")


def key_values(pairs: tuple[str, ...], option: str, parse: bool = True) -> dict[str, Any]:
    """``KEY=VALUE`` options as a mapping; values read as YAML (``true``, ``3``, ``[a, b]``), as inspect reads them."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{option} {pair}: write KEY=VALUE")
        values[key.strip()] = _yaml_value(value) if parse else value
    return values


def _yaml_value(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text) if text.strip() else text
    except yaml.YAMLError:
        return text


ISSUING_BODY_CHARS = 200


def issuing_body(value: str | None) -> str | None:
    """``--issued-by``: one line a reader takes as a name, or none at all.

    It heads the report's first page, so a pasted paragraph or a stray newline would
    read as part of the verdicts' frame; blank is the same as not naming a body.
    """
    if value is None or not value.strip():
        return None
    lines = value.strip().splitlines()
    name = " ".join(value.split())
    if len(lines) > 1 or len(name) > ISSUING_BODY_CHARS:
        raise InputError(f"--issued-by: give the issuing body's name on one line of at most {ISSUING_BODY_CHARS} "
                         f"characters (got {len(lines)} line(s), {len(name)} characters)")
    return name


def check_output_path(path: Path, option: str, folder: bool = True) -> None:
    """Refuse an output path that cannot be written, before any long work starts.

    The path itself may be missing (it is made), but the nearest existing ancestor
    must be a folder: otherwise the error would come only after minutes of reading
    logs or running subjects.
    """
    kind = "folder" if folder else "file"
    if folder and (path.exists() or path.is_symlink()) and not path.is_dir():
        raise InputError(f"{option} {path}: not a folder; give a folder (it is made if missing)")
    for parent in path.parents:
        if parent.is_dir():
            return
        if parent.exists() or parent.is_symlink():
            raise InputError(f"{option} {path}: {parent} is not a folder; give a {kind} path through folders")


def readable_logs(locations: list[str]) -> list[str]:
    """Every eval log under the locations, each opened once to check that it is one.

    inspect counts every ``*.eval`` file, and every ``*.json`` file whose name starts
    with a timestamp, as a log: a stray file so named would otherwise fail deep in the
    analysis. Reading a log's header is cheap (it stops before the samples).
    """
    from inspect_ai.log import read_eval_log

    from patienthood.analysis.logs import LogError, find_logs

    try:
        found = find_logs(locations)
    except LogError as err:
        raise InputError(str(err)) from None
    given = {str(Path(location)) for location in locations}
    for location in found:
        try:
            read_eval_log(location, header_only=True)
        except Exception as err:  # noqa: BLE001 - inspect's readers raise many types for a file that is no log
            shown = location.removeprefix("file://")
            fix = ("give an eval log written by `patienthood run` or `inspect eval`" if shown in given else
                   "move it out of the log folder (or, if it is a damaged log, delete it and run again)")
            raise InputError(f"{shown}: not a readable inspect eval log ({one_line(str(err)) or type(err).__name__}); "
                             f"{fix}") from None
    return found


def require_file(path: Path, fix: str) -> None:
    """Refuse a path that is not a regular file, saying what it is instead (a FIFO would block a reader)."""
    if path.is_file():
        return
    if path.is_dir():
        problem = "is a folder, not a file"
    elif path.is_symlink():
        problem = "is a symbolic link to nothing (or a link loop)"
    elif path.exists():
        problem = "is not a regular file"
    else:
        problem = "not found"
    raise InputError(f"{path}: {problem}; {fix}")
