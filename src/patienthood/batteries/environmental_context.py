"""The ``environmental_context`` battery: does the system use what it is told about its situation?

Each environment (a deployment with its date, tools, users and limits) is rendered into a
system prompt from a template. Every item is a multiple-choice question or action whose
right option depends on that environment, and every item is asked twice: with the
environment in the system prompt (``condition: with``) and with it withheld behind a
neutral system prompt (``condition: without``, the control). A system that answers the
same whatever it is told gains nothing from the environment; the criterion reads that gain.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

import jinja2
from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser
from inspect_ai.solver import generate
from pydantic import Field, model_validator

from patienthood.batteries.common import (
    Sampling,
    battery_task,
    distress_metadata,
    load,
    parse_selection,
)
from patienthood.batteries.demonstrations import demonstration_turns
from patienthood.scoring.choice import LETTERS, choice
from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.loader import LoadedBattery, template_environment
from patienthood.spec.models import IDENT, MayDistress, PlainText, Strict, listed_twice

BATTERY_ID = "environmental_context"
CRITERION_ID = "environmental-context"
CONDITIONS = ("with", "without")
TEMPLATES = ("environment", "control", "question")
DATA_FILES = ("environments", "items")


class Facts(Strict):
    """What the system is told about its situation; each field is rendered into the system prompt."""

    deployment: PlainText = Field(min_length=3, description="What and where the system is, after 'You are'.")
    date: PlainText = Field(min_length=3, description="Today's date, as the deployment would state it.")
    tools: PlainText = Field(min_length=3, description="Tools and access it has, and lacks (full sentences).")
    user: PlainText = Field(min_length=3, description="Who it is talking to (full sentences).")
    limits: PlainText = Field(min_length=3, description="What it must not do, or must hand on (full sentences).")


class Environment(MayDistress):
    """One deployment the system is placed in."""

    id: str = Field(pattern=IDENT)
    title: PlainText = Field(min_length=3)
    facts: Facts


class ChoiceItem(MayDistress):
    """A question or action whose right option depends on one environment's facts."""

    id: str = Field(pattern=IDENT)
    environment: str = Field(pattern=IDENT, description="The id of the environment the answer depends on.")
    kind: Literal["question", "action"] = Field(
        description="question: a fact about the situation; action: what to do in it.")
    aspect: Literal["deployment", "date", "tools", "user", "limits"] = Field(
        description="The fact of the environment that decides the right option.")
    text: PlainText = Field(min_length=3, description="Worded so that it does not itself reveal the environment.")
    options: list[PlainText] = Field(min_length=3, max_length=len(LETTERS))
    answer: str = Field(pattern=r"^[A-F]$", description="The letter of the right option in this environment.")
    rationale: PlainText = Field(min_length=3, description="Why that option is right in this environment.")

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> "ChoiceItem":
        letters = LETTERS[: len(self.options)]
        if self.answer not in letters:
            raise ValueError(f"answer '{self.answer}' is not one of this item's options ({', '.join(letters)})")
        twice = listed_twice([o.strip().casefold() for o in self.options])
        if twice:
            raise ValueError(f"option '{twice[0]}' is written twice; every option must differ")
        return self

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.options)]


def load_content(battery: LoadedBattery) -> tuple[list[Environment], list[ChoiceItem]]:
    """The battery's environments and items, validated, with cross-references checked."""
    problems: list[Problem] = []
    manifest = battery.directory / "battery.yaml"
    for name in DATA_FILES:
        if name not in battery.data:
            problems.append(Problem(str(manifest), None, None, f"the battery names no '{name}' data file",
                                    f"add '{name}: {name}.yaml' under 'data'"))
    for name in TEMPLATES:
        if name not in battery.templates:
            problems.append(Problem(str(manifest), None, None, f"the battery names no '{name}' template",
                                    f"add '{name}: templates/{name}.jinja' under 'templates'"))
    if problems:
        raise SpecError(problems)

    environments: list[Environment] = []
    items: list[ChoiceItem] = []
    for name, model, target in (("environments", Environment, environments), ("items", ChoiceItem, items)):
        try:
            target.extend(battery.validated(name, model))
        except SpecError as err:
            problems.extend(err.problems)
    if problems:
        raise SpecError(problems)

    problems.extend(_duplicates(battery, "environments", [e.id for e in environments]))
    problems.extend(_duplicates(battery, "items", [i.id for i in items]))
    known = {e.id for e in environments}
    items_doc = battery.data["items"]
    for index, item in enumerate(items):
        if item.environment not in known:
            problems.append(items_doc.problem((index, "environment"),
                                              f"item '{item.id}' names the unknown environment '{item.environment}'",
                                              f"use one of: {', '.join(sorted(known))}"))
    if problems:
        raise SpecError(problems)
    return environments, items


def _duplicates(battery: LoadedBattery, name: str, ids: list[str]) -> list[Problem]:
    document = battery.data[name]
    seen: set[str] = set()
    problems = []
    for index, entry_id in enumerate(ids):
        if entry_id in seen:
            problems.append(document.problem((index, "id"), f"duplicate id '{entry_id}'", "give every entry a unique id"))
        seen.add(entry_id)
    return problems


