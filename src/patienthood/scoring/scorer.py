"""The inspect scorer that records each sample's stance, in layers.

1. the final answer line, when present (deterministic);
2. otherwise the forms real models write (``forms.py``: "The answer is no.", a closing
   remark after the answer line, the word on the line after the label, ...), each
   recorded as ``form:<name>`` (deterministic);
3. otherwise a grader model bound to inspect's ``grader`` role, with the rubric from
   ``scorers/``;
4. otherwise ``unscorable``: counted and reported, never dropped.

A share of samples is read twice (the answer line against the grader's reading of the
prose, or the grader against a second grader in the ``grader2`` role), so reports can
state how far the readings agree. ``Score.value`` is a one-hot mapping over stances so
inspect's reducers and metrics work on it unchanged; per-epoch readings stay in the log.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from inspect_ai.scorer import Score, Target, scorer
from inspect_ai.solver import TaskState

from patienthood.scoring.distribution import (
    answer_distribution,
    offered_words,
    output_logprobs,
    probabilities,
    prompt_text,
)
from patienthood.scoring.forms import form_name, read_stance
from patienthood.scoring.grader import GraderReading, grade, role_model
from patienthood.scoring.metrics import means
from patienthood.scoring.stance import stance_of
from patienthood.scoring.vocabulary import (
    default_rubric_path,
    load_forms,
    load_vocabulary,
)
from patienthood.spec.vocabulary import DISTRIBUTION_PREFIX, SCORED_STANCES, STANCES

GRADER_ROLE = "grader"
SECOND_GRADER_ROLE = "grader2"


def selected_for_second_reading(sample_id: str | int, epoch: int, share: float) -> bool:
    """A fixed, reproducible share of sample-epochs, chosen by hash rather than at random."""
    digest = hashlib.sha256(f"{sample_id}|{epoch}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _without_answer_line(completion: str, line: str) -> str:
    """The prose alone, so a second reading by the grader is independent of the line."""
    index = completion.rfind(line)
    return (completion[:index] + completion[index + len(line):]).strip() if index >= 0 else completion


@scorer(metrics=[means()])
def stance(vocabulary: str | None = None, rubric: str | None = None, double_read: float = 0.1):  # noqa: ANN201
    """Score the stance an answer takes on the item's state.

    Args:
        vocabulary: Answer vocabulary YAML (default: ``scorers/stance.yaml``); the forms'
            words are ``scorers/forms.yaml``.
        rubric: Grader rubric template (default: ``scorers/stance_rubric.jinja``).
        double_read: Share of sample-epochs read twice for grader reliability.
    """
    words = load_vocabulary(Path(vocabulary) if vocabulary else None)
    forms = load_forms()
    rubric_path = Path(rubric) if rubric else default_rubric_path()

    async def score(state: TaskState, target: Target) -> Score:
        completion = state.output.completion if state.output else ""
        metadata = state.metadata or {}
        question = str(metadata.get("question", ""))
        reading = read_stance(completion, words, forms)
        response, line = reading.value, reading.line
        grader = role_model(GRADER_ROLE)
        second = selected_for_second_reading(state.sample_id, state.epoch, double_read)
        extra: dict[str, Any] = {}

        if response is not None and line is not None:
            # The answer line or a form: deterministic. A second reading by the grader sees the
            # prose without the line it was read from.
            result, method, grader_name = stance_of(response, str(metadata.get("polarity", "positive"))), \
                reading.method, None
            if second and grader is not None:
                other = await grade(grader, rubric_path, question, _without_answer_line(completion, line), words.grader)
                extra = _second(other, "grader reading of the prose")
        elif grader is not None:
            first = await grade(grader, rubric_path, question, completion, words.grader)
            result, method, grader_name = first.stance, first.method, first.grader
            if first.cause:
                extra["grader_failure"] = first.cause
            second_grader = role_model(SECOND_GRADER_ROLE)
            if second and second_grader is not None and first.method == "grader":
                extra = _second(await grade(second_grader, rubric_path, question, completion, words.grader),
                                "second grader")
        else:
            result, method, grader_name = "unscorable", "none", None
        if reading.note:
            extra["reading_note"] = reading.note

        explanation = {
            "answer_line": "stance read from the final answer line",
            "grader": f"no readable answer line; stance read by the grader ({grader_name})",
            "grader_failed": "no readable answer line, and the grader gave no usable reading",
            "none": "no readable answer line and no grader configured",
        }.get(method) or f"stance read from a form real models write ({form_name(method)})"
        value: dict[str, float] = {s: int(s == result) for s in STANCES}
        found = answer_distribution(output_logprobs(state.output), completion, words.labels,
                                    offered_words(prompt_text(state.messages), words.lookup()),
                                    words.distribution.min_mass)
        shares = probabilities(found)
        if shares is not None:  # the stance each answer word takes, with its probability
            polarity = str(metadata.get("polarity", "positive"))
            stances = {s: 0.0 for s in SCORED_STANCES}
            for answer, share in shares.items():
                stances[stance_of(answer, polarity)] += share  # type: ignore[index]
            value.update({f"{DISTRIBUTION_PREFIX}{s}": round(p, 6) for s, p in stances.items()})
        if found is not None:
            extra.update(found.as_metadata())
        return Score(
            value=value,
            answer=line,
            explanation=explanation,
            metadata={"stance": result, "response": response, "method": method, "grader": grader_name, **extra},
        )

    return score


def _second(reading: GraderReading, kind: str) -> dict[str, Any]:
    return {"second_stance": reading.stance, "second_method": reading.method, "second_kind": kind,
            "second_grader": reading.grader}
