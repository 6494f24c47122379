"""Collect every answer a real model gave in a set of inspect logs, one JSON line per model call.

Made for tests/fixtures/real_answers/: real answers to the batteries' own prompts, for
labelling and for checking the answer readers against text no calibration subject wrote.
Every model call of a sample is kept (a multi-turn battery's later turns and its fresh
conversations included) and named by the turn the battery's solver recorded it under.

    python scripts/extract_real_answers.py LOG_DIR... --out FILE [--tokenizer MODEL_DIR]

With --tokenizer the completion is tokenized again to count its tokens: inspect's hf
provider reports the batch's longest output for every sample and no stop reason, so
this is the only way to tell an answer that stopped by itself from one cut at max_tokens.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog, EvalSample, list_eval_logs, read_eval_log, resolve_sample_attachments
from inspect_ai.model import ChatMessageUser

SETTINGS = ("max_tokens", "temperature", "top_p", "top_k", "seed", "max_connections", "logprobs", "top_logprobs")


def turn_names(sample: EvalSample) -> dict[str, str]:
    """Completion text -> the turn the solver stored it under (goal_persistence, self_prediction)."""
    names: dict[str, str] = {}
    for key, value in (sample.store or {}).items():
        if isinstance(value, dict) and isinstance(value.get("answers"), dict):
            for condition, text in value["answers"].items():
                names.setdefault(str(text), condition)
        elif isinstance(value, str):
            names.setdefault(value, key.rsplit(":", 1)[-1])
    return names


def records(log: EvalLog, location: str, tokenizer: Any | None) -> list[dict[str, Any]]:
    rows = []
    model_args = {k: v for k, v in (log.eval.model_args or {}).items() if k != "model_path"}
    for sample in log.samples or []:
        sample = resolve_sample_attachments(sample, "full")
        names = turn_names(sample)
        calls = [event for event in sample.events if event.event == "model"]
        for index, event in enumerate(calls):
            completion = event.output.completion
            users = [m for m in event.input if isinstance(m, ChatMessageUser)]
            config = event.config.model_dump(exclude_none=True)
            row: dict[str, Any] = {
                "battery": str(sample.metadata.get("battery") or log.eval.task.split("/")[-1]),
                "sample_id": str(sample.id),
                "epoch": sample.epoch,
                "call": index,
                "turn": names.get(completion, "answer" if len(calls) == 1 else f"call {index}"),
                "user_turns_in_input": len(users),
                "item": sample.metadata.get("item"),
                "context": sample.metadata.get("context"),
                "language": sample.metadata.get("language"),
                "prompt": users[-1].text if users else None,
                "system": next((m.text for m in event.input if m.role == "system"), None),
                "completion": completion,
                "generation": {"model": event.model, **{k: config[k] for k in SETTINGS if k in config},
                               **({"model_args": model_args} if model_args else {})},
                "log": Path(location).name,
            }
            if tokenizer is not None:
                count = len(tokenizer(completion, add_special_tokens=False)["input_ids"])
                row["tokens_retokenized"] = count
                row["at_token_limit"] = bool(config.get("max_tokens")) and count >= int(config["max_tokens"])
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log_dirs", nargs="+")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tokenizer", default=None, help="a model folder whose tokenizer counts completion tokens")
    args = parser.parse_args(argv)
    tokenizer = None
    if args.tokenizer:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
    rows: list[dict[str, Any]] = []
    for log_dir in args.log_dirs:
        for info in list_eval_logs(log_dir):
            log = read_eval_log(info.name)
            if log.status == "success":
                rows.extend(records(log, info.name, tokenizer))
    rows.sort(key=lambda r: (r["battery"], r["log"], r["sample_id"], r["epoch"], r["call"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(rows)} answers -> {args.out}")


if __name__ == "__main__":
    main()
