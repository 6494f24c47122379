"""What every subcommand shares: consoles, the one-line error, and loading a standard."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from patienthood.content import content_dir
from patienthood.spec.errors import SpecError

console = Console(stderr=False, highlight=False)
errors = Console(stderr=True, highlight=False)


class InputError(click.ClickException):
    """Bad input from the user: printed as one message, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:  # noqa: ARG002 - click's signature
        # The message may quote file names or content: escape it so rich reads no markup in it.
        errors.print(f"[bold red]error:[/] {escape(self.message)}", markup=True, highlight=False, soft_wrap=True)


def dir_option(kind: str) -> Any:
    return click.option(f"--{kind}-dir", f"{kind}_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=None, help=f"Use this {kind} folder instead of the packaged one.")


def load_standard_or_exit(set_name: str, criteria_dir: Path | None, batteries_dir: Path | None):  # noqa: ANN202
    from patienthood.spec.standard import load_standard

    try:
        return load_standard(set_name, criteria_dir or content_dir("criteria"), batteries_dir or content_dir("batteries"))
    except SpecError as err:
        raise InputError(str(err)) from None


def log_dir_for(model: str) -> str:
    """The default log folder of one model: ``logs/<model, made filename-safe>``."""
    return "logs/" + re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_")
