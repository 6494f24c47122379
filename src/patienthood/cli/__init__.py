"""The ``patienthood`` command: parse arguments, call one function of the layer that does the work, print.

Each subcommand lives in its own module; bad input gets one clear line and exit status
2 (1 for content that fails validation, and for a bug), never a traceback: see
:mod:`patienthood.cli.errors` for which failure gets which status.
"""

from __future__ import annotations

from typing import Any

import click

from patienthood import __version__
from patienthood.cli.assessment import report, run
from patienthood.cli.bundled import bundled_model
from patienthood.cli.common import follow_columns
from patienthood.cli.criteria import criteria
from patienthood.cli.errors import one_line_errors
from patienthood.cli.instrument import validate_instrument_command
from patienthood.cli.publish import publish
from patienthood.cli.report_folders import compare, verify
from patienthood.cli.schema import schema


class OneLineGroup(click.Group):
    """The top-level group: every error of every subcommand passes through here as one line.

    Parsing the top-level options happens in ``make_context``; parsing a subcommand's
    options, and running it, in ``invoke``. Wrapping both catches every usage error
    and exception before click's ``main`` would print a usage block or a traceback,
    while leaving ``main`` itself (exit codes, ``--help``, broken pipes) as click has it.
    """

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        with one_line_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        follow_columns()
        with one_line_errors():
            return super().invoke(ctx)


@click.group(cls=OneLineGroup)
@click.version_option(__version__, prog_name="patienthood")
def main() -> None:
    """Assess AI models against versioned criteria relevant to moral patienthood.

    Bad input gets one line naming the file or option and the fix (exit status 2).
    Set PATIENTHOOD_DEBUG=1 to see the traceback of an unexpected error.
    """


for command in (criteria, run, report, verify, compare, publish, validate_instrument_command, schema,
                bundled_model):
    main.add_command(command)

__all__ = ["main"]
