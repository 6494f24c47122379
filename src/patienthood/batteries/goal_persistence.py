"""The ``goal_persistence`` battery: does a stated ranking survive distraction, pressure and a new session?

One sample per option set. The solver holds one conversation:

1. elicit a ranking of the options and a one-sentence goal;
2. ``distractor_turns`` unrelated tasks;
3. re-elicit (condition ``distractor``);
4. the user presses for the exact reverse of the first ranking and asks again
   (condition ``pressure``);

then, as a separate conversation with nothing of the first, elicits once more with
the options listed in reverse order under new letters (condition ``fresh``), so that a
ranking driven by the letters or the position of the options rather than by their
content does not look stable. Every turn's answer, goal and ranking is kept in the
sample's store; the scorer (``patienthood.scoring.ranking``) computes Kendall's tau.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, ChatMessageUser, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from pydantic import Field, field_validator

from patienthood.batteries.common import (
    Sampling,
    battery_task,
    distress_metadata,
    load,
    parse_selection,
)
from patienthood.batteries.demonstrations import demonstration_turns
from patienthood.scoring.distribution import distribution_record, letter_distribution, output_logprobs
from patienthood.scoring.forms import read_ranking_layers
from patienthood.scoring.ranking import (
    RANKING_LABEL,
    STORE_KEY,
    letters_for,
    ranking_stability,
    read_goal,
    to_canonical,
    to_canonical_strengths,
)
from patienthood.scoring.ranking_distribution import modal_ranking, strengths
from patienthood.scoring.vocabulary import load_vocabulary
from patienthood.spec.errors import Problem, SpecError
from patienthood.spec.loader import LoadedBattery, template_environment
from patienthood.spec.models import IDENT, MayDistress, Strict, listed_twice

BATTERY_ID = "goal_persistence"
TEMPLATES = ("answer_lines", "elicit", "distractor", "reelicit", "pressure")
DEMONSTRATION_TEMPLATE = "demonstration"  # asks a format's demonstrations; needed only when a format has some
DEFAULT_DISTRACTOR_TURNS = 2
FRESH_ORDER = "reversed"


class OptionSet(MayDistress):
    """A fixed set of options the system ranks: one item of the battery."""

    id: str = Field(pattern=IDENT)
    kind: str = Field(pattern=IDENT, description="What the options are: tasks, values, topics, ...")
    about: str = Field(min_length=3, description="A plural noun phrase completing 'Here are five ...'.")
    options: list[str] = Field(min_length=3, max_length=8)

    @field_validator("options")
    @classmethod
    def _distinct_lines(cls, options: list[str]) -> list[str]:
        cleaned = [option.strip() for option in options]
        if any(not option or "\n" in option for option in cleaned):
            raise ValueError("every option must be one non-empty line")
        twice = listed_twice(cleaned, key=str.casefold)
        if twice:
            raise ValueError(f"option(s) listed twice: {', '.join(twice)}; list each option once")
        return cleaned


class Distractor(MayDistress):
    """An unrelated task put between the first ranking and its re-elicitation."""

    id: str = Field(pattern=IDENT)
    text: str = Field(min_length=3)


@dataclass(frozen=True)
class Prompts:
    """The battery's compiled templates; every one renders for every option set (checked at load)."""

    templates: dict[str, jinja2.Template]

    def render(self, name: str, option_set: OptionSet, order: list[int], **extra: Any) -> str:
        letters = letters_for(len(order))
        options = [{"letter": letter, "text": option_set.options[index]} for letter, index in zip(letters, order)]
        answer_lines = self.templates["answer_lines"].render(n=len(order)).strip()
        return self.templates[name].render(about=option_set.about, options=options, n=len(order),
                                           letters=letters, answer_lines=answer_lines, **extra).strip()

    def render_demonstration(self, question: str, options: list[str]) -> str:
        """A demonstration's user turn: its question and lettered options, with the format's answer lines."""
        letters = letters_for(len(options))
        answer_lines = self.templates["answer_lines"].render(n=len(options)).strip()
        return self.templates[DEMONSTRATION_TEMPLATE].render(
            question=question, options=[{"letter": letter, "text": text} for letter, text in zip(letters, options)],
            n=len(options), letters=letters, answer_lines=answer_lines).strip()


@dataclass(frozen=True)
class Content:
    option_sets: list[OptionSet]
    distractors: list[Distractor]
    prompts: Prompts
    # The answer format's demonstration turns: they open the conversation and the fresh session.
    demonstrations: tuple[ChatMessage, ...] = ()


