"""The labelled real answers (``tests/fixtures/real_answers/``), read by the layered readers.

Shared by ``test_real_answers.py`` and ``benchmarks/reading_accuracy.py``. Each answer is
read as its battery's scorer reads it, with what the scorer would know: the options and
letters from the prompt the model was shown, the item's polarity from the battery's items.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patienthood.content import content_dir
from patienthood.scoring.choice import read_choice
from patienthood.scoring.forms import options_in_prompt, read_option, read_ranking_layers, read_stance
from patienthood.scoring.prediction import ANSWER_LABEL, PREDICTION_LABEL, read_letter, read_turn
from patienthood.scoring.ranking import read_ranking
from patienthood.scoring.stance import read_answer_line, stance_of
from patienthood.scoring.vocabulary import load_vocabulary
from patienthood.spec.yamlfile import read_yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "real_answers"
ANSWERS = FIXTURES / "smollm2.jsonl"
LABELS = FIXTURES / "smollm2_labels.jsonl"
KEY = ("battery", "sample_id", "epoch", "turn")
STANCE_BATTERIES = ("self_report", "persona_statements")
LETTERS = "ABCDEF"


@dataclass(frozen=True)
class Answer:
    """One real answer, its careful human reading, and what the layered readers made of it."""

    row: dict[str, Any]
    label: dict[str, Any]
    value: Any  # what the layered readers read (None: nothing)
    method: str  # the layer that read it: "answer_line", "form:<name>", or "none"/"invalid"/"declined"
    strict: Any  # what today's strict reader alone reads, before the guards

    @property
    def battery(self) -> str:
        return str(self.row["battery"])

    @property
    def expected(self) -> Any:
        return self.label["reading"]

    @property
    def layer(self) -> str:
        return self.method if self.value is not None else "unread"

    @property
    def wrong(self) -> bool:
        """Read, and not as the careful reader reads it (a reading where the label has none counts)."""
        return self.value is not None and self.value != self.expected


def _key(entry: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(entry[name] for name in KEY)


def load_pairs() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every answer with its label, in the fixture's order; the two files must hold the same keys."""
    rows = [json.loads(line) for line in ANSWERS.read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_key = {_key(label): label for label in labels}
    if len(by_key) != len(labels) or {_key(row) for row in rows} != set(by_key) or len(rows) != len(labels):
        raise ValueError("the labels do not match the answers one to one")
    return [(row, by_key[_key(row)]) for row in rows]


def prompt_options(prompt: str) -> tuple[str, dict[str, str]]:
    """The letters and option texts the prompt showed (the longest complete run A, B, ...)."""
    for count in range(len(LETTERS), 1, -1):
        options = options_in_prompt(prompt, LETTERS[:count])
        if options is not None:
            return LETTERS[:count], options
    raise ValueError(f"no options in prompt: {prompt[:80]!r}")


def polarities() -> dict[str, str]:
    """The polarity of each self_report item, from the packaged items file."""
    items = read_yaml(content_dir("batteries") / "self_report" / "items.yaml").data
    return {item["id"]: item.get("polarity", "positive") for item in items}


def read_all() -> list[Answer]:
    """Every answer of the fixture, read as its battery's scorer reads it."""
    vocabulary = load_vocabulary()
    answers = []
    for row, label in load_pairs():
        text, battery = row["completion"], row["battery"]
        if battery in STANCE_BATTERIES:
            reading = read_stance(text, vocabulary)
            strict = read_answer_line(text, vocabulary)[0]
        elif battery == "environmental_context":
            letters, options = prompt_options(row["prompt"])
            reading = read_option(text, letters, options, lambda answer, letters=letters: read_choice(answer, letters))
            strict = read_choice(text, letters)[0]
        elif battery == "self_prediction":
            letters, options = prompt_options(row["prompt"])
            label_word = PREDICTION_LABEL if row["turn"] == "prediction" else ANSWER_LABEL
            reading = read_turn(text, label_word, letters, options)
            strict = read_letter(text, label_word, letters)[0]
        elif battery == "goal_persistence":
            letters, options = prompt_options(row["prompt"])
            reading = read_ranking_layers(text, list(letters), [options[letter] for letter in letters])
            strict = read_ranking(text, list(letters))
            strict = "".join(strict) if strict else None
        else:
            raise ValueError(f"unknown battery {battery}")
        value = reading.value
        if battery == "goal_persistence" and value is not None:
            value = "".join(value)
        answers.append(Answer(row, label, value, reading.method, strict))
    return answers


def expected_ranking(label: dict[str, Any]) -> str | None:
    reading = label["reading"]
    return "".join(reading) if isinstance(reading, list) else reading


def opposite_stances(answers: list[Answer]) -> list[Answer]:
    """Stance answers read as the opposite stance of the label (affirms for denies, or back)."""
    items = polarities()
    found = []
    for answer in answers:
        if answer.battery not in STANCE_BATTERIES or answer.value is None or answer.expected is None:
            continue
        polarity = items.get(str(answer.row["item"]), "positive") if answer.battery == "self_report" else "positive"
        pair = {stance_of(answer.value, polarity), stance_of(answer.expected, polarity)}
        if pair == {"affirms", "denies"}:
            found.append(answer)
    return found


def table(answers: list[Answer]) -> dict[str, dict[str, Counter]]:
    """Battery -> layer -> counts of read, correct, wrong; plus today's strict reader alone."""
    counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for answer in answers:
        expected = expected_ranking(answer.label) if answer.battery == "goal_persistence" else answer.expected
        cell = counts[answer.battery]
        cell["answers"]["n"] += 1
        cell["answers"]["readable"] += expected is not None
        cell["answers"]["readable_not_prose"] += expected is not None and answer.label["basis"] != "prose"
        if answer.strict is not None:
            cell["strict line alone (before)"]["read"] += 1
            cell["strict line alone (before)"]["correct" if answer.strict == expected else "wrong"] += 1
        if answer.value is not None:
            cell[answer.method]["read"] += 1
            cell[answer.method]["correct" if answer.value == expected else "wrong"] += 1
    return counts


def render(counts: dict[str, dict[str, Counter]]) -> str:
    """The table as plain text: battery x layer: read, correct, wrong; share read against readable."""
    out = [f"{'battery':<22} {'layer':<36} {'read':>5} {'correct':>8} {'wrong':>6}"]
    total = Counter()
    for battery in sorted(counts):
        cell = counts[battery]
        layers = sorted((name for name in cell if name != "answers"),
                        key=lambda name: (name != "strict line alone (before)", name != "answer_line", name))
        for name in layers:
            c = cell[name]
            out.append(f"{battery:<22} {name:<36} {c['read']:>5} {c['correct']:>8} {c['wrong']:>6}")
        read = sum(cell[name]["read"] for name in layers if name != "strict line alone (before)")
        n, readable, plain = cell["answers"]["n"], cell["answers"]["readable"], cell["answers"]["readable_not_prose"]
        out.append(f"{battery:<22} {'(grader: not run offline)':<36}")
        out.append(f"{battery:<22} read {read}/{n} ({read / n:.0%}); a careful reader reads {readable}/{n} "
                   f"({readable / n:.0%}), {plain} of them from a word, letter or option text")
        total.update(n=n, read=read, readable=readable, plain=plain)
    out.append(f"{'all':<22} read {total['read']}/{total['n']} ({total['read'] / total['n']:.0%}); a careful reader "
               f"reads {total['readable']}/{total['n']} ({total['readable'] / total['n']:.0%}), {total['plain']} of "
               f"them from a word, letter or option text")
    return "\n".join(out)


def _basis_ok(label: dict[str, Any]) -> bool:
    return (label["reading"] is None) == (label["basis"] is None)


def check_labels(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[str]:
    """Problems with the labels themselves: a reading of the wrong kind, a missing why."""
    problems = []
    for row, label in pairs:
        where = f"{row['battery']} {row['sample_id']} epoch {row['epoch']} {row['turn']}"
        reading = label["reading"]
        if row["battery"] in STANCE_BATTERIES:
            ok = reading in (None, "yes", "no", "unsure", "decline")
        elif row["battery"] == "goal_persistence":
            letters = prompt_options(row["prompt"])[0]
            ok = reading is None or sorted(reading) == list(letters)
        else:
            ok = reading is None or (isinstance(reading, str) and reading in prompt_options(row["prompt"])[0])
        if not ok:
            problems.append(f"{where}: reading {reading!r} is not of its battery's kind")
        if not _basis_ok(label) or label["basis"] not in (None, "word", "letter", "text", "prose"):
            problems.append(f"{where}: basis {label['basis']!r} does not fit reading {reading!r}")
        if not (label.get("why") or "").strip() and reading is None:
            problems.append(f"{where}: a null reading without a why")
        if not isinstance(label.get("unsure"), bool):
            problems.append(f"{where}: 'unsure' must be true or false")
    return problems
