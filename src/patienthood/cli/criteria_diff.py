"""``patienthood criteria diff OLD NEW``: what a change to the standard does, as Markdown.

OLD and NEW are criteria folders or git revisions of this checkout (``main``,
``origin/main``, ``HEAD~1``, ``REV:path/to/criteria``). The output is a pull-request
comment: criteria added, removed and re-versioned, thresholds and rules that moved,
version-bump errors, and with ``--logs`` how every verdict of existing logs would
change. Exit status 1 when NEW fails validation or a change lacks its version bump,
2 for bad arguments, 0 otherwise.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

import click

from patienthood.cli.common import (
    InputError,
    check_output_path,
    dir_option,
    errors,
    readable_logs,
)
from patienthood.content import content_dir
from patienthood.spec.errors import Problem


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--logs", "log_dirs", multiple=True, metavar="DIR",
              help="Eval log folder(s) to recompute verdicts from under both standards (repeatable; "
                   "each folder holding logs is one model's assessment). No model is called.")
@click.option("--set", "set_names", multiple=True, metavar="NAME",
              help="Only these sets when recomputing verdicts (default: every set in OLD or NEW).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the Markdown to this file (e.g. for a CI step that posts it).")
@dir_option("batteries")
def criteria_diff(old: str, new: str, log_dirs: tuple[str, ...], set_names: tuple[str, ...],
                  out_file: Path | None, batteries_dir: Path | None) -> None:
    """Compare two versions of the criteria and print Markdown for a pull request.

    OLD and NEW are folders or git revisions (REV means REV:criteria). A folder uses
    --batteries-dir (default: the packaged batteries); a revision uses its own.
    """
    from patienthood.review.changes import diff_snapshots
    from patienthood.review.markdown import render
    from patienthood.review.snapshot import load_snapshot
    from patienthood.review.source import SourceError, open_source

    if out_file is not None:
        check_output_path(out_file, "--out", folder=False)
    default_batteries = batteries_dir or content_dir("batteries")
    with ExitStack() as stack:
        try:
            old_source = stack.enter_context(open_source(old, default_batteries))
            new_source = stack.enter_context(open_source(new, default_batteries))
        except SourceError as err:
            raise InputError(str(err)) from None
        old_snapshot = load_snapshot(old_source, validate=False)
        new_snapshot = load_snapshot(new_source, validate=True)
        # NEW is what the pull request proposes: its problems are errors. OLD's are only
        # warnings (files today's checks refuse are left out of the comparison).
        old_problems = [_shown(p, old_source.display(p.file)) for p in old_snapshot.problems]
        problems = [_shown(p, new_source.display(p.file)) for p in new_snapshot.problems]
        diff = diff_snapshots(old_snapshot, new_snapshot)
        verdicts = None
        if log_dirs:
            verdicts = _verdicts(list(log_dirs), set_names, old_snapshot, new_snapshot)
        markdown = render(old_source.label, new_source.label, diff, problems, verdicts, _folder_count(list(log_dirs)),
                          old_problems=old_problems)
    if out_file is not None:
        from patienthood.atomic import write_atomic

        write_atomic(out_file, markdown.encode("utf-8"))
    click.echo(markdown, nl=False)
    failures = len(problems) + len(diff.errors())
    if failures:
        errors.print(f"{failures} error(s): see the Markdown above", markup=False, highlight=False)
        sys.exit(1)


def _shown(problem: Problem, file: str) -> Problem:
    return Problem(file, problem.line, problem.column, problem.message, problem.fix)


def _folder_count(log_dirs: list[str]) -> int:
    from patienthood.analysis.logs import LogError
    from patienthood.review.verdicts import log_groups

    try:
        return len(log_groups(log_dirs)) if log_dirs else 0
    except LogError:
        return 0


def _verdicts(log_dirs: list[str], set_names: tuple[str, ...], old_snapshot, new_snapshot):
    from patienthood.review.verdicts import verdict_diff
    from patienthood.spec.errors import SpecError
    from patienthood.spec.standard import load_standard

    for location in log_dirs:
        readable_logs([location])  # a stray or damaged file is bad input, not a verdict that "could not" be made
    known = set(old_snapshot.sets) | set(new_snapshot.sets)
    for name in set_names:
        if name not in known:
            raise InputError(f"--set {name}: in neither OLD nor NEW; use one of: {', '.join(sorted(known)) or '(none)'}")
    wanted = sorted(set(set_names) or known)

    def standard(snapshot, set_id):
        if set_id not in snapshot.sets:
            return None
        source = snapshot.source
        try:
            return load_standard(str(snapshot.set_files[set_id]), source.criteria_dir, source.batteries_dir)
        except SpecError:
            return None  # its problems are already listed as errors

    pairs = {set_id: (standard(old_snapshot, set_id), standard(new_snapshot, set_id)) for set_id in wanted}
    return verdict_diff(log_dirs, pairs)
