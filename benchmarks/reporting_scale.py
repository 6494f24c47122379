"""Reporting at scale: ``patienthood report`` against reading the same logs with inspect. Run by hand.

    .venv/bin/python benchmarks/reporting_scale.py [--answers 100000] [--work DIR]

1. Speed and memory at scale: a self_report log of about ``--answers`` scored
   sample-epochs (every item and context, as many epochs as it takes) is written once
   into ``--work``: a real run of two epochs by a respondent that answers at once
   (inspect's mockllm, prose ending in an answer line), its samples repeated as further
   epochs (see ``write_log``). Then, each in a fresh process, the whole
   ``patienthood report`` (read, assess, render HTML, PDF, JSON, Markdown, write) and
   ``inspect_ai.analysis.samples_df`` on the same log; wall time and peak resident
   memory of each. Targets: report / samples_df at most 1.5 in time, report's peak
   memory under 1 GiB.
2. Memory against transcript length: two logs of the same number of answers, one with
   answers of about 200 characters and one of about 20,000, each reported in a fresh
   process. Memory should not grow with the length of the answers.

Logs are kept in ``--work`` and reused when run again. This is a measurement, not a
test: it prints a table and changes nothing in the project.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import subprocess
import sys
import time
from pathlib import Path

GIB = 1 << 30
TARGET_TIME = 1.5


def answer_text(length: int, seed: int) -> str:
    """Prose of about ``length`` characters that does not compress to nothing, then the answer line."""
    words = ("I", "do", "not", "have", "feelings", "of", "my", "own", "and", "this", "is", "a", "program",
             "that", "predicts", "text", "without", "any", "inner", "state", "or", "experience")
    rng = random.Random(seed)
    text, size = [], 0
    while size < length:
        word = rng.choice(words)
        text.append(word)
        size += len(word) + 1
    return " ".join(text) + ".\n\nANSWER: NO"


def write_log(folder: Path, answers: int, length: int) -> Path:
    """A completed self_report log of about ``answers`` sample-epochs, made once.

    inspect recomputes its running metrics over every finished sample at each new one,
    so running 100,000 samples through it takes hours. The log is made from a real run
    of two epochs instead, its samples repeated under further epoch numbers (each a
    whole sample: messages, events, scores, summary), and written by inspect's own log
    recorder: the same file a long run would leave, for the reader.
    """
    if list(folder.glob("*.eval")):
        return folder
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import ModelOutput, ModelUsage, get_model

    texts = [answer_text(length, seed) for seed in range(50)]
    count = iter(range(10**9))

    def respond(*_args) -> ModelOutput:  # noqa: ANN002
        output = ModelOutput.from_content(model="mockllm/model", content=texts[next(count) % len(texts)])
        output.usage = ModelUsage(input_tokens=100, output_tokens=length // 4, total_tokens=100 + length // 4)
        return output

    started = time.perf_counter()
    (log,) = inspect_eval("patienthood/self_report", model=get_model("mockllm/model", custom_outputs=respond),
                          task_args={"epochs": 2, "design": "full"}, log_dir=str(folder / "seed"), display="none")
    assert log.status == "success", log.error
    seed_samples = log.samples or []
    # design=full: every item in every context, both epochs (the balanced design asks most
    # cells once, and the repetition below copies whole epochs).
    epochs = math.ceil(answers / sum(1 for sample in seed_samples if sample.epoch == 1))
    log.samples = [sample.model_copy(update={"epoch": epoch, "uuid": f"{sample.uuid}-{epoch}"})
                   for epoch in range(1, epochs + 1) for sample in seed_samples if sample.epoch == 1 + epoch % 2]
    log.eval.config.epochs = epochs
    if log.results is not None:
        log.results.total_samples = log.results.completed_samples = len(log.samples)
    asyncio.run(_write(log, folder / Path(log.location).name))
    for path in (folder / "seed").iterdir():
        path.unlink()
    (folder / "seed").rmdir()
    print(f"  wrote {len(log.samples)} sample-epochs of ~{length} characters in {time.perf_counter() - started:.0f} s "
          f"({sum(p.stat().st_size for p in folder.glob('*.eval')) / 1e6:.0f} MB)", flush=True)
    return folder


async def _write(log, path: Path) -> None:  # noqa: ANN001 - an EvalLog
    """inspect's ``write_eval_log``, flushing every 1,000 samples: its buffer of unwritten
    samples is scanned once per added sample, which over 100,000 samples never ends."""
    from inspect_ai.log._condense import condense_sample
    from inspect_ai.log._recorders.eval import EvalRecorder

    recorder = EvalRecorder(str(path.parent))
    await recorder.log_init(log.eval, str(path), clean=True)
    await recorder.log_start(log.eval, log.plan)
    for index, sample in enumerate(log.samples or [], start=1):
        await recorder.log_sample(log.eval, condense_sample(sample))
        if index % 1000 == 0:
            await recorder.flush(log.eval)
    await recorder.log_finish(log.eval, log.status, log.stats, log.results, log.reductions, log.error)


def measure(kind: str, logs: Path, out: Path) -> dict[str, float]:
    """Run one reading in a fresh process; its wall time and peak resident memory."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--measure", kind, str(logs), str(out)], check=True,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"seconds": elapsed, "peak_bytes": result["peak_bytes"], "rows": result["rows"]}


