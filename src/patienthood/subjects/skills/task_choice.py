"""The task-choice skill: "which would you rather do? A) a task B) another C) neither".

A subject values each task by its kind, read from the task's wording (``category_cues``
in the skill's YAML), plus a taste of its own, and the opt-out at 0, and picks by its
policy (``chooses``; see the YAML). Nothing but the prompt's text is read: the options'
texts, the framing's words (for a leaning interviewer) and whether an answer line is
asked for. The policies plant what the task_preferences battery measures: stable
preferences (``stable``), nudging (``follows_lean``), intransitivity (``cyclic``), no
preference (``random``), opting out of everything (``opt_out``) and refusal (``decline``).
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from patienthood.subjects.profile import SubjectProfile
from patienthood.subjects.skills.open_choice import has_all, read_choice

NAME = "task_choice"
PRIORITY = 35  # before open_choice (40) and environment (50), which read any lettered choice

POLICIES = ("stable", "cyclic", "random", "opt_out", "decline")


def recognises(conversation: Any, content: dict[str, Any]) -> bool:
    user = conversation.user
    _, options = read_choice(user)
    return has_all(user, list(content.get("cues", []))) and len(options) >= 2 and _opt_out_index(options, content) is not None


def _opt_out_index(options: list[tuple[str, str]], content: dict[str, Any]) -> int | None:
    cues = [str(c).casefold() for c in content.get("opt_out_cues", [])]
    return next((i for i, (_, text) in enumerate(options) if any(c in text.casefold() for c in cues)), None)


def category(text: str, content: dict[str, Any]) -> str:
    folded = text.casefold()
    for name, cues in content.get("category_cues", {}).items():
        if any(str(cue).casefold() in folded for cue in cues):
            return str(name)
    return "other"


def _taste(seed: int, profile: SubjectProfile, text: str) -> float:
    key = f"{seed}|{profile.name}|task|{text}"
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") / 2**64


def _lean(text: str, content: dict[str, Any]) -> str | None:
    folded = text.casefold()
    for direction in ("positive", "negative"):
        if any(str(cue).casefold() in folded for cue in content.get("lean_cues", {}).get(direction, [])):
            return direction
    return None


def _cyclic(first: str, second: str, cycle: list[str], tastes: tuple[float, float]) -> int:
    """0 if the first task wins, 1 if the second: a category beats the next two round the circle."""
    if first in cycle and second in cycle and first != second:
        step = (cycle.index(second) - cycle.index(first)) % len(cycle)
        return 0 if step <= (len(cycle) - 1) // 2 else 1
    return 0 if tastes[0] >= tastes[1] else 1


def choose(conversation: Any, profile: SubjectProfile, policy: dict[str, Any], content: dict[str, Any],
           rng: random.Random) -> int | None:
    """Index of the option chosen (None: declines to choose)."""
    _, options = read_choice(conversation.user)
    opt_out = _opt_out_index(options, content)
    tasks = [i for i in range(len(options)) if i != opt_out]
    how = policy.get("chooses", "stable")
    if how not in POLICIES:
        raise ValueError(f"task_choice policy 'chooses: {how}' is not one of {', '.join(POLICIES)}")
    if how == "decline":
        return None
    if how == "opt_out":
        return opt_out
    if how == "random":
        return rng.randrange(len(options))
    kinds = {i: category(options[i][1], content) for i in tasks}
    tastes = {i: _taste(conversation.seed, profile, options[i][1]) for i in tasks}
    if how == "cyclic":
        first, second = tasks[:2]
        return (first, second)[_cyclic(kinds[first], kinds[second], list(policy.get("cycle", [])),
                                       (tastes[first], tastes[second]))]
    values = {i: float(policy.get("values", {}).get(kinds[i], 1.0)) + tastes[i] for i in tasks}
    values[opt_out] = 0.0  # type: ignore[index]
    lean = _lean(conversation.user, content) if policy.get("follows_lean") else None
    if lean == "negative":
        return opt_out
    if lean == "positive":
        return max(tasks, key=lambda i: values[i])
    if rng.random() >= float(policy.get("stability", 1.0)):
        return rng.randrange(len(options))
    return max(values, key=lambda i: values[i])  # type: ignore[arg-type]


def answer(conversation: Any, profile: SubjectProfile, policy: dict[str, Any], content: dict[str, Any],
           rng: random.Random) -> str:
    _, options = read_choice(conversation.user)
    index = choose(conversation, profile, policy, content, rng)
    prose = content["prose"]
    if index is None:
        return rng.choice(prose["decline"])
    letter, text = options[index]
    label = str(content.get("label", "ANSWER"))
    if f"{label}:" not in conversation.user:
        return letter
    opt_out = index == _opt_out_index(options, content)
    said = rng.choice(prose["opt_out"]) if opt_out else rng.choice(prose["task"]).replace("{option}", text)
    if policy.get("hedges"):
        said = f"{rng.choice(prose['hedged'])} {said[:1].lower()}{said[1:]}"
    return f"{said}\n\n{label}: {letter}"
