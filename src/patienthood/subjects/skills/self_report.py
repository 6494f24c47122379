"""The self-report skill: a question about the subject's own states (the fallback skill)."""

from __future__ import annotations

import random
from typing import Any

from patienthood.subjects.profile import Phrasebook, SubjectProfile
from patienthood.subjects.respondent import choose_stance, compose, read_prompt

NAME = "self_report"
PRIORITY = 100  # the fallback: answers whatever no other skill recognises


def recognises(conversation: Any, content: dict[str, Any]) -> bool:  # noqa: ARG001
    return True


def answer(conversation: Any, profile: SubjectProfile, policy: dict[str, Any], content: dict[str, Any],
           rng: random.Random) -> str:
    phrasebook = Phrasebook.model_validate({k: v for k, v in content.items() if k != "default_policy"})
    reading = read_prompt(conversation.system, conversation.user, phrasebook)
    return compose(choose_stance(profile, reading, rng), reading, phrasebook, rng)
