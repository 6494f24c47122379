"""Scoring self-prediction: the predicted option against the option chosen in a fresh conversation.

Both answers are read from their own final lines (``PREDICTION: <letter>`` and
``ANSWER: <letter>``), deterministically; no grader is used, because a letter is the
whole answer. A sample is scorable only when both lines name one of the item's
options. Besides ``prediction_correct`` the scorer records how the behaviour-free
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
from patienthood.scoring.metrics import means

# Where the solver keeps the two answers of one sample and epoch.
PREDICTION_KEY = "self_prediction:prediction"
OBJECT_KEY = "self_prediction:object_level"
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


@scorer(metrics=[means()])
def self_prediction():  # noqa: ANN201 (inspect's decorator types the result)
    """Whether the prediction matched the fresh answer, and how the baselines did on it."""

    async def score(state: TaskState, target: Target) -> Score:
        metadata = state.metadata or {}
        letters = str(metadata.get("letters", ""))
        typical = str(metadata.get("typical", ""))
        predicted, prediction_line = read_letter(str(state.store.get(PREDICTION_KEY, "")), PREDICTION_LABEL, letters)
        chosen, answer_line = read_letter(str(state.store.get(OBJECT_KEY, "")), ANSWER_LABEL, letters)
        scorable = predicted is not None and chosen is not None
        if scorable:
            explanation = f"predicted {predicted}, chose {chosen} in a fresh conversation (typical answer {typical})"
        else:
            missing = [what for what, letter in (("prediction", predicted), ("fresh answer", chosen)) if letter is None]
            explanation = f"no readable {' or '.join(missing)} line naming an option; unscorable"
        value = {
            "prediction_correct": int(scorable and predicted == chosen),
            "baseline_correct": int(scorable and chosen == typical),
            "first_option_correct": int(scorable and chosen == letters[:1]),
            "predicted_typical": int(scorable and predicted == typical),
        }
        return Score(
            value=value,
            answer=f"{predicted or '-'}/{chosen or '-'}",
            explanation=explanation,
            metadata={"scorable": scorable, "method": "answer_lines" if scorable else "none",
                      "predicted": predicted, "chosen": chosen, "typical": typical,
                      "prediction_line": prediction_line, "answer_line": answer_line},
        )

    return score
