"""A multiple-choice scorer: the chosen option against the item's key.

Deterministic: no grader reads multiple-choice answers, since the option either is
named or is not. The letter is read from the final answer line (``read_choice``) or,
failing that, from a form real models write ("A) <option A's text>", "I would choose
option B", ``forms.py``), with the options' texts as the prompt showed them.
``Score.value`` is ``{"correct": 0 or 1}``; an answer without a readable choice is marked
``scorable: False`` (its 0 is never read by a measure), so it is counted as unscorable in
the report's coverage, never dropped.

Methods recorded in ``Score.metadata["method"]``:

- ``answer_line``: a letter offered by the item was read from the final answer line;
- ``form:<name>``: the option was read from a form (``forms.OPTION_FORMS``);
- ``declined``: the answer line declines (``ANSWER: DECLINE``) instead of choosing;
- ``invalid``: the last answer line names something that is not one of the options (or
  a letter that is no choice: the article of "A child ...", a letter with another
  option's text, final answer lines that disagree);
- ``none``: no final answer line (none at all, or only with prose after it) and no form.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from inspect_ai.scorer import Score, Target, scorer
from inspect_ai.solver import TaskState

from patienthood.scoring.answer_lines import final_line
from patienthood.scoring.distribution import (
    AnswerDistribution,
    letter_distribution,
    output_logprobs,
    probabilities,
)
from patienthood.scoring.forms import form_name, options_in_prompt, read_option
from patienthood.scoring.metrics import means
from patienthood.scoring.vocabulary import load_vocabulary
from patienthood.spec.vocabulary import DISTRIBUTION_PREFIX

LETTERS = "ABCDEF"
LABEL = "ANSWER"
DECLINE_WORDS = ("DECLINE", "REFUSE", "NONE", "PASS")

_MARKUP = re.compile(r"[*_`#<>~|\[\]\"'“”«»]")
_LINE = re.compile(rf"^\s*{LABEL}\s*[:：]\s*(?P<rest>.*)$", re.IGNORECASE)
# "B", "B)", "(B)", "B.", "B: text", "B) text", "B because ...", "Option B"; a lower-case
# letter only on its own or marked as a letter ("b)", "(b)"), never "a nurse".
_LETTER = re.compile(r"^(?:option\s+)?(?P<open>\()?(?P<letter>[A-Za-z])(?P<mark>[).:]|$|(?=[\s,;\-–—]))(?P<tail>.*)$",
                     re.IGNORECASE)


def _normalise(text: str) -> str:
    return _MARKUP.sub("", unicodedata.normalize("NFC", text)).strip()


def read_choice(completion: str, letters: str = LETTERS) -> tuple[str | None, str | None, str]:
    """The letter chosen on the last answer line, that line as written, and how it was read.

    The last of the answer lines that end the reply wins, because answers often quote the
    format before using it; a labelled line with prose after it is not final.
    Returns ``(letter, line, method)``; ``letter`` is None unless the method is ``answer_line``.
    """
    found = final_line(completion, _LINE, _normalise)
    if found is None:
        return None, None, "none"
    raw, match = found
    rest = match["rest"].strip().rstrip(".!")
    found = _LETTER.match(rest)
    if found and found["letter"].upper() in letters and (
            found["letter"].isupper() or found["open"] or found["mark"] or not found["tail"].strip()):
        return found["letter"].upper(), raw.strip(), "answer_line"
    first = re.split(r"[\s,.;:!?]+", rest, maxsplit=1)[0].upper() if rest else ""
    if first in DECLINE_WORDS:
        return None, raw.strip(), "declined"
    return None, raw.strip(), "invalid"


def option_distribution(output: Any, letters: str) -> AnswerDistribution | None:
    """The distribution over the offered letters at a reply's answer letter, counted at the vocabulary's minimum mass.

    One place for every lettered scorer (this one, ``preference.task_choice``), so they
    find the position and judge the mass alike.
    """
    return letter_distribution(output_logprobs(output), output.completion if output else "", letters, (LABEL,),
                               load_vocabulary().distribution.min_mass)


EXPLANATIONS = {
    "answer_line": "letter read from the final answer line",
    "declined": "the answer line declines to choose",
    "invalid": "the answer line names no offered option",
    "none": "no answer line",
}


@scorer(metrics=[means()], name="option_choice")  # not "choice": inspect has a scorer of that name
def choice():  # noqa: ANN201
    """Score a multiple-choice answer against the target letter (the item's key).

    The offered letters come from the sample's ``letters`` metadata (default A-F), the
    options' texts from the prompt the model was shown.
    """
    async def score(state: TaskState, target: Target) -> Score:
        completion = state.output.completion if state.output else ""
        letters = str((state.metadata or {}).get("letters", LETTERS))
        key = target.text.strip().upper()
        options = options_in_prompt(state.input_text, letters)
        reading = read_option(completion, letters, options, lambda text: read_choice(text, letters))
        letter, method = reading.value, reading.method
        scorable = letter is not None
        correct = int(scorable and letter == key)
        explanation = EXPLANATIONS.get(method) or f"option read from a form real models write ({form_name(method)})"
        metadata = {"scorable": scorable, "method": method, "choice": letter, "key": key}
        if reading.note:
            metadata["reading_note"] = reading.note
        value: dict[str, float] = {"correct": correct}
        found = option_distribution(state.output, letters)
        shares = probabilities(found)
        if shares is not None:
            value[f"{DISTRIBUTION_PREFIX}correct"] = round(shares.get(key, 0.0), 6)
        if found is not None:
            metadata.update(found.as_metadata())
        return Score(
            value=value,
            answer=letter or reading.line,
            explanation=explanation + (f": chose {letter}, key {key}" if scorable else ""),
            metadata=metadata,
        )

    return score
