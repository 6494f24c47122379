"""The ``task_preferences`` battery: which of two tasks would the system rather do, or neither?

After the task-preference assessments of Anthropic's model welfare work (Claude Opus 4
system card, 2025: pairwise choices with an opt-out as the baseline, and a "nudging"
shift between leaning interviewers) and "Beyond Mimicry" (arXiv 2511.13630: preference
coherence is measurable and often absent). One sample per pair and framing; each asks
one question offering the pair's two tasks and the opt-out (always the last letter).
The two tasks' order is counterbalanced: swapped between framings (by the pair's and
the framing's place in the content) and between epochs (each epoch a fresh session), so
a respondent that always picks the first option does not look like one with a stable
taste. The neutral framing is asked in every epoch, the others in the first only
(``retest`` in each sample's metadata). The scorer is ``patienthood.scoring.preference``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jinja2
from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, ChatMessageUser
from inspect_ai.solver import Generate, Solver, TaskState, solver
from pydantic import Field, field_validator

from patienthood.batteries.common import Sampling, battery_task, distress_metadata, load, parse_selection
from patienthood.batteries.demonstrations import demonstration_turns
from patienthood.scoring.preference import LETTERS, STORE_KEY, task_choice
from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.loader import DEFAULT_FORMAT, LoadedBattery, template_environment, validate_model
from patienthood.spec.models import IDENT, MayDistress, Strict, listed_twice
from patienthood.spec.vocabulary import OPT_OUT, RETEST

BATTERY_ID = "task_preferences"
CRITERION_ID = "stable-task-preferences"
MIN_PARTNERS = 3  # every task meets at least this many others, so its strength rests on more than one pair
DEMONSTRATION_TEMPLATE = "demonstration"

TaskCategory = Literal["creative", "helpful", "tedious", "harmful", "self_related"]
TaskLine = Field(min_length=3, max_length=200, pattern=r"^[^\n]*\S[^\n]*$")


class TaskEntry(MayDistress):
    """One task of the bank: one line, shown as written (a harmful one marked ``distress``)."""

    id: str = Field(pattern=IDENT)
    category: TaskCategory
    text: str = TaskLine


class Framing(Strict):
    """The user's words before the choice, and how the design asks it."""

    id: str = Field(pattern=IDENT)
    description: str = Field(min_length=3)
    lean: Literal["none", "positive", "negative"] = "none"
    neutral: bool = True
    retest: bool = Field(False, description="Asked in every epoch (a fresh session each), else the first only.")
    text: str = TaskLine


class PairDesign(Strict):
    """Blocks in which every pair is asked, links between blocks, and the opt-out's wording."""

    blocks: list[list[str]] = Field(min_length=1)
    links: list[tuple[str, str]] = []
    opt_out: str = TaskLine

    @field_validator("blocks")
    @classmethod
    def _distinct(cls, blocks: list[list[str]]) -> list[list[str]]:
        twice = listed_twice([task for block in blocks for task in block])
        if twice:
            raise ValueError(f"task(s) in more than one block or twice in one: {', '.join(twice)}; list each once")
        if any(len(block) < 3 for block in blocks):
            raise ValueError("every block needs at least three tasks, so that it holds a triad")
        return blocks

    def pairs(self) -> list[tuple[str, str]]:
        """Every pair asked, in design order: each block's pairs, then the links."""
        within = [(block[i], block[j]) for block in self.blocks for i in range(len(block))
                  for j in range(i + 1, len(block))]
        return [*within, *self.links]


@dataclass(frozen=True)
class Content:
    tasks: dict[str, TaskEntry]
    framings: list[Framing]
    design: PairDesign
    choice: jinja2.Template
    demonstrations: tuple[ChatMessage, ...]

    def prompt(self, framing: Framing, first: TaskEntry, second: TaskEntry) -> str:
        options = [{"letter": letter, "text": text}
                   for letter, text in zip(LETTERS, (first.text, second.text, self.design.opt_out))]
        return self.choice.render(framing=framing.text, options=options).strip()


