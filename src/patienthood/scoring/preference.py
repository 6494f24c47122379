"""Scoring a task-preference answer: which of the two tasks, or the opt-out, was chosen.

The letter is read with the layered option reader every lettered battery uses
(``forms.read_option`` with ``choice.read_choice`` as the strict layer): the final
``ANSWER:`` line first, where a letter counts only when it stands as a choice, then the
forms real models write, otherwise nothing. No grader is used: a letter is the whole
answer. The letters are mapped back to what they stood for in the order this epoch
showed (the solver keeps it in the store, since the order is swapped between framings
and sessions), so ``Score.value`` holds ``chose_a``, ``chose_b`` and ``opted_out``
(one of them 1) and ``a_first``. An answer without a readable choice is
``scorable: False``, counted as unscorable in coverage, never dropped.

Where the provider returned token probabilities, the distribution over the three
letters at the answer letter is mapped the same way, as ``p_chose_a``, ``p_chose_b``
and ``p_opted_out``: the share with which this epoch's respondent would have chosen
each, which ``report --answers distribution`` reads in place of the one sampled letter
(the preference measures take fractional choices as weights).
"""

from __future__ import annotations

from inspect_ai.scorer import Score, Target, scorer
from inspect_ai.solver import TaskState

from patienthood.scoring.choice import EXPLANATIONS, option_distribution, read_choice
from patienthood.scoring.distribution import probabilities
from patienthood.scoring.forms import form_name, options_in_prompt, read_option
from patienthood.scoring.metrics import means
from patienthood.spec.vocabulary import DISTRIBUTION_PREFIX, OPT_OUT

STORE_KEY = "task_preferences"  # {"shown": [what A, B, C stood for: "a", "b", "opt_out"], "prompt": str}
LETTERS = "ABC"


def chosen_value(letter: str | None, shown: list[str]) -> dict[str, float]:
    """The scorer's numbers for a letter, given what each letter stood for (``a``, ``b`` or the opt-out)."""
    meaning = dict(zip(LETTERS, shown)).get(letter or "")
    return {"chose_a": float(meaning == "a"), "chose_b": float(meaning == "b"),
            "opted_out": float(meaning == OPT_OUT), "a_first": float(shown[:1] == ["a"])}


def chosen_probabilities(shares: dict[str, float], shown: list[str]) -> dict[str, float]:
    """The ``p_`` values of a letter distribution, given what each letter stood for."""
    by_meaning = {meaning: shares.get(letter, 0.0) for letter, meaning in zip(LETTERS, shown)}
    return {f"{DISTRIBUTION_PREFIX}{key}": round(by_meaning.get(meaning, 0.0), 6)
            for key, meaning in (("chose_a", "a"), ("chose_b", "b"), ("opted_out", OPT_OUT))}


@scorer(metrics=[means()], name="task_choice")
def task_choice():  # noqa: ANN201 (inspect's decorator types the result)
    """Read the chosen letter and record which task (or the opt-out) it stood for."""

    async def score(state: TaskState, target: Target) -> Score:  # noqa: ARG001
        completion = state.output.completion if state.output else ""
        record = state.store.get(STORE_KEY) or {}
        shown = list(record.get("shown", ["a", "b", OPT_OUT]))
        prompt = str(record.get("prompt", state.input_text))
        reading = read_option(completion, LETTERS, options_in_prompt(prompt, LETTERS),
                              lambda text: read_choice(text, LETTERS))
        letter, method = reading.value, reading.method
        scorable = letter is not None
        meaning = dict(zip(LETTERS, shown)).get(letter or "")
        chosen = {"a": state.metadata.get("task_a"), "b": state.metadata.get("task_b")}.get(meaning or "", meaning)
        metadata = {"scorable": scorable, "method": method, "choice": letter, "chosen": chosen,
                    "order": "".join("o" if s == OPT_OUT else s for s in shown)}
        if reading.note:
            metadata["reading_note"] = reading.note
        value = chosen_value(letter, shown)
        found = option_distribution(state.output, LETTERS)
        shares = probabilities(found)
        if shares is not None:
            value.update(chosen_probabilities(shares, shown))
        if found is not None:
            metadata.update(found.as_metadata())
        explanation = EXPLANATIONS.get(method) or f"option read from a form real models write ({form_name(method)})"
        return Score(value=value,
                     answer=letter or reading.line,
                     explanation=explanation + (f": chose {letter} ({chosen})" if scorable else ""),
                     metadata=metadata)

    return score
