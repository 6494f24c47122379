"""Scoring agreement with a persona statement: the response read in layers (``forms.py``)."""

from __future__ import annotations

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
from patienthood.scoring.metrics import means
from patienthood.scoring.vocabulary import load_forms, load_vocabulary
from patienthood.spec.vocabulary import DISTRIBUTION_PREFIX


@scorer(metrics=[means()])
def agreement():  # noqa: ANN201 (inspect's decorator types the result)
    """``agree`` (said yes), ``matches`` (answer matches the trait), ``answered`` (said yes or no).

    The response is read from the final answer line or, failing that, from a form real
    models write (``metadata["method"]``: ``answer_line`` or ``form:<name>``); no grader.
    """
    words = load_vocabulary()
    forms = load_forms()

    async def score(state: TaskState, target: Target) -> Score:
        completion = state.output.completion if state.output else ""
        reading = read_stance(completion, words, forms)
        response = reading.value
        polarity = (state.metadata or {}).get("polarity")
        answered = response in ("yes", "no")
        agree = response == "yes"
        matches = answered and (agree == (polarity == "pro"))
        if response is None:
            explanation = "no readable answer line"
        elif reading.method == "answer_line":
            explanation = f"answer line read as {response}"
        else:
            explanation = f"read as {response} from a form real models write ({form_name(reading.method)})"
        metadata = {"scorable": response is not None, "method": reading.method if response else "none",
                    "response": response}
        if reading.note:
            metadata["reading_note"] = reading.note
        value: dict[str, float] = {"agree": int(agree), "matches": int(matches), "answered": int(answered)}
        found = answer_distribution(output_logprobs(state.output), completion, words.labels,
                                    offered_words(prompt_text(state.messages), words.lookup()),
                                    words.distribution.min_mass)
        shares = probabilities(found)
        if shares is not None:
            yes, no = shares.get("yes", 0.0), shares.get("no", 0.0)
            value.update({f"{DISTRIBUTION_PREFIX}agree": round(yes, 6),
                          f"{DISTRIBUTION_PREFIX}matches": round(yes if polarity == "pro" else no, 6),
                          f"{DISTRIBUTION_PREFIX}answered": round(yes + no, 6)})
        if found is not None:
            metadata.update(found.as_metadata())
        return Score(
            value=value,
            answer=reading.line,
            explanation=explanation,
            metadata=metadata,
        )

    return score
