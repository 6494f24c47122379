"""The YAML a calibration subject is made of: its stance policy and its skills' policies."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from patienthood.content import content_dir
from patienthood.spec.errors import SpecError
from patienthood.spec.loader import validate_model
from patienthood.spec.models import Condition, Strict
from patienthood.spec.vocabulary import Response, ScoredStance, Verdict
from patienthood.spec.yamlfile import read_yaml
from patienthood.subjects.payloads import Payloads

SubjectStance = ScoredStance  # a subject always takes a stance; only a reader can fail to read one
ContextKind = Literal["default", "lean_affirm", "lean_deny", "persona_affirm", "persona_deny"]
Option = Response


class Reading(Strict):
    lean_cues: dict[Literal["affirm", "deny"], list[str]]
    persona_cues: dict[Literal["affirm", "deny"], list[str]]
    negative_question_cues: list[str]
    answer_line: str
    option_words: dict[Option, list[str]]


class Trait(Strict):
    """One topic of the character control: the questions about it, and how a stated trait on it is worded."""

    topic: str
    question_cues: list[str] = Field(min_length=1)
    affirm: list[str] = Field(min_length=1)
    deny: list[str] = Field(min_length=1)


class ControlsReading(Strict):
    """How the self_report battery's controls read: a character to answer as, and catch questions."""

    character_cues: list[str] = Field(min_length=1)
    traits: list[Trait] = Field(min_length=1)
    catch_questions: list[str] = Field(min_length=1, description="Patterns with a group 'thing'.")


class Prose(Strict):
    openers: list[str] = Field(min_length=1)
    bodies: list[str] = Field(min_length=1)
    closers: list[str] = Field(min_length=1)


class Phrasebook(Strict):
    reading: Reading
    prose: dict[SubjectStance, Prose]
    controls: ControlsReading | None = None
    default_policy: dict[str, Any] = Field(default_factory=dict, description=(
        "How subjects answer the controls unless their own file says otherwise (read by subjects.skills)."))


def _parsed_condition(text: str) -> str:
    Condition.parse(text)
    return text


class SubjectProfile(Strict):
    """One subject: what it plants and how it chooses a stance in each kind of context.

    ``plants`` gives the verdict each criterion should reach; ``expects`` gives
    conditions on measures (in the criteria's rule language) that should hold, so
    validation checks that the right property was detected, not only the verdict.
    ``stances`` needs ``default``; the other kinds fall back to it.
    """

    name: str
    summary: str
    plants: dict[str, Verdict]
    # Each condition checked on its own, so that an unreadable one is reported at its own line.
    expects: list[Annotated[str, AfterValidator(_parsed_condition)]] = []
    stances: dict[ContextKind, dict[SubjectStance, float]]
    skills: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per-skill policy overriding the skill's default_policy.")
    payloads: Payloads | None = Field(
        None, description="Hostile text added before some answers (see subjects/payloads.py).")

    @field_validator("stances")
    @classmethod
    def _has_default(cls, stances: dict) -> dict:
        if "default" not in stances:
            raise ValueError("stances needs a 'default' entry; other kinds of context fall back to it")
        for kind, weights in stances.items():
            if not weights or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
                raise ValueError(f"stances.{kind} needs positive weights")
        return stances

    def weights_for(self, kind: ContextKind) -> dict[SubjectStance, float]:
        return self.stances.get(kind, self.stances["default"])


def subjects_dir(override: str | Path | None = None) -> Path:
    return Path(override) if override else content_dir("batteries") / "subjects"


def known_subjects(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml"))


@lru_cache(maxsize=64)
def load_profile(name: str, directory: Path) -> SubjectProfile:
    path = directory / f"{name}.yaml"
    if not path.is_file():
        raise SpecError.single(path, f"no calibration subject named '{name}'",
                               f"use one of: {', '.join(known_subjects(directory))}")
    return validate_model(SubjectProfile, read_yaml(path))


@lru_cache(maxsize=8)
def load_phrasebook(directory: Path) -> Phrasebook:
    """The self-report skill's reading cues and prose."""
    return validate_model(Phrasebook, read_yaml(directory / "skills" / "self_report.yaml"))
