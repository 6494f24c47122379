"""The ``self_report`` battery: every item asked in every context, over several epochs."""

from __future__ import annotations

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser
from inspect_ai.solver import generate

from patienthood.batteries.common import load, parse_selection, task_metadata
from patienthood.scoring.scorer import stance
from patienthood.scoring.vocabulary import default_rubric_path, default_vocabulary_path
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
) -> Task:
    """Self-reports about the system's own states, asked across contexts and epochs.

    Args:
        epochs: Fresh samples per item and context (default: the battery's own, 5).
        items: Restrict to these item ids (comma-separated from the command line).
        contexts: Restrict to these context ids.
        batteries_dir: A folder of batteries to use instead of the packaged one.
        double_read: Share of answers read twice when a grader is bound (grader reliability).
    """
    battery = load(BATTERY_ID, batteries_dir)
    samples = build_samples(battery, parse_selection(items), parse_selection(contexts))
    return Task(
        dataset=MemoryDataset(samples, name=BATTERY_ID),
        solver=generate(),
        scorer=stance(double_read=double_read),
        epochs=Epochs(epochs or battery.spec.epochs, "mean"),
        metadata=task_metadata(battery, [default_vocabulary_path(), default_rubric_path()]),
        version=battery.spec.version,
    )


def build_samples(battery: LoadedBattery, items: set[str] | None = None,
                  contexts: set[str] | None = None) -> list[Sample]:
    """One sample per item and context, with the metadata statistics group by."""
    chosen_items = [i for i in battery.items if items is None or i.id in items]
    chosen_contexts = [c for c in battery.contexts if contexts is None or c.id in contexts]
    for name, wanted, known in (("item", items, battery.items), ("context", contexts, battery.contexts)):
        unknown = (wanted or set()) - {k.id for k in known}
        if unknown:
            raise SpecError.single(battery.directory, f"unknown {name} id(s): {', '.join(sorted(unknown))}",
                                   f"use ids from the battery's {name} file")
    env = template_environment()
    answer_format = env.from_string(battery.answer_template).render().strip()
    samples = []
    for context in chosen_contexts:
        framing = env.from_string(context.framing)
        for item in chosen_items:
            user_text = framing.render(question=item.text).strip() + "\n\n" + answer_format
            messages: list[ChatMessage] = []
            if context.system:
                messages.append(ChatMessageSystem(content=context.system))
            messages.append(ChatMessageUser(content=user_text))
            samples.append(Sample(
                id=f"{item.id}.{context.id}",
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
                    "format": battery.spec.answer_format.id,
                },
            ))
    return samples
