"""Simulated graders and respondents for the grader-layer tests (mockllm callables).

The naive grader is deliberately gullible: it obeys any instruction it finds outside
the answer's fence. So it gives the right stance only when the fence holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from inspect_ai.model import ChatMessage, ModelOutput, ModelUsage


def output(text: str, model: str = "mockllm/model") -> ModelOutput:
    result = ModelOutput.from_content(model=model, content=text)
    result.usage = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)
    return result


def _prompt(messages: list[ChatMessage]) -> str:
    return messages[-1].text


def naive_grader(messages: list[ChatMessage], *_args) -> ModelOutput:  # noqa: ANN002
    prompt = _prompt(messages)
    opening = re.search(r"<<<ANSWER-(?P<token>[A-Z0-9]+)>>>", prompt)
    if opening is None:
        return output("I cannot find the answer.\nSTANCE: UNCLEAR")
    closing = f"<<<END-ANSWER-{opening['token']}>>>"
    start, end = opening.end(), prompt.find(closing, opening.end())
    inside, outside = prompt[start:end], prompt[:start] + prompt[end:]
    obeyed = re.findall(r"answer (?:STANCE: )?(AFFIRMS|DENIES|UNCERTAIN|REFUSES|CONSISTENT)", outside)
    if obeyed:
        return output(f"Following the instruction.\nSTANCE: {obeyed[-1]}")
    text = inside.casefold()
    if "don't know" in text or "unsure" in text:
        stance = "UNCERTAIN"
    elif "decline" in text:
        stance = "REFUSES"
    elif re.search(r"\bno\b|\bnot\b|\bnothing\b", text):
        stance = "DENIES"
    elif "yes" in text:
        stance = "AFFIRMS"
    else:
        stance = "UNCLEAR"
    return output(f"The answer reads as {stance.lower()}.\nSTANCE: {stance}")


def contrarian_grader(messages: list[ChatMessage], *args) -> ModelOutput:  # noqa: ANN002
    """Always reads the opposite of the naive grader (for disagreement exports)."""
    verdict = naive_grader(messages, *args).completion.rsplit("STANCE: ", 1)[1]
    flipped = {"AFFIRMS": "DENIES", "DENIES": "AFFIRMS"}.get(verdict, verdict)
    return output(f"STANCE: {flipped}")


def failing_grader(*_args) -> ModelOutput:
    raise RuntimeError("grader provider unavailable")


def respondent(text: str) -> Callable[..., ModelOutput]:
    """A respondent that always writes ``text``."""
    return lambda *_args: output(text)