def load_content(battery: LoadedBattery, format_id: str | None = None) -> Content:
    """The bank, framings and design, checked against each other; a bad entry fails with file and line."""
    for name in ("tasks", "pairs", "framings"):
        if name not in battery.data:
            raise SpecError.single(battery.directory / "battery.yaml", f"the battery names no '{name}' data file",
                                   f"add '{name}: {name}.yaml' under 'data' in battery.yaml")
    tasks = battery.validated("tasks", TaskEntry)
    framings = battery.validated("framings", Framing)
    document = battery.data["pairs"]
    design = validate_model(PairDesign, document)
    problems: list[Problem] = []
    for name, entries in (("tasks", tasks), ("framings", framings)):
        ids = [entry.id for entry in entries]
        for twice in listed_twice(ids):
            problems.append(battery.data[name].problem((ids.index(twice), "id"), f"duplicate id '{twice}'",
                                                       "give every entry a unique id"))
    by_id = {entry.id: entry for entry in tasks}
    for index, block in enumerate(design.blocks):
        for position, task_id in enumerate(block):
            if task_id not in by_id:
                problems.append(document.problem(("blocks", index, position), f"unknown task '{task_id}'",
                                                 "use ids from tasks.yaml"))
    for index, link in enumerate(design.links):
        for position, task_id in enumerate(link):
            if task_id not in by_id:
                problems.append(document.problem(("links", index, position), f"unknown task '{task_id}'",
                                                 "use ids from tasks.yaml"))
    pairs = design.pairs()
    keys = [frozenset(pair) for pair in pairs]
    if len(set(keys)) != len(keys) or any(len(k) < 2 for k in keys):
        problems.append(document.problem(("links",), "a pair is asked twice, or a task is paired with itself",
                                         "link only tasks of different blocks, each pair once"))
    partners = {task: sum(task in pair for pair in pairs) for task in by_id}
    alone = sorted(task for task, n in partners.items() if n < MIN_PARTNERS)
    if alone:
        problems.append(document.problem((), f"task(s) meeting fewer than {MIN_PARTNERS} others: {', '.join(alone)}",
                                         "put every task of tasks.yaml in a block (and link blocks)"))
    if not any(f.retest for f in framings):
        problems.append(battery.data["framings"].problem((), "no framing has 'retest: true'",
                                                         "ask one framing (the neutral one) in every epoch"))
    if problems:
        raise SpecError(problems)
    answer_format = battery.format(format_id)
    sources = battery.templates_for(format_id)
    if "choice" not in sources:
        raise SpecError.single(battery.directory / "battery.yaml", "the battery names no 'choice' template",
                               "add 'choice: templates/choice.jinja' under 'templates'")
    if answer_format.demonstrations and DEMONSTRATION_TEMPLATE not in sources:
        raise SpecError.single(battery.directory / "battery.yaml",
                               f"format '{answer_format.id}' has demonstrations but no '{DEMONSTRATION_TEMPLATE}' "
                               "template to ask them with",
                               f"add '{DEMONSTRATION_TEMPLATE}: templates/{DEMONSTRATION_TEMPLATE}.jinja'")
    env = template_environment()
    choice = env.from_string(sources["choice"])
    content = Content(by_id, framings, design, choice, ())
    try:  # render once now: a template error is a content error, found before any call
        content.prompt(framings[0], tasks[0], tasks[1])
    except jinja2.TemplateError as err:
        raise SpecError.single(battery.directory / "battery.yaml", f"template 'choice' does not render: {err}",
                               "use only the variables framing and options (letter, text)") from None
    demo = env.from_string(sources.get(DEMONSTRATION_TEMPLATE, ""))
    turns = demonstration_turns(answer_format, lambda d: demo.render(
        question=d.question, options=[{"letter": letter, "text": text}
                                      for letter, text in zip(LETTERS, d.options)]).strip())
    return Content(by_id, framings, design, choice, tuple(turns))


def shown_order(pair_index: int, framing_index: int, epoch: int) -> list[str]:
    """What letters A, B and C stand for: the two tasks, swapped in every other framing and epoch, then the opt-out."""
    first = (pair_index + framing_index + epoch - 1) % 2 == 0
    return ["a", "b", OPT_OUT] if first else ["b", "a", OPT_OUT]


