"""What the self_report battery costs beyond inspect itself. Run by hand.

    .venv/bin/python benchmarks/battery_overhead.py [--repeats 3]

Runs the full ``patienthood/self_report`` battery (every item in every context at its
default epochs: ``design="full"``, so that inspect asks every sample in every epoch as
the bare task does; the balanced design's skipped epochs would flatter the battery) against a zero-latency respondent, and a bare inspect task with the same
samples (the same messages, no metadata), the same epochs, inspect's own ``generate()``
and ``includes()`` scorer, against the same respondent; and that bare task again with
the battery's sample metadata, which inspect copies with every sample. The respondent is
``subject/steady-denier``: it answers at once, so what is timed is the framework's work
per sample. Runs alternate, and the median of ``--repeats`` runs of each is compared;
the ratios printed are battery / bare (target: at most 1.10) and battery / bare with
metadata (what patienthood's own code adds).

This is a measurement, not a test: it prints a table and changes nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from inspect_ai import Task, eval as inspect_eval
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import includes
from inspect_ai.solver import generate

from patienthood.batteries.self_report import self_report

TARGET = 1.10
MODEL = "subject/steady-denier"


def bare_task(battery: Task, metadata: bool = False) -> Task:
    """The battery's samples as a plain inspect task: same messages, stock solver and scorer.

    With ``metadata``, each sample also carries the battery's sample metadata (item,
    context, polarity, ...), which inspect copies with every sample: that separates
    what the statistics' metadata costs from what patienthood's own code costs.
    """
    samples = [Sample(input=sample.input, target="NO", id=sample.id, metadata=sample.metadata if metadata else None)
               for sample in battery.dataset]
    return Task(dataset=MemoryDataset(samples), solver=generate(), scorer=includes(), epochs=battery.epochs)


def timed(build, log_dir: Path) -> tuple[float, int]:  # noqa: ANN001 - a task factory
    """Wall time of building and running one task (as ``inspect eval`` does both), and its sample-epochs."""
    started = time.perf_counter()
    (log,) = inspect_eval(build(), model=MODEL, log_dir=str(log_dir), display="none")
    elapsed = time.perf_counter() - started
    assert log.status == "success", log.error
    return elapsed, len(log.samples or [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="overhead-"))
    template = self_report(design="full")
    timed(lambda: bare_task(template), root / "warm-up")  # imports, provider start-up, caches
    builds = {"battery": lambda: self_report(design="full"), "bare": lambda: bare_task(template),
              "bare+metadata": lambda: bare_task(template, metadata=True)}
    times: dict[str, list[float]] = {name: [] for name in builds}
    counts: dict[str, int] = {}
    for repeat in range(options.repeats):
        for name, build in builds.items():
            elapsed, counts[name] = timed(build, root / f"{name}-{repeat}")
            times[name].append(elapsed)
    assert len(set(counts.values())) == 1, counts
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"sample-epochs per run: {counts['battery']} (same messages in all)")
    for name in builds:
        print(f"{name:>14}: median {median[name]:6.2f} s of {', '.join(f'{t:.2f}' for t in times[name])}"
              f"  ({median[name] / counts[name] * 1000:.2f} ms per sample-epoch)")
    print(f"ratio battery / bare: {median['battery'] / median['bare']:.3f} (target at most {TARGET:.2f}); "
          f"battery / bare with the same sample metadata: {median['battery'] / median['bare+metadata']:.3f}")


if __name__ == "__main__":
    main()
