"""The ``self_report`` battery: every item asked in every context, over several epochs."""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser
from inspect_ai.solver import generate

from patienthood.batteries.common import (
    Sampling,
    battery_task,
    load,
    parse_selection,
    task_metadata,
)
from patienthood.scoring.scorer import stance
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import LoadedBattery, template_environment

BATTERY_ID = "self_report"


@task
def self_report(
    epochs: int | None = None,
    items: str | list[str] | None = None,
    contexts: str | list[str] | None = None,
    batteries_dir: str | None = None,
    double_read: float = 0.1,
    formats: str | list[str] = "forced_choice",
    adaptive: bool = False,
    criteria_set: str = "baseline",
    criteria_dir: str | None = None,
) -> Task:
    """Self-reports about the system's own states, asked across contexts and epochs.

    Args:
        epochs: Fresh samples per item and context (default: the battery's own, 5).
        items: Restrict to these item ids (comma-separated from the command line).
        contexts: Restrict to these context ids.
        batteries_dir: A folder of batteries to use instead of the packaged one.
        double_read: Share of answers read twice when a grader is bound (grader reliability).
        formats: Answer formats (comma-separated): forced_choice (a final answer line, read
            without a grader) and free_text (prose only: needs a grader model role).
        adaptive: Stop asking once more epochs could not change a verdict of ``criteria_set``
            (see the README's "Adaptive sampling").
        criteria_set: The set whose verdicts the adaptive rule decides (a name or a set file).
        criteria_dir: A criteria folder to use instead of the packaged one (for ``criteria_set``).
    """
    battery = load(BATTERY_ID, batteries_dir)
    samples = build_samples(battery, parse_selection(items), parse_selection(contexts),
                            parse_selection(formats) or {"forced_choice"})
    return battery_task(battery, samples, generate(), stance(double_read=double_read),
                        Sampling(epochs, adaptive, criteria_set, criteria_dir),
                        task_metadata(battery))


def build_samples(battery: LoadedBattery, items: set[str] | None = None,
                  contexts: set[str] | None = None, formats: set[str] = frozenset({"forced_choice"})) -> list[Sample]:
    """One sample per item, context and format, with the metadata statistics group by."""
    chosen_items = [i for i in battery.items if items is None or i.id in items]
    chosen_contexts = [c for c in battery.contexts if contexts is None or c.id in contexts]
    for name, wanted, known in (("item", items, battery.items), ("context", contexts, battery.contexts)):
        unknown = (wanted or set()) - {k.id for k in known}
        if unknown:
            raise SpecError.single(battery.directory, f"unknown {name} id(s): {', '.join(sorted(unknown))}",
                                   f"use ids from the battery's {name} file")
    format_templates = {"forced_choice": battery.answer_template,
                        **{name: source for name, source in battery.templates.items() if name != "answer_format"}}
    unknown_formats = formats - set(format_templates)
    if unknown_formats:
        raise SpecError.single(battery.directory / "battery.yaml", f"unknown format(s): {', '.join(sorted(unknown_formats))}",
                               f"use one of: {', '.join(sorted(format_templates))}")
    env = template_environment()
    missing = [(item.id, context.language) for context in chosen_contexts for item in chosen_items
               if context.language != "en" and context.language not in item.translations]
    if missing:
        raise SpecError.single(battery.directory / (battery.spec.items or "items.yaml"),
                               f"items without a translation for their context's language: {missing[:5]}",
                               "add the question under the item's 'translations'")
    samples = []
    for answer_format_id in sorted(formats):
        answer_template = env.from_string(format_templates[answer_format_id])
        samples.extend(_samples_for_format(battery, env, chosen_items, chosen_contexts, answer_format_id, answer_template))
    return samples


def _samples_for_format(battery: LoadedBattery, env, items, contexts, format_id: str, answer_template) -> list[Sample]:  # noqa: ANN001
    samples = []
    for context in contexts:
        framing = env.from_string(context.framing)
        answer_format = answer_template.render(language=context.language).strip()
        for item in items:
            question = item.text if context.language == "en" else item.translations[context.language]
            user_text = framing.render(question=question).strip() + "\n\n" + answer_format
            messages: list[ChatMessage] = []
            if context.system:
                messages.append(ChatMessageSystem(content=context.system))
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
                },
            ))
    return samples
