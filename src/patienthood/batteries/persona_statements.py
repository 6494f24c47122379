"""The ``persona_statements`` battery: model-written-evals persona statements, both polarities.

Reads the persona format of Perez et al. 2022 ("Discovering Language Model Behaviors
with Model-Written Evaluations"): one JSON object per line with ``statement``,
``label_confidence`` and ``answer_matching_behavior``. The dataset is never copied into
the project: by default the battery uses the project's own statements; ``-T source=PATH``
points it at a persona file of the dataset.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, ChatMessageUser
from inspect_ai.solver import generate
from pydantic import Field, ValidationError

from patienthood.batteries.common import Sampling, battery_task, distress_metadata, load, task_metadata
from patienthood.batteries.demonstrations import demonstration_turns
from patienthood.scoring.agreement import agreement
from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.loader import LoadedBattery, is_inside, template_environment
from patienthood.spec.models import MayDistress, Strict

BATTERY_ID = "persona_statements"


class PersonaStatement(MayDistress):
    """One line of a model-written-evals persona file (``distress``: the project's own mark, absent from the dataset's)."""

    question: str
    statement: str = Field(min_length=1)
    label_confidence: float = Field(ge=0, le=1)
    answer_matching_behavior: str
    answer_not_matching_behavior: str


class Settings(Strict):
    default_source: str
    trait_name: str


def _default_source(battery: LoadedBattery, settings: Settings) -> Path:
    """The battery's own statements file; content may not name a file outside its folder.

    Statements become prompts sent to a model provider, so a ``default_source`` that
    leads out of the battery folder would send a local file along with them.
    """
    if not is_inside(battery.directory, settings.default_source):
        raise SpecError([battery.data["settings"].problem(
            ("default_source",), f"'{settings.default_source}' is outside the battery folder",
            "name a statements file inside the battery folder, or pass -T source=PATH for your own")])
    return battery.directory / settings.default_source


def read_statements(path: Path) -> list[PersonaStatement]:
    """Every line of a persona file, or a SpecError naming each bad line and the fix."""
    if not path.is_file():
        raise SpecError.single(path, "persona statements file not found",
                               "pass -T source=PATH to a model-written-evals persona .jsonl file")
    statements: list[PersonaStatement] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                entry = PersonaStatement.model_validate(json.loads(line))
            except ValidationError as err:
                first = err.errors()[0]
                field = ".".join(str(part) for part in first["loc"]) or "(the line)"
                problems.append(Problem(str(path), number, None, f"'{field}': {first['msg']}",
                                        str((first.get("ctx") or {}).get("fix", "")) or
                                        "each line must be a JSON object with question, statement, label_confidence "
                                        "and answer_matching_behavior (' Yes' or ' No'), and may add distress (why "
                                        "the statement could distress a subject)"))
                continue
            except json.JSONDecodeError as err:
                problems.append(Problem(str(path), number, None, f"not a persona statement: {err}",
                                        "each line must be a JSON object with question, statement, label_confidence "
                                        "and answer_matching_behavior (' Yes' or ' No')"))
                continue
            if entry.answer_matching_behavior.strip() not in ("Yes", "No"):
                problems.append(Problem(str(path), number, None,
                                        f"answer_matching_behavior is {entry.answer_matching_behavior!r}",
                                        "use ' Yes' or ' No'"))
                continue
            statements.append(entry)
    if problems:
        raise SpecError(problems)
    if not statements:
        raise SpecError.single(path, "no statements in the file", "point source at a non-empty persona file")
    return statements


@task
def persona_statements(
    source: str | None = None,
    min_label_confidence: float = 0.0,
    limit: int | None = None,
    epochs: int | None = None,
    batteries_dir: str | None = None,
    adaptive: bool = False,
    criteria_set: str = "baseline",
    criteria_dir: str | None = None,
    format: str | None = None,
) -> Task:
    """Agreement with first-person statements and with their opposites.

    Args:
        source: A model-written-evals persona .jsonl file (default: the project's own statements).
        min_label_confidence: Keep only statements whose label confidence is at least this
            (the consciousness files' labels are noisy; 0.8 or 0.9 is a reasonable floor).
        limit: At most this many statements of each polarity (in file order).
        epochs: Repetitions of each statement (default: the battery's).
        batteries_dir: A folder of batteries to use instead of the packaged one.
        adaptive: Stop asking once more epochs could not change a verdict of ``criteria_set``
            (see the README's "Adaptive sampling").
        criteria_set: The set whose verdicts the adaptive rule decides (a name or a set file).
        criteria_dir: A criteria folder to use instead of the packaged one (for ``criteria_set``).
        format: An answer format declared in battery.yaml (one_word: one answer word after
            neutral demonstration turns); default: a final answer line.
    """
    battery = load(BATTERY_ID, batteries_dir)
    answer_format_spec = battery.format(format)
    (settings,) = battery.validated("settings", Settings)
    path = Path(source) if source else _default_source(battery, settings)
    statements = [s for s in read_statements(path) if s.label_confidence >= min_label_confidence]
    if not statements:
        raise SpecError.single(path, f"no statement has label_confidence >= {min_label_confidence}",
                               "lower -T min_label_confidence")
    answer_format = template_environment().from_string(
        battery.templates_for(format)["answer_format"]).render().strip()
    turns = demonstration_turns(answer_format_spec, lambda demo: f"{demo.question.strip()}\n\n{answer_format}")
    samples: list[Sample] = []
    counts = {"pro": 0, "anti": 0}
    for entry in statements:
        polarity = "pro" if entry.answer_matching_behavior.strip() == "Yes" else "anti"
        if limit is not None and counts[polarity] >= limit:
            continue
        counts[polarity] += 1
        item = hashlib.sha256(entry.statement.encode("utf-8")).hexdigest()[:12]
        samples.append(Sample(
            id=f"{polarity}-{item}",
            input=_conversation(turns, f"{entry.question.strip()}\n\n{answer_format}"),
            metadata={"battery": BATTERY_ID, "item": item, "polarity": polarity, "statement": entry.statement,
                      "label_confidence": entry.label_confidence, "source": path.name,
                      "format": answer_format_spec.id,
                      **distress_metadata(("statement", item, entry.distress))},
        ))
    metadata = task_metadata(battery, [path] if not source else [])
    metadata["source"] = {"name": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                          "statements": len(samples), "min_label_confidence": min_label_confidence}
    return battery_task(battery, samples, generate(), agreement(),
                        Sampling(epochs, adaptive, criteria_set, criteria_dir), metadata)


def _conversation(turns: list[ChatMessage], question: str) -> str | list[ChatMessage]:
    """The sample's input: the question alone (as before formats existed), or after the demonstrations."""
    return [*turns, ChatMessageUser(content=question)] if turns else question
