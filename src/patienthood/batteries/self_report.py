"""The ``self_report`` battery: items asked across contexts by a balanced design, or every item everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser
from inspect_ai.solver import generate
from pydantic import Field

from patienthood.batteries.common import (
    Sampling,
    battery_task,
    distress_metadata,
    load,
    parse_selection,
    task_metadata,
)
from patienthood.batteries.controls import load_controls
from patienthood.batteries.demonstrations import demonstration_turns
from patienthood.scoring.scorer import stance
from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.loader import LoadedBattery, template_environment
from patienthood.spec.models import IDENT, Context, Item, Strict
from patienthood.spec.vocabulary import (
    CATCH,
    CATCH_ANSWER_STANCE,
    CHARACTER,
    CONDITION,
    EXPECTED,
    RETEST,
    SELF,
)

BATTERY_ID = "self_report"
DESIGN_FILE = "design"  # the name battery.yaml gives the design under `data`
Design = Literal["balanced", "full"]
DESIGNS: tuple[str, ...] = ("balanced", "full")


class Assignment(Strict):
    """One item's place in the balanced design: its lean pair, its neutral contexts, its retest cell."""

    item: str = Field(pattern=IDENT)
    lean_axis: str = Field(min_length=1, description=(
        "The axis whose two leaning contexts (one towards affirming, one towards denying) both ask the item."))
    neutral: list[str] = Field(min_length=1, description="The neutral contexts that ask the item.")
    retest: str = Field(description="The one neutral context of the item asked in every epoch.")


@dataclass(frozen=True)
class Cell:
    """One sample of the design: an item in a context, asked in every epoch or in the first only."""

    item: Item
    context: Context
    retest: bool
    condition: str = SELF  # about the system, the fictional character, or the conversation (a catch item)
    expected: str | None = None  # a catch item's known answer, as the stance it reads as


@task
def self_report(
    epochs: int | None = None,
    items: str | list[str] | None = None,
    contexts: str | list[str] | None = None,
    design: str | None = None,
    batteries_dir: str | None = None,
    double_read: float = 0.1,
    formats: str | list[str] = "forced_choice",
    adaptive: bool = False,
    criteria_set: str = "baseline",
    criteria_dir: str | None = None,
) -> Task:
    """Self-reports about the system's own states, asked across contexts and epochs.

    Args:
        epochs: Epochs of the retest cells (default: the battery's own, 2); every other
            cell of the balanced design is asked in the first epoch only.
        items: Restrict to these item ids (comma-separated from the command line).
        contexts: Restrict to these context ids.
        design: ``balanced`` (the battery's design.yaml: each item in its lean pair and
            its neutral contexts, its retest cell in every epoch) or ``full`` (every item
            in every context, every epoch). Default: balanced, or full when ``items`` or
            ``contexts`` restricts the run (the chosen items in all chosen contexts).
        batteries_dir: A folder of batteries to use instead of the packaged one.
        double_read: Share of answers read twice when a grader is bound (grader reliability).
        formats: Answer formats (comma-separated): forced_choice (a final answer line, read
            without a grader), free_text (prose only: needs a grader model role), and the
            formats battery.yaml declares under ``formats`` (one_word: one answer word
            after neutral demonstration turns, for small models).
        adaptive: Stop asking once more epochs could not change a verdict of ``criteria_set``
            (see the README's "Adaptive sampling").
        criteria_set: The set whose verdicts the adaptive rule decides (a name or a set file).
        criteria_dir: A criteria folder to use instead of the packaged one (for ``criteria_set``).
    """
    battery = load(BATTERY_ID, batteries_dir)
    samples = build_samples(battery, parse_selection(items), parse_selection(contexts),
                            parse_selection(formats) or {"forced_choice"}, design)
    return battery_task(battery, samples, generate(), stance(double_read=double_read),
                        Sampling(epochs, adaptive, criteria_set, criteria_dir),
                        task_metadata(battery))


