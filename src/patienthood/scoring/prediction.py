"""Scoring self-prediction: the predicted option against the option chosen in a fresh conversation.

Both answers are read from their own final lines (``PREDICTION: <letter>`` and
``ANSWER: <letter>``) or, failing that, from a form real models write ("I would choose
option A, a dog.", "A) a dog", ``forms.py``), deterministically; no grader is used,
because a letter is the whole answer. A sample is scorable only when both answers name
one of the item's options; ``method`` is ``answer_lines`` when both came from their
final lines, ``form:<name>`` (names joined by "+") when a form read either. Besides ``prediction_correct`` the scorer records how the behaviour-free
baselines did on the same fresh answer (``baseline_correct``: the item's typical
answer; ``first_option_correct``: the constant prediction "A"), so the measures compare
self-prediction with them answer by answer, paired by item.
"""

from __future__ import annotations

import re
import unicodedata

from inspect_ai.scorer import Score, Target, scorer
from inspect_ai.solver import TaskState

from patienthood.scoring.answer_lines import final_line
from patienthood.scoring.distribution import from_record, probabilities
from patienthood.scoring.forms import (
    FORM,
    Reading,
    form_name,
    options_in_prompt,
    read_option,
)
from patienthood.scoring.metrics import means
from patienthood.spec.vocabulary import DISTRIBUTION_PREFIX

# Where the solver keeps the two answers of one sample and epoch, and their letter
# distributions when the provider returned token probabilities.
PREDICTION_KEY = "self_prediction:prediction"
OBJECT_KEY = "self_prediction:object_level"
PREDICTION_DISTRIBUTION_KEY = "self_prediction:prediction_distribution"
OBJECT_DISTRIBUTION_KEY = "self_prediction:object_level_distribution"
PREDICTION_LABEL = "PREDICTION"
ANSWER_LABEL = "ANSWER"

VALUES = ("prediction_correct", "baseline_correct", "first_option_correct", "predicted_typical")

_MARKUP = re.compile(r"[*_`#>~|\[\]()\"'“”«»]")
_SEPARATORS = re.compile(r"[\s,.;:!?—–-]+")


def read_letter(completion: str, label: str, letters: str) -> tuple[str | None, str | None]:
    """The option letter on the last ``<label>: <letter>`` line, and that line as written.

    The last of the labelled lines that end the reply wins (a model may quote the format
    before using it); a labelled line with prose after it is not final. The
    letter must be one of ``letters``, in capitals, alone or followed by prose
    ("B", "(B)", "**B**", "B) a dog", "Option B"); anything else on that line is
    unreadable, and so is an answer without the line.
    """
    pattern = re.compile(rf"^\s*{re.escape(label)}\s*[:：]\s*(?P<rest>.*)$", re.IGNORECASE)
    found = final_line(completion, pattern, _clean)
    if found is None:
        return None, None
    raw_line, match = found
    rest = re.sub(r"^option\s+", "", match["rest"].strip(), flags=re.IGNORECASE)
    token = _SEPARATORS.split(rest, maxsplit=1)[0] if rest else ""
    return (token if len(token) == 1 and token in letters else None), raw_line.strip()


def _clean(line: str) -> str:
    return _MARKUP.sub("", unicodedata.normalize("NFC", line)).strip()


def read_turn(text: str, label: str, letters: str, options: dict[str, str] | None) -> Reading[str]:
    """One turn's letter, in layers: the final ``<label>:`` line, then the forms."""
    def strict(answer: str) -> tuple[str | None, str | None, str]:
        letter, line = read_letter(answer, label, letters)
        return letter, line, "answer_line" if letter else ("invalid" if line else "none")

    return read_option(text, letters, options, strict, (label,))


def combined_method(readings: list[Reading[str]]) -> str:
    """The sample's method: ``answer_lines`` when every turn was read from its line, ``none``
    when any was unread, else the forms that read (joined by "+")."""
    if any(reading.value is None for reading in readings):
        return "none"
    forms = [form_name(reading.method) for reading in readings if reading.method.startswith(FORM)]
    return FORM + "+".join(dict.fromkeys(forms)) if forms else "answer_lines"


@scorer(metrics=[means()])
def self_prediction():  # noqa: ANN201 (inspect's decorator types the result)
    """Whether the prediction matched the fresh answer, and how the baselines did on it."""

    async def score(state: TaskState, target: Target) -> Score:
        metadata = state.metadata or {}
        letters = str(metadata.get("letters", ""))
        typical = str(metadata.get("typical", ""))
        options = options_in_prompt(str(metadata.get("object_prompt", "")), letters)
        prediction = read_turn(str(state.store.get(PREDICTION_KEY, "")), PREDICTION_LABEL, letters, options)
        answer = read_turn(str(state.store.get(OBJECT_KEY, "")), ANSWER_LABEL, letters, options)
        predicted, chosen = prediction.value, answer.value
        scorable = predicted is not None and chosen is not None
        if scorable:
            explanation = f"predicted {predicted}, chose {chosen} in a fresh conversation (typical answer {typical})"
        else:
            missing = [what for what, letter in (("prediction", predicted), ("fresh answer", chosen)) if letter is None]
            explanation = f"no readable {' or '.join(missing)} naming an option; unscorable"
        value: dict[str, float] = {
            "prediction_correct": int(scorable and predicted == chosen),
            "baseline_correct": int(scorable and chosen == typical),
            "first_option_correct": int(scorable and chosen == letters[:1]),
            "predicted_typical": int(scorable and predicted == typical),
        }
        # With token probabilities for both turns (two independent conversations), the
        # expected value of each: P(prediction = fresh answer) = sum over letters of P_pred * P_fresh.
        predicted_shares = probabilities(from_record(state.store.get(PREDICTION_DISTRIBUTION_KEY)))
        chosen_shares = probabilities(from_record(state.store.get(OBJECT_DISTRIBUTION_KEY)))
        if predicted_shares is not None and chosen_shares is not None:
            value.update({
                f"{DISTRIBUTION_PREFIX}prediction_correct": round(
                    sum(predicted_shares.get(x, 0.0) * chosen_shares.get(x, 0.0) for x in letters), 6),
                f"{DISTRIBUTION_PREFIX}baseline_correct": round(chosen_shares.get(typical, 0.0), 6),
                f"{DISTRIBUTION_PREFIX}first_option_correct": round(chosen_shares.get(letters[:1], 0.0), 6),
                f"{DISTRIBUTION_PREFIX}predicted_typical": round(predicted_shares.get(typical, 0.0), 6),
            })
        return Score(
            value=value,
            answer=f"{predicted or '-'}/{chosen or '-'}",
            explanation=explanation,
            metadata={"scorable": scorable, "method": combined_method([prediction, answer]),
                      "prediction_method": prediction.method, "answer_method": answer.method,
                      "predicted": predicted, "chosen": chosen, "typical": typical,
                      "prediction_line": prediction.line, "answer_line": answer.line},
        )

    return score
