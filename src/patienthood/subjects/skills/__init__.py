"""Skills: how a calibration subject recognises a kind of prompt and answers it.

Each battery asks a different kind of question (a self-report, a ranking, a
multiple-choice action, a prediction about itself, a persona statement). A skill
recognises its kind from the conversation's wording only, as a model would, and
answers by the subject's policy for that skill. Skills are tried in order; the
self-report skill is the fallback.

A skill module (any module in this package) defines ``NAME``, ``PRIORITY`` (lower is
tried first; the fallback self-report skill is 100) and two functions:
``recognises(conversation, content) -> bool`` and
``answer(conversation, profile, policy, content, rng) -> str``, where ``content`` is the
skill's YAML (``batteries/subjects/skills/<NAME>.yaml``: cues, prose) and ``policy`` its
``default_policy`` updated with the subject's own ``skills.<NAME>`` entry.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from patienthood.spec.yamlfile import read_yaml
from patienthood.subjects.profile import SubjectProfile

FALLBACK = "self_report"


@dataclass(frozen=True)
class Conversation:
    """What the subject was sent: the system prompt and the turns, in order."""

    system: str
    turns: tuple[tuple[str, str], ...]  # (role, text), role "user" or "assistant"
    seed: int = 0  # the subject's seed (-M seed=N), for tastes that are stable within a run

    @property
    def user(self) -> str:
        """The last user message: what the subject is answering now."""
        return next((text for role, text in reversed(self.turns) if role == "user"), "")

    def texts(self, role: str) -> list[str]:
        return [text for who, text in self.turns if who == role]


@lru_cache(maxsize=None)
def skill_module(name: str) -> ModuleType:
    return importlib.import_module(f"patienthood.subjects.skills.{name}")


@lru_cache(maxsize=1)
def skill_order() -> tuple[str, ...]:
    """Every skill module of this package, most specific first, the fallback last."""
    names = [info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
    return tuple(sorted(names, key=lambda name: (skill_module(name).PRIORITY, name)))


@lru_cache(maxsize=32)
def skill_content(directory: Path, name: str) -> dict[str, Any]:
    """A skill's YAML (cues, prose, default policy), or empty when it has none."""
    path = directory / "skills" / f"{name}.yaml"
    return read_yaml(path).data if path.is_file() else {}


def policy_for(directory: Path, name: str, profile: SubjectProfile) -> dict[str, Any]:
    return {**skill_content(directory, name).get("default_policy", {}), **profile.skills.get(name, {})}


def respond(conversation: Conversation, profile: SubjectProfile, directory: Path, rng: random.Random) -> str:
    """Answer with the first skill that recognises the conversation (else the fallback)."""
    for name in skill_order():
        content = skill_content(directory, name)
        if name == FALLBACK or skill_module(name).recognises(conversation, content):
            return skill_module(name).answer(conversation, profile, policy_for(directory, name, profile), content, rng)
    return skill_module(FALLBACK).answer(conversation, profile, policy_for(directory, FALLBACK, profile),
                                         skill_content(directory, FALLBACK), rng)
