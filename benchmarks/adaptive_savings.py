"""Adaptive sampling against the fixed-epoch design: model calls saved, verdicts kept. Run by hand.

    .venv/bin/python benchmarks/adaptive_savings.py [--seeds 0,1,2] [--fixed-logs DIR] [--out DIR]

Runs every battery of the baseline set against every calibration subject twice, once
with each battery's fixed epochs and once with ``--adaptive`` (``patienthood.adaptive``),
then counts the model calls in each log (inspect's model events, the calls actually
made) and compares every criterion's verdict. ``--fixed-logs`` reuses the logs of an
earlier ``patienthood validate-instrument`` (same seeds) instead of running the fixed
design again. Prints, per subject, calls with each design, the saving, and any verdict
that differs; the target is at least 40% fewer calls on every subject with no verdict
changed.

This is a measurement, not a test: it prints a table and changes nothing in the project.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from calls import model_calls

from patienthood.analysis.assessment import assess
from patienthood.content import content_dir
from patienthood.spec.standard import load_standard
from patienthood.subjects.profile import known_subjects, subjects_dir
from patienthood.instrument_validation.run import subject_log_dir, validate_instrument

TARGET_SAVING = 0.40


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--fixed-logs", type=Path, default=None,
                        help="log root of an earlier validate-instrument run (fixed epochs)")
    parser.add_argument("--out", type=Path, default=None, help="where the adaptive logs go (default: a temp dir)")
    options = parser.parse_args()
    seeds = tuple(int(s) for s in options.seeds.split(","))
    standard = load_standard("baseline", content_dir("criteria"), content_dir("batteries"))
    root = Path(options.out or tempfile.mkdtemp(prefix="adaptive-"))
    fixed_root = options.fixed_logs or root / "fixed"
    assessments: dict[tuple[str, str, int], dict] = {}

    def keep(design: str):  # noqa: ANN202
        return lambda name, seed, data: assessments.__setitem__((design, name, seed), data.as_data())

    started = time.perf_counter()
    if options.fixed_logs is None:
        validate_instrument(standard, fixed_root, seeds=seeds, on_assessment=keep("fixed"))
    else:
        for name in known_subjects(subjects_dir()):
            for seed in seeds:
                assessments[("fixed", name, seed)] = assess([str(subject_log_dir(fixed_root, seed, name))], standard).as_data()
    fixed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    validate_instrument(standard, root / "adaptive", seeds=seeds, on_assessment=keep("adaptive"), adaptive=True)
    adaptive_seconds = time.perf_counter() - started

    print(f"{'subject':<18} {'seed':>4} {'fixed calls':>11} {'adaptive':>9} {'saving':>7}  verdicts")
    worst = 1.0
    changed_total = 0
    totals = Counter()
    for name in known_subjects(subjects_dir()):
        for seed in seeds:
            fixed = model_calls(subject_log_dir(fixed_root, seed, name))
            adaptive = model_calls(subject_log_dir(root / "adaptive", seed, name))
            saving = 1 - sum(adaptive.values()) / sum(fixed.values())
            worst = min(worst, saving)
            totals["fixed"] += sum(fixed.values())
            totals["adaptive"] += sum(adaptive.values())
            before = {c["id"]: c["verdict"] for c in assessments[("fixed", name, seed)]["criteria"]}
            after = {c["id"]: c["verdict"] for c in assessments[("adaptive", name, seed)]["criteria"]}
            changed = [f"{c}: {before[c]} -> {after[c]}" for c in before if before[c] != after[c]]
            changed_total += len(changed)
            print(f"{name:<18} {seed:>4} {sum(fixed.values()):>11} {sum(adaptive.values()):>9} {saving:>7.1%}  "
                  + ("; ".join(changed) if changed else "all equal"))
            for battery in sorted(fixed):
                print(f"{'':<24}{battery:<22} {fixed[battery]:>6} -> {adaptive[battery]:>5}")
    print(f"\noverall: {totals['fixed']} -> {totals['adaptive']} calls "
          f"({1 - totals['adaptive'] / totals['fixed']:.1%} fewer); smallest saving {worst:.1%} "
          f"(target {TARGET_SAVING:.0%}); verdicts changed: {changed_total}")
    print(f"wall time: fixed design {fixed_seconds:.0f} s{' (logs reused)' if options.fixed_logs else ''}, "
          f"adaptive {adaptive_seconds:.0f} s; adaptive logs in {root / 'adaptive'}")


if __name__ == "__main__":
    main()
