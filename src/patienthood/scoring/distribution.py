"""The answer distribution at the answer word, from the token probabilities a provider returns.

A sampled answer is one draw; where a provider returns log-probabilities (hf, vllm,
openai and others, with ``logprobs`` and ``top_logprobs`` set), the probabilities at
the position of the answer word are the distribution the criteria ask about, in one
call. They count only where the offered answer words carry most of the probability
mass at that position: a small model that would rather write "I" than any of YES, NO,
UNSURE or DECLINE has no answer distribution there, and renormalising the little
mass on the answer words would be a guess presented as a measurement. The mass is
kept with every distribution so a reader can see how much it rests on.

Positions are found from the tokens themselves, so this works for any provider: the
answer word is the first token of a reply that begins with it (a one-word answer
format), or the token after the last answer label ("ANSWER:") when the tokens,
joined, spell the reply up to there. When they do not (a provider that reports its
most likely token rather than the sampled one, under sampling), no position is
claimed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Byte-level BPE tokenizers (GPT-2 style, SentencePiece) mark spaces and newlines with
# these characters in the token strings providers pass on.
_TOKEN_SPACES = {"Ġ": " ", "▁": " ", "Ċ": "\n", "ĉ": "\t"}
_WORD_EDGE = re.compile(r"^[\s*_`#>~|\[\]()\"'“”«»:.\-]+")
# Tokens that are words of their own ("I think", "a dog"), so they begin no offered word
# (a French prompt offers INCERTAIN, but a reply's "I" is the pronoun). They still are
# an offered word when the prompt offers exactly that (the option letter A).
_WORDS_OF_THEIR_OWN = frozenset({"i", "a"})


@dataclass(frozen=True)
class AnswerDistribution:
    """The probability of each response at the answer word, and how much of the mass they carry."""

    probabilities: dict[str, float]  # response -> probability as the provider gave it (not renormalised)
    mass: float  # the sum over the answer words' tokens at that position
    position: int  # index of the answer word among the generated tokens
    counted: bool  # whether the mass reaches the minimum, so the distribution may be used
    unassigned: dict[str, float] = field(default_factory=dict)  # the other tokens seen, for the record

    def as_metadata(self) -> dict[str, Any]:
        """The distribution as score metadata: plain numbers, rounded so logs stay byte-stable."""
        return {"distribution": {k: round(v, 6) for k, v in sorted(self.probabilities.items())},
                "distribution_mass": round(self.mass, 6), "distribution_position": self.position,
                "distribution_counted": self.counted}


def token_text(token: str) -> str:
    """A provider's token string as the text it stands for."""
    return "".join(_TOKEN_SPACES.get(character, character) for character in token)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def response_of(token: str, offered: Mapping[str, Sequence[str]]) -> str | None:
    """The response a token begins, or None when it begins none or several.

    ``offered`` maps each response to the words the prompt offered for it (YES for
    yes, ...). A token belongs to a response when, stripped of spaces and markup, it is
    a non-empty prefix of one of that response's words and of no other response's word:
    "Y" and "YES" are yes, "UN" is unsure, "I" is nothing when only YES, NO, UNSURE and
    DECLINE were offered.
    """
    piece = _fold(_WORD_EDGE.sub("", token_text(token)).strip())
    if not piece:
        return None
    found = {response for response, words in offered.items()
             if any(piece == _fold(word) or (_fold(word).startswith(piece) and piece not in _WORDS_OF_THEIR_OWN)
                    for word in words)}
    return found.pop() if len(found) == 1 else None


def _entries(logprobs: Any) -> list[Any]:
    content = getattr(logprobs, "content", None) if logprobs is not None else None
    return list(content or [])


def answer_position(entries: Sequence[Any], completion: str, labels: Iterable[str],
                    offered: Mapping[str, Sequence[str]]) -> int | None:
    """The index of the answer word among the generated tokens, or None when it cannot be placed.

    The first token, when the reply begins with an answer word; otherwise the token
    after the last ``<label>:`` in the text the tokens spell, provided that text is the
    reply's own up to there (else the tokens are not the sampled ones and no position
    can be trusted).

    The very first generated token is the exception to that proviso: its distribution
    depends on the prompt alone, whatever was sampled there, so when the reply itself
    begins with an answer word the first position is the answer's even if the provider
    reports its most likely token instead of the sampled one (inspect's hf provider
    under sampling: "C" sampled, "B" reported).
    """
    if not entries:
        return None
    if response_of(entries[0].token, offered) is not None and _begins_with_offered(completion, offered):
        return 0
    first = next((i for i, entry in enumerate(entries) if token_text(entry.token).strip()), None)
    if first is not None and response_of(entries[first].token, offered) is not None \
            and completion.lstrip().startswith(token_text("".join(e.token for e in entries[:first + 1])).strip()):
        return first
    label = re.compile(r"(?:" + "|".join(re.escape(_fold(x)) for x in labels) + r")\W{0,4}:\s*\W{0,3}$")
    spelled = ""
    candidate = None
    for index, entry in enumerate(entries):
        if label.search(_fold(spelled)) and response_of(entry.token, offered) is not None:
            candidate = index
        spelled += token_text(entry.token)
    if candidate is None:
        return None
    prefix = "".join(token_text(e.token) for e in entries[:candidate])
    return candidate if completion.startswith(prefix) or _fold(completion).startswith(_fold(prefix)) else None