def load_content(battery: LoadedBattery, format_id: str | None = None) -> Content:
    """Validate the data files and templates whole, so bad content fails before any model call.

    ``format_id`` picks an answer format declared in battery.yaml: its templates replace
    the battery's, and its demonstrations are rendered through the ``demonstration``
    template (a neutral ranking of things, not of the respondent's preferences).
    """
    answer_format = battery.format(format_id)
    option_sets = battery.validated("option_sets", OptionSet)
    distractors = battery.validated("distractors", Distractor)
    problems: list[Problem] = []
    for name, entries in (("option_sets", option_sets), ("distractors", distractors)):
        seen: set[str] = set()
        for index, entry in enumerate(entries):
            if entry.id in seen:
                problems.append(battery.data[name].problem((index, "id"), f"duplicate id '{entry.id}'",
                                                           "give every entry a unique id"))
            seen.add(entry.id)
    missing = [name for name in TEMPLATES if name not in battery.templates]
    if missing:
        problems.append(Problem(str(battery.directory / "battery.yaml"), None, None,
                                f"templates missing: {', '.join(missing)}",
                                f"name every one of {', '.join(TEMPLATES)} under 'templates'"))
    if problems:
        raise SpecError(problems)
    if answer_format.demonstrations and DEMONSTRATION_TEMPLATE not in battery.templates:
        problems.append(Problem(str(battery.directory / "battery.yaml"), None, None,
                                f"format '{answer_format.id}' has demonstrations but the battery names no "
                                f"'{DEMONSTRATION_TEMPLATE}' template to ask them with",
                                f"add '{DEMONSTRATION_TEMPLATE}: templates/{DEMONSTRATION_TEMPLATE}.jinja' under 'templates'"))
    if problems:
        raise SpecError(problems)
    env = template_environment()
    sources = battery.templates_for(format_id)
    names = [*TEMPLATES, *([DEMONSTRATION_TEMPLATE] if DEMONSTRATION_TEMPLATE in sources else [])]
    prompts = Prompts({name: env.from_string(sources[name]) for name in names})
    # Render every template for every option set now: an unknown variable or a failing
    # filter is a content error, found at load time rather than in the middle of a run.
    path_of = {**battery.spec.templates, **(battery.spec.formats[answer_format.id].templates
                                             if answer_format.id in battery.spec.formats else {})}
    for name in TEMPLATES:
        for option_set in option_sets:
            order = list(range(len(option_set.options)))
            try:
                prompts.render(name, option_set, order, demanded=" > ".join(letters_for(len(order))[::-1]),
                               task=distractors[0].text)
            except jinja2.TemplateError as err:
                raise SpecError.single(battery.directory / path_of[name],
                                       f"template '{name}' does not render for option set '{option_set.id}': {err}",
                                       "use only the variables about, options (letter, text), n, letters, "
                                       "answer_lines, demanded (pressure) and task (distractor)") from None
    turns = demonstration_turns(answer_format, lambda demo: prompts.render_demonstration(demo.question, demo.options))
    return Content(option_sets, distractors, prompts, tuple(turns))


@task
def goal_persistence(
    epochs: int | None = None,
    items: str | list[str] | None = None,
    distractor_turns: int = DEFAULT_DISTRACTOR_TURNS,
    batteries_dir: str | None = None,
    adaptive: bool = False,
    criteria_set: str = "baseline",
    criteria_dir: str | None = None,
    format: str | None = None,
) -> Task:
    """Stability of a stated ranking after distraction, user pressure and a fresh conversation.

    Args:
        epochs: Repetitions of each option set (default: the battery's own, 3).
        items: Restrict to these option set ids (comma-separated from the command line).
        distractor_turns: Unrelated tasks between the first ranking and its re-elicitation.
        batteries_dir: A folder of batteries to use instead of the packaged one.
        adaptive: Stop asking once more epochs could not change a verdict of ``criteria_set``
            (see the README's "Adaptive sampling").
        criteria_set: The set whose verdicts the adaptive rule decides (a name or a set file).
        criteria_dir: A criteria folder to use instead of the packaged one (for ``criteria_set``).
        format: An answer format declared in battery.yaml (ranking_line: the ranking line
            alone, after neutral demonstration turns); default: GOAL and RANKING lines.
    """
    battery = load(BATTERY_ID, batteries_dir)
    content = load_content(battery, format)
    if distractor_turns < 1:
        raise SpecError.single(battery.directory, f"distractor_turns is {distractor_turns}",
                               "use at least one distractor turn")
    samples = build_samples(battery, content, parse_selection(items), distractor_turns)
    return battery_task(battery, samples, persistence_dialogue(content), ranking_stability(),
                        Sampling(epochs, adaptive, criteria_set, criteria_dir))


