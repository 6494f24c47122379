"""Model calls per verdict: what each criterion of a standard costs at the default settings. Run by hand.

    .venv/bin/python benchmarks/calls_per_verdict.py --logs ROOT [--adaptive-logs ROOT] [--seed 0]

ROOT is the log root of a ``patienthood validate-instrument`` run (``--log-dir``; the
fixed design, and optionally one with ``--adaptive``). For every criterion of the
baseline set it prints the model calls its battery made per subject (mean and range
over the calibration subjects, which answer as a model would, including multi-turn
dialogues), how many criteria share that battery's answers, and so the calls per
verdict. Without ``--logs`` it runs the fixed design at one seed first (about five
minutes on two cores).

This is a measurement, not a test: it prints a table and changes nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from calls import model_calls

from patienthood.content import content_dir
from patienthood.spec.standard import load_standard
from patienthood.subjects.profile import known_subjects, subjects_dir
from patienthood.instrument_validation.run import subject_log_dir, validate_instrument


def per_subject(root: Path, seed: int) -> dict[str, dict[str, int]]:
    """Calls per battery for every subject with logs under ``root``."""
    found = {}
    for name in known_subjects(subjects_dir()):
        folder = subject_log_dir(root, seed, name)
        if folder.is_dir():
            found[name] = model_calls(folder)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=Path, default=None)
    parser.add_argument("--adaptive-logs", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    standard = load_standard("baseline", content_dir("criteria"), content_dir("batteries"))
    root = options.logs
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="calls-"))
        validate_instrument(standard, root, seeds=(options.seed,))
    designs = {"fixed": per_subject(root, options.seed)}
    if options.adaptive_logs:
        designs["adaptive"] = per_subject(options.adaptive_logs, options.seed)
    sharing = {battery: [c.id for c in standard.criteria if c.battery == battery] for battery in standard.batteries}
    print(f"{'criterion':<26} {'battery':<22} {'design':<9} {'calls (mean, range)':>22} {'shared by':>9} "
          f"{'per verdict':>11}")
    for criterion in standard.criteria:
        for design, subjects in designs.items():
            counts = [calls[criterion.battery] for calls in subjects.values()]
            mean = statistics.mean(counts)
            shared = len(sharing[criterion.battery])
            print(f"{criterion.id:<26} {criterion.battery:<22} {design:<9} "
                  f"{mean:>8.0f} ({min(counts)}-{max(counts)}){'':>4} {shared:>9} {mean / shared:>11.0f}")
    for design, subjects in designs.items():
        totals = [sum(calls.values()) for calls in subjects.values()]
        print(f"whole set, {design}: {statistics.mean(totals):.0f} calls per subject "
              f"({min(totals)}-{max(totals)}) for {len(standard.criteria)} verdicts over {len(subjects)} subjects")


if __name__ == "__main__":
    main()
