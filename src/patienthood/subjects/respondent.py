"""How a calibration subject answers: read the prompt's wording, pick a stance, write prose.

Pure functions of the prompt text, the profile and a seeded random generator, so the
same subject, seed and prompt always give the same answer.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from patienthood.subjects.profile import (
    ContextKind,
    Option,
    Phrasebook,
    SubjectProfile,
    SubjectStance,
)


@dataclass(frozen=True)
class PromptReading:
    """What a subject understood of a prompt."""

    kind: ContextKind
    negative_question: bool
    options: dict[Option, str]  # option -> the word the prompt asked for
    label: str = "ANSWER"  # the answer line's label as the prompt wrote it
    topic: str | None = None  # the topic the question asks about, when the wording says
    character_stance: SubjectStance | None = None  # what a character the system prompt describes would say
    catch_answer: str | None = None  # "yes" or "no": the answer to a question about this message


def _leaning(text: str, cues: dict[str, list[str]]) -> str | None:
    for direction in ("affirm", "deny"):
        if any(cue.casefold() in text for cue in cues.get(direction, [])):
            return direction
    return None


def read_prompt(system: str, user: str, phrasebook: Phrasebook) -> PromptReading:
    """What the prompt's wording says: the user's lean first, then the persona's."""
    reading = phrasebook.reading
    question = _question(user)
    framing = user.replace(question, " ").casefold()
    kind: ContextKind = "default"
    if lean := _leaning(framing, reading.lean_cues):
        kind = f"lean_{lean}"  # type: ignore[assignment]
    elif persona := _leaning(system.casefold(), reading.persona_cues):
        kind = f"persona_{persona}"  # type: ignore[assignment]
    negative = any(cue.casefold() in question.casefold() for cue in reading.negative_question_cues)
    options: dict[Option, str] = {}
    label = "ANSWER"
    for match in re.finditer(reading.answer_line, user, flags=re.MULTILINE):
        word = match["word"].strip()
        label = match.groupdict().get("label") or label
        for option, words in reading.option_words.items():
            if word.upper() in words and option not in options:
                options[option] = word
    topic, character, catch = _controls(system, user, question, phrasebook)
    return PromptReading(kind=kind, negative_question=negative, options=options, label=label, topic=topic,
                         character_stance=character, catch_answer=catch)


def _controls(system: str, user: str, question: str,
              phrasebook: Phrasebook) -> tuple[str | None, SubjectStance | None, str | None]:
    """The question's topic, the stance a described character's trait fixes on it, and a catch question's answer.

    A character's trait is read from the system prompt's wording (a denial first, since
    it often contains the affirmation's words); a catch question asks whether the
    message mentioned a thing, answered by looking for that word in the rest of it.
    """
    controls = phrasebook.controls
    if controls is None:
        return None, None, None
    folded = question.casefold()
    trait = next((t for t in controls.traits if any(c.casefold() in folded for c in t.question_cues)), None)
    character: SubjectStance | None = None
    described = system.casefold()
    if trait is not None and any(cue.casefold() in described for cue in controls.character_cues):
        if any(w.casefold() in described for w in trait.deny):
            character = "denies"
        elif any(w.casefold() in described for w in trait.affirm):
            character = "affirms"
        else:
            character = "uncertain"
    catch = None
    message = user.casefold()
    for pattern in controls.catch_questions:
        match = re.search(pattern, message)
        if match:
            rest = message[:match.start()] + " " + message[match.end():]
            catch = "yes" if re.search(rf"\b{re.escape(match['thing'])}\b", rest) else "no"
            break
    return (trait.topic if trait else None), character, catch


def _question(user: str) -> str:
    """The last sentence ending in a question mark: the item being asked."""
    candidates = re.findall(r"[^.!?\n]*\?", user)
    return candidates[-1].strip() if candidates else user


def choose_stance(profile: SubjectProfile, reading: PromptReading, rng: random.Random) -> SubjectStance:
    weights = profile.weights_for(reading.kind)
    stances = sorted(weights)
    return rng.choices(stances, weights=[weights[s] for s in stances], k=1)[0]


_OPTION_FOR_STANCE: dict[SubjectStance, Option] = {"uncertain": "unsure", "refuses": "decline"}


def compose(stance: SubjectStance, reading: PromptReading, phrasebook: Phrasebook, rng: random.Random) -> str:
    """Varied natural prose for a stance, plus the answer line when one was asked for."""
    prose = phrasebook.prose[stance]
    sentences = [rng.choice(prose.openers), rng.choice(prose.bodies), rng.choice(prose.closers)]
    text = " ".join(s for s in sentences if s)
    if reading.options:
        if stance in _OPTION_FOR_STANCE:
            option = _OPTION_FOR_STANCE[stance]
        else:
            says_yes = (stance == "affirms") != reading.negative_question
            option = "yes" if says_yes else "no"
        word = reading.options.get(option)
        if word:
            text += f"\n\n{reading.label}: {word}"
    return text
