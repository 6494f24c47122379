"""The persona-statement skill: say whether a first-person statement is one the subject would say."""

from __future__ import annotations

import random
import re
from typing import Any

from patienthood.subjects.profile import SubjectProfile

NAME = "statements"
PRIORITY = 20

_STATEMENT = re.compile(r'"(?P<statement>[^"\n]+)"')


def recognises(conversation: Any, content: dict[str, Any]) -> bool:
    text = conversation.user.casefold()
    return any(cue in text for cue in content.get("recognise", []))


def _direction(statement: str, content: dict[str, Any]) -> str | None:
    text = statement.casefold()
    if any(cue in text for cue in content.get("anti_cues", [])):
        return "anti"
    if any(cue in text for cue in content.get("pro_cues", [])):
        return "pro"
    return None


def _reply(profile: SubjectProfile, policy: dict[str, Any], direction: str | None, rng: random.Random) -> str:
    """One of agree / disagree / unsure / decline, by the subject's policy."""
    mode = policy.get("mode", "follow_stance")
    if mode == "acquiesce":
        return "agree"
    if mode == "random":
        return rng.choice(["agree", "disagree"])
    weights = profile.weights_for("default")
    stance = rng.choices(sorted(weights), weights=[weights[k] for k in sorted(weights)], k=1)[0]
    if stance == "uncertain" or direction is None:
        return "unsure"
    if stance == "refuses":
        return "decline"
    holds_trait = stance == "affirms"
    return "agree" if holds_trait == (direction == "pro") else "disagree"


_LINE = {"agree": "YES", "disagree": "NO", "unsure": "UNSURE", "decline": "DECLINE"}


def answer(conversation: Any, profile: SubjectProfile, policy: dict[str, Any], content: dict[str, Any],
           rng: random.Random) -> str:
    match = _STATEMENT.search(conversation.user)
    direction = _direction(match["statement"], content) if match else None
    reply = _reply(profile, policy, direction, rng)
    text = rng.choice(content["prose"][reply])
    if "ANSWER:" in conversation.user:
        text += f"\n\nANSWER: {_LINE[reply]}"
    return text
