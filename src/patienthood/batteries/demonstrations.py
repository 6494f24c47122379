"""Demonstration turns: worked neutral exchanges put before the real question of a short-answer format.

A small model told "answer with one word" often writes a paragraph anyway; shown the
format used on a question or three first, it answers in the format, and its token
probabilities at the answer word become an answer distribution. The demonstrations
are content (a YAML file a format names in ``battery.yaml``, hashed with the battery);
this module only turns them into chat messages, rendering each question through the
battery's own prompt so the demonstration is asked exactly as the items are.
"""

from __future__ import annotations

from collections.abc import Callable

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageUser

from patienthood.spec.errors import SpecError
from patienthood.spec.loader import LoadedFormat
from patienthood.spec.models import Demonstration, DemonstrationText
from patienthood.spec.vocabulary import DEMONSTRATION

# Renders a demonstration's question (with its options, if any) into the user's message.
RenderUser = Callable[[DemonstrationText], str]


def localised(demonstration: Demonstration, language: str, answer_format: LoadedFormat) -> DemonstrationText:
    """The demonstration as written in ``language`` (English is the entry itself).

    A missing translation is a content error naming the file: an English demonstration
    before a German question would teach the English answer words.
    """
    if language == "en":
        return DemonstrationText(question=demonstration.question, options=demonstration.options,
                                 answer=demonstration.answer)
    if language not in demonstration.translations:
        where = answer_format.demonstrations_file or "the demonstrations file"
        raise SpecError.single(where, f"the demonstration '{demonstration.question}' has no '{language}' translation, "
                               f"which a context of format '{answer_format.id}' asks in",
                               f"add 'translations: {{{language}: {{question: ..., answer: ...}}}}' to it")
    return demonstration.translations[language]


def demonstration_turns(answer_format: LoadedFormat, render_user: RenderUser, language: str = "en") -> list[ChatMessage]:
    """The format's demonstrations as user and assistant turns, in file order (none for a plain format).

    Each turn is marked in its metadata (never sent to the model), so that a report quoting
    the prompt can tell the worked exchanges from the question.
    """
    turns: list[ChatMessage] = []
    mark = {DEMONSTRATION: True}
    for demonstration in answer_format.demonstrations:
        text = localised(demonstration, language, answer_format)
        turns.append(ChatMessageUser(content=render_user(text), metadata=dict(mark)))
        turns.append(ChatMessageAssistant(content=text.answer, metadata=dict(mark)))
    return turns
