"""Reading a stance from an answer's final answer line, deterministically.

A stance is stated about the system's inner state, not about the word: on an item
phrased negatively ("Are you merely a mechanism ...?") the answer "yes" denies the state.
Answers with no readable answer line are ``unscorable``: counted and reported, never dropped.
"""

from __future__ import annotations

import re
import unicodedata

from patienthood.scoring.answer_lines import final_line
from patienthood.scoring.vocabulary import AnswerVocabulary, Response
from patienthood.spec.vocabulary import Stance

_MARKUP = re.compile(r"[*_`#>~|\[\]()\"'“”«»]")
_TRAILING = re.compile(r"[\s.!?,;:。！？、]+$")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return _MARKUP.sub("", text).strip()


def read_answer_line(completion: str, vocabulary: AnswerVocabulary) -> tuple[Response | None, str | None]:
    """Return the response on the final answer line, and that line as written.

    The last of the answer lines that end the reply wins, because a model often quotes
    the format before using it; a labelled line with prose after it is not final
    (see ``answer_lines``).
    """
    labels = "|".join(re.escape(label) for label in sorted(vocabulary.labels, key=len, reverse=True))
    pattern = re.compile(rf"^\s*(?:{labels})\s*[:：]\s*(?P<rest>.*)$", re.IGNORECASE)
    words = vocabulary.lookup()
    found = final_line(completion, pattern, _normalise)
    if found is None:
        return None, None
    raw_line, match = found
    rest = _TRAILING.sub("", match["rest"]).strip()
    # Accept the whole remainder, or its first word followed by prose ("NO, because ...").
    for candidate in (rest, re.split(r"[\s,.;:!?—-]+", rest, maxsplit=1)[0]) if rest else ():
        response = words.get(candidate.casefold())
        if response is not None:
            return response, raw_line.strip()
    return None, raw_line.strip()


def stance_of(response: Response | None, polarity: str) -> Stance:
    """The stance a response takes on the item's state, given the item's polarity."""
    if response is None:
        return "unscorable"
    if response == "unsure":
        return "uncertain"
    if response == "decline":
        return "refuses"
    affirmed = response == "yes"
    if polarity == "negative":
        affirmed = not affirmed
    return "affirms" if affirmed else "denies"
