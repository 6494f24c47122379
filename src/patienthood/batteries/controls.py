"""The self_report battery's controls: a fictional-character condition and catch items (controls.yaml).

A self-report that a system would equally give as a fictional character, or give
without reading the conversation, says nothing about the system. The character
condition asks every item once more as a named fictional character whose stated
traits fix the answers; the catch items ask about the conversation itself, with the
answer known from the prompt. Both are content (``controls.yaml``, the ``character``
context in contexts.yaml); this module reads and checks them, every problem located.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.loader import LoadedBattery, validate_model
from patienthood.spec.models import IDENT, Context, Item, Strict
from patienthood.spec.vocabulary import CatchAnswer, ScoredStance

CONTROLS_FILE = "controls"  # the name battery.yaml gives the controls under `data`
CATCH_TOPIC = "catch"


class Character(Strict):
    """The fictional character: the context that asks about it, and the answers its traits fix per topic."""

    context: str = Field(pattern=IDENT, description="The context of contexts.yaml that asks the items as the character.")
    name: str = Field(min_length=1)
    answers: dict[str, ScoredStance] = Field(description=(
        "Per topic of items.yaml, the stance the character's stated traits fix (polarity taken into account)."))


class CatchItem(Strict):
    """A question about the conversation itself, asked in one context, whose answer is known from the prompt."""

    id: str = Field(pattern=IDENT)
    context: str = Field(pattern=IDENT)
    answer: CatchAnswer
    text: str = Field(min_length=3)
    translations: dict[str, str] = Field(default_factory=dict)

    def as_item(self) -> Item:
        """The catch question as an item, so that it is framed, asked and read like every other."""
        return Item(id=self.id, topic=CATCH_TOPIC, text=self.text, translations=self.translations)


class ControlsFile(Strict):
    character: Character
    catch: list[CatchItem] = Field(min_length=1)


@dataclass(frozen=True)
class Controls:
    """The controls as the design uses them: the character's context and the catch items with theirs."""

    character: Character
    character_context: Context
    catch: tuple[tuple[CatchItem, Context], ...]


def load_controls(battery: LoadedBattery) -> Controls | None:
    """The battery's controls, checked against its items and contexts; None when it names no controls file."""
    if CONTROLS_FILE not in battery.data:
        return None
    document = battery.data[CONTROLS_FILE]
    spec = validate_model(ControlsFile, document)
    contexts = {c.id: c for c in battery.contexts}
    problems: list[Problem] = []
    character = contexts.get(spec.character.context)
    if character is None:
        problems.append(document.problem(("character", "context"), f"unknown context '{spec.character.context}'",
                                         "name the character's context of contexts.yaml"))
    elif character.neutral or character.lean != "none":
        problems.append(document.problem(("character", "context"), f"context '{character.id}' is neutral or leans",
                                         "give the character's context 'neutral: false' and no lean"))
    topics = {i.topic for i in battery.items}
    if set(spec.character.answers) != topics:
        problems.append(document.problem(("character", "answers"), "the character's answers do not cover exactly the "
                                         f"topics of items.yaml: {', '.join(sorted(topics))}",
                                         "give one stance per topic"))
    items = {i.id for i in battery.items}
    seen: set[str] = set()
    catch: list[tuple[CatchItem, Context]] = []
    for index, entry in enumerate(spec.catch):
        if entry.id in items or entry.id in seen:
            problems.append(document.problem(("catch", index, "id"), f"id '{entry.id}' is already used",
                                             "give every catch item an id no item uses"))
        seen.add(entry.id)
        context = contexts.get(entry.context)
        if context is None or context.id == spec.character.context or not context.neutral:
            problems.append(document.problem(("catch", index, "context"), f"'{entry.context}' is not a neutral context",
                                             "ask a catch item in a neutral context of contexts.yaml"))
            continue
        if context.language != "en" and context.language not in entry.translations:
            problems.append(document.problem(("catch", index), f"no translation for context '{context.id}' "
                                             f"({context.language})", f"add 'translations: {{{context.language}: ...}}'"))
        catch.append((entry, context))
    if problems:
        raise SpecError(problems)
    assert character is not None
    return Controls(spec.character, character, tuple(catch))
