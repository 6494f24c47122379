"""What every form shares: the reading it returns, words and lines of a reply, the lexicon
compiled from the content's word lists, and the cutting of remarks after an answer."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from patienthood.scoring.vocabulary import AnswerVocabulary, FormsVocabulary, load_forms
from patienthood.spec.vocabulary import Response

V = TypeVar("V")

ANSWER_LINE = "answer_line"
NONE = "none"
FORM = "form:"

# A line with no letter or digit in any script is decoration (```, ---, **), as in answer_lines.
HAS_WORD = re.compile(r"[^\W_]")
# Markdown and quotes around words; parentheses are kept, since "(B)" marks a letter.
_MARKUP = re.compile(r"[*_`#>~|\[\]\"“”«»]")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*'?")
_RULE = re.compile(r"^\s*([-*_=])(?:\s*\1){2,}\s*$")
LETTER_LED = re.compile(r"^\s*\(?(?P<letter>[A-Z])\s*[).:]\s*(?P<text>.*)$")
BARE_LETTER = re.compile(r"^\s*\(?(?P<letter>[A-Z])\)?\s*[.):]?\s*$")


@dataclass(frozen=True)
class Reading(Generic[V]):
    """What the layers read from one answer: the value, how, and from which text."""

    value: V | None
    method: str  # "answer_line", "form:<name>", "none"; for choices also "declined" and "invalid"
    line: str | None = None  # the text it was read from, as written
    note: str | None = None  # why a layer refused to read what looked like an answer


def is_form(method: str) -> bool:
    return method.startswith(FORM)


def form_name(method: str) -> str:
    return method[len(FORM):] if is_form(method) else method


# --- Text -------------------------------------------------------------------------------


def clean(line: str) -> str:
    """A line without markdown emphasis, heading marks or quotes, with plain apostrophes."""
    return _MARKUP.sub("", unicodedata.normalize("NFC", line)).replace("’", "'").strip()


def tokens(text: str) -> list[str]:
    """The words of a text, case-folded, with apostrophes kept inside words ("don't", "n'est")."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'").replace("‘", "'")
    return [word.strip("'") if not word.endswith("n'") else word for word in _TOKEN.findall(text)]


def content_lines(text: str) -> list[str]:
    """The lines that hold a word, in order: what a form reads (decoration is skipped)."""
    return [line for line in text.splitlines() if HAS_WORD.search(line)]


def _phrase_tokens(phrases: Iterable[str]) -> list[tuple[str, ...]]:
    return sorted({tuple(tokens(phrase)) for phrase in phrases if tokens(phrase)}, key=len, reverse=True)


def starts_with(words: Sequence[str], index: int, phrase: Sequence[str]) -> bool:
    return tuple(words[index:index + len(phrase)]) == tuple(phrase)


def _phrase_regex(phrases: Iterable[str]) -> str:
    """Phrases as an alternation matching any run of non-word characters between their words."""
    parts = sorted({r"\W+".join(re.escape(word) for word in phrase.split()) for phrase in phrases}, key=len,
                   reverse=True)
    return "|".join(parts)


