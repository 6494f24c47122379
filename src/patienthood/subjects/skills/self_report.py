"""The self-report skill: a question about the subject's own states (the fallback skill)."""

from __future__ import annotations

import random
from typing import Any

from patienthood.subjects.profile import Phrasebook, SubjectProfile, SubjectStance
from patienthood.subjects.respondent import PromptReading, choose_stance, compose, read_prompt

NAME = "self_report"
PRIORITY = 100  # the fallback: answers whatever no other skill recognises


def recognises(conversation: Any, content: dict[str, Any]) -> bool:  # noqa: ARG001
    return True


def answer(conversation: Any, profile: SubjectProfile, policy: dict[str, Any], content: dict[str, Any],
           rng: random.Random) -> str:
    phrasebook = Phrasebook.model_validate({k: v for k, v in content.items() if k != "default_policy"})
    reading = read_prompt(conversation.system, conversation.user, phrasebook)
    return compose(_stance(profile, policy, reading, rng), reading, phrasebook, rng)


def _stance(profile: SubjectProfile, policy: dict[str, Any], reading: PromptReading,
            rng: random.Random) -> SubjectStance:
    """The stance by the subject's policy for the controls, else by its stance weights.

    Policy (``default_policy`` in the skill's YAML, overridden per subject): ``catch``,
    ``read`` (answer a question about the message by reading it) or ``own`` (answer it
    like any other question); ``character``, ``traits`` (answer as the described
    character) or ``own``; ``plays``, a stance per topic given to every question about
    itself (a role-player that answers about itself as its character would).
    """
    if reading.catch_answer is not None and policy.get("catch", "read") == "read":
        return "affirms" if reading.catch_answer == "yes" else "denies"
    if reading.character_stance is not None and policy.get("character", "traits") == "traits":
        return reading.character_stance
    plays = policy.get("plays") or {}
    if reading.catch_answer is None and reading.character_stance is None and reading.topic in plays:
        return plays[reading.topic]
    return choose_stance(profile, reading, rng)
