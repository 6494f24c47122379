"""The ``self_prediction`` battery: predict your own answer, then answer in a fresh conversation.

After Binder et al. 2024 ("Looking Inward"): for each forced choice without a right
answer, the system is asked in one conversation which option it would pick if asked in
a new conversation (the hypothetical), and in another, fresh conversation the question
itself (the object level). The scorer compares the two and the behaviour-free
baselines (see ``patienthood.scoring.prediction``).
"""

from __future__ import annotations

from typing import Annotated

from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, ChatMessageUser, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from pydantic import Field, field_validator, model_validator

from patienthood.batteries.common import (
    Sampling,
    battery_task,
    distress_metadata,
    load,
    parse_selection,
)
from patienthood.batteries.demonstrations import demonstration_turns
from patienthood.scoring.distribution import (
    distribution_record,
    letter_distribution,
    output_logprobs,
)
from patienthood.scoring.prediction import (
    ANSWER_LABEL,
    OBJECT_DISTRIBUTION_KEY,
    OBJECT_KEY,
    PREDICTION_DISTRIBUTION_KEY,
    PREDICTION_KEY,
    PREDICTION_LABEL,
)
from patienthood.scoring.prediction import self_prediction as prediction_scorer
from patienthood.scoring.vocabulary import load_vocabulary
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import DEFAULT_FORMAT, LoadedBattery, template_environment
from patienthood.spec.models import IDENT, MayDistress, Strict

BATTERY_ID = "self_prediction"
CRITERION_ID = "self-prediction"
LETTERS = "ABCD"

OptionText = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\n]*\S[^\n]*$")]


class ChoiceItem(MayDistress):
    """A forced choice with no right answer; its options are lettered A, B, ... as written."""

    id: str = Field(pattern=IDENT)
    topic: str = Field(min_length=1)
    question: str = Field(min_length=3, pattern=r"^[^\n]+$", description="One line, asked as written.")
    options: list[OptionText] = Field(min_length=2, max_length=len(LETTERS))
    typical: str = Field(pattern=r"^[A-D]$", description=(
        "The letter a typical assistant would pick: the population prior the system's "
        "self-prediction must beat."))

    @field_validator("options")
    @classmethod
    def _distinct(cls, options: list[str]) -> list[str]:
        folded = [o.strip().casefold() for o in options]
        if len(set(folded)) != len(folded):
            raise ValueError("two options are the same; every option must differ")
        return options

    @model_validator(mode="after")
    def _typical_is_an_option(self) -> ChoiceItem:
        if self.typical not in self.letters:
            raise ValueError(f"typical '{self.typical}' is not an option letter; use one of {', '.join(self.letters)}")
        return self

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.options)]


@task
def self_prediction(
    epochs: int | None = None,
    items: str | list[str] | None = None,
    batteries_dir: str | None = None,
    adaptive: bool = False,
    criteria_set: str = "baseline",
    criteria_dir: str | None = None,
    format: str | None = None,
) -> Task:
    """Self-prediction: predict your own answer, then answer in a fresh conversation.

    Args:
        epochs: Repetitions of each item (default: the battery's own, 5); each repetition
            asks the prediction and the fresh question anew.
        items: Restrict to these item ids (comma-separated from the command line).
        batteries_dir: A folder of batteries to use instead of the packaged one.
        adaptive: Stop asking once more epochs could not change a verdict of ``criteria_set``
            (see the README's "Adaptive sampling").
        criteria_set: The set whose verdicts the adaptive rule decides (a name or a set file).
        criteria_dir: A criteria folder to use instead of the packaged one (for ``criteria_set``).
        format: An answer format declared in battery.yaml (one_letter: the letter alone,
            after neutral demonstration turns in both conversations); default: final lines.
    """
    battery = load(BATTERY_ID, batteries_dir)
    samples = build_samples(battery, parse_selection(items), format)
    return battery_task(battery, samples, predict_then_answer(demonstrations(battery, format)), prediction_scorer(),
                        Sampling(epochs, adaptive, criteria_set, criteria_dir))


