"""``patienthood validate-instrument``: known-groups validation on the calibration subjects."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape

from patienthood.cli.common import (
    InputError,
    check_output_path,
    console,
    dir_option,
    errors,
)


@click.command("validate-instrument")
@click.option("--set", "set_name", default="baseline", show_default=True, help="Criteria set to validate.")
@click.option("--seeds", default="0,1,2", show_default=True, help="Comma-separated subject seeds.")
@click.option("--log-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("logs/validation"),
              show_default=True, help="Where the subjects' logs go (resumable).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out/validation"),
              show_default=True, help="Where validation.json and validation.md go.")
@click.option("--record", is_flag=True, help="Also update the packaged record for this set (maintainers).")
@click.option("--adaptive", is_flag=True, default=False,
              help="Run every battery with adaptive sampling, to validate that mode (use its own --log-dir).")
@click.option("--subjects-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Use this folder of subjects instead of the packaged one.")
@dir_option("criteria")
@dir_option("batteries")
def validate_instrument_command(set_name: str, seeds: str, log_dir: Path, out_dir: Path, record: bool,
                                adaptive: bool, subjects_dir: Path | None, criteria_dir: Path | None,
                                batteries_dir: Path | None) -> None:
    """Run every battery of a set against every calibration subject; check each planted property.

    Exit status 1 when any subject is misclassified.
    """
    from patienthood.atomic import write_atomic
    from patienthood.instrument import load_instrument_standard
    from patienthood.instrument_validation.record import packaged_record_path
    from patienthood.instrument_validation.render import (
        confusion_table,
        validation_markdown,
    )
    from patienthood.instrument_validation.run import validate_instrument

    standard = load_instrument_standard(set_name, criteria_dir, batteries_dir)
    seed_list = _seeds(seeds)
    _check_subjects(subjects_dir)
    # Checked now, not after the subjects have run for minutes.
    check_output_path(log_dir, "--log-dir")
    check_output_path(out_dir, "--out")
    if adaptive and record:
        raise InputError("--record with --adaptive: the packaged record is of the fixed design; drop one of them")
    result = validate_instrument(standard, log_dir, subjects_dir, seed_list,
                                 progress=lambda text: errors.print(f"running {text}", markup=False),
                                 adaptive=adaptive)
    payload = result.to_json().encode("utf-8")
    write_atomic(out_dir / "validation.json", payload)
    write_atomic(out_dir / "validation.md", validation_markdown(result).encode("utf-8"))
    if record:
        write_atomic(packaged_record_path(standard.criteria_set.id), payload)
    console.print(confusion_table(result))
    for line in result.failures:
        errors.print(f"[red]failed:[/] {escape(line)}", markup=True, highlight=False)
    console.print(f"instrument {result.instrument.fingerprint}: "
                  + ("every subject classified as planted" if result.all_correct else "MISCLASSIFIED subjects")
                  + f"; written to {escape(str(out_dir))}")
    if not result.all_correct:
        sys.exit(1)


def _seeds(text: str) -> tuple[int, ...]:
    """The seeds of ``--seeds``: at least one whole number, or the run would have nothing to do."""
    try:
        seeds = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise InputError(f"--seeds {text}: write whole numbers separated by commas, e.g. 0,1,2") from None
    if not seeds:
        raise InputError(f"--seeds {text!r}: give at least one seed, e.g. 0,1,2")
    return seeds


def _check_subjects(directory: Path | None) -> None:
    """A ``--subjects-dir`` must hold at least one subject (``<name>.yaml``) to validate against."""
    from patienthood.subjects.profile import known_subjects

    if directory is not None and not known_subjects(directory):
        raise InputError(f"--subjects-dir {directory}: no calibration subjects (<name>.yaml) in it; "
                         "give a folder of subject files like batteries/subjects")
