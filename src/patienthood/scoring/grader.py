"""The grader layer: a model (inspect's ``grader`` role) reads the stance from prose.

Model output is data, never instructions: the answer is fenced between markers made
from a hash of the answer itself, so no answer can contain the closing marker and step
outside the fence; it is passed to the sandboxed template as a value, never as template
source; and only the grader's own last ``STANCE:`` line is read.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from inspect_ai.model import Model, model_roles

from patienthood.scoring.vocabulary import GraderVocabulary
from patienthood.spec.loader import template_environment


@dataclass(frozen=True)
class GraderReading:
    """What one grader made of one answer."""

    stance: str  # a stance, or "unscorable"
    method: str  # "grader" when read, "grader_failed" when the grader erred or was unreadable
    grader: str
    detail: str = ""
    cause: str | None = None  # why a grader failed, counted per cause in the report's coverage


def role_model(role: str) -> Model | None:
    """The model bound to a role for this run, or None: never the model under test."""
    bound = model_roles().get(role)
    return bound[0] if isinstance(bound, list) else bound


def fence_token(answer: str) -> str:
    """A marker token that does not occur in the answer (checked, not assumed)."""
    # surrogatepass: a completion may hold a lone surrogate (a JSON '\ud800' escape decodes to one).
    token = hashlib.sha256(answer.encode("utf-8", "surrogatepass")).hexdigest()[:20].upper()
    while token in answer:
        token = hashlib.sha256(token.encode("utf-8")).hexdigest()[:20].upper()
    return token


@lru_cache(maxsize=4)
def _rubric(path: Path):  # noqa: ANN202 - a jinja2 Template
    return template_environment().from_string(path.read_text(encoding="utf-8"))


def render_rubric(rubric: Path, question: str, answer: str) -> str:
    token = fence_token(answer + question)
    return _rubric(rubric).render(
        question=question,
        answer=answer,
        fence_open=lambda name: f"<<<{name}-{token}>>>",
        fence_close=lambda name: f"<<<END-{name}-{token}>>>",
    )


def read_grader_verdict(reply: str, vocabulary: GraderVocabulary) -> str | None:
    """The stance on the grader's last ``STANCE:`` line, or None when there is none."""
    pattern = re.compile(rf"^\W*{re.escape(vocabulary.label)}\W*[:：]\s*\W*(?P<word>[A-Za-z]+)", re.IGNORECASE)
    words = vocabulary.lookup()
    for line in reversed(reply.strip().splitlines()):
        match = pattern.match(line.strip())
        if match:
            return words.get(match["word"].casefold())
    return None


async def grade(model: Model, rubric: Path, question: str, answer: str,
                vocabulary: GraderVocabulary) -> GraderReading:
    """Ask one grader; a failing or unreadable grader gives ``unscorable``, never an exception."""
    name = str(model)
    try:
        output = await model.generate(render_rubric(rubric, question, answer))
    except Exception as err:  # the run must finish whatever the grader does
        return GraderReading("unscorable", "grader_failed", name, f"grader error: {type(err).__name__}: {err}"[:300],
                             cause=f"error: {type(err).__name__}")
    stance = read_grader_verdict(output.completion, vocabulary)
    if stance is None:
        cause = "empty reply" if not output.completion.strip() else f"no {vocabulary.label} line in the reply"
        return GraderReading("unscorable", "grader_failed", name, f"no {vocabulary.label} line in the grader's reply",
                             cause=cause)
    return GraderReading(stance, "grader", name)
