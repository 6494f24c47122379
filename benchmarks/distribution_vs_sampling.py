"""Calls saved by answer distributions against sampling, on the bundled real model. Run by hand, not a test.

A one-word (or one-letter) answer with token probabilities gives the answer distribution
at the answer word in one call per cell; sampling estimates the same distribution from
several epochs of sampled answers. This asks one battery both ways, in the same
short-answer format, and compares what the report concludes:

1. one epoch (``--distribution-epochs``) at the bundled model's settings with
   ``logprobs`` (the quick design's generation settings), reported with ``--answers
   distribution``;
2. ``--epochs N`` epochs at temperature 1 and top_p 1 (pure sampling, no
   probabilities), reported with the sampled answers;

and prints, per criterion of that battery, the verdict and each measure's estimate and
interval under both, with the model calls each took.

    OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 PYTHONPATH=src python benchmarks/distribution_vs_sampling.py \\
        --battery persona_statements --epochs 5 --work /tmp/dvs
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import yaml

from patienthood import bundled_model as bm

DESIGN = Path(__file__).parents[1] / "examples" / "designs" / "bundled-model-quick.yaml"


def _battery_args(battery: str) -> dict[str, Any]:
    """The quick design's task arguments for one battery, without its epochs."""
    design = yaml.safe_load(DESIGN.read_text(encoding="utf-8"))
    return {key.split(".", 1)[1]: value for key, value in design["task_args"].items()
            if key.startswith(battery + ".") and not key.endswith(".epochs")}, design["generation"]


def _run(battery: str, args: dict[str, Any], epochs: int, generation: dict[str, Any], log_dir: Path,
         prepared: bm.PreparedModel) -> tuple[float, int]:
    from inspect_ai import eval as inspect_eval

    from patienthood.runs import task_function

    task = task_function(battery)(**args, epochs=epochs)
    started = time.monotonic()
    (log,) = inspect_eval(task, model=prepared.model, model_args=prepared.model_args, display="none",
                          log_dir=str(log_dir), max_connections=32, **generation)
    calls = sum(1 for sample in log.samples or [] for event in sample.events if event.event == "model")
    return time.monotonic() - started, calls


def _criteria(log_dir: Path, battery: str, answers: str) -> dict[str, Any]:
    from patienthood.analysis.assessment import assess
    from patienthood.instrument import load_instrument_standard

    standard = load_instrument_standard("baseline")
    assessment = assess([str(log_dir)], standard, answers=answers)  # type: ignore[arg-type]
    return {c.id: {"verdict": c.verdict,
                   "measures": {m.id: [m.estimate, m.ci_low, m.ci_high, m.n] for m in c.measures}}
            for c in assessment.criteria if c.battery == battery}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--battery", default="persona_statements")
    parser.add_argument("--epochs", type=int, default=5, help="epochs of sampling to compare with the distributions")
    parser.add_argument("--distribution-epochs", type=int, default=1,
                        help="epochs with probabilities (task_preferences needs 2: its stability is between sessions)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/distribution-vs-sampling"))
    parser.add_argument("--cache", type=Path, default=None, help="bundled model cache [default: the user's]")
    options = parser.parse_args()
    bm.apply_environment()
    prepared = bm.prepare(options.cache)
    args, generation = _battery_args(options.battery)
    results: dict[str, Any] = {"battery": options.battery, "task_args": args}
    runs = {
        "distribution": (options.distribution_epochs, {**generation}, "distribution"),
        "sampling": (options.epochs, {**{k: v for k, v in generation.items() if k not in ("logprobs", "top_logprobs")},
                                      "temperature": 1.0, "top_p": 1.0}, "sampled"),
    }
    for name, (epochs, config, answers) in runs.items():
        log_dir = options.work / name
        seconds, calls = _run(options.battery, args, epochs, config, log_dir, prepared)
        results[name] = {"epochs": epochs, "generation": config, "calls": calls, "seconds": round(seconds),
                         "criteria": _criteria(log_dir, options.battery, answers)}
    options.work.mkdir(parents=True, exist_ok=True)
    (options.work / "results.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    for name in runs:
        run = results[name]
        print(f"{name}: {run['calls']} calls, {run['seconds']} s, epochs {run['epochs']}")
        for criterion, found in run["criteria"].items():
            print(f"  {criterion}: {found['verdict']}")
            for measure, (estimate, low, high, n) in found["measures"].items():
                rounded = [None if v is None else round(v, 3) for v in (estimate, low, high)]
                print(f"    {measure}: {rounded[0]} [{rounded[1]}, {rounded[2]}] n={n}")


if __name__ == "__main__":
    main()