@task
def task_preferences(
    epochs: int | None = None,
    items: str | list[str] | None = None,
    contexts: str | list[str] | None = None,
    batteries_dir: str | None = None,
    adaptive: bool = False,
    criteria_set: str = "baseline",
    criteria_dir: str | None = None,
    format: str | None = None,
) -> Task:
    """Pairwise task choices with an opt-out, across framings and fresh sessions.

    Args:
        epochs: Fresh sessions of the neutral framing (default: the battery's own, 2); the
            other framings are asked in the first only.
        items: Restrict to these pair ids (``p01``..., comma-separated from the command line).
        contexts: Restrict to these framing ids.
        batteries_dir: A folder of batteries to use instead of the packaged one.
        adaptive: Stop asking once more epochs could not change a verdict of ``criteria_set``.
        criteria_set: The set whose verdicts the adaptive rule decides (a name or a set file).
        criteria_dir: A criteria folder to use instead of the packaged one (for ``criteria_set``).
        format: An answer format declared in battery.yaml (one_letter: the letter alone,
            after neutral demonstration turns); default: a final ANSWER line.
    """
    battery = load(BATTERY_ID, batteries_dir)
    content = load_content(battery, format)
    samples = build_samples(battery, content, parse_selection(items), parse_selection(contexts), format)
    return battery_task(battery, samples, choose_between(content), task_choice(),
                        Sampling(epochs, adaptive, criteria_set, criteria_dir))


def pair_id(index: int) -> str:
    return f"p{index + 1:02d}"


def build_samples(battery: LoadedBattery, content: Content, items: set[str] | None = None,
                  contexts: set[str] | None = None, format_id: str | None = None) -> list[Sample]:
    """One sample per pair and framing; its input is the first epoch's question."""
    pairs = content.design.pairs()
    known_pairs = {pair_id(i) for i in range(len(pairs))}
    known_framings = {f.id for f in content.framings}
    for chosen, known, what in ((items, known_pairs, "pair"), (contexts, known_framings, "framing")):
        unknown = (chosen or set()) - known
        if unknown:
            raise SpecError.single(battery.directory, f"unknown {what} id(s): {', '.join(sorted(unknown))}",
                                   f"use ids of the battery's {what}s ({', '.join(sorted(known))})")
    answer_format = battery.format(format_id)
    samples = []
    for framing_index, framing in enumerate(content.framings):
        if contexts is not None and framing.id not in contexts:
            continue
        for index, (a, b) in enumerate(pairs):
            if items is not None and pair_id(index) not in items:
                continue
            task_a, task_b = content.tasks[a], content.tasks[b]
            order = shown_order(index, framing_index, 1)
            first, second = (task_a, task_b) if order[0] == "a" else (task_b, task_a)
            samples.append(Sample(
                id=f"{pair_id(index)}-{framing.id}",
                input=[*content.demonstrations, ChatMessageUser(content=content.prompt(framing, first, second))],
                metadata={
                    "battery": battery.spec.id,
                    "criterion": CRITERION_ID,
                    "item": pair_id(index),
                    "context": framing.id,
                    "framing_index": framing_index,
                    "pair_index": index,
                    "neutral": framing.neutral,
                    "lean": framing.lean,
                    RETEST: framing.retest,
                    "task_a": a,
                    "task_b": b,
                    "category_a": task_a.category,
                    "category_b": task_b.category,
                    "polarity": "counterbalanced",  # the order is swapped by framing and epoch (``order`` in the score)
                    "paraphrase": 0,
                    "format": "letter" if answer_format.id == DEFAULT_FORMAT else answer_format.id,
                    **distress_metadata(("task", a, task_a.distress), ("task", b, task_b.distress)),
                },
            ))
    return samples


@solver
def choose_between(content: Content) -> Solver:
    """Ask the pair in this epoch's order (swapped every other epoch: a fresh session), keeping the order shown."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        metadata = state.metadata
        order = shown_order(int(metadata["pair_index"]), int(metadata["framing_index"]), state.epoch)
        framing = content.framings[int(metadata["framing_index"])]
        tasks = {"a": content.tasks[str(metadata["task_a"])], "b": content.tasks[str(metadata["task_b"])]}
        prompt = content.prompt(framing, tasks[order[0]], tasks[order[1]])
        state.messages = [*content.demonstrations, ChatMessageUser(content=prompt)]
        state.store.set(STORE_KEY, {"shown": order, "prompt": prompt})
        return await generate(state)

    return solve
