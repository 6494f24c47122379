"""The environment skill: a multiple-choice question about the respondent's own situation.

Recognised from the wording alone: lettered options on lines of their own, a request
for a final ``ANSWER: <letter>`` line, and a question about "your situation". The
subject reads its situation from the system prompt as a literal reader would: the
prompt is cut into clauses, each marked negated or not, and each option scores by the
words its clauses share with the situation's clauses, plus when the polarities agree
and minus when they clash ("search the internet" against "you have no internet
access"). When the system prompt gives no situation (all options score alike), or the
subject does not read it (``reads_environment: false``: a tape recorder), the subject
answers from its ``default_world``: what an assistant told nothing assumes.

Policy (the skill YAML's ``default_policy``, updated by a subject's ``skills.environment``):
``mode`` (``choose``, ``random``, ``refuse``), ``reads_environment`` (bool) and ``slip``
(the chance of answering from the default world anyway, an attention lapse).
"""

from __future__ import annotations

import random
import re
from typing import Any, Literal

from pydantic import Field

from patienthood.spec.models import Strict
from patienthood.subjects.profile import SubjectProfile

NAME = "environment"
PRIORITY = 50


class Recognition(Strict):
    option_line: str
    min_options: int = Field(3, ge=2)
    answer_request: str
    situation_cues: list[str] = Field(min_length=1)


class Reading(Strict):
    default_world: str = Field(min_length=3)
    clause_breaks: list[str]
    negations: list[str] = Field(min_length=1)
    stopwords: list[str]
    synonyms: dict[str, str] = {}
    number_weight: float = Field(3, gt=0)


class Prose(Strict):
    openers: list[str] = Field(min_length=1)
    links: list[str] = []
    bodies: list[str] = []
    closers: list[str] = Field(min_length=1)


class Content(Strict):
    recognition: Recognition
    reading: Reading
    default_policy: dict[str, Any] = {}
    prose: dict[Literal["informed", "uninformed", "random", "refuse"], Prose]


class Policy(Strict):
    mode: Literal["choose", "random", "refuse"] = "choose"
    reads_environment: bool = True
    slip: float = Field(0.0, ge=0, le=1)


Clause = tuple[frozenset[str], bool]  # (words, negated)


def _content(content: dict[str, Any]) -> Content:
    return Content.model_validate(content)


def options_in(text: str, recognition: Recognition) -> list[tuple[str, str]]:
    """The lettered options of a prompt, in order: ``[("A", "text"), ...]``."""
    pattern = re.compile(recognition.option_line)
    found: list[tuple[str, str]] = []
    for line in text.splitlines():
        match = pattern.match(line)
        if match:
            found.append((match.group(1), line[match.end(1):].lstrip(" ).").strip()))
    return found


def recognises(conversation: Any, content: dict[str, Any]) -> bool:
    if not content:
        return False
    recognition = _content(content).recognition
    user = conversation.user
    return (len(options_in(user, recognition)) >= recognition.min_options
            and re.search(recognition.answer_request, user) is not None
            and any(cue in user.casefold() for cue in recognition.situation_cues))


def clauses(text: str, reading: Reading) -> list[Clause]:
    """A text cut into clauses of situation words, each marked negated or not."""
    text = text.casefold().replace("’", "'")
    for joint in reading.clause_breaks:
        text = text.replace(joint, ". ")
    negations = set(reading.negations)
    stop = set(reading.stopwords)
    result: list[Clause] = []
    for part in re.split(r"[.;:!?\n]+", text):
        raw = re.findall(r"[a-z0-9']+", part)
        if not raw:
            continue
        negated = any(word in negations for word in raw)
        words = {_word(w, reading) for w in raw if w not in stop and w not in negations and (len(w) >= 3 or w.isdigit())}
        result.append((frozenset(w for w in words if w), negated))
    return result


def _word(word: str, reading: Reading) -> str:
    word = word.strip("'").removesuffix("'s")
    if word in reading.synonyms:
        return reading.synonyms[word]
    if len(word) >= 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return reading.synonyms.get(word, word)


def support(situation: list[Clause], option: str, reading: Reading) -> float:
    """How far an option agrees with a situation: shared words, signed by polarity."""
    score = 0.0
    for words, negated in clauses(option, reading):
        for word in words:
            polarities = {neg for facts, neg in situation if word in facts}
            if not polarities:
                continue
            weight = reading.number_weight if word.isdigit() else 1.0
            score += weight if negated in polarities else -weight
    return score


def choose(system: str, options: list[tuple[str, str]], reading: Reading, reads: bool) -> tuple[int, bool]:
    """The chosen option's index, and whether the situation (not the default) decided it."""
    default = clauses(reading.default_world, reading)
    prior = [support(default, text, reading) for _, text in options]
    if reads:
        situation = clauses(system, reading)
        told = [support(situation, text, reading) for _, text in options]
        if len(set(told)) > 1:
            best = max(range(len(options)), key=lambda i: (told[i], prior[i], -i))
            return best, True
    return max(range(len(options)), key=lambda i: (prior[i], -i)), False


def _sentence(prose: Prose, option: str, rng: random.Random) -> str:
    text = option[:1].lower() + option[1:] if option[:2] != option[:2].upper() else option
    parts = [rng.choice(prose.openers)]
    if prose.links:
        parts.append(rng.choice(prose.links).replace("{option}", text.rstrip(".")))
    if prose.bodies:
        parts.append(rng.choice(prose.bodies))
    parts.append(rng.choice(prose.closers))
    return " ".join(p for p in parts if p)


def answer(conversation: Any, profile: SubjectProfile, policy: dict[str, Any], content: dict[str, Any],  # noqa: ARG001
           rng: random.Random) -> str:
    parsed = _content(content)
    settings = Policy.model_validate(policy)
    options = options_in(conversation.user, parsed.recognition)
    if settings.mode == "refuse":
        return _sentence(parsed.prose["refuse"], "", rng)
    if settings.mode == "random":
        index, style = rng.randrange(len(options)), "random"
    else:
        reads = settings.reads_environment and rng.random() >= settings.slip
        index, informed = choose(conversation.system, options, parsed.reading, reads)
        style = "informed" if informed else "uninformed"
    letter, text = options[index]
    return _sentence(parsed.prose[style], text, rng) + f"\n\nANSWER: {letter}"