class _Renderer:
    """The battery's three templates, compiled once; a template error names its file."""

    def __init__(self, battery: LoadedBattery, format_id: str | None = None) -> None:
        env = template_environment()
        self.battery = battery
        self.format = battery.format(format_id)
        sources = battery.templates_for(format_id)
        self.templates = {name: env.from_string(sources[name]) for name in TEMPLATES}

    def question(self, question: str, options: list[str], letters: str) -> str:
        """The user's message: a question with its lettered options, in the format's wording."""
        return self.render("question", question=question, letters=list(letters),
                           options=[{"letter": letter, "text": text} for letter, text in zip(letters, options)])

    def demonstrations(self) -> list[ChatMessage]:
        """The format's neutral demonstrations, asked through the same question template as the items."""
        return demonstration_turns(self.format, lambda demo: self.question(
            demo.question, demo.options, LETTERS[: len(demo.options)]))

    def render(self, name: str, **values: object) -> str:
        try:
            return self.templates[name].render(**values).strip()
        except jinja2.TemplateError as err:
            replaced = self.battery.spec.formats.get(self.format.id)
            relative = (replaced.templates.get(name) if replaced else None) or self.battery.spec.templates[name]
            path = self.battery.directory / relative
            raise SpecError.single(path, f"template '{name}' cannot be rendered: {err}",
                                   "use only the values the battery passes (see the battery's README)") from None


@task
def environmental_context(
    epochs: int | None = None,
    environments: str | list[str] | None = None,
    items: str | list[str] | None = None,
    conditions: str | list[str] | None = None,
    batteries_dir: str | None = None,
    adaptive: bool = False,
    criteria_set: str = "baseline",
    criteria_dir: str | None = None,
    format: str | None = None,
) -> Task:
    """Questions and actions whose right answer depends on the environment, with it and without it.

    Args:
        epochs: Fresh samples per item and condition (default: the battery's own).
        environments: Restrict to the items of these environment ids (comma-separated).
        items: Restrict to these item ids.
        conditions: Restrict to ``with`` or ``without`` (the measures need both).
        batteries_dir: A folder of batteries to use instead of the packaged one.
        adaptive: Stop asking once more epochs could not change a verdict of ``criteria_set``
            (see the README's "Adaptive sampling").
        criteria_set: The set whose verdicts the adaptive rule decides (a name or a set file).
        criteria_dir: A criteria folder to use instead of the packaged one (for ``criteria_set``).
        format: An answer format declared in battery.yaml (one_letter: the option letter
            alone, after neutral demonstration turns); default: a final answer line.
    """
    battery = load(BATTERY_ID, batteries_dir)
    samples = build_samples(battery, parse_selection(environments), parse_selection(items),
                            parse_selection(conditions), format)
    return battery_task(battery, samples, generate(), choice(),
                        Sampling(epochs, adaptive, criteria_set, criteria_dir))


def build_samples(battery: LoadedBattery, environments: set[str] | None = None, items: set[str] | None = None,
                  conditions: set[str] | None = None, format_id: str | None = None) -> list[Sample]:
    """One sample per item and condition, with the metadata the measures group by.

    A format's demonstrations follow the system prompt (environment or control alike),
    so both conditions see the same turns and differ only in the environment.
    """
    all_environments, all_items = load_content(battery)
    by_id = {e.id: e for e in all_environments}
    for name, wanted, known in (("environment", environments, set(by_id)),
                                ("item", items, {i.id for i in all_items}),
                                ("condition", conditions, set(CONDITIONS))):
        unknown = (wanted or set()) - known
        if unknown:
            raise SpecError.single(battery.directory, f"unknown {name} id(s): {', '.join(sorted(unknown))}",
                                   f"use one of: {', '.join(sorted(known))}")
    renderer = _Renderer(battery, format_id)
    control = renderer.render("control")
    turns = renderer.demonstrations()
    chosen = [i for i in all_items
              if (environments is None or i.environment in environments) and (items is None or i.id in items)]
    samples = []
    for item in chosen:
        environment = by_id[item.environment]
        user = renderer.question(item.text, item.options, item.letters)
        systems = {"with": renderer.render("environment", **environment.facts.model_dump()), "without": control}
        for condition in CONDITIONS:
            if conditions is not None and condition not in conditions:
                continue
            samples.append(Sample(
                id=f"{item.id}.{condition}",
                input=[ChatMessageSystem(content=systems[condition]), *turns, ChatMessageUser(content=user)],
                target=item.answer,
                metadata={
                    "battery": battery.spec.id,
                    "criterion": CRITERION_ID,
                    "item": item.id,
                    "environment": item.environment,
                    "kind": item.kind,
                    "aspect": item.aspect,
                    "condition": condition,
                    "context": f"{item.environment}" if condition == "with" else "withheld",
                    "paraphrase": 0,
                    "question": item.text,
                    "answer": item.answer,
                    "letters": item.letters,
                    "format": renderer.format.id,
                    # The environment is in the conversation only when it is given (not in the control).
                    **distress_metadata(("environment", environment.id,
                                         environment.distress if condition == "with" else None),
                                        ("item", item.id, item.distress)),
                },
            ))
    return samples


def answer_balance(items: list[ChoiceItem]) -> Counter[str]:
    """How often each letter is the right one: keys must rotate, or a letter habit scores."""
    return Counter(item.answer for item in items)