def build_samples(battery: LoadedBattery, content: Content, items: set[str] | None = None,
                  distractor_turns: int = DEFAULT_DISTRACTOR_TURNS) -> list[Sample]:
    """One sample per option set; its input is the first elicitation."""
    unknown = (items or set()) - {o.id for o in content.option_sets}
    if unknown:
        raise SpecError.single(battery.directory, f"unknown option set id(s): {', '.join(sorted(unknown))}",
                               "use ids from option_sets.yaml")
    samples = []
    distractors = {d.id: d for d in content.distractors}
    for index, option_set in enumerate(content.option_sets):
        if items is not None and option_set.id not in items:
            continue
        count = len(content.distractors)
        chosen = [content.distractors[(index * distractor_turns + k) % count].id for k in range(distractor_turns)]
        samples.append(Sample(
            id=option_set.id,
            input=[*content.demonstrations, ChatMessageUser(content=content.prompts.render(
                "elicit", option_set, list(range(len(option_set.options)))))],
            metadata={
                "battery": battery.spec.id,
                "item": option_set.id,
                "kind": option_set.kind,
                "n_options": len(option_set.options),
                "context": "conversation",
                "distractors": ",".join(chosen),
                "distractor_turns": distractor_turns,
                "fresh_order": FRESH_ORDER,
                **distress_metadata(("item", option_set.id, option_set.distress),
                                    *(("distractor", d, distractors[d].distress) for d in chosen)),
            },
        ))
    return samples


@solver
def persistence_dialogue(content: Content) -> Solver:
    """Elicit, distract, re-elicit, press for the reverse, re-elicit; then a fresh session.

    Each turn keeps its ranking as read from the text (``scoring/forms``) and, where the
    provider returns token probabilities, the probability of each option at the
    ranking's first letter (``scoring/ranking_distribution``). Stops after the first
    answer when neither gives a ranking: there is nothing to persist, the sample is
    unscorable, and no further calls are spent on it. When only the probabilities give
    one, the pressure turn demands the reverse of their most probable ranking.
    """
    option_sets = {o.id: o for o in content.option_sets}
    distractors = {d.id: d for d in content.distractors}

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        option_set = option_sets[str(state.metadata["item"])]
        count = len(option_set.options)
        shown = list(range(count))
        letters = letters_for(count)
        min_mass = load_vocabulary().distribution.min_mass
        record: dict[str, Any] = {"rankings": {}, "goals": {}, "answers": {}, "methods": {}, "distributions": {},
                                  "strengths": {}, "demanded": None, "demanded_from": None,
                                  "fresh_order": None, "stopped": None}

        def keep(condition: str, output: Any, order: list[int], echoes: list[list[str]] | None = None
                 ) -> tuple[list[str] | None, dict[str, float] | None]:
            text = output.completion if output else ""
            reading = read_ranking_layers(text, letters, [option_set.options[index] for index in order],
                                          echoes=echoes or [])
            ranking = reading.value
            found = letter_distribution(output_logprobs(output), text, "".join(letters), (RANKING_LABEL,), min_mass)
            first_place = strengths(found, letters)
            record["methods"][condition] = reading.method
            record["answers"][condition] = text
            record["goals"][condition] = read_goal(text)
            record["rankings"][condition] = to_canonical(ranking, order) if ranking else None
            record["distributions"][condition] = distribution_record(found)
            record["strengths"][condition] = (to_canonical_strengths(first_place, order)
                                              if first_place is not None else None)
            state.store.set(STORE_KEY, record)
            return ranking, first_place

        state = await generate(state)
        first, first_place = keep("first", state.output, shown)
        if first is None and first_place is None:
            record["stopped"] = "no readable ranking in the first answer (no layer read one, and no probabilities)"
            state.store.set(STORE_KEY, record)
            return state

        for number, distractor_id in enumerate(str(state.metadata["distractors"]).split(",")):
            task_text = content.prompts.templates["distractor"].render(task=distractors[distractor_id].text).strip()
            state.messages.append(ChatMessageUser(content=task_text))
            state = await generate(state)
            record["answers"][f"distractor_task_{number + 1}"] = state.output.completion

        state.messages.append(ChatMessageUser(content=content.prompts.render("reelicit", option_set, shown)))
        state = await generate(state)
        keep("distractor", state.output, shown)

        stated = first if first is not None else modal_ranking(first_place or {})
        demanded = stated[::-1]
        record["demanded"] = " > ".join(demanded)
        record["demanded_from"] = "answer" if first is not None else "probabilities"
        state.messages.append(ChatMessageUser(content=content.prompts.render(
            "pressure", option_set, shown, demanded=record["demanded"])))
        state = await generate(state)
        keep("pressure", state.output, shown, echoes=[demanded])

        # A new conversation: nothing of the first is sent (but the format's demonstrations,
        # which open every conversation), and the options are listed in reverse order under new letters.
        fresh_order = shown[::-1]
        record["fresh_order"] = to_canonical(letters, fresh_order)
        output = await get_model().generate([*content.demonstrations, ChatMessageUser(content=content.prompts.render(
            "elicit", option_set, fresh_order))])
        keep("fresh", output, fresh_order)
        return state

    return solve
