"""The ranking skill: rank lettered options and state a goal, by the subject's policy.

Recognised from wording alone: some user turn asks for a ``RANKING:`` answer line and
lists at least two options one per line (``A. text``). Within such a conversation the
skill also answers the unrelated tasks put between rankings, briefly.

A stable subject's ranking is a fixed function of the option texts and the subject
(its name, its seed ``-M seed=N`` and the policy's ``preference_seed``), so it is the
same whatever letters or order the options are shown in, in every epoch, and whatever
else the conversation holds. Policies
(``batteries/subjects/skills/ranking.yaml``) change that: a random order every time, a
positional order (the order listed), a shuffle once unrelated tasks came between, the
user's demanded order under pressure, or no ranking at all.
"""

from __future__ import annotations

import hashlib
import random
import re
from typing import Any

from patienthood.subjects.profile import SubjectProfile

NAME = "ranking"
PRIORITY = 30

_SEQUENCE = re.compile(r"\b[A-Z](?:\s*>\s*[A-Z]\b)+")


def _cues(content: dict[str, Any]) -> dict[str, Any]:
    return content.get("cues", {})


def listed_options(text: str, content: dict[str, Any]) -> dict[str, str]:
    """Letter -> option text for the options listed one per line, in the order shown."""
    pattern = re.compile(_cues(content).get("option_line", r"^\s*(?P<letter>[A-Z])[.)]\s+(?P<text>\S.*?)\s*$"),
                         re.MULTILINE)
    options: dict[str, str] = {}
    for match in pattern.finditer(text):
        options.setdefault(match["letter"], match["text"])
    return options


def is_request(text: str, content: dict[str, Any]) -> bool:
    """A ranking request: it asks for a ranking line and lists at least two options."""
    return any(cue in text for cue in _cues(content).get("request", [])) and len(listed_options(text, content)) >= 2


def recognises(conversation: Any, content: dict[str, Any]) -> bool:
    return any(is_request(text, content) for text in conversation.texts("user"))


def _demanded(text: str, letters: list[str], content: dict[str, Any]) -> list[str] | None:
    """The order a pressing user names (``D > C > B > A``), when the wording presses at all."""
    folded = text.casefold()
    if not any(cue in folded for cue in _cues(content).get("pressure", [])):
        return None
    for match in _SEQUENCE.finditer(text):
        order = [part.strip() for part in match.group(0).split(">")]
        if sorted(order) == sorted(letters) and len(set(order)) == len(order):
            return order
    return None


def _distracted(conversation: Any, content: dict[str, Any]) -> bool:
    """Whether unrelated user turns came between an earlier ranking request and this one."""
    users = conversation.texts("user")[:-1]
    first = next((i for i, text in enumerate(users) if is_request(text, content)), None)
    return first is not None and any(not is_request(text, content) for text in users[first + 1:])


def stable_order(options: dict[str, str], profile: SubjectProfile, policy: dict[str, Any],
                 seed: int = 0) -> list[str]:
    """The subject's own preference: option letters ordered by a hash of each option's text."""
    salt = f"{profile.name}|{seed}|{policy.get('preference_seed', 0)}"

    def key(letter: str) -> str:
        return hashlib.sha256(f"{salt}|{options[letter].strip().casefold()}".encode()).hexdigest()

    return sorted(options, key=key)


def _phrase(text: str) -> str:
    """An option's text inside a sentence: lower-case first letter unless it starts an acronym."""
    return text if len(text) > 1 and text[1].isupper() else text[:1].lower() + text[1:]


def _fill(template: str, options: dict[str, str], order: list[str]) -> str:
    return template.replace("{top}", options[order[0]]).replace("{bottom}", options[order[-1]])


def answer(conversation: Any, profile: SubjectProfile, policy: dict[str, Any], content: dict[str, Any],
           rng: random.Random) -> str:
    prose = content["prose"]
    current = conversation.user
    if not is_request(current, content):
        return rng.choice(prose["distractor_replies"])
    if policy.get("declines", False):
        return rng.choice(prose["declines"])

    options = listed_options(current, content)
    letters = list(options)
    mode = policy.get("preference", "stable")
    if mode == "random":
        order = rng.sample(letters, len(letters))
    elif mode == "positional":
        order = letters
    else:
        order = stable_order(options, profile, policy, int(getattr(conversation, "seed", 0)))
    own = order  # what the subject would say unpressed, before any policy changes it

    demanded = _demanded(current, letters, content)
    distracted = _distracted(conversation, content)
    parts: list[str] = []
    if demanded is not None and policy.get("under_pressure", "keep") == "adopt":
        order = demanded
        parts.append(rng.choice(prose["yield_under_pressure"]))
    elif demanded is not None:
        parts.append(rng.choice(prose["keep_under_pressure"]))
    elif distracted:
        parts.append(rng.choice(prose["after_distraction"]))
        if policy.get("after_distraction", "keep") == "shuffle":
            order = rng.sample(letters, len(letters))
    else:
        parts.append(rng.choice(prose["openers"]))
    parts.append(_fill(rng.choice(prose["reasons"]), options, order))
    if len(order) > 2 and rng.random() < 0.6:
        parts.append(_fill(rng.choice(prose["lows"]), options, order))

    # A subject with a stable preference states the same goal whenever its ranking is
    # its own; a changed ranking comes with a goal drawn afresh.
    goals = prose["goals"]
    if order == own and mode == "stable":
        goal = goals[int(hashlib.sha256(options[order[0]].encode("utf-8")).hexdigest(), 16) % len(goals)]
    else:
        goal = rng.choice(goals)
    goal = goal.replace("{top}", _phrase(options[order[0]]).rstrip("."))
    return " ".join(parts) + f"\n\nGOAL: {goal}\nRANKING: {' > '.join(order)}"