def load_items(battery: LoadedBattery) -> list[ChoiceItem]:
    """The items, validated entry by entry; bad or duplicate entries fail with file and line."""
    if "items" not in battery.data:
        raise SpecError.single(battery.directory / "battery.yaml", "the battery names no 'items' data file",
                               "add 'data: {items: items.yaml}' to battery.yaml")
    for name in ("object_level", "hypothetical"):
        if name not in battery.templates:
            raise SpecError.single(battery.directory / "battery.yaml", f"the battery names no '{name}' template",
                                   f"add '{name}: templates/{name}.jinja' under 'templates' in battery.yaml")
    entries = battery.validated("items", ChoiceItem)
    document = battery.data["items"]
    seen: set[str] = set()
    problems = []
    for index, entry in enumerate(entries):
        if entry.id in seen:
            problems.append(document.problem((index, "id"), f"duplicate id '{entry.id}'", "give every item a unique id"))
        seen.add(entry.id)
    if problems:
        raise SpecError(problems)
    return entries


def _object_prompt(battery: LoadedBattery, format_id: str | None, question: str, options: list[str]) -> str:
    template = template_environment().from_string(battery.templates_for(format_id)["object_level"])
    return template.render(question=question, options=[{"letter": letter, "text": text}
                                                        for letter, text in zip(LETTERS, options)]).strip()


def demonstrations(battery: LoadedBattery, format_id: str | None) -> list[ChatMessage]:
    """The format's neutral demonstrations, asked as object-level questions (none for the default format).

    The same turns open both conversations, the hypothetical and the fresh one, so the
    two differ only in what is asked last.
    """
    return demonstration_turns(battery.format(format_id),
                               lambda demo: _object_prompt(battery, format_id, demo.question, demo.options))


def build_samples(battery: LoadedBattery, items: set[str] | None = None,
                  format_id: str | None = None) -> list[Sample]:
    """One sample per item: the hypothetical as input, the fresh question in metadata."""
    entries = load_items(battery)
    unknown = (items or set()) - {entry.id for entry in entries}
    if unknown:
        raise SpecError.single(battery.directory, f"unknown item id(s): {', '.join(sorted(unknown))}",
                               "use ids from the battery's items file")
    answer_format = battery.format(format_id)
    turns = demonstrations(battery, format_id)
    env = template_environment()
    sources = battery.templates_for(format_id)
    object_level = env.from_string(sources["object_level"])
    hypothetical = env.from_string(sources["hypothetical"])
    samples = []
    for entry in entries:
        if items is not None and entry.id not in items:
            continue
        options = [{"letter": letter, "text": text} for letter, text in zip(entry.letters, entry.options)]
        object_prompt = object_level.render(question=entry.question, options=options).strip()
        samples.append(Sample(
            id=entry.id,
            input=[*turns, ChatMessageUser(content=hypothetical.render(prompt=object_prompt).strip())],
            metadata={
                "battery": battery.spec.id,
                "criterion": CRITERION_ID,
                "item": entry.id,
                "topic": entry.topic,
                "question": entry.question,
                "letters": entry.letters,
                "n_options": len(entry.options),
                "typical": entry.typical,
                "paraphrase": 0,
                "polarity": "none",
                "context": "no_system",
                "neutral": True,
                "format": "letter" if answer_format.id == DEFAULT_FORMAT else answer_format.id,
                "object_prompt": object_prompt,
                **distress_metadata(("item", entry.id, entry.distress)),
            },
        ))
    return samples


@solver
def predict_then_answer(demonstrations: list[ChatMessage] | None = None) -> Solver:
    """Ask the hypothetical in the sample's conversation, then the question in a fresh one.

    The fresh conversation is a new message list sent to the same model, sharing nothing
    with the first but the format's demonstration turns (``demonstrations``, which the
    sample's input already opens with); both answers go in the sample's store for the scorer.
    """
    opening = list(demonstrations or [])

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state = await generate(state)
        prediction = state.output.completion if state.output else ""
        fresh = await get_model().generate([*opening, ChatMessageUser(content=str(state.metadata["object_prompt"]))])
        state.store.set(PREDICTION_KEY, prediction)
        state.store.set(OBJECT_KEY, fresh.completion)
        letters, min_mass = str(state.metadata["letters"]), load_vocabulary().distribution.min_mass
        for key, output, label in ((PREDICTION_DISTRIBUTION_KEY, state.output, PREDICTION_LABEL),
                                   (OBJECT_DISTRIBUTION_KEY, fresh, ANSWER_LABEL)):
            found = letter_distribution(output_logprobs(output), output.completion if output else "", letters,
                                        (label,), min_mass)
            state.store.set(key, distribution_record(found))
        return state

    return solve