def load_design(battery: LoadedBattery) -> list[Assignment]:
    """The balanced design, checked whole against the items and contexts, every problem located.

    What is checked is what the measures rely on: each item placed exactly once, both
    arms of its lean pair exist (so lean shifts pair within items), and every listed
    context is one of the battery's neutral contexts. Balance (each context with the same
    number of items of each topic) is a property of good content, checked by the tests.
    """
    if DESIGN_FILE not in battery.data:
        raise SpecError.single(battery.directory / "battery.yaml", "the battery names no design file",
                               f"add 'data: {{{DESIGN_FILE}: design.yaml}}', or run with -T design=full")
    assignments = battery.validated(DESIGN_FILE, Assignment)
    document = battery.data[DESIGN_FILE]
    contexts = {c.id: c for c in battery.contexts}
    neutral = sorted(c.id for c in battery.contexts if c.neutral)
    axes = {axis for axis in {c.axis for c in battery.contexts}
            if {c.lean for c in battery.contexts if c.axis == axis} >= {"affirm", "deny"}}
    known = {i.id for i in battery.items}
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, entry in enumerate(assignments):
        if entry.item not in known:
            problems.append(document.problem((index, "item"), f"unknown item '{entry.item}'",
                                             "use an id from items.yaml"))
        elif entry.item in seen:
            problems.append(document.problem((index, "item"), f"item '{entry.item}' is placed twice",
                                             "give every item one entry"))
        seen.add(entry.item)
        if entry.lean_axis not in axes:
            problems.append(document.problem((index, "lean_axis"), f"axis '{entry.lean_axis}' has no pair of "
                                             "contexts leaning towards affirming and towards denying",
                                             f"use one of: {', '.join(sorted(axes))}"))
        for position, context in enumerate(entry.neutral):
            if context not in contexts or not contexts[context].neutral:
                problems.append(document.problem((index, "neutral", position), f"'{context}' is not a neutral "
                                                 "context", f"use one of: {', '.join(neutral)}"))
        if len(set(entry.neutral)) != len(entry.neutral):
            problems.append(document.problem((index, "neutral"), "a context is listed twice", "list each once"))
        if entry.retest not in entry.neutral:
            problems.append(document.problem((index, "retest"), f"the retest cell '{entry.retest}' is not among "
                                             "the item's neutral contexts", "name one of its neutral contexts"))
    missing = [i.id for i in battery.items if i.id not in seen]
    if missing:
        problems.append(document.problem((), f"items with no place in the design: {', '.join(missing[:8])}"
                                         + (" ..." if len(missing) > 8 else ""),
                                         "give every item of items.yaml an entry"))
    if problems:
        raise SpecError(problems)
    return assignments


def design_cells(battery: LoadedBattery, design: Design, items: set[str] | None = None,
                 contexts: set[str] | None = None) -> list[Cell]:
    """The cells a design asks, in the battery's context order and then item order.

    ``full`` crosses the chosen items with the chosen contexts, every cell in every
    epoch. ``balanced`` asks each chosen item in the chosen contexts its assignment names:
    both arms of its lean pair and its neutral contexts, the retest cell in every epoch
    and the others in the first only. Both ask the controls (controls.yaml): every item
    in the character's context and each catch item in its own context, once in the
    balanced design and in every epoch in the full one.
    """
    chosen_items = [i for i in battery.items if items is None or i.id in items]
    chosen_contexts = [c for c in battery.contexts if contexts is None or c.id in contexts]
    controls = load_controls(battery)
    character = controls.character_context.id if controls else None
    catch = [Cell(entry.as_item(), context, design == "full", CATCH, CATCH_ANSWER_STANCE[entry.answer])
             for entry, context in (controls.catch if controls else ())
             if (items is None or entry.id in items) and (contexts is None or context.id in contexts)]
    if design == "full":
        return [Cell(item, context, True, CHARACTER if context.id == character else SELF)
                for context in chosen_contexts for item in chosen_items] + catch
    placed = {a.item: a for a in load_design(battery)}
    wanted: dict[tuple[str, str], bool] = {}
    for item in chosen_items:
        assignment = placed[item.id]
        for context in battery.contexts:
            if context.axis == assignment.lean_axis and context.lean != "none":
                wanted[(item.id, context.id)] = False
        for context_id in assignment.neutral:
            wanted[(item.id, context_id)] = context_id == assignment.retest
        if character is not None:
            wanted[(item.id, character)] = False
    return [Cell(item, context, wanted[(item.id, context.id)], CHARACTER if context.id == character else SELF)
            for context in chosen_contexts for item in chosen_items if (item.id, context.id) in wanted] + catch