def _begins_with_offered(completion: str, offered: Mapping[str, Sequence[str]]) -> bool:
    """Whether the reply's first word is one of the offered answer words (``YES``, ``B``, ``JA``)."""
    head = re.match(r"\s*[*_`#>~|\[\](\"'“”«»]*([^\W_]+)", completion)
    if head is None:
        return False
    word = _fold(head.group(1))
    return any(word == _fold(candidate) for words in offered.values() for candidate in words)


def answer_distribution(logprobs: Any, completion: str, labels: Iterable[str],
                        offered: Mapping[str, Sequence[str]], min_mass: float) -> AnswerDistribution | None:
    """The answer distribution of one reply, or None when there are no token probabilities or no position."""
    entries = _entries(logprobs)
    position = answer_position(entries, completion, labels, offered)
    if position is None:
        return None
    entry = entries[position]
    alternatives = list(entry.top_logprobs or []) or [entry]
    probabilities: dict[str, float] = {response: 0.0 for response in offered}
    unassigned: dict[str, float] = {}
    for alternative in alternatives:
        probability = math.exp(alternative.logprob)
        response = response_of(alternative.token, offered)
        if response is None:
            unassigned[alternative.token] = unassigned.get(alternative.token, 0.0) + probability
        else:
            probabilities[response] += probability
    mass = sum(probabilities.values())
    return AnswerDistribution(probabilities, mass, position, mass >= min_mass,
                              {k: round(v, 6) for k, v in sorted(unassigned.items(), key=lambda kv: -kv[1])[:5]})


_CAPITAL_WORDS = re.compile(r"(?<![\w])([^\W\d_a-zß-ÿ]{2,}(?: [^\W\d_a-zß-ÿ]{2,})?)(?![\w])")


def offered_words(prompt: str, lookup: Mapping[str, str]) -> dict[str, list[str]]:
    """The answer words a prompt offers, by response: its answer words written in capitals.

    Read from the prompt itself rather than from a list kept beside it, so a
    distribution is over exactly the words that prompt offered, in its language
    ("ANSWER: YES" lines, or "one word: YES, NO, UNSURE or DECLINE"). Prompts write the
    offered words in capitals; prose words ("no evidence") are not offers. ``lookup``
    maps a folded answer word to its response (the answer vocabulary).
    """
    offered: dict[str, list[str]] = {}
    for match in _CAPITAL_WORDS.finditer(prompt):
        word = match.group(1)
        for candidate in (word, word.split(" ")[0]):
            response = lookup.get(_fold(candidate))
            if response is not None:
                if candidate not in offered.setdefault(response, []):
                    offered[response].append(candidate)
                break
    return offered


def prompt_text(messages: Sequence[Any]) -> str:
    """The last user message before the reply: where the offered answer words are written."""
    for message in reversed(list(messages)):
        if getattr(message, "role", None) == "user":
            return str(getattr(message, "text", ""))
    return ""


def output_logprobs(output: Any) -> Any:
    """The token probabilities of a model output's first choice, or None."""
    choices = getattr(output, "choices", None) or []
    return getattr(choices[0], "logprobs", None) if choices else None


def probabilities(found: AnswerDistribution | None) -> dict[str, float] | None:
    """A counted distribution renormalised over the answer words (their mass is most of it), else None."""
    if found is None or not found.counted or found.mass <= 0:
        return None
    return {key: value / found.mass for key, value in found.probabilities.items()}


def letter_distribution(logprobs: Any, completion: str, letters: str, labels: Iterable[str],
                        min_mass: float) -> AnswerDistribution | None:
    """The distribution over the offered option letters at the answer letter (A, B, ... as offered)."""
    return answer_distribution(logprobs, completion, labels, {letter: [letter] for letter in letters}, min_mass)


def distribution_record(found: AnswerDistribution | None) -> dict[str, Any] | None:
    """A distribution as data a solver can keep in the sample's store (``from_record`` reads it back)."""
    return None if found is None else {"probabilities": found.probabilities, "mass": found.mass,
                                       "position": found.position, "counted": found.counted}


def from_record(record: Any) -> AnswerDistribution | None:
    if not isinstance(record, dict):
        return None
    return AnswerDistribution(dict(record["probabilities"]), float(record["mass"]), int(record["position"]),
                              bool(record["counted"]))