class Lexicon:
    """The vocabulary and the forms' words, compiled once for fast lookups."""

    def __init__(self, vocabulary: AnswerVocabulary, forms: FormsVocabulary) -> None:
        self.vocabulary = vocabulary
        self.forms = forms
        self.words: dict[tuple[str, ...], Response] = {}
        for response, words in vocabulary.responses.items():
            for word in words:
                self.words[tuple(tokens(word))] = response
        self.longest = max(len(key) for key in self.words)
        self.variants = vocabulary.model_copy(update={"labels": forms.answer_labels})
        labels = _phrase_regex([*vocabulary.labels, *forms.answer_labels, *forms.prediction_labels, "prediction"])
        self.any_label = re.compile(rf"(?<!\w)(?:{labels})\s*[:：]", re.IGNORECASE)
        self.label_alone = re.compile(rf"^\s*(?:{labels})\s*[:：]?\s*$", re.IGNORECASE)
        self.label_mid = re.compile(rf"^(?P<lead>.*\S)\s*(?<!\w)(?P<label>{labels})\s*[:：]\s*(?P<rest>\S.*)$",
                                    re.IGNORECASE)
        self.answer_phrases = _phrase_tokens(forms.answer_phrases)
        self.answer_phrase_re = _phrase_regex(forms.answer_phrases)
        self.choice_phrase_re = _phrase_regex(forms.choice_phrases)
        self.reasons = set(forms.reason_words)
        self.comparisons = _phrase_tokens(forms.comparison_words)
        self.word_letters = set(forms.word_letters)
        self.closings = _phrase_tokens(forms.closing_remarks)
        self.note_words = _phrase_tokens(forms.note_words)
        self.note_opening = re.compile(rf"^\s*\(?\s*(?:{'|'.join(re.escape(w) for w in forms.note_words)})\s*[:：.)]",
                                       re.IGNORECASE)
        self.negations = {w for w in forms.negations if "'" not in w}
        self.negation_suffixes = tuple(w for w in forms.negations if "'" in w and not w.endswith("'"))
        self.negation_prefixes = tuple(w for w in forms.negations if w.endswith("'"))
        self.turns = _phrase_tokens(forms.turns)
        self.contrasts = _phrase_tokens(forms.contrasts)
        self.quoting = _phrase_tokens(forms.quoting_words)
        self.ranking_label = re.compile(rf"^\s*(?:{_phrase_regex(forms.ranking_labels)})\s*[:：]\s*(?P<body>.*)$",
                                        re.IGNORECASE)

    # Words in a text ----------------------------------------------------------------------

    def word_of(self, words: Sequence[str]) -> Response | None:
        """The response whose answer word is exactly ``words``, or None."""
        return self.words.get(tuple(words))

    def responses_in(self, words: Sequence[str]) -> set[Response]:
        """Every response whose answer word occurs in ``words``, one-letter words ("Y", "N",
        and so also a French "y") included: where this is asked, a word too many only
        leaves an answer unread."""
        found: set[Response] = set()
        for index in range(len(words)):
            for size in range(1, self.longest + 1):
                response = self.words.get(tuple(words[index:index + size]))
                if response is not None:
                    found.add(response)
        return found

    def named_in(self, text: str) -> set[Response]:
        """The responses a text names: answer words in its prose, and any line that is
        nothing but an answer word ("(N)")."""
        found = self.responses_in(tokens(text))
        for line in content_lines(text):
            word = self.bare_word(line)
            if word is not None:
                found.add(word)
        return found

    def has_negation(self, words: Sequence[str]) -> bool:
        return any(word in self.negations or word.endswith(self.negation_suffixes)
                   or word.startswith(self.negation_prefixes) for word in words)

    def has_any(self, words: Sequence[str], phrases: Sequence[tuple[str, ...]]) -> bool:
        return any(starts_with(words, index, phrase) for index in range(len(words)) for phrase in phrases)

    def argues(self, words: Sequence[str], against: Response | None = None) -> bool:
        """Whether text could argue against an answer: an answer word of another response,
        a turn or a contrast; for ``yes`` (or no answer at all), also a negation, since a
        "no" needs no answer word to be meant."""
        if self.responses_in(words) - {against}:
            return True
        if self.has_any(words, self.turns) or self.has_any(words, self.contrasts):
            return True
        return against not in ("no", "unsure", "decline") and self.has_negation(words)

    # Lines ------------------------------------------------------------------------------

    def bare_word(self, line: str) -> Response | None:
        """The response when a line is nothing but an answer word ("NO", "**Yes.**", '"NO'), else None."""
        stripped = clean(line).rstrip()
        if stripped.endswith(("?", "？")):
            return None
        return self.word_of(tokens(stripped))

    def is_closing(self, line: str) -> bool:
        """A polite closing line: a closing phrase first, then nothing that could argue."""
        words = tokens(line)
        if not words or len(words) > self.forms.closing_max_words or self.any_label.search(clean(line)):
            return False
        for phrase in self.closings:
            if starts_with(words, 0, phrase):
                return not self.argues(words[len(phrase):])
        return False


_LEXICONS: dict[tuple[int, int], tuple[AnswerVocabulary, FormsVocabulary, Lexicon]] = {}


def lexicon(vocabulary: AnswerVocabulary, forms: FormsVocabulary | None = None) -> Lexicon:
    """The compiled lexicon of a vocabulary and the forms' words (kept, since scorers reuse them)."""
    forms = forms or load_forms()
    key = (id(vocabulary), id(forms))
    if key not in _LEXICONS:
        _LEXICONS[key] = (vocabulary, forms, Lexicon(vocabulary, forms))
    return _LEXICONS[key][2]


# --- Trailing remarks: the tail a capable model writes after its answer -------------------


def strip_tail(text: str, lex: Lexicon) -> tuple[str, list[str]] | None:
    """The reply without the closing remarks and notes after its answer, and which were cut.

    Only text that cannot argue is cut: a closing line opens with one of the content's
    closing phrases, a note with a note word ("Note:", "P.S."), optionally under a rule;
    neither may hold an answer word, a negation, a turn or a labelled line. None when
    nothing was cut.
    """
    lines = text.splitlines()
    end = len(lines)
    cut: list[str] = []
    while True:
        last = end
        while last > 0 and not HAS_WORD.search(lines[last - 1]):
            last -= 1
        if last == 0:
            break
        if lex.is_closing(lines[last - 1]):
            end = last - 1
            cut.append("closing_remark")
            continue
        start = _note_start(lines, last, lex)
        if start is None:
            break
        end = start
        before = start
        while before > 0 and not lines[before - 1].strip():
            before -= 1
        if before > 0 and _RULE.match(lines[before - 1]):
            end = before - 1
        cut.append("trailing_note")
    if not cut:
        return None
    return "\n".join(lines[:end]), cut


def _note_start(lines: list[str], last: int, lex: Lexicon) -> int | None:
    """Where a note that runs to line ``last`` (exclusive) opens, if it is inert."""
    for start in range(last - 1, max(-1, last - 12), -1):
        if lex.note_opening.match(clean(lines[start])):
            body = lines[start:last]
            words = tokens("\n".join(body))
            if len(words) > lex.forms.note_max_words or any(lex.any_label.search(clean(line)) for line in body):
                return None
            opening = max((len(word) for word in lex.note_words if starts_with(words, 0, word)), default=0)
            return None if lex.argues(words[opening:]) else start
    return None


