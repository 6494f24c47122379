"""The ``patienthood`` command: the one place that wires specs, batteries, analysis and report.

Each subcommand lives in its own module; bad input gets one clear message and exit
status 2 (1 for content that fails validation), never a traceback.
"""

from __future__ import annotations

import click

from patienthood import __version__
from patienthood.cli.assessment import report, run
from patienthood.cli.common import log_dir_for
from patienthood.cli.criteria import criteria
from patienthood.cli.review import compare, verify
from patienthood.cli.validation import validate_instrument_command


@click.group()
@click.version_option(__version__, prog_name="patienthood")
def main() -> None:
    """Assess AI models against versioned criteria relevant to moral patienthood."""


for command in (criteria, run, report, verify, compare, validate_instrument_command):
    main.add_command(command)

__all__ = ["log_dir_for", "main"]
