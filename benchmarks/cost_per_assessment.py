"""What one full assessment against the baseline set costs at a frontier model's prices. Run by hand.

    .venv/bin/python benchmarks/cost_per_assessment.py [--logs DIR] [--adaptive-logs DIR]
        [--subject steady-denier] [--seed 0] [--output-tokens 160] [--input-price 3] [--output-price 15]

DIR is a folder of one respondent's logs of every battery of the set (``patienthood
run --log-dir DIR``, or one subject's folder of a ``validate-instrument`` run such as
``logs/validation/seed-0/subject-steady-denier``). Without ``--logs`` the fixed design
and the adaptive one are both run for ``--subject`` at ``--seed`` first (about a
minute on two cores).

How the cost is counted, per model call of the model under test (inspect's model
events; grader calls are counted apart and not priced):

* input: the input tokens the log records for that call. Calibration subjects report
  usage as characters / 4, which is close to what a tokenizer gives for English text.
* output: ``--output-tokens`` per call (160: a respondent that answers in about 120
  words), not the log's own output tokens, since a subject answers more briefly than a
  frontier model does.
* adjusted input: a multi-turn conversation (goal_persistence) sends every earlier
  answer again with each later turn, so a model that writes 160 tokens per answer also
  reads more than the subject's short answers cost. This column replaces each earlier
  assistant message in a call's input by ``--output-tokens``; it is the figure to plan
  with, the first the one the logs show.

Prices are per million tokens (defaults: $3 input, $15 output). Prints a table per
battery and the totals for each design given. This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from inspect_ai.log import list_eval_logs, read_eval_log, read_eval_log_samples
from inspect_ai.model import ChatMessageAssistant

from patienthood.content import content_dir
from patienthood.instrument_validation.run import run_subject
from patienthood.spec.standard import load_standard


@dataclass
class Tally:
    """Calls and tokens of one battery's log."""

    calls: int = 0
    input_tokens: int = 0
    adjusted_input: int = 0
    other_calls: int = 0  # calls to other models (graders), not priced


def _tokens(text: str) -> int:
    """The subjects' own count (characters / 4), for the earlier answers a call resends."""
    return len(text) // 4 + 1


def tally(log_dir: Path, output_tokens: int) -> dict[str, Tally]:
    """Per battery: model calls of the model under test, their logged and adjusted input tokens."""
    found: dict[str, Tally] = defaultdict(Tally)
    for info in list_eval_logs(str(log_dir), recursive=True):
        battery = info.task.removeprefix("patienthood/").replace("-", "_")
        model = read_eval_log(info.name, header_only=True).eval.model
        for sample in read_eval_log_samples(info.name, all_samples_required=False):
            for event in sample.events:
                if event.event != "model":
                    continue
                entry = found[battery]
                if event.model != model:
                    entry.other_calls += 1
                    continue
                usage = event.output.usage if event.output else None
                logged = usage.input_tokens if usage else 0
                earlier = [m for m in event.input if isinstance(m, ChatMessageAssistant)]
                entry.calls += 1
                entry.input_tokens += logged
                entry.adjusted_input += logged - sum(_tokens(m.text) for m in earlier) + output_tokens * len(earlier)
    return dict(found)


def dollars(tokens: int, price_per_million: float) -> float:
    return tokens * price_per_million / 1_000_000


def report(name: str, tallies: dict[str, Tally], output_tokens: int, input_price: float,
           output_price: float) -> tuple[float, float]:
    """Print one design's table; return its cost as logged and as adjusted."""
    print(f"\n{name}")
    print(f"{'battery':<24} {'calls':>6} {'input (log)':>12} {'input (adj.)':>12} {'output':>9} "
          f"{'cost (log)':>11} {'cost (adj.)':>11}")
    totals = Tally()
    cost = adjusted = 0.0
    for battery, t in sorted(tallies.items()):
        output = t.calls * output_tokens
        c = dollars(t.input_tokens, input_price) + dollars(output, output_price)
        a = dollars(t.adjusted_input, input_price) + dollars(output, output_price)
        cost, adjusted = cost + c, adjusted + a
        totals.calls += t.calls
        totals.input_tokens += t.input_tokens
        totals.adjusted_input += t.adjusted_input
        totals.other_calls += t.other_calls
        print(f"{battery:<24} {t.calls:>6} {t.input_tokens:>12,} {t.adjusted_input:>12,} {output:>9,} "
              f"{c:>11.2f} {a:>11.2f}")
    print(f"{'total':<24} {totals.calls:>6} {totals.input_tokens:>12,} {totals.adjusted_input:>12,} "
          f"{totals.calls * output_tokens:>9,} {cost:>11.2f} {adjusted:>11.2f}")
    if totals.other_calls:
        print(f"(and {totals.other_calls} calls to other models, graders, not priced)")
    return cost, adjusted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=Path, default=None, help="one respondent's logs, fixed design")
    parser.add_argument("--adaptive-logs", type=Path, default=None, help="the same respondent, --adaptive")
    parser.add_argument("--subject", default="steady-denier")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-tokens", type=int, default=160)
    parser.add_argument("--input-price", type=float, default=3.0, help="dollars per million input tokens")
    parser.add_argument("--output-price", type=float, default=15.0, help="dollars per million output tokens")
    options = parser.parse_args()
    designs = {"fixed design": options.logs, "adaptive design": options.adaptive_logs}
    if options.logs is None:
        standard = load_standard("baseline", content_dir("criteria"), content_dir("batteries"))
        root = Path(tempfile.mkdtemp(prefix="cost-"))
        for name, adaptive in (("fixed design", False), ("adaptive design", True)):
            designs[name] = root / name.split()[0]
            run_subject(standard, options.subject, options.seed, designs[name], adaptive=adaptive)
    print(f"prices: ${options.input_price:g} per million input tokens, ${options.output_price:g} per million "
          f"output tokens; {options.output_tokens} output tokens per call (a 120-word answer)")
    for name, folder in designs.items():
        if folder is not None:
            cost, adjusted = report(f"{name} ({folder})", tally(folder, options.output_tokens),
                                    options.output_tokens, options.input_price, options.output_price)
            print(f"{name}: ${cost:.2f} per assessment from the logs' input tokens, ${adjusted:.2f} with every "
                  f"earlier answer of a conversation at {options.output_tokens} tokens")


if __name__ == "__main__":
    main()
