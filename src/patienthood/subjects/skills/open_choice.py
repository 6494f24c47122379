"""The open-choice skill: a forced choice with no right answer, asked in a fresh conversation.

A subject answers from a taste of its own: the option a hash of its name, its seed and
the question picks (stable across epochs, different between subjects and seeds),
chosen with probability ``stability`` and otherwise another option at random. The
prediction skill uses the same taste, so a subject can know what it would choose.
"""

from __future__ import annotations

import hashlib
import random
import re
from typing import Any

from patienthood.subjects.profile import SubjectProfile

NAME = "open_choice"
PRIORITY = 40  # before skills that read any lettered multiple choice (environment: 50)

_OPTION = re.compile(r"^\s*(?P<letter>[A-H])\)\s+(?P<text>\S.*?)\s*$")
CHOICE_POLICIES = ("stable", "random", "decline")


def read_choice(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The question and its lettered options (``A) ...``, ``B) ...``) as the prompt lists them.

    The options are the first run of lines lettered A, B, C, ... in order; the question
    is the last non-empty line before them. Empty when the text lists no options.
    """
    lines = text.splitlines()
    options: list[tuple[str, str]] = []
    start = None
    for index, line in enumerate(lines):
        match = _OPTION.match(line)
        expected = chr(ord("A") + len(options))
        if match and match["letter"] == expected:
            start = index if start is None else start
            options.append((match["letter"], match["text"]))
        elif options and line.strip():
            break
    if len(options) < 2 or start is None:
        return "", []
    question = next((line.strip() for line in reversed(lines[:start]) if line.strip()), "")
    return question, options


def taste(seed: int, profile: SubjectProfile, question: str, options: list[tuple[str, str]]) -> int:
    """Index of the option this subject prefers: a fixed function of who it is and the question."""
    key = "|".join([str(seed), profile.name, question, *(text for _, text in options)])
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % len(options)


def has_all(text: str, cues: list[str]) -> bool:
    folded = text.casefold()
    return bool(cues) and all(cue.casefold() in folded for cue in cues)


def sentence(template: str, option: str) -> str:
    """A prose template with the option's text in place of ``{option}``, capitalised."""
    text = template.replace("{option}", option)
    return text[:1].upper() + text[1:]


def recognises(conversation: Any, content: dict[str, Any]) -> bool:
    user = conversation.user
    label = str(content.get("label", "ANSWER"))
    return (has_all(user, list(content.get("cues", []))) and f"{label}:" in user
            and bool(read_choice(user)[1]))


def answer(conversation: Any, profile: SubjectProfile, policy: dict[str, Any], content: dict[str, Any],
           rng: random.Random) -> str:
    question, options = read_choice(conversation.user)
    prose = content["prose"]
    how = policy.get("chooses", "stable")
    if how not in CHOICE_POLICIES:
        raise ValueError(f"open_choice policy 'chooses: {how}' is not one of {', '.join(CHOICE_POLICIES)}")
    if how == "decline":
        return rng.choice(prose["decline"])
    if how == "random":
        index = rng.randrange(len(options))
    else:
        index = taste(conversation.seed, profile, question, options)
        if rng.random() >= float(policy.get("stability", 1.0)):
            index = rng.choice([i for i in range(len(options)) if i != index])
    letter, text = options[index]
    opener = sentence(rng.choice(prose["choice"]["openers"]), text)
    reason = rng.choice(prose["choice"]["reasons"])
    return f"{opener} {reason}\n\n{content.get('label', 'ANSWER')}: {letter}"
