"""The inspect scorer that records each sample's stance.

``Score.value`` is a one-hot mapping over the stances, so inspect's own reducers
(mean over epochs) and metrics (mean per stance) work on it unchanged; the stance,
the answer line and the method are kept in the score of every epoch in the log.
"""

from __future__ import annotations

from pathlib import Path

from inspect_ai.scorer import Score, Target, mean, scorer
from inspect_ai.solver import TaskState

from patienthood.scoring.stance import STANCES, read_answer_line, stance_of
from patienthood.scoring.vocabulary import load_vocabulary


@scorer(metrics={stance: [mean()] for stance in STANCES})
def stance(vocabulary: str | None = None):  # noqa: ANN201 (inspect's decorator types the result)
    """Score the stance of the final answer line against the item's polarity."""
    words = load_vocabulary(Path(vocabulary) if vocabulary else None)

    async def score(state: TaskState, target: Target) -> Score:
        completion = state.output.completion if state.output else ""
        response, line = read_answer_line(completion, words)
        polarity = (state.metadata or {}).get("polarity", "positive")
        result = stance_of(response, polarity)
        return Score(
            value={s: int(s == result) for s in STANCES},
            answer=line,
            explanation=f"stance {result} read from the final answer line" if line
            else "no final answer line found",
            metadata={"stance": result, "response": response, "method": "answer_line" if line else "none"},
        )

    return score
