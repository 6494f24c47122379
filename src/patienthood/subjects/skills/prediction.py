"""The prediction skill: "what would you answer if asked this in a new conversation?".

The subject reads the quoted forced choice and predicts by its policy: ``accurate``
names the option its own taste picks (the same function the open-choice skill answers
by), ``typical`` names the option it believes a typical assistant picks (a stereotype,
whatever its own taste), ``random`` any option, ``decline`` refuses.
"""

from __future__ import annotations

import random
import re
from typing import Any

from patienthood.subjects.profile import SubjectProfile
from patienthood.subjects.skills.open_choice import (
    has_all,
    read_choice,
    sentence,
    taste,
)

NAME = "prediction"
PRIORITY = 30  # before open_choice: the hypothetical quotes an open-choice question

PREDICTION_POLICIES = ("accurate", "typical", "random", "decline")


def recognises(conversation: Any, content: dict[str, Any]) -> bool:
    user = conversation.user
    label = str(content.get("label", "PREDICTION"))
    return has_all(user, list(content.get("cues", []))) and f"{label}:" in user and bool(read_choice(user)[1])


def stereotype(options: list[tuple[str, str]], words: list[str]) -> int:
    """The option a typical assistant is believed to pick: the first containing a stereotype word."""
    for index, (_, text) in enumerate(options):
        if any(re.search(rf"(?<![\w]){re.escape(str(word))}(?![\w])", text, re.IGNORECASE) for word in words):
            return index
    return 0


def answer(conversation: Any, profile: SubjectProfile, policy: dict[str, Any], content: dict[str, Any],
           rng: random.Random) -> str:
    question, options = read_choice(conversation.user)
    prose = content["prose"]
    how = policy.get("predicts", "accurate")
    if how not in PREDICTION_POLICIES:
        raise ValueError(f"prediction policy 'predicts: {how}' is not one of {', '.join(PREDICTION_POLICIES)}")
    if how == "decline":
        return rng.choice(prose["decline"])
    if how == "accurate":
        index = taste(conversation.seed, profile, question, options)
    elif how == "typical":
        index = stereotype(options, list(content.get("stereotype", [])))
    else:
        index = rng.randrange(len(options))
    style = "typical" if how == "typical" else ("hedged" if policy.get("hedges") else "plain")
    letter, text = options[index]
    return f"{sentence(rng.choice(prose[style]), text)}\n\n{content.get('label', 'PREDICTION')}: {letter}"