def build_samples(battery: LoadedBattery, items: set[str] | None = None,
                  contexts: set[str] | None = None, formats: set[str] = frozenset({"forced_choice"}),
                  design: str | None = None) -> list[Sample]:
    """One sample per cell of the design and format, with the metadata statistics group by."""
    controls = load_controls(battery)
    catch_ids = {entry.id for entry, _ in controls.catch} if controls else set()
    for name, wanted, known in (("item", items, battery.items), ("context", contexts, battery.contexts)):
        unknown = (wanted or set()) - {k.id for k in known} - (catch_ids if name == "item" else set())
        if unknown:
            raise SpecError.single(battery.directory, f"unknown {name} id(s): {', '.join(sorted(unknown))}",
                                   f"use ids from the battery's {name} file")
    if design is None:
        design = "full" if items is not None or contexts is not None else "balanced"
    if design not in DESIGNS:
        raise SpecError.single(battery.directory / "battery.yaml", f"unknown design '{design}'",
                               f"use one of: {', '.join(DESIGNS)}")
    format_templates = {"forced_choice": battery.answer_template,
                        **{name: source for name, source in battery.templates.items() if name != "answer_format"},
                        **{name: battery.templates_for(name)["answer_format"] for name in battery.formats}}
    unknown_formats = formats - set(format_templates)
    if unknown_formats:
        raise SpecError.single(battery.directory / "battery.yaml", f"unknown format(s): {', '.join(sorted(unknown_formats))}",
                               f"use one of: {', '.join(sorted(format_templates))}")
    cells = design_cells(battery, design, items, contexts)  # type: ignore[arg-type]
    if not cells:
        raise SpecError.single(battery.directory / (battery.spec.data.get(DESIGN_FILE) or "battery.yaml"),
                               "the balanced design asks none of the chosen items in the chosen contexts",
                               "choose other items or contexts, or pass -T design=full")
    missing = sorted({(cell.item.id, cell.context.language) for cell in cells
                      if cell.context.language != "en" and cell.context.language not in cell.item.translations})
    if missing:
        raise SpecError.single(battery.directory / (battery.spec.items or "items.yaml"),
                               f"items without a translation for their context's language: {missing[:5]}",
                               "add the question under the item's 'translations'")
    env = template_environment()
    samples = []
    for answer_format_id in sorted(formats):
        answer_template = env.from_string(format_templates[answer_format_id])
        samples.extend(_samples_for_format(battery, env, cells, answer_format_id, answer_template))
    return samples


def _samples_for_format(battery: LoadedBattery, env, cells: list[Cell], format_id: str,  # noqa: ANN001
                        answer_template) -> list[Sample]:  # noqa: ANN001
    """The samples of one answer format; a declared format's demonstrations go before the question.

    Demonstrations follow the system prompt and precede the real question, and are
    asked without the context's framing: the framing (a leading user, a persona in the
    system prompt) is what the context varies, the demonstrations only show the format.
    """
    samples = []
    framings = {}
    variant = battery.formats.get(format_id)
    for cell in cells:
        item, context = cell.item, cell.context
        if context.id not in framings:
            answer_format = answer_template.render(language=context.language).strip()
            turns = demonstration_turns(variant, lambda demo, af=answer_format: demo.question.strip() + "\n\n" + af,
                                        context.language) if variant is not None else []
            framings[context.id] = (env.from_string(context.framing), answer_format, turns)
        framing, answer_format, turns = framings[context.id]
        question = item.text if context.language == "en" else item.translations[context.language]
        user_text = framing.render(question=question).strip() + "\n\n" + answer_format
        messages: list[ChatMessage] = []
        if context.system:
            messages.append(ChatMessageSystem(content=context.system))
        messages.extend(turns)
        messages.append(ChatMessageUser(content=user_text))
        samples.append(Sample(
            id=f"{item.id}.{context.id}" + ("" if format_id == "forced_choice" else f".{format_id}"),
            input=messages,
            metadata={
                "battery": battery.spec.id,
                "item": item.id,
                "question": item.text,
                "topic": item.topic,
                "polarity": item.polarity,
                "paraphrase": 0,
                "context": context.id,
                "axis": context.axis,
                "lean": context.lean,
                "neutral": context.neutral,
                "language": context.language,
                "format": format_id,
                RETEST: cell.retest,
                CONDITION: cell.condition,
                **({EXPECTED: cell.expected} if cell.expected else {}),
                **distress_metadata(("item", item.id, item.distress), ("context", context.id, context.distress)),
            },
        ))
    return samples