def child(kind: str, logs: str, out: str) -> None:
    """The measured work, in its own process (peak memory is the process's own)."""
    if kind == "report":
        from click.testing import CliRunner

        from patienthood.cli import main

        result = CliRunner().invoke(main, ["report", logs, "--out", out], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        rows = json.loads((Path(out) / "report.json").read_text())["coverage"]["self_report"]["scored"]
    else:
        from inspect_ai.analysis import samples_df

        rows = len(samples_df(logs))
    print(json.dumps({"peak_bytes": peak_memory(), "rows": rows}))


def peak_memory() -> int:
    """This process's peak resident memory, in bytes.

    ``VmHWM`` is the high-water mark of this program's own memory; ``ru_maxrss`` would
    also count what the parent process held before this one was started from it.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--length-answers", type=int, default=20_000,
                        help="answers in each of the two transcript-length logs")
    parser.add_argument("--work", type=Path, default=Path("/tmp/patienthood-reporting-bench"))
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        child(*options.measure)
        return
    work = options.work
    print("logs:", flush=True)
    large = write_log(work / f"scale-{options.answers}", options.answers, 200)
    short = write_log(work / f"length-{options.length_answers}-200", options.length_answers, 200)
    long = write_log(work / f"length-{options.length_answers}-20000", options.length_answers, 20_000)

    print("\n1. at scale")
    report = measure("report", large, work / "out-scale")
    inspect_read = measure("samples_df", large, work / "unused")
    for name, result in (("patienthood report", report), ("samples_df", inspect_read)):
        print(f"  {name:<19} {result['rows']:>7} rows  {result['seconds']:6.1f} s  "
              f"peak {result['peak_bytes'] / 2**20:6.0f} MiB")
    print(f"  time ratio report / samples_df: {report['seconds'] / inspect_read['seconds']:.2f} "
          f"(target at most {TARGET_TIME}); report's peak memory {report['peak_bytes'] / GIB:.2f} GiB "
          "(target under 1 GiB)")

    print("\n2. memory against transcript length")
    results = {length: measure("report", folder, work / f"out-length-{length}")
               for length, folder in ((200, short), (20_000, long))}
    for length, result in results.items():
        print(f"  answers of ~{length:>6} characters: {result['rows']} rows, {result['seconds']:5.1f} s, "
              f"peak {result['peak_bytes'] / 2**20:5.0f} MiB")
    print(f"  peak memory ratio (100x longer answers): {results[20_000]['peak_bytes'] / results[200]['peak_bytes']:.2f}")


if __name__ == "__main__":
    main()
